using P2PFlex.Data;
using P2PFlex.IO;
using P2PFlex.Scenarios;
using P2PFlex.TimeSeries;

namespace P2PFlex.Tests.IO;

/// <summary>
/// An error names the file that is wrong (issue 22), with its line and field: not the scenario file, not the intact file
/// that refers to it. Scenario files name no data file: a run reads the feeder's files from the data folder (the user's,
/// else the built-in one, docs/data.md), so each probe puts one broken file into a data folder of its own.
/// </summary>
public class WrongFileErrorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("p2pflex-wrong-file-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A data folder holding only <paramref name="relative"/>, the built-in file edited; returns its path.</summary>
    private string Broken(string relative, Func<string, string> edit)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string text = File.ReadAllText(Path.Combine(DataPaths.BuiltIn, relative));
        string edited = edit(text);
        Assert.NotEqual(text, edited);
        File.WriteAllText(path, edited);
        return path;
    }

    private static int LineOf(string path, string text) => File.ReadAllLines(path).ToList().FindIndex(l => l.Contains(text, StringComparison.Ordinal)) + 1;

    [Fact]
    public void An_orderbook_that_lost_a_bid_of_the_intact_subset_is_named_not_the_subset()
    {
        // Before: "case69_p2p_subset.csv:N: bid_id: bid 'B…' is not in the orderbook" — the shipped subset, which is intact.
        string subsetId = File.ReadAllLines(Path.Combine(DataPaths.BuiltIn, FeederSetup.SubsetFile("case69"))).First(l => l.StartsWith('B'));
        string path = Broken(FeederSetup.OrderbookFile("case69"), t => string.Join('\n', t.Split('\n').Where(l => !l.StartsWith(subsetId + ",", StringComparison.Ordinal))));
        var e = Assert.Throws<DataFormatException>(() => StudyContext.Load(_root));
        Assert.Equal(path, e.File);
        Assert.Equal("id", e.Field);
        Assert.Contains($"no bid '{subsetId}'", e.Message);
        Assert.Contains(FeederSetup.SubsetFile("case69"), e.Message);   // and says which file lists it
    }

    [Fact]
    public void A_hand_written_subset_naming_an_unknown_bid_is_named_with_its_line_and_the_orderbook()
    {
        string path = Broken(FeederSetup.SubsetFile("case69"), t =>
            string.Join('\n', t.Split('\n').Where(l => !l.StartsWith("# rows", StringComparison.Ordinal))).Replace("\nB0", "\nX0"));
        var e = Assert.Throws<DataFormatException>(() => StudyContext.Load(_root));
        Assert.Equal(path, e.File);
        Assert.Equal("bid_id", e.Field);
        Assert.Equal(LineOf(path, "X0"), e.Line);
        Assert.Contains(FeederSetup.OrderbookFile("case69"), e.Message);
    }

    [Theory]
    [InlineData("states/case69_base.csv", "\n7,1\n", "\n7,abc\n", "load_factor", "7,abc")]
    [InlineData("states/case69_extreme.csv", "\n7,1.5\n", "\n7,-3\n", "load_factor", "7,-3")]
    [InlineData("limits/case69_line_limits.csv", ",6.9415983008943\n", ",NaN\n", "limit_mw", "5,5,6,")]
    [InlineData("orderbook/case69_orderbook.csv", ",down,", ",sideways,", "direction", "sideways")]
    public void A_broken_data_file_of_the_data_folder_is_named_with_its_line_and_column(string relative, string from, string to, string field, string lineText)
    {
        string path = Broken(relative, t => ReplaceFirst(t, from, to));
        var e = Assert.Throws<DataFormatException>(() => StudyContext.Load(_root));
        Assert.Equal(path, e.File);
        Assert.Equal(field, e.Field);
        Assert.Equal(LineOf(path, lineText), e.Line);
    }

    [Fact]
    public void A_profile_column_naming_no_loaded_bus_is_named_with_the_file_the_header_line_and_the_column()
    {
        // Before: "p.csv: profile column 'bus999' …": the file's name only, no line, no column field.
        var network = TestData.Study.Value.BaseFeeder.Network;
        int loaded = network.Buses.First(b => b.PdMw > 0).Number;
        string path = Path.Combine(_root, "my_loads.csv");
        File.WriteAllText(path, $"# my loads\ntime,bus{loaded},bus999\n2025-01-01T00:00,1,1\n2025-01-01T00:15,1,0.5\n");
        var e = Assert.Throws<DataFormatException>(() => StudyProfiles.BindFile(path, network));
        Assert.Equal(path, e.File);
        Assert.Equal(2, e.Line);
        Assert.Equal("bus999", e.Field);
        // A value of the file is named at its own line.
        File.WriteAllText(path, $"time,bus{loaded}\n2025-01-01T00:00,1\n2025-01-01T00:15,x\n");
        e = Assert.Throws<DataFormatException>(() => StudyProfiles.BindFile(path, network));
        Assert.Equal((path, 3, $"bus{loaded}"), (e.File, e.Line, e.Field));
        // The shipped H25 table of a data folder, broken: that file, not the feeder's.
        string h25 = Broken(StudyProfiles.H25File, t => ReplaceFirst(t, "\n1,SA,00:00,22.152\n", "\n1,SA,00:00,abc\n"));
        var h = Assert.ThrowsAny<DataFormatException>(() => StudyProfiles.H25(_root));
        Assert.Equal(h25, h.File);
        Assert.True(h.Line > 0, h.Message);
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        int at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{from}' not found");
        return text[..at] + to + text[(at + from.Length)..];
    }
}
