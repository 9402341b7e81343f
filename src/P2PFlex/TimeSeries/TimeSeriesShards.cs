using System.Diagnostics;
using P2PFlex.IO;
using P2PFlex.MonteCarlo;

namespace P2PFlex.TimeSeries;

/// <summary>A merged time series: where it was written, its totals per scenario, the shard files read.</summary>
public sealed record MergedTimeSeries(string Path, TimeSeriesHeader Header, IReadOnlyList<ScenarioYear> Summary, IReadOnlyList<string> Shards);

/// <summary>
/// Shards of a time-series run, the Monte Carlo way (<see cref="MonteCarloShards"/>, the same resume and completeness
/// rules: <see cref="ShardSet"/>): shard k of n is a contiguous
/// range of the window's intervals (<see cref="ShardRanges"/>) written to <c>shard-000k-of-000n.parquet</c>; a shard
/// whose file exists for the same job is skipped (resume: an interrupted shard left no file under its name, only a
/// temporary one, and is recomputed); merge checks that the shards are one complete run and writes
/// <c>merged.parquet</c> in fixed row groups, so any split merges to the same bytes.
/// </summary>
public static class TimeSeriesShards
{
    /// <summary>Intervals computed and written per row group of a shard (a day of quarter-hours): memory stays flat.</summary>
    public const int ChunkIntervals = 96;

    /// <summary>Runs one shard (0-based) unless its file is already there.</summary>
    public static ShardOutcome RunShard(TimeSeriesJob job, TimeSeriesRunner runner, string outDir, int shard, int shards,
        int? maxDegreeOfParallelism = null, TextWriter? progress = null, CancellationToken cancel = default)
    {
        var (first, count) = job.ShardRange(shard, shards);
        string path = Path.Combine(outDir, TimeSeriesFile.ShardName(shard, shards));
        string recompute = RecomputeCommand(path);
        if (ShardSet.AlreadyWritten(path, recompute, job, shard, shards, TimeSeriesFile.ReadHeader))
            return new ShardOutcome(shard, shards, path, Skipped: true, 0, TimeSpan.Zero);
        var clock = Stopwatch.StartNew();
        var bar = progress is null ? null : new ProgressBar(progress, $"shard {shard + 1}/{shards}", count, clock, "intervals");
        var header = HeaderOf(job, runner, shard, shards, first, count);
        int rows = 0, done = 0;
        ShardIntegrity.WriteStreamed(path, recompute, stream =>
        {
            using var file = TimeSeriesFile.Create(stream, header);
            for (int start = first; start < first + count; start += ChunkIntervals)
            {
                int n = Math.Min(ChunkIntervals, first + count - start);
                int before = done;
                var chunk = runner.Run(start, n, maxDegreeOfParallelism, bar is null ? null : new Progress(bar, before), cancel);
                file.Append(chunk);
                rows += chunk.Count;
                done += n;
                cancel.ThrowIfCancellationRequested();
            }
            file.Finish();
            return (file.Rows, file.RowsSha256);
        });
        bar?.Finish();
        return new ShardOutcome(shard, shards, path, Skipped: false, rows, clock.Elapsed);
    }

    private sealed class Progress(ProgressBar bar, int offset) : IProgress<int>
    {
        public void Report(int value) => bar.Report(offset + value);
    }

    /// <summary>What recomputes a shard: delete it and its manifest, then run the same <c>p2pflex timeseries run</c> again
    /// (with the options of the first run; a shard that exists is otherwise resumed).</summary>
    public static string RecomputeCommand(string path) =>
        $"rm -f {ShardIntegrity.ShellWord(path)} {ShardIntegrity.ShellWord(ShardIntegrity.ManifestPath(path))}, then rerun the same 'p2pflex timeseries run'";

    /// <summary>The header of a shard (or, with shard null, of the merged file).</summary>
    public static TimeSeriesHeader HeaderOf(TimeSeriesJob job, TimeSeriesRunner runner, int? shard, int? shards, int first, int count) =>
        new(job.Feeder, job.Profiles, job.ProfileDigest, runner.States.Axis.Step.TotalMinutes, job.First, job.Count, job.Scenarios, shard, shards, first, count);

    /// <summary>
    /// Merges the shard files of a folder into <c>merged/merged.parquet</c> (streamed, fixed row groups) and writes the
    /// per-scenario totals (<c>merged/summary_scenarios.csv</c>), the two as one set (<see cref="MergedSet"/>: a failure
    /// leaves the previous <c>merged/</c> as it was). <paramref name="intervalHours"/> gives each scenario's
    /// <c>interval_hours</c>, by name; <paramref name="written"/> and <paramref name="cancel"/> as in <see cref="MergedSet.Write"/>.
    /// </summary>
    public static MergedTimeSeries Merge(string dir, Func<string, double> intervalHours, Action<string>? written = null, CancellationToken cancel = default)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"no result folder {dir}");
        var files = Directory.GetFiles(dir, "shard-*.parquet").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new InvalidOperationException($"{dir} holds no shard files (shard-*.parquet)");
        foreach (var f in files) ShardIntegrity.Verify(f, RecomputeCommand(f));
        var headers = files.Select(f => (File: f, Header: TimeSeriesFile.ReadHeader(f))).ToArray();
        var first = headers[0];
        ShardSet.CheckComplete<TimeSeriesHeader, TimeSeriesJob>(dir, headers, TimeSeriesFile.ShardName);

        var job = first.Header.Job;
        var ordered = headers.OrderBy(h => h.Header.Shard).ToArray();
        var merged = first.Header with { Shard = null, Shards = null, ShardFirst = job.First, ShardCount = job.Count };
        var summary = new TimeSeriesSummary(job.Scenarios, job.Scenarios.Select(intervalHours).ToArray(), first.Header.StepMinutes / 60);
        int perGroup = TimeSeriesFile.MergedGroupIntervals * job.Scenarios.Count;
        IReadOnlyList<ScenarioYear>? result = null;
        void WriteRows(string path) => AtomicFile.Write(path, stream =>
        {
            using var output = TimeSeriesFile.Create(stream, merged);
            var buffer = new List<TimeSeriesRow>(perGroup);
            int expectedInterval = job.First, scenarioIndex = 0;
            foreach (var (file, h) in ordered)
            {
                if (h.ShardFirst != expectedInterval)
                    throw new InvalidDataException($"{file} starts at interval {h.ShardFirst}, the previous shard ends before {expectedInterval}");
                foreach (var group in TimeSeriesFile.ReadGroups(file))
                {
                    foreach (var row in group)
                    {
                        if (row.Interval != expectedInterval || row.Scenario != job.Scenarios[scenarioIndex])
                            throw new InvalidDataException($"{file}: expected interval {expectedInterval} scenario {job.Scenarios[scenarioIndex]}, found interval {row.Interval} scenario {row.Scenario}: truncated or edited?");
                        if (++scenarioIndex == job.Scenarios.Count) { scenarioIndex = 0; expectedInterval++; }
                        buffer.Add(row);
                        if (buffer.Count == perGroup) { summary.Add(buffer); output.Append(buffer); buffer.Clear(); }
                    }
                }
                if (expectedInterval != h.ShardFirst + h.ShardCount)
                    throw new InvalidDataException($"{file}: holds intervals up to {expectedInterval - 1}, its header says {h.ShardFirst + h.ShardCount - 1}: truncated?");
            }
            summary.Add(buffer);
            output.Append(buffer);
            if (expectedInterval != job.First + job.Count) throw new InvalidDataException($"{dir}: the shards end at interval {expectedInterval}, the run at {job.First + job.Count}");
            output.Finish();
            result = summary.Result();
        });
        var paths = MergedSet.Write(dir,
        [
            new MergedFile(TimeSeriesFile.MergedName, WriteRows),
            new MergedFile(TimeSeriesFile.SummaryName, path => AtomicFile.WriteAllText(path, TimeSeriesSummary.Csv(result!))),
        ], written, cancel);
        return new MergedTimeSeries(paths[0], merged, result!, files);
    }
}
