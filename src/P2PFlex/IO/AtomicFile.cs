using System.Text;

namespace P2PFlex.IO;

/// <summary>
/// The project's one way to write a file so that no reader ever sees a half-written one and a failure leaves the
/// previous file byte-identical: the content goes to a hidden temporary file in the same folder
/// (<c>.NAME.PID.GUID.tmp</c>), is flushed to the disk, and only then renamed over the target (a rename within one
/// file system is atomic on POSIX and NTFS). Any failure — a full disk, no permission, an exception of the writer
/// callback — deletes the temporary file and rethrows as an <see cref="IOException"/> naming the target and what failed.
/// A kill (SIGKILL, power loss) can leave a temporary file behind, never a partial target; <see cref="IsTemporary"/>
/// recognises such leftovers for cleaning.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>Writes UTF-8 text (no byte-order mark).</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8.GetBytes(text));

    /// <summary>Writes bytes.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>
    /// Writes whatever <paramref name="write"/> puts into the stream. <paramref name="beforeCommit"/>, if given, runs
    /// on the complete, flushed temporary file just before the rename (to digest it and record the digest elsewhere:
    /// <see cref="ShardIntegrity"/>); if it throws, the target is left as it was.
    /// </summary>
    public static void Write(string path, Action<Stream> write, Action<string>? beforeCommit = null)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"cannot write the root folder {full} as a file");
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            beforeCommit?.Invoke(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            if (e is IOException && e.Message.Contains(full, StringComparison.Ordinal)) throw;
            if (e is IOException or UnauthorizedAccessException)
                throw new IOException($"writing {full} failed ({Path.GetFileName(full)} is unchanged): {e.Message}", e);
            throw;
        }
    }

    /// <summary>Whether a file name is a temporary file of <see cref="Write"/> (left behind only by a killed process).</summary>
    public static bool IsTemporary(string fileName) =>
        fileName.StartsWith('.') && fileName.EndsWith(".tmp", StringComparison.Ordinal);
}
