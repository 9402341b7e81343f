using System.Globalization;
using P2PFlex.Data;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests;

/// <summary>Paths to the shipped data and the MATPOWER reference fixtures, and a reader for the fixture CSVs.</summary>
public static class TestData
{
    public static readonly string[] AllCases =
        ["case4_dist", "case22", "case33bw", "case69", "case85", "case118zh", "case136ma", "case141", "case533mt_hi", "case533mt_lo"];

    /// <summary>The shipped case file (<c>data/cases/NAME.m</c>, written by P2PFlex's case writer).</summary>
    public static string CasePath(string name) => DataPaths.Case(name);

    /// <summary>The published MATPOWER case file (<c>../shared/data/matpower/NAME.m</c>): the tests of MATPOWER's own
    /// syntax (unit-conversion statements, index functions, expressions) read these.</summary>
    public static string PublishedCase(string name) => SharedData.Path("matpower", name + ".m");

    /// <summary>
    /// The study's data (case69, its line limits and loading states, the shipped orderbook and P2P subset), loaded once
    /// for the whole test run and shared by every test that only reads it (a <see cref="StudyContext"/> is immutable and
    /// safe to use from parallel tests, as Monte Carlo's parallel draws use one). Tests that change data load their own.
    /// </summary>
    public static Lazy<StudyContext> Study { get; } = new(() => StudyContext.Load());

    public static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "matpower", file);

    /// <summary>Rows of a fixture CSV as column → value.</summary>
    public static List<Dictionary<string, double>> ReadFixture(string file)
    {
        var lines = File.ReadAllLines(Fixture(file));
        var header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var cells = l.Split(',');
            var row = new Dictionary<string, double>();
            for (int i = 0; i < header.Length; i++) row[header[i]] = double.Parse(cells[i], CultureInfo.InvariantCulture);
            return row;
        }).ToList();
    }

    /// <summary>Writes text to a temporary .m file and returns its path.</summary>
    public static string TempCase(string text) => TempFile(text, ".m");

    /// <summary>Writes text to a fresh temporary file with the given extension (".csv", ".json", …) and returns its path.</summary>
    public static string TempFile(string content, string extension)
    {
        string path = Path.Combine(Path.GetTempPath(), $"p2pflex-test-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>A temporary copy of a shipped scenario file (<c>data/scenarios/NAME.json</c>) with its text edited.</summary>
    public static string ScenarioCopy(string name, Func<string, string> edit) =>
        TempFile(edit(File.ReadAllText(Path.Combine(DataPaths.Root, "scenarios", name + ".json"))), ".json");
}
