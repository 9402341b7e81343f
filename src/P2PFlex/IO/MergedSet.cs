namespace P2PFlex.IO;

/// <summary>One file of a merged set: its name and the writer that writes it at the path it is given.</summary>
/// <param name="Name">File name inside the set's folder (<c>merged.parquet</c>, <c>summary_scenarios.csv</c>, …).</param>
/// <param name="Write">Writes the file at the given path (which is inside a staging folder until the set is complete).</param>
public sealed record MergedFile(string Name, Action<string> Write);

/// <summary>
/// The outputs of a merge of shards (Monte Carlo, time series) as one set: <c>merged.parquet</c> and its summary files
/// live in the subfolder <c>merged/</c> of the run's folder, beside the shards, and are replaced as a whole by
/// <see cref="FolderSwap"/>: every file is written into a staging folder first and the folder is swapped in only when
/// all of them are complete and flushed. A failure between two files (a full disk, a cancelled merge, a damaged shard
/// found while streaming) leaves the previous <c>merged/</c> byte-identical and no staging folder; a reader never sees
/// a new <c>merged.parquet</c> beside older summaries. The shards stay where they are (the swap replaces only
/// <c>merged/</c>).
/// </summary>
public static class MergedSet
{
    /// <summary>The subfolder of a run's folder that holds the merged set.</summary>
    public const string FolderName = "merged";

    /// <summary>The file every merged set holds (the marker that lets a merge replace an earlier set).</summary>
    public const string MarkerName = "merged.parquet";

    /// <summary>The merged set's folder of a run's folder.</summary>
    public static string FolderOf(string runDir) => Path.Combine(runDir, FolderName);

    /// <summary>Where a file of the merged set of <paramref name="runDir"/> is (<c>RUN/merged/NAME</c>).</summary>
    public static string PathOf(string runDir, string name) => Path.Combine(runDir, FolderName, name);

    /// <summary>
    /// Writes <paramref name="files"/>, in order, as the merged set of <paramref name="runDir"/> and swaps it in; returns
    /// their final paths. <paramref name="written"/> hears the name of each file once it is complete (in the staging
    /// folder); <paramref name="cancel"/> is checked before each file and before the swap. Files of the same names left
    /// directly in <paramref name="runDir"/> by merges of earlier versions (which wrote them there one by one) are
    /// removed once the new set is in place, so a run's folder holds one merged set.
    /// </summary>
    /// <exception cref="ArgumentException"><c>merged/</c> exists and is not a merged set (it is never replaced).</exception>
    public static IReadOnlyList<string> Write(string runDir, IReadOnlyList<MergedFile> files, Action<string>? written = null, CancellationToken cancel = default)
    {
        if (files.Count == 0 || files[0].Name != MarkerName) throw new ArgumentException($"a merged set starts with {MarkerName}", nameof(files));
        using var swap = FolderSwap.Begin(FolderOf(runDir), dir => File.Exists(Path.Combine(dir, MarkerName)), $"merged set ({MarkerName})");
        foreach (var file in files)
        {
            cancel.ThrowIfCancellationRequested();
            file.Write(Path.Combine(swap.StagingPath, file.Name));
            written?.Invoke(file.Name);
        }
        cancel.ThrowIfCancellationRequested();
        swap.Commit();
        foreach (var file in files) RemoveLegacy(Path.Combine(runDir, file.Name));
        return files.Select(f => PathOf(runDir, f.Name)).ToArray();
    }

    /// <summary>Deletes a file an earlier version's merge wrote directly into the run's folder, and its shard manifest.</summary>
    private static void RemoveLegacy(string path)
    {
        foreach (string p in new[] { path, ShardIntegrity.ManifestPath(path) })
        {
            try
            {
                if (File.Exists(p)) File.Delete(p);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The new set is in place; an old copy that cannot be removed is stale but harmless to the merge.
            }
        }
    }
}
