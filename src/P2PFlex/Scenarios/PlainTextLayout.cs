namespace P2PFlex.Scenarios;

/// <summary>
/// One padded value of a plain text column: the fewest characters it takes (it widens to its longest value) and its
/// side.
/// </summary>
public readonly record struct PlainPad(int MinWidth, bool RightAligned = false)
{
    /// <summary>The value padded to <paramref name="width"/> on the pad's side.</summary>
    public string Apply(string value, int width) => RightAligned ? value.PadLeft(width) : value.PadRight(width);
}

/// <summary>
/// One column of a plain text table: how its cell is padded and the separator that follows it (to the next column;
/// empty after the last one). A "before → after" cell has two pads, one for each side of the arrow, so that the arrows
/// of every row stand one under the other.
/// </summary>
public sealed record PlainColumn(IReadOnlyList<PlainPad> Pads, string After)
{
    /// <summary>The arrow between the two values of a "before → after" cell.</summary>
    public const string Arrow = " → ";

    public static PlainColumn Left(int minWidth, string after = " | ") => new([new PlainPad(minWidth)], after);
    public static PlainColumn Right(int minWidth, string after = " | ") => new([new PlainPad(minWidth, true)], after);
    public static PlainColumn Pair(PlainPad before, PlainPad after, string separator = " | ") => new([before, after], separator);

    /// <summary>The values of a cell, one per pad (a pair cell split at its arrow; an empty cell empty on every side).</summary>
    public IReadOnlyList<string> Split(string cell, string table)
    {
        if (Pads.Count == 1) return [cell];
        if (cell == "") return Pads.Select(_ => "").ToArray();
        var parts = cell.Split(Arrow);
        return parts.Length == Pads.Count ? parts
            : throw new ArgumentException($"table '{table}': the cell '{cell}' should hold {Pads.Count} values separated by '{Arrow}'");
    }

    /// <summary>A header (or group name) is right-aligned over a column of right-aligned numbers, otherwise left.</summary>
    public bool HeaderRightAligned => Pads.Count == 1 && Pads[0].RightAligned;
}

/// <summary>
/// How a <see cref="TextTable"/> is drawn as plain text: one <see cref="PlainColumn"/> per column (sides, separators and
/// minimum widths: every column widens to its longest cell or header), whether the title is the first line, and
/// whether the header is written on two lines, each header "group sub" as the group's name over its columns and the
/// subs under them (Table 8's "overflow sum MW" over "ours study"). A separator is empty after the last column and
/// otherwise begins and ends with a space, so that no cell ever touches a separator.
/// </summary>
public sealed record PlainTextLayout(IReadOnlyList<PlainColumn> Columns, bool ShowTitle = false, bool GroupedHeader = false)
{
    /// <summary>
    /// The longest line wanted (null: none). A row longer than this continues its last column (left-aligned text: a
    /// status, a list of lines) on lines of its own, indented to that column and broken at spaces, at least
    /// <see cref="MinWrappedWidth"/> characters wide; the other columns never wrap.
    /// </summary>
    public int? MaxWidth { get; init; }

    /// <summary>The narrowest a wrapped last column becomes, however little room the columns before it leave.</summary>
    public const int MinWrappedWidth = 40;

    public IReadOnlyList<PlainColumn> Columns { get; } = Checked(Columns);

    /// <summary>
    /// The layout a table's columns imply: its title first; numbers right-aligned, texts left; columns of one group
    /// two spaces apart and under their group's name, every other column after " | ".
    /// </summary>
    public static PlainTextLayout For(TextTable table)
    {
        var columns = table.Columns;
        var plain = columns.Select((c, i) =>
        {
            string after = i == columns.Count - 1 ? "" : c.Group is not null && columns[i + 1].Group == c.Group ? "  " : " | ";
            return c.Numeric ? PlainColumn.Right(0, after) : PlainColumn.Left(0, after);
        }).ToArray();
        return new PlainTextLayout(plain, ShowTitle: true, GroupedHeader: table.Grouped);
    }

    private static IReadOnlyList<PlainColumn> Checked(IReadOnlyList<PlainColumn> columns)
    {
        if (columns.Count == 0) throw new ArgumentException("a plain text layout needs at least one column", nameof(columns));
        for (int c = 0; c < columns.Count; c++)
        {
            string after = columns[c].After;
            if (columns[c].Pads.Count == 0)
                throw new ArgumentException($"plain text column {c + 1} has no pad", nameof(columns));
            if (c == columns.Count - 1 ? after != "" : after.Length == 0 || after[0] != ' ' || after[^1] != ' ')
                throw new ArgumentException(c == columns.Count - 1
                    ? $"the last plain text column has the separator '{after}'; it must have none"
                    : $"plain text column {c + 1} has the separator '{after}'; it must begin and end with a space", nameof(columns));
        }
        return columns;
    }
}
