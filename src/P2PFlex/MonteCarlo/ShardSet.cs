using System.Globalization;
using P2PFlex.IO;

namespace P2PFlex.MonteCarlo;

/// <summary>
/// The header of a shard file as the shared shard mechanism reads it: the job it was written for and, for a shard, its
/// number (0-based) of <see cref="Shards"/>; both null in a merged file. Monte Carlo shards (draws) and time-series
/// shards (intervals) both have one.
/// </summary>
/// <typeparam name="TJob">What identifies a run (feeder, seeds or profiles, scenarios).</typeparam>
public interface IShardHeader<TJob>
{
    int? Shard { get; }
    int? Shards { get; }

    /// <summary>The run this file was written for.</summary>
    TJob Job { get; }

    /// <summary>Whether this file was written for <paramref name="job"/>.</summary>
    bool Matches(TJob job);

    /// <summary>The run and the shard in words, for errors.</summary>
    string Describe();
}

/// <summary>
/// The one home of the rules that make a folder of shard files one run, shared by Monte Carlo
/// (<see cref="MonteCarloShards"/>) and time series (<c>TimeSeriesShards</c>): a shard whose file is already there is
/// resumed only when it is intact and belongs to the same job, and a merge takes only a complete set (every file a
/// shard of one job, each shard 1…n exactly once).
/// </summary>
public static class ShardSet
{
    /// <summary>
    /// Whether shard <paramref name="shard"/> of <paramref name="shards"/> is already written at <paramref name="path"/>
    /// for <paramref name="job"/>, so the run skips it (resume). A damaged file is a <see cref="ShardIntegrityException"/>
    /// with <paramref name="recompute"/>, not silently kept or replaced; a file of another run is an error.
    /// </summary>
    public static bool AlreadyWritten<THeader, TJob>(string path, string recompute, TJob job, int shard, int shards, Func<string, THeader> readHeader)
        where THeader : IShardHeader<TJob>
    {
        if (!File.Exists(path)) return false;
        ShardIntegrity.Verify(path, recompute);
        var existing = readHeader(path);
        if (!existing.Matches(job) || existing.Shard != shard || existing.Shards != shards)
            throw new InvalidOperationException($"{path} holds another run ({existing.Describe()}); use another --out folder or delete it");
        return true;
    }

    /// <summary>
    /// Checks that the shard files of <paramref name="dir"/> are one complete run: none is a merged file, all are of the
    /// first one's job and shard count, and each shard 1…n is there exactly once (a missing one is named with its
    /// expected file name, <paramref name="shardName"/>). Returns n.
    /// </summary>
    public static int CheckComplete<THeader, TJob>(string dir, IReadOnlyList<(string File, THeader Header)> headers, Func<int, int, string> shardName)
        where THeader : IShardHeader<TJob>
    {
        if (headers.Count == 0) throw new InvalidOperationException($"{dir} holds no shard files");
        var first = headers[0];
        foreach (var (file, h) in headers)
        {
            if (h.Shard is null || h.Shards is null) throw new InvalidOperationException($"{file} is a merged file, not a shard; move it out of {dir}");
            if (!h.Matches(first.Header.Job) || h.Shards != first.Header.Shards)
                throw new InvalidOperationException($"{file} belongs to another run ({h.Describe()}) than {first.File} ({first.Header.Describe()})");
        }
        int shards = first.Header.Shards!.Value;
        var duplicates = headers.GroupBy(h => h.Header.Shard!.Value).Where(g => g.Count() > 1).ToArray();
        if (duplicates.Length > 0)
            throw new InvalidOperationException("duplicate shards: " + string.Join("; ", duplicates.Select(g =>
                $"shard {g.Key + 1}/{shards} in {string.Join(" and ", g.Select(x => Path.GetFileName(x.File)))}")));
        var missing = Enumerable.Range(0, shards).Except(headers.Select(h => h.Header.Shard!.Value)).ToArray();
        if (missing.Length > 0)
            throw new InvalidOperationException($"missing shards of {shards}: {string.Join(", ", missing.Select(m => (m + 1).ToString(CultureInfo.InvariantCulture)))} " +
                $"(expected files {string.Join(", ", missing.Take(5).Select(m => shardName(m, shards)))}{(missing.Length > 5 ? ", …" : "")}); run them, then merge again");
        return shards;
    }
}
