using System.Buffers.Binary;
using System.Text;

namespace P2PFlex.Notebooks;

/// <summary>
/// The resolution of a PNG file: its pHYs chunk (pixels per metre in x and y, unit 1 = metre), which word processors,
/// LaTeX and image viewers read to place the picture at its printed size. Chromium's canvas writes none.
/// </summary>
public static class PngDensity
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Pixels per metre of <paramref name="dpi"/> dots per inch, rounded (300 dpi: 11811).</summary>
    public static uint PixelsPerMetre(double dpi) => (uint)Math.Round(dpi / 0.0254, MidpointRounding.AwayFromZero);

    /// <summary>The PNG with a pHYs chunk of <paramref name="dpi"/> right after IHDR (an existing pHYs is dropped).</summary>
    public static byte[] WithDpi(byte[] png, double dpi)
    {
        ArgumentNullException.ThrowIfNull(png);
        if (!(dpi > 0)) throw new ArgumentOutOfRangeException(nameof(dpi), dpi, "dpi must be positive");
        var chunks = Chunks(png);
        if (chunks.Count == 0 || chunks[0].Type != "IHDR") throw new FormatException("not a PNG file (no IHDR chunk first)");
        using var output = new MemoryStream(png.Length + 21);
        output.Write(Signature);
        foreach (var (type, start, length) in chunks)
        {
            if (type == "pHYs") continue;
            output.Write(png, start, length);
            if (type == "IHDR")
            {
                uint ppm = PixelsPerMetre(dpi);
                var data = new byte[9];
                BinaryPrimitives.WriteUInt32BigEndian(data, ppm);
                BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), ppm);
                data[8] = 1;   // unit: metre
                WriteChunk(output, "pHYs", data);
            }
        }
        return output.ToArray();
    }

    /// <summary>Dots per inch in x and y from the pHYs chunk; null when the PNG has none or gives no unit.</summary>
    public static (double X, double Y)? ReadDpi(byte[] png)
    {
        foreach (var (type, start, _) in Chunks(png))
        {
            if (type != "pHYs") continue;
            var data = png.AsSpan(start + 8, 9);
            if (data[8] != 1) return null;
            return (BinaryPrimitives.ReadUInt32BigEndian(data) * 0.0254, BinaryPrimitives.ReadUInt32BigEndian(data[4..]) * 0.0254);
        }
        return null;
    }

    /// <summary>The chunks (type, offset of the chunk's length field, whole chunk's byte count); checks the signature and bounds.</summary>
    private static List<(string Type, int Start, int Length)> Chunks(byte[] png)
    {
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(Signature)) throw new FormatException("not a PNG file (bad signature)");
        var chunks = new List<(string, int, int)>();
        int pos = 8;
        while (pos + 12 <= png.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (length > int.MaxValue || pos + 12 + (long)length > png.Length) throw new FormatException($"PNG chunk at byte {pos} runs past the end of the file");
            string type = Encoding.ASCII.GetString(png, pos + 4, 4);
            chunks.Add((type, pos, 12 + (int)length));
            pos += 12 + (int)length;
            if (type == "IEND") break;
        }
        return chunks;
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, head[4..]);
        output.Write(head);
        output.Write(data);
        uint crc = Crc32(head[4..], data);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        output.Write(tail);
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>The PNG chunk CRC (ISO 3309 / ITU-T V.42) over the chunk type and data.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in type) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
