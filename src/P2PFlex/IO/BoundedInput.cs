using System.Text;

namespace P2PFlex.IO;

/// <summary>An input that holds more bytes than its reader accepts; the read stopped at the limit.</summary>
public sealed class InputTooLargeException(string path, long maxBytes)
    : IOException($"{path}: more than {maxBytes} bytes (a device, a pipe or a file too large to be an input); reading stopped there")
{
    public string Path { get; } = path;
    public long MaxBytes { get; } = maxBytes;
}

/// <summary>
/// Reads an input file with a cap on the bytes read, whatever kind of file it is. The size a file system reports
/// (<see cref="FileInfo.Length"/>) is 0 for <c>/dev/zero</c>, a pipe or a FIFO, so a check of the length before
/// <see cref="File.ReadAllText(string)"/> does not bound anything there: this reader counts what it actually reads and
/// stops one chunk past the cap, so an endless input costs at most the cap in memory and a fraction of a second.
/// </summary>
public static class BoundedInput
{
    private const int Chunk = 1 << 16;

    /// <summary>The file's bytes, at most <paramref name="maxBytes"/>; more is an <see cref="InputTooLargeException"/>.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        var buffer = new MemoryStream();
        if (!TryStream(path, maxBytes, (chunk, count) => buffer.Write(chunk, 0, count)))
            throw new InputTooLargeException(path, maxBytes);
        return buffer.ToArray();
    }

    /// <summary>
    /// Hands the file's bytes to <paramref name="consume"/> chunk by chunk (the chunk's array and the number of bytes
    /// in it), never more than <paramref name="maxBytes"/> in all: false, without handing on the chunk that crossed the
    /// cap, when the file holds more. For readers that digest a file instead of keeping it (a shard's SHA-256).
    /// </summary>
    public static bool TryStream(string path, long maxBytes, Action<byte[], int> consume)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, Chunk, FileOptions.SequentialScan);
        var chunk = new byte[Chunk];
        long total = 0;
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            total += n;
            if (total > maxBytes) return false;
            consume(chunk, n);
        }
        return true;
    }

    /// <summary>The file's text (UTF-8 unless a byte-order mark says otherwise, as <see cref="File.ReadAllText(string)"/>),
    /// from at most <paramref name="maxBytes"/> bytes.</summary>
    public static string ReadAllText(string path, long maxBytes)
    {
        using var reader = new StreamReader(new MemoryStream(ReadAllBytes(path, maxBytes)), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
