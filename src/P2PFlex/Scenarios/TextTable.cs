using System.Text;

namespace P2PFlex.Scenarios;

/// <summary>
/// One column of a <see cref="TextTable"/>: its header for people, with its unit ("LFM cost (€)", "ours"), the group
/// header spanning it and its neighbours of the same group ("LFM cost (€)" over "ours" and "study"; null: none), and
/// whether it holds numbers (right-aligned by every renderer).
/// </summary>
public sealed record TableColumn(string Header, string? Group = null, bool Numeric = false)
{
    public static TableColumn Text(string header, string? group = null) => new(header, group, false);
    public static TableColumn Number(string header, string? group = null) => new(header, group, true);

    /// <summary>The header on one line: "group header" ("LFM cost (€) ours"), or the header alone.</summary>
    public string FullHeader => Group is null ? Header : $"{Group} {Header}";
}

/// <summary>
/// A table as cells: a title, columns (headers, groups, numeric or not) and rows of already formatted values (one per
/// column). The cells are the one place a table's content is decided: the HTML of notebooks, reports and their PDFs
/// (<c>P2PFlex.Display.TableHtml</c>), a Spectre.Console grid (the CLI on a terminal) and the aligned plain text
/// (<see cref="ToPlainText(PlainTextLayout)"/>) only lay them out.
/// </summary>
public sealed record TextTable(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>A table of <paramref name="columns"/> (its <see cref="Headers"/> are their <see cref="TableColumn.FullHeader"/>s).</summary>
    public static TextTable Of(string title, IReadOnlyList<TableColumn> columns, IReadOnlyList<IReadOnlyList<string>> rows) =>
        new(title, columns.Select(c => c.FullHeader).ToArray(), rows) { Columns = columns };

    private readonly IReadOnlyList<TableColumn>? _columns;

    /// <summary>
    /// The columns: as given to <see cref="Of"/>, else one per header without a group, numeric when every cell of the
    /// column that is not blank, "-" or "–" is an invariant number.
    /// </summary>
    public IReadOnlyList<TableColumn> Columns
    {
        get => _columns ?? Headers.Select((h, c) => new TableColumn(h, null, IsNumeric(c))).ToArray();
        init
        {
            if (value.Count != Headers.Count) throw new ArgumentException($"table '{Title}' has {Headers.Count} headers and {value.Count} columns");
            _columns = value;
        }
    }

    /// <summary>Whether any column has a group (the header is then two lines: groups over their columns).</summary>
    public bool Grouped => Columns.Any(c => c.Group is not null);

    private bool IsNumeric(int column)
    {
        var cells = Rows.Select(r => column < r.Count ? r[column] : "").Where(v => v is not ("" or "-" or "–")).ToArray();
        return cells.Length > 0 && cells.All(v => double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    /// <summary>
    /// The table as plain text in the layout its columns imply (<see cref="PlainTextLayout.For"/>): the title first,
    /// numbers right-aligned, each group's header over its columns.
    /// </summary>
    public string ToPlainText() => ToPlainText(PlainTextLayout.For(this));

    /// <summary>
    /// The table as plain text laid out by <paramref name="layout"/>: the title (when the layout shows it), the header
    /// line(s), a rule of dashes as wide as the table, then one line per row, every line ending in a newline and none in
    /// spaces. Each column (each side of a "before → after" column) is as wide as its longest value, header included, and
    /// at least its layout's minimum, so every separator stands at the same place in every line. A row that leaves its
    /// last cells empty (a note such as "(no AC check)") ends with its last non-empty cell, still in its column.
    /// </summary>
    public string ToPlainText(PlainTextLayout layout)
    {
        var columns = layout.Columns;
        if (columns.Count != Headers.Count)
            throw new ArgumentException($"table '{Title}' has {Headers.Count} columns, its plain text layout {columns.Count}", nameof(layout));
        foreach (var row in Rows)
            if (row.Count != Headers.Count) throw new ArgumentException($"table '{Title}': a row has {row.Count} cells for {Headers.Count} columns");

        // widths: the layout's minimums, widened to every written value of the rows ...
        var widths = columns.Select(c => c.Pads.Select(p => p.MinWidth).ToArray()).ToArray();
        var written = Rows.Select(row => row.Take(WrittenCells(row)).Select((cell, c) => columns[c].Split(cell, Title)).ToArray()).ToArray();
        foreach (var row in written)
            for (int c = 0; c < row.Length; c++)
                for (int p = 0; p < row[c].Count; p++) widths[c][p] = Math.Max(widths[c][p], row[c][p].Length);
        int Width(int c) => widths[c].Sum() + (widths[c].Length - 1) * PlainColumn.Arrow.Length;
        // ... then to the headers: a header longer than its column widens the column's last value
        void Widen(int c, int by) => widths[c][^1] += Math.Max(0, by);
        var split = _columns is not null
            ? _columns.Select(c => c.Group is null ? (Group: c.Header, Sub: "") : (Group: c.Group, Sub: c.Header)).ToArray()
            : Headers.Select(SplitGroup).ToArray();
        var headerLines = new List<string>();
        if (layout.GroupedHeader)
        {
            // consecutive columns sharing a group: its name spans them, separators included
            var groups = new List<(string Name, int First, int Last)>();
            for (int c = 0; c < split.Length; c++)
                if (c > 0 && split[c].Group == split[c - 1].Group) groups[^1] = groups[^1] with { Last = c };
                else groups.Add((split[c].Group, c, c));
            for (int c = 0; c < split.Length; c++) Widen(c, split[c].Sub.Length - Width(c));
            int Span((string Name, int First, int Last) g) =>
                Enumerable.Range(g.First, g.Last - g.First + 1).Sum(Width) + Enumerable.Range(g.First, g.Last - g.First).Sum(c => columns[c].After.Length);
            foreach (var g in groups) Widen(g.Last, g.Name.Length - Span(g));
            headerLines.Add(string.Concat(groups.Select(g => g.Name.PadRight(Span(g)) + columns[g.Last].After)).TrimEnd());
            headerLines.Add(HeaderLine(split.Select(s => s.Sub).ToArray()));
        }
        else
        {
            for (int c = 0; c < Headers.Count; c++) Widen(c, Headers[c].Length - Width(c));
            headerLines.Add(HeaderLine(Headers));
        }

        // like a row, a header line ends with its last non-empty header (the line under the groups has none over
        // ungrouped last columns)
        string HeaderLine(IReadOnlyList<string> texts) => string.Concat(texts.Take(WrittenCells(texts)).Select((t, c) =>
            (columns[c].HeaderRightAligned ? t.PadLeft(Width(c)) : t.PadRight(Width(c))) + (c < WrittenCells(texts) - 1 ? columns[c].After : ""))).TrimEnd();
        // a row's trailing empty cells are not written (a note such as "(no AC check)" ends its line), nor the separator
        // before them
        var rowLines = written.Select(cells => string.Concat(cells.Select((values, c) =>
            string.Join(PlainColumn.Arrow, values.Select((v, p) => columns[c].Pads[p].Apply(v, widths[c][p])))
            + (c < cells.Length - 1 ? columns[c].After : ""))).TrimEnd()).ToArray();

        // lines longer than the layout's width: the last column's text (a status, a list of lines) continues on lines
        // of its own, indented to the column, broken at spaces
        int last = columns.Count - 1;
        if (layout.MaxWidth is int max && columns[last].Pads.Count == 1 && !columns[last].Pads[0].RightAligned)
        {
            int start = Enumerable.Range(0, last).Sum(c => Width(c) + columns[c].After.Length);
            int room = Math.Max(max - start, PlainTextLayout.MinWrappedWidth);
            rowLines = rowLines.Select((line, i) => line.Length <= max || written[i].Length <= last ? line
                : line[..start] + string.Join(Environment.NewLine + new string(' ', start), Wrap(written[i][last][0], room))).ToArray();
        }

        var sb = new StringBuilder();
        if (layout.ShowTitle) sb.AppendLine(Title);
        foreach (var line in headerLines) sb.AppendLine(line);
        sb.AppendLine(new string('-', headerLines.Concat(rowLines.SelectMany(l => l.Split(Environment.NewLine))).Max(l => l.Length)));
        foreach (var line in rowLines) sb.AppendLine(line);
        return sb.ToString();
    }

    /// <summary>A text in lines of at most <paramref name="width"/> characters, broken at spaces (a longer word alone on its line).</summary>
    public static IReadOnlyList<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        lines.Add(line.ToString());
        return lines;
    }

    /// <summary>How many of a row's cells are written: up to its last non-empty one.</summary>
    private static int WrittenCells(IReadOnlyList<string> row)
    {
        int written = row.Count;
        while (written > 0 && row[written - 1] == "") written--;
        return written;
    }

    /// <summary>"overflow sum MW ours" → ("overflow sum MW", "ours"); a one-word header is a group with an empty sub.</summary>
    private static (string Group, string Sub) SplitGroup(string header) =>
        header.LastIndexOf(' ') is var at && at > 0 ? (header[..at], header[(at + 1)..]) : (header, "");
}
