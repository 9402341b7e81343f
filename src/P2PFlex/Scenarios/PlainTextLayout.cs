namespace P2PFlex.Scenarios;

/// <summary>One padded value of a plain text column: its width in characters (0: as wide as the value) and its side.</summary>
public readonly record struct PlainPad(int Width, bool RightAligned = false)
{
    public string Apply(string value) => RightAligned ? value.PadLeft(Width) : value.PadRight(Width);
}

/// <summary>
/// One column of a fixed-width plain text table: how its cell is padded and the text that follows it (the separator
/// to the next column). A "before → after" cell has two pads, one for each side of the arrow.
/// </summary>
public sealed record PlainColumn(IReadOnlyList<PlainPad> Pads, string After)
{
    /// <summary>The arrow between the two values of a "before → after" cell.</summary>
    public const string Arrow = " → ";

    public static PlainColumn Left(int width, string after = " | ") => new([new PlainPad(width)], after);
    public static PlainColumn Right(int width, string after = " | ") => new([new PlainPad(width, true)], after);
    public static PlainColumn Pair(PlainPad before, PlainPad after, string separator = " | ") => new([before, after], separator);

    /// <summary>The column's width: its pads and the arrow between them.</summary>
    public int Width => Pads.Sum(p => p.Width) + (Pads.Count - 1) * Arrow.Length;

    /// <summary>The same column for a header: one left-aligned value as wide as the whole column.</summary>
    public PlainColumn AsHeader() => Left(Width, After);

    /// <summary>A cell padded and followed by <see cref="After"/>; a pair cell is split at its arrow, each side padded.</summary>
    public string Format(string cell, string table)
    {
        if (Pads.Count == 1) return Pads[0].Apply(cell) + After;
        var parts = cell.Split(Arrow);
        if (parts.Length != Pads.Count)
            throw new ArgumentException($"table '{table}': the cell '{cell}' should hold {Pads.Count} values separated by '{Arrow}'");
        return string.Join(Arrow, parts.Select((p, i) => Pads[i].Apply(p))) + After;
    }

    /// <summary>One line: each cell formatted by its column.</summary>
    public static string Line(IReadOnlyList<PlainColumn> columns, IReadOnlyList<string> cells, string table) =>
        columns.Count == cells.Count
            ? string.Concat(cells.Select((cell, i) => columns[i].Format(cell, table)))
            : throw new ArgumentException($"table '{table}': a line of {cells.Count} values laid out in {columns.Count} columns");
}

/// <summary>
/// How a <see cref="TextTable"/> is drawn as fixed-width plain text: one <see cref="PlainColumn"/> per column, the
/// length of the dashed rule under the header, whether the title is the first line, and, for headers written
/// "group sub" on two lines, the columns of those two lines (null: one header line laid out like the rows).
/// </summary>
public sealed record PlainTextLayout(IReadOnlyList<PlainColumn> Columns, int RuleWidth, bool ShowTitle = false, GroupedHeaderLayout? GroupedHeader = null);

/// <summary>A two-line header: the groups' line (one column per group) and the subs' line (one column per column).</summary>
public sealed record GroupedHeaderLayout(IReadOnlyList<PlainColumn> GroupColumns, IReadOnlyList<PlainColumn> SubColumns);
