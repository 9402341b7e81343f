using System.Diagnostics;
using System.Globalization;

namespace P2PFlex.IO;

/// <summary>
/// The project's one way to replace a folder of files as a whole (report sets, figure sets, scenario exports): the new
/// set is written into a fresh staging folder next to the target and swapped into place only when complete and flushed,
/// so the target always holds one complete set: the previous one or the new one, never a mix. Any failure before
/// <see cref="Commit"/> (an exception, a full disk, a failing step) leaves the target byte-identical and
/// <see cref="Dispose"/> removes the staging folder.
/// <code>
/// using var swap = FolderSwap.Begin("reports", dir => File.Exists(Path.Combine(dir, "index.html")), "reports (index.html)");
/// AtomicFile.WriteAllText(Path.Combine(swap.StagingPath, "index.html"), …);   // every file of the set
/// swap.Commit();                                                             // reports/ now is the new set
/// </code>
/// <para>The swap (<see cref="Commit"/>), after flushing every staged file to the disk, all renames within one parent folder:</para>
/// <list type="number">
/// <item>target → <c>.NAME.previous-PID-ID</c> (skipped when there is no target yet);</item>
/// <item>staging <c>.NAME.staging-PID-ID</c> → target;</item>
/// <item>the backup is deleted.</item>
/// </list>
/// <para>What an interruption leaves:</para>
/// <list type="bullet">
/// <item>an exception or a cancellation before the swap: the target untouched, the staging folder deleted
/// (<see cref="Dispose"/>);</item>
/// <item>a kill (SIGKILL, power loss) while writing: the target untouched; the staging folder stays until the next run
/// into the same target deletes it;</item>
/// <item>a kill between renames 1 and 2: no target, the previous set in the backup; the next run moves it back first;</item>
/// <item>a kill between rename 2 and the deletion: the new set in place, the backup deleted by the next run.</item>
/// </list>
/// <para>
/// "The next run" is <see cref="Begin"/>: it recovers or deletes the staging and backup folders of this target left by
/// processes that are no longer running. Because the target is replaced as a whole, <see cref="Begin"/> refuses a target
/// that is a file, or a non-empty folder that is not an earlier set of the same kind.
/// </para>
/// </summary>
public sealed class FolderSwap : IDisposable
{
    private const string StagingTag = ".staging-", BackupTag = ".previous-";

    private bool _committed;

    private FolderSwap(string targetPath, string stagingPath)
    {
        TargetPath = targetPath;
        StagingPath = stagingPath;
    }

    /// <summary>The folder the reports end up in (absolute).</summary>
    public string TargetPath { get; }

    /// <summary>The hidden folder to write the reports into (absolute; next to <see cref="TargetPath"/>).</summary>
    public string StagingPath { get; }

    /// <summary>
    /// Checks the target, cleans up after earlier interrupted runs, and creates an empty staging folder.
    /// <paramref name="isEarlierSet"/> tells whether an existing non-empty target is a set this writer may replace
    /// (for example: it holds the set's marker file); <paramref name="setName"/> names such sets in the refusal
    /// ("reports (index.html)").
    /// </summary>
    /// <exception cref="ArgumentException">The target is a file, or a non-empty folder that is not an earlier set.</exception>
    public static FolderSwap Begin(string targetPath, Func<string, bool> isEarlierSet, string setName)
    {
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(targetPath));
        string? parent = Path.GetDirectoryName(target);
        if (parent is null) throw new ArgumentException($"the output folder cannot be a root folder ({target})");
        if (File.Exists(target)) throw new ArgumentException($"the output folder {target} is an existing file, not a folder");
        Directory.CreateDirectory(parent);
        RecoverInterrupted(target);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !isEarlierSet(target))
            throw new ArgumentException(
                $"the output folder {target} is not empty and holds no earlier {setName}; it would be replaced as a whole, so choose a new folder or an earlier {setName} folder");
        string staging = Path.Combine(parent, HiddenName(target, StagingTag));
        Directory.CreateDirectory(staging);
        return new FolderSwap(target, staging);
    }

    /// <summary>Swaps the staging folder into place (see the class remarks); after this, <see cref="TargetPath"/> holds the new set.</summary>
    public void Commit()
    {
        if (_committed) throw new InvalidOperationException("the folder was already swapped into place");
        // Every file of the new set on the disk before the set replaces the old one: after a power loss the target
        // is the old set or the complete new one, never new names with lost contents.
        try
        {
            foreach (string file in Directory.EnumerateFiles(StagingPath, "*", SearchOption.AllDirectories))
                using (var fs = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.Read)) fs.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"flushing the new set for {TargetPath} failed ({TargetPath} is unchanged): {e.Message}", e);
        }
        string? backup = null;
        if (Directory.Exists(TargetPath))
        {
            backup = Path.Combine(Path.GetDirectoryName(TargetPath)!, HiddenName(TargetPath, BackupTag));
            Directory.Move(TargetPath, backup);
        }
        try
        {
            Directory.Move(StagingPath, TargetPath);
        }
        catch
        {
            if (backup is not null) Directory.Move(backup, TargetPath);
            throw;
        }
        _committed = true;
        if (backup is not null) DeleteQuietly(backup);
    }

    /// <summary>The path a file written at <paramref name="stagingFile"/> has once committed.</summary>
    public string Final(string stagingFile) =>
        Path.Combine(TargetPath, Path.GetRelativePath(StagingPath, stagingFile));

    /// <summary>Deletes the staging folder unless it was committed (an exception or a cancellation leaves nothing behind).</summary>
    public void Dispose()
    {
        if (!_committed) DeleteQuietly(StagingPath);
    }

    /// <summary>Staging and backup folders of <paramref name="target"/> left by runs whose process is gone.</summary>
    private static void RecoverInterrupted(string target)
    {
        string parent = Path.GetDirectoryName(target)!;
        string name = Path.GetFileName(target);
        foreach (string dir in Directory.EnumerateDirectories(parent, $".{name}.*").ToArray())
        {
            string rest = Path.GetFileName(dir)[(name.Length + 1)..];
            bool staging = rest.StartsWith(StagingTag, StringComparison.Ordinal), backup = rest.StartsWith(BackupTag, StringComparison.Ordinal);
            if (!staging && !backup) continue;
            string[] parts = rest[(staging ? StagingTag : BackupTag).Length..].Split('-');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || IsRunning(pid)) continue;
            if (backup && !Directory.Exists(target)) Directory.Move(dir, target);   // killed between the two renames
            else DeleteQuietly(dir);
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return false;   // this process starts one swap at a time per target
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string HiddenName(string target, string tag) =>
        string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(target)}{tag}{Environment.ProcessId}-{Guid.NewGuid():N}");

    private static void DeleteQuietly(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
