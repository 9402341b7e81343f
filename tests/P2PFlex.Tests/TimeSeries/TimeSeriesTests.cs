using System.Collections.Immutable;
using P2PFlex.Data;
using P2PFlex.MonteCarlo;
using P2PFlex.Scenarios;
using P2PFlex.TimeSeries;

namespace P2PFlex.Tests.TimeSeries;

/// <summary>The study's chain over intervals: identity with the snapshot, shards, resume, merge, the DSO's W policy.</summary>
public class TimeSeriesTests
{
    private static readonly Lazy<IReadOnlyList<ScenarioDefinition>> All = new(() => StudyContext.LoadScenarios());
    private static readonly Lazy<StudyContext> Case69 = new(() => StudyContext.Load());

    private static FeederProfiles Flat(int count)
    {
        var network = Case69.Value.BaseFeeder.Network;
        var set = ProfileSet.Flat(new TimeAxis(new DateTime(2025, 1, 1), TimeAxis.QuarterHour, count));
        return new FeederProfiles(set, network.Buses.Where(b => b.PdMw > 0)
            .Select(b => new ProfileBinding(ProfileElementKind.Load, b.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), b.Number, "flat")).ToArray(), "flat");
    }

    private static bool SameBits(object? a, object? b) =>
        a is double x && b is double y ? BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y) : Equals(a, b);

    [Fact]
    public void A_flat_profile_gives_the_snapshot_KPIs_bit_for_bit_in_every_interval_and_every_scenario()
    {
        var states = IntervalStates.ForFeeder(Flat(96));
        var snapshot = All.Value.Select(s => ScenarioReport.Kpis(ScenarioRunner.Run(s, Case69.Value)).Columns().Select(c => c.Value).ToArray()).ToArray();
        void Check(IReadOnlyList<TimeSeriesRow> rows, int intervals)
        {
            Assert.Equal(intervals * All.Value.Count, rows.Count);
            for (int r = 0; r < rows.Count; r++)
            {
                var expected = snapshot[r % All.Value.Count];
                Assert.Null(rows[r].Error);
                Assert.Equal(All.Value[r % All.Value.Count].Name, rows[r].Scenario);
                for (int k = 0; k < expected.Length; k++)
                    Assert.True(SameBits(expected[k], rows[r].Kpis[k]), $"interval {rows[r].Interval}, scenario {rows[r].Scenario}, {MonteCarloRow.KpiTypes[k].Name}: {expected[k]} vs {rows[r].Kpis[k]}");
            }
        }
        // Every interval, reusing equal intervals' outcomes (all 96 are equal here) …
        var reused = new TimeSeriesRunner(states, All.Value).Run(0, 96);
        Check(reused, 96);
        // … and each computed afresh on a few intervals, so reuse is not what makes them equal.
        var fresh = new TimeSeriesRunner(states, All.Value, reuseEqualIntervals: false).Run(40, 3);
        Check(fresh, 3);
        // Stage timings (not compared above: they differ from run to run) are on every row that was solved, and on no row
        // that reused an equal interval's outcome.
        Assert.All(fresh, r => Assert.True(r.Timings is { P2PSeconds: >= 0, LfmSeconds: >= 0, AcCheckSeconds: >= 0 }, $"{r.Interval} {r.Scenario}: {r.Timings}"));
        var timed = reused.GroupBy(r => r.Interval).Select(g => g.Count(r => r.Timings is not null)).ToArray();
        Assert.All(timed, n => Assert.True(n == 0 || n == All.Value.Count, $"{n} of an interval's rows timed"));
        Assert.InRange(timed.Count(n => n > 0), 1, 95);
    }

    private static readonly Lazy<IntervalStates> H25 = new(() => IntervalStates.ForFeeder(StudyProfiles.Default(Case69.Value.BaseFeeder.Network)));

    private static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"p2pflex-ts-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static TimeSeriesJob Job(IntervalStates states, int first, int count, params string[] scenarios) =>
        new("case69", states.Profiles.Source, TimeSeriesRunner.Digest(states.Profiles), first, count, scenarios);

    private static IReadOnlyList<ScenarioDefinition> Pick(params string[] names) => names.Select(n => All.Value.Single(s => s.Name == n)).ToArray();

    private static double IntervalHours(string name) => All.Value.Single(s => s.Name == name).Market.IntervalHours;

    [Fact]
    public void A_window_split_into_1_3_and_7_shards_merges_to_the_same_bytes_and_an_interrupted_shard_resumes()
    {
        string[] names = ["2", "3-theta80"];
        // Evening of a winter working day: congestion, blocking and steering come and go.
        int first = H25.Value.Axis.IndexOf(new DateTime(2025, 1, 15, 17, 0, 0));
        var job = Job(H25.Value, first, 14, names);
        byte[]? reference = null;
        IReadOnlyList<ScenarioYear>? summary = null;
        foreach (int shards in new[] { 1, 3, 7 })
        {
            string dir = TempDir();
            var runner = new TimeSeriesRunner(H25.Value, Pick(names));
            for (int k = shards - 1; k >= 0; k--) TimeSeriesShards.RunShard(job, runner, dir, k, shards, maxDegreeOfParallelism: 2);
            var merged = TimeSeriesShards.Merge(dir, IntervalHours);
            byte[] bytes = WithoutTimings(merged.Path);
            reference ??= bytes;
            summary ??= merged.Summary;
            Assert.Equal(reference, bytes);
            Assert.Equal(summary, merged.Summary);
        }
        var rows = TimeSeriesFile.ReadAll(WriteOnce(job, names));
        Assert.Equal(14 * names.Length, rows.Count);
        Assert.Equal(Enumerable.Range(first, 14).SelectMany(t => names.Select(_ => t)), rows.Select(r => r.Interval));

        // Resume: shard 2 of 3 is cancelled before it completes; no file is left under its name, a rerun skips shards 1 and 3
        // and computes shard 2, and the merge is the same bytes.
        string resumed = TempDir();
        var fresh = new TimeSeriesRunner(H25.Value, Pick(names));
        TimeSeriesShards.RunShard(job, fresh, resumed, 0, 3);
        TimeSeriesShards.RunShard(job, fresh, resumed, 2, 3);
        using (var cancel = new CancellationTokenSource())
        {
            var bar = new StringWriter();
            cancel.CancelAfter(TimeSpan.FromMilliseconds(1));
            Assert.ThrowsAny<OperationCanceledException>(() => TimeSeriesShards.RunShard(job, new TimeSeriesRunner(H25.Value, Pick(names)), resumed, 1, 3, 1, bar, cancel.Token));
        }
        Assert.False(File.Exists(Path.Combine(resumed, TimeSeriesFile.ShardName(1, 3))));
        Assert.DoesNotContain(Directory.GetFiles(resumed), f => P2PFlex.IO.AtomicFile.IsTemporary(Path.GetFileName(f)));
        Assert.Throws<InvalidOperationException>(() => TimeSeriesShards.Merge(resumed, IntervalHours));   // shard 2 missing
        Assert.True(TimeSeriesShards.RunShard(job, fresh, resumed, 0, 3).Skipped);
        Assert.False(TimeSeriesShards.RunShard(job, fresh, resumed, 1, 3).Skipped);
        Assert.Equal(reference, WithoutTimings(TimeSeriesShards.Merge(resumed, IntervalHours).Path));
        // A shard of another job in the folder is refused, not overwritten or skipped.
        Assert.Throws<InvalidOperationException>(() => TimeSeriesShards.RunShard(job with { Count = 13 }, fresh, resumed, 0, 3));
    }

    /// <summary>The bytes of a time-series file written again with its timing columns empty (the timings differ from run
    /// to run, every other byte must not): the same row groups, header and rows.</summary>
    internal static byte[] WithoutTimings(string path)
    {
        using var memory = new MemoryStream();
        using (var file = TimeSeriesFile.Create(memory, TimeSeriesFile.ReadHeader(path)))
        {
            foreach (var group in TimeSeriesFile.ReadGroups(path)) file.Append(group.Select(r => r.WithoutTimings()).ToArray());
            file.Finish();
        }
        return memory.ToArray();
    }

    private static string WriteOnce(TimeSeriesJob job, string[] names)
    {
        string dir = TempDir();
        TimeSeriesShards.RunShard(job, new TimeSeriesRunner(H25.Value, Pick(names)), dir, 0, 1);
        return Path.Combine(dir, TimeSeriesFile.ShardName(0, 1));
    }

    [Fact]
    public void The_W_policy_never_costs_the_DSO_more_than_the_fixed_W_in_any_interval()
    {
        var scenario = Pick("3-theta80")[0];
        var policy = new WPolicy(H25.Value, scenario, [0.0, 0.1, 0.3, 0.5]);
        Assert.Equal((0.2, 0.8), policy.Grid[0]);
        int first = H25.Value.Axis.IndexOf(new DateTime(2025, 1, 15, 18, 0, 0));
        var choices = policy.Run(first, 4, maxDegreeOfParallelism: 2);
        Assert.Equal(4, choices.Count);
        foreach (var c in choices)
        {
            Assert.NotNull(c.FixedCostEur);
            Assert.NotNull(c.CostEur);
            Assert.True(c.CostEur <= c.FixedCostEur, $"interval {c.Interval}: W {c.W} costs {c.CostEur}, W 0.2 {c.FixedCostEur}");
            // The fixed cost is the time series' own scenario-3 row of that interval.
            var row = new TimeSeriesRunner(H25.Value, [scenario]).Run(c.Interval, 1)[0];
            Assert.Equal(row.Kpi("dso_total_eur"), c.FixedCostEur);
        }
        var csv = WPolicy.Csv(choices).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, csv.Length);
    }
}
