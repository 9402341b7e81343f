namespace P2PFlex.Kernel;

/// <summary>Jupyter counts cursor positions in Unicode code points (protocol ≥ 5.2); .NET strings in UTF-16 units.</summary>
internal static class TextPositions
{
    public static int ToUtf16Index(string s, int codePoints)
    {
        int i = 0;
        for (int k = 0; k < codePoints && i < s.Length; k++)
            i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
        return i;
    }

    public static int ToCodePointIndex(string s, int utf16)
    {
        int k = 0;
        for (int i = 0; i < utf16 && i < s.Length; k++)
            i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
        return k;
    }

    public static int CodePointLength(string s) => ToCodePointIndex(s, s.Length);
}
