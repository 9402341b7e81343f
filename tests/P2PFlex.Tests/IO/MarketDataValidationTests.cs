using Plotly.NET;
using P2PFlex.Data;
using P2PFlex.Display;
using P2PFlex.Grid;
using P2PFlex.IO;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.IO;

/// <summary>
/// Market data that used to be read silently wrong (issue 13): each corruption of a shipped data file is now an
/// error naming the file, the line (0 for what concerns the whole file) and the field.
/// </summary>
public class MarketDataValidationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"p2pflex-data-{Guid.NewGuid():N}");
    private static readonly Lazy<GridNetwork> Network = new(() => GridNetwork.Load(DataPaths.Case("case69")));
    private static Lazy<StudyContext> Context => TestData.Study;

    public MarketDataValidationTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A copy of a shipped data file with <paramref name="change"/> applied to its lines.</summary>
    private string Corrupt(string shipped, Func<List<string>, List<string>> change)
    {
        string path = Path.Combine(_dir, Path.GetFileName(shipped));
        File.WriteAllLines(path, change(File.ReadAllLines(shipped).ToList()));
        return path;
    }

    private static string Shipped(params string[] parts) => Path.Combine([DataPaths.Root, .. parts]);

    /// <summary>The lines with the row whose first cell is <paramref name="key"/> changed in column <paramref name="column"/>.</summary>
    private static List<string> SetCell(List<string> lines, string key, int column, string value) => lines.Select(l =>
    {
        var cells = l.Split(',');
        if (cells[0] != key) return l;
        cells[column] = value;
        return string.Join(',', cells);
    }).ToList();

    [Fact]
    public void A_loading_state_missing_rows_names_the_missing_buses()
    {
        string path = Corrupt(Shipped("states", "case69_extreme.csv"), l => l.Where(x => !x.StartsWith("5,") && !x.StartsWith("17,")).ToList());
        var e = Assert.Throws<DataFormatException>(() => LoadingState.Read(path, Network.Value));
        Assert.Equal((path, 0, "bus"), (e.File, e.Line, e.Field));
        Assert.Contains("missing for 2 bus(es): 5, 17", e.Message);
    }

    [Fact]
    public void An_empty_P2P_subset_is_an_error_not_a_market_without_peers()
    {
        string path = Corrupt(Shipped("orderbook", "case69_p2p_subset.csv"), l => l.Where(x => x.StartsWith('#') || x == "bid_id").ToList());
        var e = Assert.Throws<DataFormatException>(() => StudyContext.ReadSubset(path, Context.Value.Orderbook));
        Assert.Equal((path, "bid_id"), (e.File, e.Field));
        Assert.Contains("at least one peer", e.Message);
    }

    [Fact]
    public void Line_limits_that_miss_lines_name_every_missing_line()
    {
        string path = Corrupt(Shipped("limits", "case69_line_limits.csv"), l => l.Where(x => !x.StartsWith("3,") && !x.StartsWith("44,")).ToList());
        var e = Assert.Throws<DataFormatException>(() => LineLimits.Read(path, Network.Value));
        Assert.Equal((path, 0, "index"), (e.File, e.Line, e.Field));
        Assert.Contains("missing for 2 branch(es): 3 (3–4), 44 (44–45)", e.Message);
    }

    [Theory]
    [InlineData(3, "1e300", "volume_mw", "more than the 100 MW")]
    [InlineData(3, "100.5", "volume_mw", "more than the 100 MW")]
    [InlineData(4, "20000", "price_eur_per_mwh", "above the 10000 EUR/MWh bound")]
    [InlineData(3, "NaN", "volume_mw", "not a finite number")]
    [InlineData(4, "Infinity", "price_eur_per_mwh", "not a finite number")]
    [InlineData(4, "-Infinity", "price_eur_per_mwh", "not a finite number")]
    public void Bid_volumes_and_prices_outside_their_bounds_are_located_errors(int column, string value, string field, string message)
    {
        string path = Corrupt(Shipped("orderbook", "case69_orderbook.csv"), l => SetCell(l, "B010", column, value));
        int line = File.ReadAllLines(path).ToList().FindIndex(x => x.StartsWith("B010,")) + 1;
        var e = Assert.Throws<DataFormatException>(() => FlexibilityOrderbook.Read(path, Network.Value));
        Assert.Equal((path, line, field), (e.File, e.Line, e.Field));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("NaN", "not a finite number")]
    [InlineData("Inf", "not a number")]
    [InlineData("1e300", "more than the 100 MW")]
    public void A_non_finite_or_huge_line_limit_is_a_located_error(string value, string message)
    {
        string path = Corrupt(Shipped("limits", "case69_line_limits.csv"), l => SetCell(l, "12", 5, value));
        var e = Assert.Throws<DataFormatException>(() => LineLimits.Read(path, Network.Value));
        Assert.Equal((path, "limit_mw"), (e.File, e.Field));
        Assert.True(e.Line > 0);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("NaN", "not a finite number")]
    [InlineData("1e308", "more than the bound of 10")]
    public void A_non_finite_or_huge_load_factor_is_a_located_error(string value, string message)
    {
        string path = Corrupt(Shipped("states", "case69_base.csv"), l => SetCell(l, "9", 1, value));
        var e = Assert.Throws<DataFormatException>(() => LoadingState.Read(path, Network.Value));
        Assert.Equal((path, "load_factor"), (e.File, e.Field));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void An_orderbook_without_bids_is_an_error()
    {
        string path = Corrupt(Shipped("orderbook", "case69_orderbook.csv"), l => l.Where(x => !x.StartsWith('B')).ToList());
        var e = Assert.Throws<DataFormatException>(() => FlexibilityOrderbook.Read(path, Network.Value));
        Assert.Contains("no bids", e.Message);
    }

    [Fact]
    public void An_infeasible_LFM_renders_as_infeasible_in_charts_and_tables()
    {
        // Bids a millionth of their size cannot clear scenario 0's overloads: the LFM is infeasible, AfterLfm null.
        var context = Context.Value;
        var tiny = new FlexibilityOrderbook(context.Orderbook.Bids.Select(b => b with { VolumeMw = b.VolumeMw * 1e-6 }).ToArray(), "tiny");
        var scenario = StudyContext.LoadScenarios().Single(s => s.Name == "0");
        var result = ScenarioRunner.Run(scenario, context with { Orderbook = tiny });
        Assert.Equal(LfmStatus.Infeasible, result.Lfm.Status);
        Assert.Null(result.AfterLfm);
        string html = GenericChart.toChartHTML(StudyCharts.OccupancyComparison(result.BeforeLfm, "before the LFM", result.AfterLfm, "after the LFM", "Scenario 0"));
        Assert.Contains("after the LFM: infeasible", html);
        var table8 = StudyTables.Table8([result]);
        int cost = table8.Columns.ToList().FindIndex(c => c.Group == "LFM cost (€)" && c.Header == "ours");
        Assert.Equal("infeasible", table8.Rows[0][cost]);
    }
}
