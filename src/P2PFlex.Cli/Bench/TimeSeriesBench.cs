using P2PFlex.Data;
using P2PFlex.Scenarios;
using P2PFlex.TimeSeries;

namespace P2PFlex.Cli.Bench;

/// <summary>
/// The time-series operations of <c>p2pflex bench</c> (docs/timeseries.md, "Speed"): a window run end to end as
/// <c>p2pflex timeseries run</c> runs it — rows streamed into a Parquet shard file in a scratch folder, deleted after
/// each call — with a fresh <see cref="TimeSeriesRunner"/> per call, so no call reuses another's intervals.
/// </summary>
public static class TimeSeriesBench
{
    /// <summary>The environment variable naming a SimBench grid folder for the SimBench entry (or <c>bench --simbench DIR</c>).</summary>
    public const string SimBenchVariable = "P2PFLEX_SIMBENCH";

    /// <summary>Scenarios 0–3 of the study (3 with θ = 0.8), as in the yearly table.</summary>
    public static readonly string[] Study0To3 = ["0", "1", "2", "3-theta80"];

    /// <summary>case69 under the default profile (BDEW H25 on every load).</summary>
    public static IFeederIntervals Case69(BenchFixtures f) => f.Case69Intervals();

    /// <summary>Runs a window of <paramref name="states"/> for <paramref name="scenarios"/> into a scratch shard and checks
    /// the row count, so a broken run is never timed.</summary>
    public static Action Window(IFeederIntervals states, IReadOnlyList<ScenarioDefinition> scenarios, string window)
    {
        var (first, count) = TimeSeriesWindow.Resolve(states.Axis, TimeSeriesWindow.Parse(window), null, TimeSeriesWindow.PeakInterval(states));
        var job = new TimeSeriesJob(states.FeederName, states.Profiles.Source, TimeSeriesRunner.Digest(states.Profiles), first, count,
            scenarios.Select(s => s.Name).ToArray());
        return () =>
        {
            string dir = Directory.CreateTempSubdirectory("p2pflex-bench-ts-").FullName;
            try
            {
                var outcome = TimeSeriesShards.RunShard(job, new TimeSeriesRunner(states, scenarios), dir, 0, 1);
                BenchSuite.Require(outcome.Rows == (long)count * scenarios.Count, $"{count} intervals × {scenarios.Count} scenario(s) of {states.FeederName}");
            }
            finally { Directory.Delete(dir, recursive: true); }
        };
    }

    /// <summary>Why the SimBench entry cannot run (null when a folder is given).</summary>
    public static string? SimBenchMissing(BenchFixtures f) => f.SimBenchFolder is null
        ? $"no SimBench grid folder: give --simbench DIR or {SimBenchVariable}=DIR (e.g. 1-LV-rural1--0-no_sw with its profiles)"
        : null;
}
