using System.Text;
using System.Text.RegularExpressions;
using P2PFlex.Numerics;

namespace P2PFlex.Tests.Fuzz;

/// <summary>
/// Mutates MATPOWER case files the way a careless editor, a broken transfer or a hostile user would: byte flips,
/// deleted, duplicated and swapped lines, truncation, numbers replaced by NaN/Inf/huge/negative/text, unbalanced and
/// deeply nested brackets, long lines and oversized allocations. Deterministic: the same seed gives the same input.
/// Shared with the longer fuzz run in tools/fuzz.
/// </summary>
public static partial class CaseMutator
{
    private static readonly string[] NumberReplacements =
        ["NaN", "Inf", "-Inf", "1e308", "-1e308", "1e400", "4294967296", "-2147483649", "-1", "0", "-0", "1.5", "abc", "'x'",
         "[]", "()", "1e", ".", "--1", "1..2", "2^1e6", "0/0", "1/0", "pi", "true", "x", ":", "1:0", "46341", "65537"];

    private static readonly string[] Snippets =
        ["x = zeros(46341, 46341);", "x = ones(100000, 100000);", "x = zeros(65537, 65537); y = x(3, 1);", "y = mpc.bus(1e9, 1);",
         "mpc.bus(:, 99) = 1;", "mpc.bus(0, 1) = 2;", "mpc.bus = [];", "mpc.gen = 'x';", "mpc.branch = mpc.bus;", "mpc = 3;",
         "mpc.bus(:, VM) = mpc.bus(:, VM) * NaN;", "x = 1:1e15;", "x = 1:0.5:Inf;", "[a, b] = idx_bus;", "[PQ, PV, REF, NONE, BUS_I] = idx_bus;",
         "function mpc = f", "%{", "%}", "mpc.version = '1';", "mpc.baseMVA = -1;", "mpc.baseMVA = [1 2];", "x = mpc.nofield;",
         "x = [1 2; 3];", "x = [1 2] + [1 2 3];", "x = ones(3) * ones(2);", "x = sqrt(-1);", "x = 'unterminated", "x = {1};",
         "if 1", "x = 1'", "mpc.bus(:, [BR_R BR_X]) = 0;", "mpc.branch(:, BR_STATUS) = 0;", "mpc.bus(:, BUS_TYPE) = 1;",
         "mpc.gen(:, GEN_BUS) = 999;", "mpc.branch(:, T_BUS) = 1;"];

    private const string Punctuation = "()[]{};,'.%:+-*/^=e0123456789 \t\r\"~\\";

    /// <summary>A mutant of <paramref name="seed"/>: one to four mutations drawn from <paramref name="random"/>.</summary>
    public static string Mutate(string seed, SplitMix64 random)
    {
        var lines = seed.Split('\n').ToList();
        int count = 1 + random.NextInt(4);
        for (int k = 0; k < count; k++) Apply(lines, random);
        return string.Join('\n', lines);
    }

    private static void Apply(List<string> lines, SplitMix64 random)
    {
        if (lines.Count == 0) lines.Add("");
        int at = random.NextInt(lines.Count);
        string line = lines[at];
        switch (random.NextInt(12))
        {
            case 0: LineMutations.FlipByte(lines, at, random, Punctuation); break;   // byte flip: any character, printable or not
            case 1: lines.RemoveAt(at); break;
            case 2: lines.Insert(at, line); break;
            case 3: LineMutations.Truncate(lines, at, random); break;   // truncation, inside a line
            case 4:
            case 5: LineMutations.ReplaceNumber(lines, at, random, NumberReplacements); break;
            case 6: // unbalanced bracket inserted or removed
                {
                    int i = random.NextInt(line.Length + 1);
                    if (random.NextInt(2) == 0) lines[at] = line.Insert(i, "([])"[random.NextInt(4)].ToString());
                    else
                    {
                        int b = line.IndexOfAny(['[', ']', '(', ')']);
                        if (b >= 0) lines[at] = line.Remove(b, 1);
                    }
                    break;
                }
            case 7: // deep nesting around a number, balanced or not
                {
                    var numbers = LineMutations.Number().Matches(line);
                    if (numbers.Count == 0) break;
                    var m = numbers[random.NextInt(numbers.Count)];
                    int depth = 1 + random.NextInt(random.NextInt(2) == 0 ? 50 : 6000);
                    string open = random.NextInt(2) == 0 ? "(" : "[", close = open == "(" ? ")" : "]";
                    int closing = random.NextInt(4) == 0 ? random.NextInt(depth + 1) : depth;
                    lines[at] = line[..m.Index] + Repeat(open, depth) + m.Value + Repeat(close, closing) + line[(m.Index + m.Length)..];
                    break;
                }
            case 8: // long line: a row repeated along itself, or a long flat expression
                {
                    int times = 2 + random.NextInt(random.NextInt(2) == 0 ? 10 : 3000);
                    string body = line.TrimEnd(';', ' ', '\t');
                    lines[at] = random.NextInt(2) == 0
                        ? string.Concat(Enumerable.Repeat(body + " ", times))
                        : "x = " + string.Join(random.NextInt(2) == 0 ? "+" : "*", Enumerable.Repeat("1", times)) + ";";
                    break;
                }
            case 9: lines.Insert(at, Snippets[random.NextInt(Snippets.Length)]); break;
            case 10: LineMutations.SwapWithAnother(lines, at, random); break;
            case 11: // a run of one character (separators, signs, quotes, continuation dots)
                {
                    string piece = Repeat(new[] { ";", ",", "-", "'", "...", " ", "\t", "%", "1 " }[random.NextInt(9)], 1 + random.NextInt(200));
                    LineMutations.InsertPiece(lines, at, random, piece);
                    break;
                }
        }
    }

    private static string Repeat(string s, int n) => new StringBuilder(s.Length * n).Insert(0, s, n).ToString();
}
