using System.Text.RegularExpressions;
using P2PFlex.Numerics;

namespace P2PFlex.Tests.Fuzz;

/// <summary>
/// The line mutations every text fuzzer shares (<see cref="TextMutator"/> for scenario JSON and market CSV,
/// <see cref="CaseMutator"/> for MATPOWER files): a byte flipped, a line truncated, a number replaced, two lines
/// swapped, a piece inserted. Each draws from the generator in one fixed order, so a mutator built on them draws the
/// same mutants for the same seed (the fuzzers' counts in the notes stay comparable).
/// </summary>
internal static partial class LineMutations
{
    [GeneratedRegex(@"-?\d+(\.\d*)?([eE][+-]?\d+)?")]
    public static partial Regex Number();

    /// <summary>One character of the line replaced: a quarter of the time any byte, otherwise one of <paramref name="punctuation"/>.</summary>
    public static void FlipByte(List<string> lines, int at, SplitMix64 random, string punctuation)
    {
        string line = lines[at];
        if (line.Length == 0) return;
        var chars = line.ToCharArray();
        int i = random.NextInt(chars.Length);
        chars[i] = random.NextInt(4) == 0 ? (char)random.NextInt(256) : punctuation[random.NextInt(punctuation.Length)];
        lines[at] = new string(chars);
    }

    /// <summary>The file cut inside line <paramref name="at"/>, as a broken transfer leaves it.</summary>
    public static void Truncate(List<string> lines, int at, SplitMix64 random)
    {
        string line = lines[at];
        lines.RemoveRange(at + 1, lines.Count - at - 1);
        lines[at] = line[..random.NextInt(line.Length + 1)];
    }

    /// <summary>One number of the line replaced by one of <paramref name="replacements"/> (absurd or wrongly typed values).</summary>
    public static void ReplaceNumber(List<string> lines, int at, SplitMix64 random, string[] replacements)
    {
        string line = lines[at];
        var numbers = Number().Matches(line);
        if (numbers.Count == 0) return;
        var m = numbers[random.NextInt(numbers.Count)];
        lines[at] = line[..m.Index] + replacements[random.NextInt(replacements.Length)] + line[(m.Index + m.Length)..];
    }

    /// <summary>Line <paramref name="at"/> swapped with a line drawn at random (possibly itself).</summary>
    public static void SwapWithAnother(List<string> lines, int at, SplitMix64 random)
    {
        int other = random.NextInt(lines.Count);
        (lines[at], lines[other]) = (lines[other], lines[at]);
    }

    /// <summary><paramref name="piece"/> inserted at a random position of line <paramref name="at"/>.</summary>
    public static void InsertPiece(List<string> lines, int at, SplitMix64 random, string piece) =>
        lines[at] = lines[at].Insert(random.NextInt(lines[at].Length + 1), piece);
}
