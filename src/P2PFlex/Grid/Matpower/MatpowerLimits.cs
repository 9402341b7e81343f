namespace P2PFlex.Grid.Matpower;

/// <summary>
/// Bounds the case reader enforces so that no file, however hostile, exhausts memory, time or the call stack.
/// Each is far above what a real case needs: the largest MATPOWER case (ACTIVSg70k) is about 20 MB of text with
/// matrices of about 10⁶ elements and expressions a few levels deep. Exceeding a bound is a
/// <see cref="MatpowerFormatException"/> that names the bound.
/// </summary>
public static class MatpowerLimits
{
    /// <summary>Largest file read (characters): bounds the token list and parse time.</summary>
    public const int MaxFileChars = 64 * 1024 * 1024;

    /// <summary>Largest number of tokens in a file (a 10⁷-element matrix literal needs about that many).</summary>
    public const int MaxTokens = 10_000_000;

    /// <summary>Largest matrix (elements): 80 MB of doubles, 10 times the largest real case's matrices.</summary>
    public const long MaxMatrixElements = 10_000_000;

    /// <summary>Elements the whole file may allocate, temporaries included (400 MB of doubles).</summary>
    public const long MaxElementsPerFile = 50_000_000;

    /// <summary>Multiply-adds one matrix product may take (about a tenth of a second).</summary>
    public const long MaxProductOperations = 100_000_000;

    /// <summary>Element operations (reads, writes, multiply-adds, index conversions) the whole file may take: about a
    /// second of work. Reading the largest MATPOWER case takes a few million; a 42-byte file asking for 10¹² (an
    /// indexed assignment with million-element index vectors) or a thousand large matrix products is refused at the
    /// statement that would exceed it.</summary>
    public const long MaxWorkPerFile = 300_000_000;

    /// <summary>Bytes read from a case file, whatever its kind (regular file, pipe, device): read through a capped
    /// stream, since the size a file system reports is 0 for <c>/dev/zero</c> or a pipe.</summary>
    public const long MaxFileBytes = MaxFileChars;

    /// <summary>Deepest nesting of parentheses, brackets, calls, unary signs and powers in one expression;
    /// sums and products of any length are evaluated iteratively and do not count.</summary>
    public const int MaxNestingDepth = 200;
}
