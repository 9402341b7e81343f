using System.Security.Cryptography;
using System.Text;

namespace P2PFlex.Kernel;

/// <summary>
/// HMAC-SHA256 signatures of Jupyter messages: the lower-case hex HMAC, keyed with the connection file's key, of the
/// header, parent header, metadata and content frames in that order. With an empty key messages are not
/// authenticated (the signature is ""), as the protocol specifies.
/// </summary>
public sealed class MessageSigner
{
    private readonly byte[] _key;

    public MessageSigner(string key) => _key = Encoding.UTF8.GetBytes(key ?? "");

    /// <summary>True when a key is set, so every incoming message must carry a valid signature.</summary>
    public bool Enabled => _key.Length > 0;

    /// <summary>The signature of the four frames ("" when no key is set).</summary>
    public string Sign(byte[] header, byte[] parentHeader, byte[] metadata, byte[] content)
    {
        if (!Enabled) return "";
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(header);
        hmac.AppendData(parentHeader);
        hmac.AppendData(metadata);
        hmac.AppendData(content);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    /// <summary>
    /// True when the signature is the HMAC of the frames. The hex text is decoded first (upper, lower or mixed case
    /// are the same digest) and the 32 bytes are compared in constant time. Always true when no key is set; with a
    /// key, an empty, malformed or wrong signature is false.
    /// </summary>
    public bool Verify(string signature, byte[] header, byte[] parentHeader, byte[] metadata, byte[] content)
    {
        if (!Enabled) return true;
        if (!TryDecode(signature, out byte[] given)) return false;
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(header);
        hmac.AppendData(parentHeader);
        hmac.AppendData(metadata);
        hmac.AppendData(content);
        return CryptographicOperations.FixedTimeEquals(hmac.GetHashAndReset(), given);
    }

    /// <summary>
    /// The digest a signature stands for, as lower-case hex: the key of replay protection, so that a captured
    /// signature re-sent in upper or mixed case is still recognised as seen. Null for text that is not 64 hex digits.
    /// </summary>
    public static string? Digest(string signature) => TryDecode(signature, out byte[] digest) ? Convert.ToHexStringLower(digest) : null;

    // A SHA-256 HMAC is 32 bytes: exactly 64 hex digits, any case.
    private static bool TryDecode(string signature, out byte[] digest)
    {
        digest = new byte[32];
        return signature.Length == 64
            && Convert.FromHexString(signature, digest, out _, out int written) == System.Buffers.OperationStatus.Done
            && written == 32;
    }
}
