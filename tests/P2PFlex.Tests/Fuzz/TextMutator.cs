using System.Text;
using System.Text.RegularExpressions;
using P2PFlex.Numerics;

namespace P2PFlex.Tests.Fuzz;

/// <summary>
/// Mutates the project's text data files — scenario JSON and market CSV (orderbooks, P2P subsets, line limits, loading
/// states) — the way a careless editor, a spreadsheet or a broken transfer would: byte flips, deleted, duplicated and
/// swapped lines, truncation, numbers replaced by NaN/Inf/huge/tiny/negative/text, words of the files' vocabulary
/// swapped for one another, values replaced by null/objects/arrays, separators and quotes inserted. Most mutants are
/// broken; the rest (a number scaled, a design's kind changed, two keys swapped) are valid files that must run.
/// Deterministic: the same seed gives the same input.
/// </summary>
public static partial class TextMutator
{
    private static readonly string[] NumberReplacements =
        ["NaN", "Infinity", "-Infinity", "1e308", "-1e308", "1e400", "1e-300", "4294967296", "-1", "0", "-0", "0.5", "2", "abc", "\"x\"",
         "null", "true", "[]", "{}", "1e", ".", "--1", "1..2", "0x10", "1,5", "\"\"", "2147483648", "-2147483649", "1000", "0.001"];

    /// <summary>Words of the files' vocabulary: a value swapped for another is a valid file more often than not.</summary>
    private static readonly string[] Words =
        ["none", "bilateral", "auction", "network-auction", "capacity-trade", "subset", "lateral-relief", "base", "extreme", "block", "incentive",
         "true", "false", "up", "down", "kind", "market_design", "peers", "state", "lfm", "voltage_aware", "theta", "w", "null", "", "0", "1"];

    private const string Punctuation = "{}[]:,\"'.-+eE0123456789 \t\r;#\\";

    [GeneratedRegex(@"""([a-z\-]+)""|(?<=,|^)([a-z\-]+)(?=,|$)")]
    private static partial Regex WordPattern();

    /// <summary>A mutant of <paramref name="seed"/>: one to three mutations drawn from <paramref name="random"/>.</summary>
    public static string Mutate(string seed, SplitMix64 random)
    {
        var lines = seed.Split('\n').ToList();
        int count = 1 + random.NextInt(3);
        for (int k = 0; k < count; k++) Apply(lines, random);
        return string.Join('\n', lines);
    }

    private static void Apply(List<string> lines, SplitMix64 random)
    {
        if (lines.Count == 0) lines.Add("");
        int at = random.NextInt(lines.Count);
        string line = lines[at];
        switch (random.NextInt(14))
        {
            case 0: LineMutations.FlipByte(lines, at, random, Punctuation); break;   // byte flip: any character, printable or not
            case 1: lines.RemoveAt(at); break;
            case 2: lines.Insert(at, line); break;
            case 3: LineMutations.Truncate(lines, at, random); break;   // truncation, inside a line
            case 4: LineMutations.ReplaceNumber(lines, at, random, NumberReplacements); break;   // an absurd or wrongly typed value
            case 5:
            case 6: // a number scaled: a valid file that must run, or a bound that must be refused
                {
                    var numbers = LineMutations.Number().Matches(line);
                    if (numbers.Count == 0) break;
                    var m = numbers[random.NextInt(numbers.Count)];
                    if (!double.TryParse(m.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v)) break;
                    double factor = new[] { 0.0, 0.1, 0.5, 0.9, 1.1, 2, 10, -1 }[random.NextInt(8)];
                    string scaled = (v * factor).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
                    lines[at] = line[..m.Index] + scaled + line[(m.Index + m.Length)..];
                    break;
                }
            case 7:
            case 8: // a word of the vocabulary swapped for another
                {
                    var words = WordPattern().Matches(line);
                    if (words.Count == 0) break;
                    var m = words[random.NextInt(words.Count)];
                    var g = m.Groups[1].Success ? m.Groups[1] : m.Groups[2];
                    lines[at] = line[..g.Index] + Words[random.NextInt(Words.Length)] + line[(g.Index + g.Length)..];
                    break;
                }
            case 9: LineMutations.SwapWithAnother(lines, at, random); break;
            case 10: // a value replaced by null, an object or an array (JSON), or a cell emptied (CSV)
                {
                    int colon = line.IndexOf(':');
                    if (colon >= 0)
                    {
                        string value = new[] { " null", " {}", " []", " {\"kind\": null}", " [1, 2]", " \"\"" }[random.NextInt(6)];
                        lines[at] = line[..(colon + 1)] + value + (line.TrimEnd().EndsWith(',') ? "," : "");
                    }
                    else
                    {
                        var cells = line.Split(',');
                        cells[random.NextInt(cells.Length)] = "";
                        lines[at] = string.Join(',', cells);
                    }
                    break;
                }
            case 11: // separators, quotes, comment marks, a byte-order mark or a carriage return inserted
                {
                    string piece = new[] { ",", ",,", "\"", "\"\"", "#", "\uFEFF", "\r", ";", "  ", "\t", "}", "{", "]", "\\u0000" }[random.NextInt(14)];
                    LineMutations.InsertPiece(lines, at, random, piece);
                    break;
                }
            case 12: // a long line: one line repeated along itself
                {
                    int times = 2 + random.NextInt(random.NextInt(2) == 0 ? 5 : 2000);
                    lines[at] = new StringBuilder(line.Length * times).Insert(0, line, times).ToString();
                    break;
                }
            case 13: // a block of lines deleted (half of a list, an object's end)
                {
                    int n = 1 + random.NextInt(Math.Max(1, lines.Count / 2));
                    lines.RemoveRange(at, Math.Min(n, lines.Count - at));
                    break;
                }
        }
    }
}
