using System.Diagnostics;
using System.Globalization;
using P2PFlex.IO;
using P2PFlex.Scenarios;

namespace P2PFlex.MonteCarlo;

/// <summary>What running one shard did.</summary>
public sealed record ShardOutcome(int Shard, int Shards, string Path, bool Skipped, int Rows, TimeSpan Elapsed);

/// <summary>A merged Monte Carlo result: every row in (draw, scenario) order, and its summary.</summary>
public sealed record MergedResult(MonteCarloHeader Header, IReadOnlyList<MonteCarloRow> Rows, MonteCarloSummary Summary, IReadOnlyList<string> Shards);

/// <summary>
/// Runs and merges shards of a Monte Carlo job in a result folder. A shard is a contiguous range of draws written to
/// one file (<see cref="MonteCarloFile.ShardName"/>) with its manifest (<see cref="ShardIntegrity"/>); a shard whose file
/// exists for the same job is not recomputed (resume), one written for another job is an error. Merge verifies every
/// shard's bytes against its manifest before reading any, and refuses corrupted, duplicated or missing shards.
/// </summary>
public static partial class MonteCarloShards
{
    /// <summary>Runs one shard (0-based) unless its file is already there.</summary>
    public static ShardOutcome RunShard(MonteCarloJob job, StudyContext feeder, IReadOnlyList<ScenarioDefinition> scenarios, string outDir,
        int shard, int shards, bool csv = false, int? maxDegreeOfParallelism = null, TextWriter? progress = null)
    {
        var (first, count) = job.ShardRange(shard, shards);
        string path = Path.Combine(outDir, MonteCarloFile.ShardName(shard, shards));
        string recompute = RecomputeCommand(job, shard, shards, outDir);
        if (ShardSet.AlreadyWritten(path, recompute, job, shard, shards, MonteCarloFile.ReadHeader))
            return new ShardOutcome(shard, shards, path, Skipped: true, 0, TimeSpan.Zero);
        var clock = Stopwatch.StartNew();
        var bar = progress is null ? null : new ProgressBar(progress, $"shard {shard + 1}/{shards}", count, clock);
        var rows = MonteCarloRunner.Run(job, feeder, scenarios, first, count, maxDegreeOfParallelism, bar);
        bar?.Finish();
        var header = new MonteCarloHeader(job.Feeder, job.Draws, job.MasterSeed, job.Scenarios, shard, shards, first, count);
        MonteCarloFile.WriteParquet(path, header, rows, recompute);
        if (csv) MonteCarloFile.WriteCsv(Path.ChangeExtension(path, ".csv"), rows);
        return new ShardOutcome(shard, shards, path, Skipped: false, rows.Count, clock.Elapsed);
    }

    /// <summary>
    /// The command line that recomputes shard <paramref name="shard"/> (0-based): it deletes the shard and its
    /// manifest (a shard that exists is otherwise resumed, not recomputed), then runs it again.
    /// </summary>
    public static string RecomputeCommand(MonteCarloJob job, int shard, int shards, string outDir)
    {
        string file = Path.Combine(outDir, MonteCarloFile.ShardName(shard, shards));
        string W(string w) => ShardIntegrity.ShellWord(w);
        return string.Create(CultureInfo.InvariantCulture,
            $"rm -f {W(file)} {W(ShardIntegrity.ManifestPath(file))} && p2pflex montecarlo run --feeder {W(job.Feeder)} --draws {job.Draws} " +
            $"--seed {job.MasterSeed} --scenarios {W(string.Join(",", job.Scenarios))} --shard {shard + 1}/{shards} --out {W(outDir)}");
    }

    /// <summary>
    /// Verifies every shard file of a folder against its manifest, reads them, checks they are one complete run (same
    /// job, each shard 1…n exactly once, every draw exactly once) and returns the rows in (draw, scenario) order with
    /// their summary. A damaged shard is a <see cref="ShardIntegrityException"/> listing every damaged shard with the
    /// command that recomputes it.
    /// </summary>
    public static MergedResult Merge(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"no result folder {dir}");
        var files = Directory.GetFiles(dir, "*.parquet").Where(f => Path.GetFileName(f) != MonteCarloFile.MergedName)
            .OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new InvalidOperationException($"{dir} holds no shard files (*.parquet)");

        // Bytes first: no damaged file reaches the Parquet decoder.
        var checks = files.Select(ShardIntegrity.Check).ToArray();
        var damaged = checks.Where(c => !c.Intact).ToArray();
        if (damaged.Length > 0) throw Damaged(dir, damaged, checks.Where(c => c.Intact).Select(c => c.Path).FirstOrDefault());

        var headers = files.Select(f => (File: f, Header: MonteCarloFile.ReadHeader(f))).ToArray();
        var first = headers[0];
        int shards = ShardSet.CheckComplete<MonteCarloHeader, MonteCarloJob>(dir, headers, MonteCarloFile.ShardName);

        var job = first.Header.Job;
        var order = job.Scenarios.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i, StringComparer.Ordinal);
        var rows = new List<MonteCarloRow>();
        for (int i = 0; i < headers.Length; i++)
        {
            var (file, h) = headers[i];
            var (_, shardRows) = MonteCarloFile.ReadParquet(file, checks[i].Manifest, RecomputeCommand(job, h.Shard!.Value, shards, dir));
            var expected = Enumerable.Range(h.FirstDraw, h.DrawCount).SelectMany(d => job.Scenarios.Select(s => (d, s))).ToArray();
            var actual = shardRows.Select(r => (r.Draw, r.Scenario)).ToArray();
            if (!expected.SequenceEqual(actual))
                throw new InvalidDataException($"{file}: its rows are not draws {h.FirstDraw}…{h.FirstDraw + h.DrawCount - 1} × ({string.Join(" ", job.Scenarios)}): truncated or edited?");
            rows.AddRange(shardRows);
        }
        var sorted = rows.OrderBy(r => r.Draw).ThenBy(r => order[r.Scenario]).ToArray();
        var drawsSeen = sorted.Select(r => r.Draw).Distinct().Count();
        if (drawsSeen != job.Draws) throw new InvalidDataException($"{dir}: the shards hold {drawsSeen} draws, the run has {job.Draws}");
        var header = new MonteCarloHeader(job.Feeder, job.Draws, job.MasterSeed, job.Scenarios, null, null, 0, job.Draws);
        return new MergedResult(header, sorted, MonteCarloSummary.Compute(job.Feeder, job.Scenarios, sorted), files);
    }

    /// <summary>
    /// Writes a merge's outputs as one set into <c>DIR/merged/</c> (<see cref="MergedSet"/>): <c>merged.parquet</c> (with
    /// its manifest) and the summary CSVs (<see cref="MonteCarloSummary.CsvFiles"/>). A failure or a cancellation between
    /// two files leaves the previous set byte-identical. Returns the files' paths.
    /// </summary>
    public static IReadOnlyList<string> WriteMerged(string dir, MergedResult merged, Action<string>? written = null, CancellationToken cancel = default)
    {
        var files = new List<MergedFile>
        {
            new(MonteCarloFile.MergedName, path => MonteCarloFile.WriteParquet(path, merged.Header, merged.Rows, $"p2pflex montecarlo merge {ShardIntegrity.ShellWord(dir)}")),
        };
        foreach (var (name, text) in merged.Summary.CsvFiles()) files.Add(new MergedFile(name, path => AtomicFile.WriteAllText(path, text)));
        return MergedSet.Write(dir, files, written, cancel);
    }

    /// <summary>The error for damaged shards: each one, what is wrong, and its recompute command — from its manifest,
    /// else built from an intact shard's run identity and the damaged file's name.</summary>
    private static ShardIntegrityException Damaged(string dir, IReadOnlyList<ShardCheck> damaged, string? intact)
    {
        MonteCarloJob? job = null;
        if (intact is not null)
        {
            try { job = MonteCarloFile.ReadHeader(intact).Job; }
            catch (InvalidDataException) { }
        }
        string Command(ShardCheck c)
        {
            if (c.Manifest is not null) return c.Manifest.Recompute;
            var m = ShardFileName().Match(Path.GetFileName(c.Path));
            if (job is not null && m.Success && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) is int i and >= 1
                && int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) is int n && i <= n)
                return RecomputeCommand(job, i - 1, n, dir);
            return $"delete {c.Path} and run its shard again with the run's p2pflex montecarlo run command (--shard i/n --out {dir})";
        }
        var firstBad = damaged[0];
        if (damaged.Count == 1) return new ShardIntegrityException(firstBad.Path, firstBad.Problem!, Command(firstBad));
        string others = string.Join("; ", damaged.Skip(1).Take(9).Select(c => $"{Path.GetFileName(c.Path)}: {c.Problem}; recompute it: {Command(c)}"));
        return new ShardIntegrityException(firstBad.Path, firstBad.Problem!,
            Command(firstBad) + $" — and {damaged.Count - 1} more damaged shard(s): {others}{(damaged.Count > 10 ? "; …" : "")}");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^shard-(\d{4,9})-of-(\d{4,9})\.parquet$")]
    private static partial System.Text.RegularExpressions.Regex ShardFileName();
}

/// <summary>
/// Progress of a shard on a text writer (stderr), with the estimated time left. On a terminal (<see cref="Live"/>) one
/// line redrawn with a carriage return at most every 1 %; anywhere else (a file, a pipe, a Slurm log) a plain line at
/// every 10 %, never a carriage return, so a log reads line by line.
/// </summary>
public sealed class ProgressBar(TextWriter writer, string label, int total, Stopwatch clock, string unit = "draws", bool? live = null) : IProgress<int>
{
    private int _shownPercent = -1;
    private readonly object _gate = new();

    /// <summary>Whether the bar is redrawn in place: by default only when the writer is this process's stderr and that is a
    /// terminal that draws.</summary>
    public bool Live { get; } = live ?? (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected
                                         && Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb"));

    public void Report(int done)
    {
        int percent = total == 0 ? 100 : (int)(100L * done / total);
        lock (_gate)
        {
            if (percent <= _shownPercent || (!Live && percent / 10 <= _shownPercent / 10 && _shownPercent >= 0)) return;
            _shownPercent = percent;
            double elapsed = clock.Elapsed.TotalSeconds;
            string eta = done == 0 || done >= total ? "" : string.Create(CultureInfo.InvariantCulture, $", about {Duration(elapsed / done * (total - done))} left");
            if (Live)
            {
                const int width = 30;
                int filled = width * percent / 100;
                writer.Write(string.Create(CultureInfo.InvariantCulture,
                    $"\r{label} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {unit} {elapsed:F1} s{eta}   "));
            }
            else writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {done}/{total} {unit} ({percent} %) in {elapsed:F1} s{eta}"));
            writer.Flush();
        }
    }

    public void Finish()
    {
        lock (_gate)
        {
            if (Live) writer.WriteLine();
            writer.Flush();
        }
    }

    /// <summary>"42 s", "3 min 5 s", "2 h 10 min".</summary>
    public static string Duration(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0) return "?";
        long s = (long)Math.Round(seconds);
        return s < 60 ? string.Create(CultureInfo.InvariantCulture, $"{s} s")
            : s < 3600 ? string.Create(CultureInfo.InvariantCulture, $"{s / 60} min {s % 60} s")
            : string.Create(CultureInfo.InvariantCulture, $"{s / 3600} h {s % 3600 / 60} min");
    }
}
