using P2PFlex.Data;
using P2PFlex.MonteCarlo;
using P2PFlex.Scenarios;
using P2PFlex.Tests.Cli;
using P2PFlex.TimeSeries;

namespace P2PFlex.Tests.TimeSeries;

/// <summary>
/// The time axis on feeders other than case69: a SimBench grid under its own profiles (the shared LV grid, real
/// ratings) and a user's MATPOWER case file by path, through the same runner and the same command.
/// </summary>
public class TimeSeriesFeederTests
{
    private static readonly Lazy<SimBenchStudy> Study = new(() => SimBenchStudy.Read(SharedData.SimBenchLvRural1));
    private static readonly Lazy<IReadOnlyList<ScenarioDefinition>> Scenarios =
        new(() => StudyContext.LoadScenarios().Where(s => s.Name is "0" or "1" or "2" or "3-theta80").ToArray());

    private static bool SameBits(object? a, object? b) =>
        a is double x && b is double y ? BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y) : Equals(a, b);

    [Fact]
    public void A_SimBench_interval_runs_the_study_at_that_intervals_operating_point()
    {
        var intervals = new SimBenchIntervals(Study.Value);
        Assert.Equal(Study.Value.Name, intervals.FeederName);
        // Midday of the longest day (PV high) and the evening of a winter working day (load high).
        int summer = intervals.Axis.IndexOf(new DateTime(2016, 6, 21, 12, 0, 0));
        int winter = intervals.Axis.IndexOf(new DateTime(2016, 1, 13, 18, 0, 0));
        var runner = new TimeSeriesRunner(intervals, Scenarios.Value, reuseEqualIntervals: false);
        foreach (int t in new[] { summer, winter })
        {
            // The rows are the scenario runner's KPIs on the operating point built independently from the profiles.
            var context = Study.Value.Context(Study.Value.OperatingPointAt(t));
            var rows = runner.Run(t, 1);
            Assert.Equal(Scenarios.Value.Count, rows.Count);
            for (int s = 0; s < rows.Count; s++)
            {
                Assert.Null(rows[s].Error);
                var expected = ScenarioReport.Kpis(ScenarioRunner.Run(Scenarios.Value[s], context)).Columns().Select(c => c.Value).ToArray();
                for (int k = 0; k < expected.Length; k++)
                    Assert.True(SameBits(expected[k], rows[s].Kpis[k]), $"interval {t}, scenario {rows[s].Scenario}, {MonteCarloRow.KpiTypes[k].Name}: {expected[k]} vs {rows[s].Kpis[k]}");
            }
            // The peak search's load is the grid's: the network at the interval carries exactly that total demand.
            double demandMw = context.BaseFeeder.Network.Buses.Sum(b => b.PdMw);
            Assert.Equal(demandMw, intervals.TotalLoadMwAt(t), 1e-12);
        }
        // The state key holds every load's P and Q factor and every unit's P factor: a PV-only change is a new state.
        Assert.Equal(Study.Value.Grid.Loads.Count * 2 + Study.Value.Grid.Res.Count, intervals.FactorsAt(summer).Length);
        Assert.NotEqual(intervals.FactorsAt(summer), intervals.FactorsAt(winter));
    }

    [Fact]
    public void A_peer_whose_bus_has_no_load_in_an_interval_sits_out_that_intervals_market()
    {
        // 1-LV-rural1 on 28 August 2016 at 05:30: a subset peer's bus has no load, so its bid's volume is 0. The
        // year's run gave error rows there ("peer bid 'B007' has no volume"); the peer now sits out that interval.
        var intervals = new SimBenchIntervals(Study.Value);
        int t = intervals.Axis.IndexOf(new DateTime(2016, 8, 28, 5, 30, 0));
        var context = Study.Value.Context(Study.Value.OperatingPointAt(t));
        var idle = context.P2PSubset.Where(id => context.Orderbook[id].VolumeMw == 0).ToArray();
        Assert.NotEmpty(idle);
        var rows = new TimeSeriesRunner(intervals, Scenarios.Value, reuseEqualIntervals: false).Run(t, 1);
        Assert.All(rows, r => Assert.Null(r.Error));
        var result = ScenarioRunner.Run(Scenarios.Value.Single(s => s.Name == "1"), context);
        Assert.Equal(context.P2PSubset.Count - idle.Length, result.Market.Peers.Count);
        Assert.DoesNotContain(result.Market.Peers, p => idle.Contains(p.Bid.Id));
    }

    [Fact]
    public void The_timeseries_command_runs_a_SimBench_folder_and_a_case_file_by_path()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"p2pflex-tsf-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var simbench = CliRunner.Run("timeseries", "run", "--feeder", SharedData.SimBenchLvRural1, "--window", "day",
                "--start", "2016-06-21", "--scenarios", "0,3-theta80", "--out", Path.Combine(dir, "sb"));
            Assert.True(simbench.Code == 0, simbench.Err);
            Assert.Contains("1-LV-rural1--0-no_sw: 2016-06-21T00:00 + 96 intervals", simbench.Out);
            var merged = CliRunner.Run("timeseries", "merge", Path.Combine(dir, "sb"));
            Assert.True(merged.Code == 0, merged.Err);
            var rows = TimeSeriesFile.ReadAll(P2PFlex.IO.MergedSet.PathOf(Path.Combine(dir, "sb"), "merged.parquet"));
            Assert.Equal(96 * 2, rows.Count);
            Assert.All(rows, r => Assert.Null(r.Error));

            // A user's own case file, by path: its data is derived into the run's data folder on first use.
            string data = Path.Combine(dir, "data");
            string mine = Path.Combine(dir, "my_feeder.m");
            File.Copy(FeederSetup.CasePath("case33bw"), mine);
            var own = CliRunner.Run("timeseries", "run", "--feeder", mine, "--window", "day", "--scenarios", "0,1",
                "--out", Path.Combine(dir, "own"), "--data", data);
            Assert.True(own.Code == 0, own.Err);
            Assert.StartsWith("my_feeder: ", own.Out);
            Assert.True(File.Exists(Path.Combine(data, FeederSetup.OrderbookFile("my_feeder"))));

            // SimBench grids run on their own profiles: another profile file is a usage error.
            var refused = CliRunner.Run("timeseries", "run", "--feeder", SharedData.SimBenchLvRural1, "--profiles", mine, "--out", Path.Combine(dir, "x"));
            Assert.Equal(2, refused.Code);
            Assert.Contains("own profiles", refused.Err);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
