using P2PFlex.Data;
using P2PFlex.Markets.Lfm;
using P2PFlex.MonteCarlo;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.MonteCarlo;

/// <summary>Monte Carlo draws: seeds, regenerated inputs, determinism across cores and shards, files, merge, summary.</summary>
public class MonteCarloTests
{
    private static Lazy<StudyContext> Case69 => TestData.Study;
    private static readonly Lazy<IReadOnlyList<ScenarioDefinition>> All = new(() => StudyContext.LoadScenarios());

    private static MonteCarloJob Job(int draws, params string[] scenarios) =>
        new("case69", draws, 7, scenarios.Length > 0 ? scenarios : All.Value.Select(s => s.Name).ToArray());

    private static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"p2pflex-mc-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void Draw_seed_depends_on_master_seed_feeder_and_index_only()
    {
        Assert.Equal(DrawSeed.Of(1, "case69", 5), DrawSeed.Of(1, "case69", 5));
        var seeds = Enumerable.Range(0, 1000).Select(k => DrawSeed.Of(1, "case69", k)).ToHashSet();
        Assert.Equal(1000, seeds.Count);
        Assert.NotEqual(DrawSeed.Of(1, "case69", 0), DrawSeed.Of(2, "case69", 0));
        Assert.NotEqual(DrawSeed.Of(1, "case69", 0), DrawSeed.Of(1, "case141", 0));
        // FNV-1a-64 reference values (offset basis for "", and the published test vector for "a").
        Assert.Equal(0xCBF29CE484222325UL, DrawSeed.Fnv1a64(""));
        Assert.Equal(0xAF63DC4C8601EC8CUL, DrawSeed.Fnv1a64("a"));
        Assert.Throws<ArgumentOutOfRangeException>(() => DrawSeed.Of(1, "case69", -1));
    }

    [Fact]
    public void A_draw_regenerates_orderbook_and_subset_with_the_feeders_counts_and_ranges()
    {
        var setup = FeederSetup.Case69;
        var a = MonteCarloDraw.Create(setup, Case69.Value, 3, DrawSeed.Of(7, "case69", 3));
        var b = MonteCarloDraw.Create(setup, Case69.Value, 3, DrawSeed.Of(7, "case69", 3));
        Assert.Equal(a.Orderbook.Bids, b.Orderbook.Bids);
        Assert.Equal(a.P2PSubset, b.P2PSubset);
        Assert.Equal(172, a.Orderbook.Bids.Count);
        Assert.Equal(46, a.Orderbook.Bids.Select(x => x.Bus).Distinct().Count());
        Assert.Equal(70, a.P2PSubset.Count);
        Assert.All(a.Orderbook.Bids, x => Assert.InRange(x.PriceEurPerMwh, x.Direction == BidDirection.Up ? 45 : 5, x.Direction == BidDirection.Up ? 55 : 15));
        Assert.NotEqual(Case69.Value.Orderbook.Bids, a.Orderbook.Bids);
        var other = MonteCarloDraw.Create(setup, Case69.Value, 4, DrawSeed.Of(7, "case69", 4));
        Assert.NotEqual(a.Orderbook.Bids, other.Orderbook.Bids);
        // The feeder (limits, states) stays; the shipped study draw is untouched.
        var context = a.Apply(Case69.Value);
        Assert.Same(Case69.Value.BaseFeeder, context.BaseFeeder);
        Assert.Same(Case69.Value.ExtremeFeeder, context.ExtremeFeeder);
        Assert.Equal(StudyContext.Load().Orderbook.Bids, Case69.Value.Orderbook.Bids);
    }

    [Fact]
    public void Rows_are_bit_identical_on_one_core_on_all_cores_and_split_into_shards()
    {
        var job = Job(6, "0", "1", "2", "3-theta80", "1pp");
        var sequential = MonteCarloRunner.Run(job, Case69.Value, All.Value, 0, 6, maxDegreeOfParallelism: 1);
        var parallel = MonteCarloRunner.Run(job, Case69.Value, All.Value, 0, 6, maxDegreeOfParallelism: 4);
        var (f0, c0) = job.ShardRange(0, 2);
        var (f1, c1) = job.ShardRange(1, 2);
        var sharded = MonteCarloRunner.Run(job, Case69.Value, All.Value, f0, c0, 2)
            .Concat(MonteCarloRunner.Run(job, Case69.Value, All.Value, f1, c1, 2)).ToArray();
        Assert.Equal(30, sequential.Count);
        AssertSameRows(sequential, parallel);
        AssertSameRows(sequential, sharded);
        // Each scenario run carries its stage timings (P2P, LFM, AC check), which the results digest leaves out; the
        // rows digest (integrity of a file's bytes) covers them.
        Assert.All(sequential, r => Assert.True(r.Error is null ? r.Timings is { P2PSeconds: >= 0, LfmSeconds: >= 0, AcCheckSeconds: >= 0 } : r.Timings is null,
            $"draw {r.Draw} {r.Scenario}: timings {r.Timings}"));
        Assert.Equal(MonteCarloFile.ResultsDigest(sequential), MonteCarloFile.ResultsDigest(parallel));
        var retimed = sequential.Select(r => r with { Timings = new StageTimings(1, 2, 3) }).ToArray();
        Assert.Equal(MonteCarloFile.ResultsDigest(sequential), MonteCarloFile.ResultsDigest(retimed));
        Assert.NotEqual(MonteCarloFile.RowsDigest(sequential), MonteCarloFile.RowsDigest(retimed));
        Assert.Equal(Enumerable.Range(0, 6).SelectMany(d => job.Scenarios.Select(s => (d, s))), sequential.Select(r => (r.Draw, r.Scenario)));
        // Every KPI group of the one KPI record is there, and the draws differ.
        Assert.Equal(KpiColumns.Names(), MonteCarloRow.KpiTypes.Select(t => t.Name));
        Assert.True(sequential.Where(r => r.Scenario == "1").Select(r => r.Kpi("lfm_cost_eur")).Distinct().Count() > 1);
    }

    internal static void AssertSameRows(IReadOnlyList<MonteCarloRow> expected, IReadOnlyList<MonteCarloRow> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal((e.Draw, e.Seed, e.Feeder, e.Scenario, e.Error), (a.Draw, a.Seed, a.Feeder, a.Scenario, a.Error));
            Assert.Equal(e.Checks, a.Checks);
            for (int k = 0; k < e.Kpis.Count; k++)
            {
                // Doubles compared by their bits: "bit-identical", not "close".
                object? x = e.Kpis[k] is double dx ? BitConverter.DoubleToInt64Bits(dx) : e.Kpis[k];
                object? y = a.Kpis[k] is double dy ? BitConverter.DoubleToInt64Bits(dy) : a.Kpis[k];
                Assert.True(Equals(x, y), $"row {i} ({e.Scenario}, draw {e.Draw}) column {MonteCarloRow.KpiTypes[k].Name}: {e.Kpis[k]} vs {a.Kpis[k]}");
            }
        }
    }

    [Fact]
    public void Pattern_checks_are_per_draw_and_match_a_direct_evaluation()
    {
        var job = Job(2, ScenarioReport.StudyScenarioNames);
        var rows = MonteCarloRunner.Run(job, Case69.Value, All.Value, 0, 2, 1);
        var draw1 = MonteCarloDraw.Create(FeederSetup.Case69, Case69.Value, 1, DrawSeed.Of(7, "case69", 1)).Apply(Case69.Value);
        var results = All.Value.Where(s => ScenarioReport.StudyScenarioNames.Contains(s.Name)).ToDictionary(s => s.Name, s => ScenarioRunner.Run(s, draw1));
        var direct = StudyPattern.Evaluate(results).Select(c => (bool?)c.Holds).ToArray();
        Assert.All(rows.Where(r => r.Draw == 1), r => Assert.Equal(direct, r.Checks));
        Assert.Equal(12, direct.Length);
        // With only scenario 0 run, checks that need other scenarios are null, not false.
        var only0 = MonteCarloRunner.Run(Job(1, "0"), Case69.Value, All.Value, 0, 1, 1).Single();
        Assert.True(only0.Checks[0]);                                  // 0-congestions needs scenario 0 only
        Assert.Null(only0.Checks[Array.IndexOf(StudyPattern.CheckIds, "1-cost")]);
    }

    [Fact]
    public void Parquet_round_trip_keeps_every_value_and_null()
    {
        var job = Job(2, "0", "1p", "1");
        var rows = MonteCarloRunner.Run(job, Case69.Value, All.Value, 0, 2);
        Assert.Contains(rows, r => r.Kpi("lfm_cost_eur") is null);     // 1p: the LFM is usually infeasible
        string dir = TempDir();
        string path = Path.Combine(dir, "x.parquet");
        var header = new MonteCarloHeader(job.Feeder, job.Draws, job.MasterSeed, job.Scenarios, 0, 1, 0, 2);
        MonteCarloFile.WriteParquet(path, header, rows);
        var (readHeader, readRows) = MonteCarloFile.ReadParquet(path);
        Assert.Equal(header.Describe(), readHeader.Describe());
        AssertSameRows(rows, readRows);
        Assert.Equal(rows.Select(r => r.Timings), readRows.Select(r => r.Timings));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        MonteCarloFile.WriteCsv(Path.Combine(dir, "x.csv"), rows);
        var csv = File.ReadAllLines(Path.Combine(dir, "x.csv"));
        Assert.Equal(string.Join(",", MonteCarloRow.ColumnNames), csv[0]);
        Assert.Equal(rows.Count + 1, csv.Length);
        Assert.EndsWith(",p2p_seconds,lfm_seconds,ac_check_seconds", csv[0]);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Merge_of_shards_equals_a_single_shard_run_byte_for_byte_and_resume_skips_finished_shards()
    {
        var job = Job(5, "0", "1", "2");
        string one = TempDir(), three = TempDir();
        MonteCarloShards.RunShard(job, Case69.Value, All.Value, one, 0, 1);
        var outcomes = Enumerable.Range(0, 3).Select(s => MonteCarloShards.RunShard(job, Case69.Value, All.Value, three, s, 3, maxDegreeOfParallelism: 1)).ToArray();
        Assert.Equal([1, 2, 2], outcomes.Select(o => o.Rows / 3));
        var m1 = MonteCarloShards.Merge(one);
        var m3 = MonteCarloShards.Merge(three);
        // The timing columns differ from run to run; everything else is the same bytes (timings left out) and digest.
        Assert.Equal(MonteCarloFile.ResultsDigest(m1.Rows), MonteCarloFile.ResultsDigest(m3.Rows));
        MonteCarloFile.WriteParquet(Path.Combine(one, MonteCarloFile.MergedName), m1.Header, m1.Rows.Select(r => r.WithoutTimings()).ToArray());
        MonteCarloFile.WriteParquet(Path.Combine(three, MonteCarloFile.MergedName), m3.Header, m3.Rows.Select(r => r.WithoutTimings()).ToArray());
        Assert.Equal(File.ReadAllBytes(Path.Combine(one, MonteCarloFile.MergedName)), File.ReadAllBytes(Path.Combine(three, MonteCarloFile.MergedName)));

        // Resume: an existing shard is not recomputed (its file is left as it is).
        string shard2 = Path.Combine(three, MonteCarloFile.ShardName(1, 3));
        var before = File.GetLastWriteTimeUtc(shard2);
        File.SetLastWriteTimeUtc(shard2, before.AddHours(-1));
        var again = MonteCarloShards.RunShard(job, Case69.Value, All.Value, three, 1, 3);
        Assert.True(again.Skipped);
        Assert.Equal(before.AddHours(-1), File.GetLastWriteTimeUtc(shard2));
        // …but a shard of another run in the same folder is an error, not silently reused.
        var other = job with { MasterSeed = 8 };
        Assert.Contains("holds another run", Assert.Throws<InvalidOperationException>(() => MonteCarloShards.RunShard(other, Case69.Value, All.Value, three, 1, 3)).Message);
        Directory.Delete(one, true);
        Directory.Delete(three, true);
    }

    [Fact]
    public void Merge_refuses_missing_duplicate_and_foreign_shards_with_a_clear_message()
    {
        var job = Job(3, "0");
        string dir = TempDir();
        MonteCarloShards.RunShard(job, Case69.Value, All.Value, dir, 0, 3);
        MonteCarloShards.RunShard(job, Case69.Value, All.Value, dir, 2, 3);
        var missing = Assert.Throws<InvalidOperationException>(() => MonteCarloShards.Merge(dir));
        Assert.Contains("missing shards of 3: 2", missing.Message);
        Assert.Contains(MonteCarloFile.ShardName(1, 3), missing.Message);

        MonteCarloShards.RunShard(job, Case69.Value, All.Value, dir, 1, 3);
        File.Copy(Path.Combine(dir, MonteCarloFile.ShardName(0, 3)), Path.Combine(dir, "copy-of-first.parquet"));
        // A copy without its manifest cannot be verified; with it, it is an intact file of a shard that is already there.
        Assert.Contains("has no manifest", Assert.Throws<P2PFlex.IO.ShardIntegrityException>(() => MonteCarloShards.Merge(dir)).Message);
        File.Copy(P2PFlex.IO.ShardIntegrity.ManifestPath(Path.Combine(dir, MonteCarloFile.ShardName(0, 3))), P2PFlex.IO.ShardIntegrity.ManifestPath(Path.Combine(dir, "copy-of-first.parquet")));
        var duplicate = Assert.Throws<InvalidOperationException>(() => MonteCarloShards.Merge(dir));
        Assert.Contains("duplicate shards: shard 1/3 in copy-of-first.parquet and shard-0001-of-0003.parquet", duplicate.Message);
        File.Delete(Path.Combine(dir, "copy-of-first.parquet"));
        File.Delete(P2PFlex.IO.ShardIntegrity.ManifestPath(Path.Combine(dir, "copy-of-first.parquet")));

        string foreign = TempDir();
        MonteCarloShards.RunShard(job with { MasterSeed = 99 }, Case69.Value, All.Value, foreign, 0, 3);
        File.Copy(Path.Combine(foreign, MonteCarloFile.ShardName(0, 3)), Path.Combine(dir, "zz-foreign.parquet"));
        File.Copy(P2PFlex.IO.ShardIntegrity.ManifestPath(Path.Combine(foreign, MonteCarloFile.ShardName(0, 3))), P2PFlex.IO.ShardIntegrity.ManifestPath(Path.Combine(dir, "zz-foreign.parquet")));
        Assert.Contains("belongs to another run", Assert.Throws<InvalidOperationException>(() => MonteCarloShards.Merge(dir)).Message);
        File.Delete(Path.Combine(dir, "zz-foreign.parquet"));
        File.Delete(P2PFlex.IO.ShardIntegrity.ManifestPath(Path.Combine(dir, "zz-foreign.parquet")));

        File.WriteAllText(Path.Combine(dir, "broken.parquet"), "not parquet");
        Assert.Contains("broken.parquet: it has no manifest", Assert.Throws<P2PFlex.IO.ShardIntegrityException>(() => MonteCarloShards.Merge(dir)).Message);
        File.Delete(Path.Combine(dir, "broken.parquet"));
        Assert.Equal(3, MonteCarloShards.Merge(dir).Rows.Count);
        Directory.Delete(dir, true);
        Directory.Delete(foreign, true);
    }

    [Fact]
    public void Quantiles_are_type_7_and_summary_counts_holds_and_wins()
    {
        double[] v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(1.45, MonteCarloSummary.Quantile(v, 0.05), 12);   // numpy.quantile(range(1, 11), 0.05)
        Assert.Equal(5.5, MonteCarloSummary.Quantile(v, 0.5), 12);
        Assert.Equal(9.55, MonteCarloSummary.Quantile(v, 0.95), 12);
        Assert.Equal(3.25, MonteCarloSummary.Quantile(v, 0.25), 12);
        Assert.Equal(7, MonteCarloSummary.Quantile([7], 0.95));

        int cost = MonteCarloRow.KpiTypes.Select((t, i) => (t, i)).Single(x => x.t.Name == "lfm_cost_eur").i;
        int total = MonteCarloRow.KpiTypes.Select((t, i) => (t, i)).Single(x => x.t.Name == "dso_total_eur").i;
        MonteCarloRow Row(int draw, string scenario, double? c, bool? check0, double? dsoTotal = null)
        {
            var kpis = new object?[MonteCarloRow.KpiTypes.Count];
            kpis[cost] = c;
            kpis[total] = dsoTotal ?? c;
            var checks = new bool?[12];
            checks[0] = check0;
            return new MonteCarloRow(draw, 1, "case69", scenario, null, kpis, checks);
        }
        var rows = new[]
        {
            Row(0, "A", 1, true), Row(0, "B", 2, true),
            Row(1, "A", null, false), Row(1, "B", 5, false),        // A's LFM did not clear: B wins
            Row(2, "A", 3, null), Row(2, "B", 3, null),            // a tie: nobody wins
            Row(3, "A", 0, null, dsoTotal: 4), Row(3, "B", 3, null), // A ran no LFM (0 €) but paid 4 € for capacity: B wins
        };
        var summary = MonteCarloSummary.Compute("case69", ["A", "B"], rows);
        var ab = summary.Beats.Single(b => b.A == "A" && b.B == "B");
        var ba = summary.Beats.Single(b => b.A == "B" && b.B == "A");
        Assert.Equal((4, 1), (ab.Draws, ab.Beats));
        Assert.Equal((4, 2), (ba.Draws, ba.Beats));
        var check = summary.Checks[0];
        Assert.Equal((4, 1, 2), (check.Draws, check.Holds, check.NotComputable));
        var costA = summary.Kpis.Single(k => k.Scenario == "A" && k.Kpi == "lfm_cost_eur");
        Assert.Equal((3, 4.0 / 3), (costA.Count, costA.Mean));
    }

    [Fact]
    public void Shard_ranges_cover_every_draw_once()
    {
        var job = Job(1000);
        foreach (int n in new[] { 1, 3, 7, 1000 })
        {
            var ranges = Enumerable.Range(0, n).Select(s => job.ShardRange(s, n)).ToArray();
            Assert.Equal(Enumerable.Range(0, 1000), ranges.SelectMany(r => Enumerable.Range(r.First, r.Count)));
            Assert.True(ranges.Max(r => r.Count) - ranges.Min(r => r.Count) <= 1);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => job.ShardRange(3, 3));
    }
}
