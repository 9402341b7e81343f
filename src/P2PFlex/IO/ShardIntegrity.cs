using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace P2PFlex.IO;

/// <summary>
/// What was written into a result shard, recorded in the manifest beside it (<see cref="ShardIntegrity.ManifestPath"/>)
/// when it was written: the file's size and SHA-256, its row count and the SHA-256 of its rows' canonical text (the
/// writer also stores those two in the shard's own metadata), and the command that recomputes the shard.
/// </summary>
public sealed record ShardManifest(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("rows_sha256")] string RowsSha256,
    [property: JsonPropertyName("recompute")] string Recompute);

/// <summary>The result of checking one shard against its manifest: <see cref="Problem"/> is null when it is intact.</summary>
public sealed record ShardCheck(string Path, ShardManifest? Manifest, string? Problem)
{
    public bool Intact => Problem is null;
}

/// <summary>A shard that is not what was written: names the shard, what is wrong, and the command that recomputes it.</summary>
public sealed class ShardIntegrityException(string shardPath, string problem, string recompute)
    : IOException($"{shardPath}: {problem}; recompute it: {recompute}")
{
    public string ShardPath { get; } = shardPath;
    public string Problem { get; } = problem;
    public string Recompute { get; } = recompute;
}

/// <summary>
/// Integrity of result shards — files that one run writes in pieces (Monte Carlo draws, time-series windows) and a
/// later step reads back and combines. One mechanism for every kind of shard:
/// <list type="number">
/// <item>The writer renders its rows to a canonical text (for example their CSV with round-trip doubles) and takes
/// <see cref="Sha256OfText"/> of it; it stores that digest and the row count in the shard's own metadata.</item>
/// <item>It writes the shard with <see cref="Write"/>: atomically (<see cref="AtomicFile"/>), and before the rename the
/// complete file's size and SHA-256 go into the manifest <c>NAME.manifest.json</c> beside it, with the row count, the
/// rows' digest and the command that recomputes the shard. The manifest is one file per shard, so shards written
/// concurrently (Slurm array tasks) never write the same file.</item>
/// <item>The reader calls <see cref="Check"/> (or <see cref="Verify"/>) on every shard <em>before</em> parsing it: a
/// missing or unreadable manifest, a different size (truncation) or a different SHA-256 (any changed byte) is a
/// problem naming the shard. Only intact shards are parsed.</item>
/// <item>After decoding, <see cref="VerifyRows"/> compares the decoded rows' count and digest with the manifest and the
/// shard's metadata, so rows that decode differently from what was written can never be used silently.</item>
/// </list>
/// All failures are <see cref="ShardIntegrityException"/> (an <see cref="IOException"/>): the CLI reports them
/// as one line, exit 1.
/// </summary>
public static class ShardIntegrity
{
    /// <summary>Suffix of a shard's manifest: <c>shard-0001-of-0004.parquet.manifest.json</c>.</summary>
    public const string ManifestSuffix = ".manifest.json";

    // A manifest is a few hundred bytes; anything much larger is not one (and is not read whole into memory).
    public const int MaxManifestBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Json = LibraryJson.With(new() { WriteIndented = true }, IoJsonContext.Default);

    public static string ManifestPath(string shardPath) => shardPath + ManifestSuffix;

    public static string Sha256OfText(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>SHA-256 of a file's bytes, streamed (lower-case hex).</summary>
    public static string Sha256OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// SHA-256 of at most <paramref name="maxBytes"/> bytes of a file, or null when it holds more. The size a file system
    /// reports is 0 for a device, a pipe or a FIFO whatever they hold, so a shard checked against its manifest is hashed
    /// with the manifest's size as the cap: an endless input costs one chunk past it, never a read without end.
    /// </summary>
    public static string? Sha256OfFile(string path, long maxBytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        return BoundedInput.TryStream(path, maxBytes, (chunk, count) => hash.AppendData(chunk, 0, count))
            ? Convert.ToHexStringLower(hash.GetHashAndReset())
            : null;
    }

    /// <summary>
    /// Writes a shard atomically with <paramref name="write"/> and records its manifest before it appears under its
    /// name. <paramref name="rows"/> and <paramref name="rowsSha256"/> are the count and digest of the rows written
    /// (the writer stores the same in the shard's metadata); <paramref name="recompute"/> is the command line that
    /// recomputes the shard.
    /// </summary>
    public static ShardManifest Write(string path, long rows, string rowsSha256, string recompute, Action<Stream> write) =>
        WriteStreamed(path, recompute, stream => { write(stream); return (rows, rowsSha256); });

    /// <summary>
    /// <c>Write</c> for a shard streamed in pieces (time-series shards), whose row count
    /// and digest are known only when <paramref name="write"/> has written the last row (it returns them).
    /// </summary>
    public static ShardManifest WriteStreamed(string path, string recompute, Func<Stream, (long Rows, string RowsSha256)> write)
    {
        ShardManifest? manifest = null;
        string full = Path.GetFullPath(path);
        (long Rows, string RowsSha256) written = (0, "");
        AtomicFile.Write(full, stream => written = write(stream), beforeCommit: temp =>
        {
            var (rows, rowsSha256) = written;
            manifest = new ShardManifest(Path.GetFileName(full), new FileInfo(temp).Length, Sha256OfFile(temp), rows, rowsSha256, recompute);
            AtomicFile.WriteAllText(ManifestPath(full), JsonSerializer.Serialize(manifest, Json) + "\n");
        });
        return manifest!;
    }

    /// <summary>Checks a shard's bytes against its manifest without parsing the shard.</summary>
    public static ShardCheck Check(string path)
    {
        string manifestPath = ManifestPath(path);
        if (!File.Exists(path)) return new ShardCheck(path, null, "the shard file is missing");
        if (!File.Exists(manifestPath))
            return new ShardCheck(path, null, $"it has no manifest {Path.GetFileName(manifestPath)} (deleted, or written by an older P2PFlex), so its content cannot be verified");
        ShardManifest? m;
        try
        {
            m = JsonSerializer.Deserialize<ShardManifest>(BoundedInput.ReadAllBytes(manifestPath, MaxManifestBytes), Json);
            if (m is null || m.Sha256 is not { Length: 64 } || m.RowsSha256 is not { Length: 64 } || m.Bytes < 0 || m.Rows < 0 || m.Recompute is null)
                return new ShardCheck(path, null, $"its manifest {Path.GetFileName(manifestPath)} lacks a field (file, bytes, sha256, rows, rows_sha256, recompute)");
        }
        catch (InputTooLargeException)
        {
            return new ShardCheck(path, null, $"its manifest {Path.GetFileName(manifestPath)} has more than {MaxManifestBytes} bytes, not a manifest");
        }
        catch (JsonException e)
        {
            return new ShardCheck(path, null, $"its manifest {Path.GetFileName(manifestPath)} is not valid JSON ({e.Message})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ShardCheck(path, null, $"its manifest {Path.GetFileName(manifestPath)} cannot be read ({e.Message})");
        }
        try
        {
            long bytes = new FileInfo(path).Length;
            if (bytes != m.Bytes)
                return new ShardCheck(path, m, $"it is {bytes} bytes but was written with {m.Bytes} (its manifest): {(bytes < m.Bytes ? "truncated" : "extended")}");
            string? sha = Sha256OfFile(path, m.Bytes);
            if (sha is null)
                return new ShardCheck(path, m, $"it holds more than the {m.Bytes} bytes written (its manifest) though its size reads {bytes}: a device, a pipe or a FIFO, not the shard");
            if (!string.Equals(sha, m.Sha256, StringComparison.OrdinalIgnoreCase))
                return new ShardCheck(path, m, $"its SHA-256 {sha[..16]}… differs from the one recorded when it was written ({m.Sha256[..16]}…): the file was changed or corrupted");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ShardCheck(path, m, $"it cannot be read ({e.Message})");
        }
        return new ShardCheck(path, m, null);
    }

    /// <summary><see cref="Check"/>, throwing when the shard is not intact; <paramref name="recompute"/> is used when the
    /// manifest (which records its own command) cannot be read.</summary>
    public static ShardManifest Verify(string path, string recompute)
    {
        var check = Check(path);
        if (!check.Intact) throw new ShardIntegrityException(path, check.Problem!, check.Manifest?.Recompute ?? recompute);
        return check.Manifest!;
    }

    /// <summary>
    /// Compares decoded rows with what was written: their count and digest against the manifest's and against the
    /// shard's own metadata (<paramref name="metadataRows"/>, <paramref name="metadataRowsSha256"/>; null when the
    /// shard carries none — then it was written by an older version).
    /// </summary>
    public static void VerifyRows(string path, ShardManifest? manifest, long? metadataRows, string? metadataRowsSha256, long rows, string rowsSha256, string recompute)
    {
        string command = manifest?.Recompute ?? recompute;
        if (metadataRows is null || metadataRowsSha256 is null)
            throw new ShardIntegrityException(path, "its metadata records no row count and digest (written by an older P2PFlex)", command);
        if (rows != metadataRows)
            throw new ShardIntegrityException(path, $"it decodes to {rows} rows, its metadata records {metadataRows}", command);
        if (!string.Equals(rowsSha256, metadataRowsSha256, StringComparison.OrdinalIgnoreCase))
            throw new ShardIntegrityException(path, $"its rows decode to digest {rowsSha256[..16]}…, its metadata records {metadataRowsSha256[..Math.Min(16, metadataRowsSha256.Length)]}…: corrupted", command);
        if (manifest is not null && (manifest.Rows != rows || !string.Equals(manifest.RowsSha256, rowsSha256, StringComparison.OrdinalIgnoreCase)))
            throw new ShardIntegrityException(path, $"its rows ({rows}, digest {rowsSha256[..16]}…) differ from its manifest's ({manifest.Rows}, {manifest.RowsSha256[..16]}…)", command);
    }

    /// <summary>Quotes a word for a POSIX shell when it needs it (for recompute commands).</summary>
    public static string ShellWord(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=,:@+".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
