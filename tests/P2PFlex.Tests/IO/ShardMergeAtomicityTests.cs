using P2PFlex.IO;
using P2PFlex.MonteCarlo;
using P2PFlex.Scenarios;
using P2PFlex.Tests.MonteCarlo;
using P2PFlex.TimeSeries;

namespace P2PFlex.Tests.IO;

/// <summary>
/// The outputs of <c>montecarlo merge</c> and <c>timeseries merge</c> are one set (<see cref="MergedSet"/>): a disk that
/// fills up after the first file or a cancelled merge leaves the previous <c>merged/</c> byte for byte and nothing
/// half-written or hidden beside it; a complete merge replaces the set as a whole (issue 22).
/// </summary>
public class ShardMergeAtomicityTests
{
    /// <summary>Every file under a folder (relative name → bytes, in name order).</summary>
    private static List<(string Name, byte[] Bytes)> Snapshot(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllBytes(Path.Combine(dir, f)))).ToList();

    private static void AssertSame(List<(string Name, byte[] Bytes)> expected, string dir)
    {
        var actual = Snapshot(dir);
        Assert.Equal(expected.Select(f => f.Name), actual.Select(f => f.Name));
        for (int i = 0; i < expected.Count; i++) Assert.True(expected[i].Bytes.AsSpan().SequenceEqual(actual[i].Bytes), $"{expected[i].Name} changed");
    }

    /// <summary>Runs <paramref name="merge"/> twice with a failure after its first file (a full disk, then a cancellation)
    /// and asserts that the run folder, merged set included, is byte-identical afterwards, with no staging folder.</summary>
    private static void AssertFailuresKeepThePreviousSet(string runDir, Action<Action<string>, CancellationToken> merge)
    {
        var before = Snapshot(runDir);
        var entries = Directory.GetFileSystemEntries(runDir).Order(StringComparer.Ordinal).ToArray();

        var full = Assert.Throws<IOException>(() => merge(name => throw new IOException($"No space left on device (injected after {name})"), default));
        Assert.Contains("No space left on device", full.Message);
        AssertSame(before, runDir);
        Assert.Equal(entries, Directory.GetFileSystemEntries(runDir).Order(StringComparer.Ordinal));

        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => merge(_ => cts.Cancel(), cts.Token));
        AssertSame(before, runDir);
        Assert.Equal(entries, Directory.GetFileSystemEntries(runDir).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_Monte_Carlo_merge_that_fails_after_its_first_file_leaves_the_previous_merged_set_byte_identical()
    {
        string dir = SyntheticShards.TempDir();
        try
        {
            var first = SyntheticShards.Job;
            SyntheticShards.WriteAll(first, 2, dir);
            var written = MonteCarloShards.WriteMerged(dir, MonteCarloShards.Merge(dir));
            Assert.Equal(["merged.parquet", "summary_kpis.csv", "summary_checks.csv", "summary_beats.csv"], written.Select(Path.GetFileName));
            Assert.All(written, f => Assert.Equal(MergedSet.FolderOf(dir), Path.GetDirectoryName(f)));
            var previous = Snapshot(MergedSet.FolderOf(dir));

            // Another run's shards in the folder: its merge would write a different set.
            foreach (var f in Directory.GetFiles(dir)) File.Delete(f);
            var second = first with { MasterSeed = 8 };
            SyntheticShards.WriteAll(second, 2, dir);
            var merged = MonteCarloShards.Merge(dir);
            AssertFailuresKeepThePreviousSet(dir, (written, cancel) => MonteCarloShards.WriteMerged(dir, merged, written, cancel));
            AssertSame(previous, MergedSet.FolderOf(dir));

            // Complete, it replaces the set as a whole, and the summaries belong to the new rows.
            MonteCarloShards.WriteMerged(dir, merged);
            var (header, rows) = MonteCarloFile.ReadParquet(MergedSet.PathOf(dir, MonteCarloFile.MergedName));
            Assert.Equal(second.MasterSeed, header.Job.MasterSeed);
            Assert.Equal(merged.Summary.CsvFiles().Select(f => f.Text), new[] { "summary_kpis.csv", "summary_checks.csv", "summary_beats.csv" }
                .Select(n => File.ReadAllText(MergedSet.PathOf(dir, n))));
            Assert.Equal(8, rows.Count);
            Assert.Equal([Path.GetFileName(MergedSet.FolderOf(dir))], Directory.GetDirectories(dir).Select(Path.GetFileName));
        }
        finally { Directory.Delete(dir, true); }
    }

    private static readonly Lazy<IntervalStates> H25 = new(() => IntervalStates.ForFeeder(StudyProfiles.Default(StudyContext.Load().BaseFeeder.Network)));

    private static void RunTimeSeries(string dir, string scenario, int first, int count)
    {
        var scenarios = StudyContext.LoadScenarios().Where(s => s.Name == scenario).ToArray();
        var job = new TimeSeriesJob("case69", H25.Value.Profiles.Source, TimeSeriesRunner.Digest(H25.Value.Profiles), first, count, [scenario]);
        var runner = new TimeSeriesRunner(H25.Value, scenarios);
        for (int s = 0; s < 2; s++) TimeSeriesShards.RunShard(job, runner, dir, s, 2, maxDegreeOfParallelism: 1);
    }

    [Fact]
    public void A_time_series_merge_that_fails_after_its_first_file_leaves_the_previous_merged_set_byte_identical()
    {
        string dir = SyntheticShards.TempDir();
        try
        {
            int first = H25.Value.Axis.IndexOf(new DateTime(2025, 1, 15, 17, 0, 0));
            RunTimeSeries(dir, "0", first, 2);
            var merged = TimeSeriesShards.Merge(dir, _ => 1.0);
            Assert.Equal(MergedSet.PathOf(dir, TimeSeriesFile.MergedName), merged.Path);
            Assert.True(File.Exists(MergedSet.PathOf(dir, TimeSeriesFile.SummaryName)));
            var previous = Snapshot(MergedSet.FolderOf(dir));

            // Another window's shards: its merge would write a different set.
            foreach (var f in Directory.GetFiles(dir)) File.Delete(f);
            RunTimeSeries(dir, "0", first + 2, 2);
            AssertFailuresKeepThePreviousSet(dir, (written, cancel) => TimeSeriesShards.Merge(dir, _ => 1.0, written, cancel));
            AssertSame(previous, MergedSet.FolderOf(dir));

            // Complete, it replaces the set as a whole.
            TimeSeriesShards.Merge(dir, _ => 1.0);
            Assert.Equal(first + 2, TimeSeriesFile.ReadAll(MergedSet.PathOf(dir, TimeSeriesFile.MergedName))[0].Interval);
            Assert.Equal([TimeSeriesFile.MergedName, TimeSeriesFile.SummaryName],
                Directory.GetFiles(MergedSet.FolderOf(dir)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_merge_removes_the_files_an_earlier_version_left_beside_the_shards_and_refuses_a_foreign_merged_folder()
    {
        string dir = SyntheticShards.TempDir();
        try
        {
            SyntheticShards.WriteAll(SyntheticShards.Job, 2, dir);
            var merged = MonteCarloShards.Merge(dir);
            // What merges before the merged set wrote: the files one by one beside the shards.
            MonteCarloFile.WriteParquet(Path.Combine(dir, MonteCarloFile.MergedName), merged.Header, merged.Rows);
            foreach (var (name, text) in merged.Summary.CsvFiles()) File.WriteAllText(Path.Combine(dir, name), text);
            Assert.Equal(8, MonteCarloShards.Merge(dir).Rows.Count);   // the old merged file is not taken for a shard
            MonteCarloShards.WriteMerged(dir, merged);
            Assert.Equal(["shard-0001-of-0002.parquet", "shard-0001-of-0002.parquet.manifest.json", "shard-0002-of-0002.parquet", "shard-0002-of-0002.parquet.manifest.json"],
                Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

            // A merged/ folder that is not a merged set is never replaced.
            string other = SyntheticShards.TempDir();
            SyntheticShards.WriteAll(SyntheticShards.Job, 2, other);
            Directory.CreateDirectory(MergedSet.FolderOf(other));
            File.WriteAllText(Path.Combine(MergedSet.FolderOf(other), "notes.txt"), "kept");
            var e = Assert.Throws<ArgumentException>(() => MonteCarloShards.WriteMerged(other, MonteCarloShards.Merge(other)));
            Assert.Contains("is not empty and holds no earlier merged set", e.Message);
            Assert.Equal("kept", File.ReadAllText(Path.Combine(MergedSet.FolderOf(other), "notes.txt")));
            Directory.Delete(other, true);
        }
        finally { Directory.Delete(dir, true); }
    }
}
