using System.Globalization;
using System.Text.Json;
using P2PFlex.Cli;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Cli;

public class SweepCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => P2PFlex.Tests.Cli.CliRunner.Run(args);

    private static readonly Lazy<ScenarioKpis> Scenario3Theta80 = new(() =>
        ScenarioReport.Kpis(ScenarioRunner.Run(StudyContext.LoadScenarios().Single(s => s.Name == "3-theta80"), TestData.Study.Value)));

    [Fact]
    public void Csv_has_a_header_and_one_row_per_value_and_W_02_is_scenario_3_theta80()
    {
        var (code, output, err) = Run("sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0", "--to", "0.95", "--step", "0.05", "--csv");
        Assert.True(code == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(',', SweepCommand.Columns), lines[0]);
        Assert.Equal("value,congested_lines,overflow_sum_mw,overflow_weighted_avg_mw,lfm_status,lfm_cost_eur,p2p_volume_mw," +
                     "dso_total_eur,incentives_paid_eur,penalties_received_eur,capacity_payments_eur,dso_total_least", lines[0]);
        Assert.Equal(21, lines.Length);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.All(rows, r => Assert.Equal(12, r.Length));
        Assert.Equal(ScenarioSweep.Range(0, 0.95, 0.05), rows.Select(r => double.Parse(r[0], CultureInfo.InvariantCulture)).ToArray());

        var w02 = rows.Single(r => r[0] == "0.2");
        var k = Scenario3Theta80.Value;
        double N(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        // The sweep warm-starts from W = 0.15: the same equilibrium within the P2P solver's tolerance (1e-9 MW).
        Assert.Equal(k.CongestedLines, int.Parse(w02[1], CultureInfo.InvariantCulture));
        Assert.Equal(k.OverflowSumMw, N(w02[2]), 1e-7);
        Assert.Equal(k.OverflowWeightedAvgMw, N(w02[3]), 1e-7);
        Assert.Equal(k.LfmStatus.ToString(), w02[4]);
        Assert.Equal(k.LfmCostEur!.Value, N(w02[5]), 1e-5);
        Assert.Equal(k.P2PVolumeMw, N(w02[6]), 1e-7);
        Assert.DoesNotContain("sweep [", output);   // the progress bar goes to stderr, never into the CSV
    }

    [Fact]
    public void The_DSO_total_and_its_parts_are_in_every_row_and_the_least_W_is_stated()
    {
        var (code, output, err) = Run("sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0.2", "--to", "0.35", "--step", "0.15", "--csv");
        Assert.True(code == 0, err);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToArray();
        double N(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        foreach (var r in rows)
            Assert.Equal(N(r[7]), N(r[5]) + N(r[8]) - N(r[9]) + N(r[10]), 9);   // total = LFM + incentives − penalties + capacity
        var (w02, w035) = (rows[0], rows[1]);
        // The numbers: the LFM gets cheaper from W = 0.2 to 0.35, the DSO's total dearer (incentives grow).
        Assert.True(N(w035[5]) < N(w02[5]), $"{w035[5]} vs {w02[5]}");
        Assert.True(N(w035[7]) > N(w02[7]), $"{w035[7]} vs {w02[7]}");
        Assert.Equal(Scenario3Theta80.Value.Dso.TotalEur!.Value, N(w02[7]), 1e-5);
        Assert.Equal(("true", "false"), (w02[11], w035[11]));
        Assert.Contains("sweep: the DSO's total cost is least at W = 0.2: ", err);
        var text = Run("sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0.2", "--to", "0.35", "--step", "0.15");
        Assert.Contains("DSO total EUR", text.Out);
        Assert.Contains("the DSO's total cost is least at W = 0.2: ", text.Out);
    }

    [Fact]
    public void Json_has_one_object_per_value_with_the_KPI_fields()
    {
        var writer = new StringWriter();
        var progress = new StringWriter();
        int code = SweepCommand.Run(new SweepOptions("3-theta80", SweepParameter.Theta, 0.7, 1.0, 0.05, SweepFormat.Json), writer, progress);
        Assert.Equal(0, code);
        Assert.Contains("7/7", progress.ToString());
        string output = writer.ToString();
        using var doc = JsonDocument.Parse(output);
        var items = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(7, items.Length);
        foreach (var e in items)
            Assert.Equal(SweepCommand.Columns, e.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(0.7, items[0].GetProperty("value").GetDouble());
        Assert.Equal(1.0, items[^1].GetProperty("value").GetDouble());
        var theta80 = items.Single(e => e.GetProperty("value").GetDouble() == 0.8);
        Assert.Equal(Scenario3Theta80.Value.CongestedLines, theta80.GetProperty("congested_lines").GetInt32());
        Assert.Equal(Scenario3Theta80.Value.P2PVolumeMw, theta80.GetProperty("p2p_volume_mw").GetDouble(), 1e-7);
    }

    [Theory]
    [InlineData("unknown scenario", "sweep", "--scenario", "nope", "--param", "W", "--from", "0", "--to", "0.5", "--step", "0.1")]
    [InlineData("has no parameter 'W'", "sweep", "--scenario", "1", "--param", "W", "--from", "0", "--to", "0.5", "--step", "0.1")]
    [InlineData("has no parameter 'W'", "sweep", "--scenario", "2", "--param", "W", "--from", "0", "--to", "0.5", "--step", "0.1")]
    [InlineData("--param must be W or theta", "sweep", "--scenario", "3-theta80", "--param", "c0", "--from", "0", "--to", "0.5", "--step", "0.1")]
    [InlineData("intervention.w must be in [0, 1)", "sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0.5", "--to", "1.0", "--step", "0.1")]
    [InlineData("--step must be positive", "sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0", "--to", "0.5", "--step", "0")]
    [InlineData("--step must be at least 1e-6", "sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0", "--to", "0.95", "--step", "1e-9")]
    [InlineData("--step must be at least 1e-6", "sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0", "--to", "0.95", "--step", "1e-12")]
    [InlineData("gives 95001 values; a sweep has at most 10000", "sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0", "--to", "0.95", "--step", "1e-5")]
    [InlineData("--step needs a finite number, not 'NaN'", "sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0", "--to", "0.95", "--step", "NaN")]
    [InlineData("--to needs a finite number, not 'Infinity'", "sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0", "--to", "Infinity", "--step", "0.1")]
    [InlineData("--from needs a number, not '0,5'", "sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0,5", "--to", "0.9", "--step", "0.1")]
    [InlineData("--from needs a number", "sweep", "--scenario", "3-theta80", "--param", "W", "--from", "x", "--to", "0.5", "--step", "0.1")]
    [InlineData("Option '--scenario' is required", "sweep", "--param", "W", "--from", "0", "--to", "0.5", "--step", "0.1")]
    [InlineData("choose one of --json and --csv", "sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0", "--to", "0.5", "--step", "0.1", "--json", "--csv")]
    public void Usage_errors_exit_with_2_and_say_why(string message, params string[] args)
    {
        var (code, output, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.Equal("", output);
    }
}
