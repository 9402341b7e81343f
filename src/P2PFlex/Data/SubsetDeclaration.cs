using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using P2PFlex.IO;

namespace P2PFlex.Data;

/// <summary>
/// The declared size and checksum of a P2P subset file: one provenance line before the header,
/// <c># rows 70, sha256 &lt;64 hex digits&gt; (…)</c>, where the digest is SHA-256 over the bid ids in file order, each
/// followed by a line feed (UTF-8). The generator (<c>p2pflex data generate</c>) writes it; reading checks it, so a file
/// that lost rows (truncated, or lines deleted anywhere) or whose ids were edited is an error naming the file and the
/// declaration's line, never a market with fewer peers. A file without the line (a list written by hand) is read as it
/// is: the declaration protects the files the project generates and ships.
/// </summary>
public static partial class SubsetDeclaration
{
    /// <summary>The declaration as a comment line (with the leading <c>#</c>, no line end).</summary>
    public static string Comment(IReadOnlyList<string> ids) => string.Create(CultureInfo.InvariantCulture,
        $"# rows {ids.Count}, sha256 {Sha256Hex(ids)} (of the bid ids below, each followed by a line end; checked on reading)");

    /// <summary>SHA-256 of the ids in order, each followed by '\n' (UTF-8), as 64 lower-case hex digits.</summary>
    public static string Sha256Hex(IEnumerable<string> ids)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var id in ids) sha.AppendData(Encoding.UTF8.GetBytes(id + "\n"));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// Finds the declaration among the file's leading comment lines and checks <paramref name="ids"/> against it. No
    /// declaration: nothing to check. A line that starts like one but does not parse, a row count or a digest that
    /// differs: a <see cref="DataFormatException"/> at the declaration's line.
    /// </summary>
    /// <param name="file">The file, for the error.</param>
    /// <param name="text">The file's text (the declaration's line number is counted in it).</param>
    /// <param name="ids">The ids the file lists, in order.</param>
    /// <param name="fix">What to do about a mismatch, for the message (e.g. the command that regenerates the file).</param>
    /// <returns>Whether the file declares its ids (and they match): then the list is the generator's, intact.</returns>
    public static bool Check(string file, string text, IReadOnlyList<string> ids, string fix)
    {
        int lineNumber = 0;
        using var reader = new StringReader(text);
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (!line.StartsWith('#')) return false;   // the header: the leading comments had no declaration
            string comment = line[1..].Trim();
            if (!comment.StartsWith("rows ", StringComparison.Ordinal)) continue;
            var m = DeclarationPattern().Match(comment);
            if (!m.Success || !int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int rows))
                throw new DataFormatException(file, lineNumber, "declaration",
                    "malformed size declaration: expected '# rows N, sha256 <64 hex digits>' " + $"({fix})");
            if (rows != ids.Count)
                throw new DataFormatException(file, lineNumber, "declaration",
                    $"declares {rows} bid(s) but the file lists {ids.Count}: rows are missing or were added (a truncated or edited file?); {fix}");
            string digest = Sha256Hex(ids);
            if (!string.Equals(digest, m.Groups[2].Value, StringComparison.Ordinal))
                throw new DataFormatException(file, lineNumber, "declaration",
                    $"the {ids.Count} bid ids do not match the declared sha256 (declared {m.Groups[2].Value[..12]}…, the ids give {digest[..12]}…): the file was edited or corrupted; {fix}");
            return true;
        }
        return false;
    }

    [GeneratedRegex(@"^rows (\d{1,9}), sha256 ([0-9a-f]{64})(\s|$)")]
    private static partial Regex DeclarationPattern();
}
