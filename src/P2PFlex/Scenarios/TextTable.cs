using System.Text;

namespace P2PFlex.Scenarios;

/// <summary>
/// A table as cells: a title, column headers and rows of already formatted values (one per header). The cells are the
/// one place a table's content is decided; a Spectre.Console grid (the CLI on a terminal) and the fixed-width plain
/// text (<see cref="ToPlainText"/>) only lay them out.
/// </summary>
public sealed record TextTable(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>
    /// The table as fixed-width plain text laid out by <paramref name="layout"/>: the title (when the layout shows it),
    /// the header line(s), a rule of dashes, then one line per row, every line ending in a newline. A row that leaves its
    /// last cells empty (a note such as "(no AC check)") ends after its last non-empty cell, unpadded.
    /// </summary>
    public string ToPlainText(PlainTextLayout layout)
    {
        if (layout.Columns.Count != Headers.Count)
            throw new ArgumentException($"table '{Title}' has {Headers.Count} columns, its plain text layout {layout.Columns.Count}", nameof(layout));
        var sb = new StringBuilder();
        if (layout.ShowTitle) sb.AppendLine(Title);
        if (layout.GroupedHeader is { } grouped)
        {
            // "group sub" headers: the groups (consecutive columns sharing one) on a line, the subs below them.
            var split = Headers.Select(SplitGroup).ToArray();
            var groups = split.Select(s => s.Group).Where((g, i) => i == 0 || g != split[i - 1].Group).ToArray();
            sb.AppendLine(PlainColumn.Line(grouped.GroupColumns, groups, Title));
            sb.AppendLine(PlainColumn.Line(grouped.SubColumns, split.Select(s => s.Sub).ToArray(), Title));
        }
        else sb.AppendLine(PlainColumn.Line(layout.Columns.Select(c => c.AsHeader()).ToArray(), Headers, Title));
        sb.AppendLine(new string('-', layout.RuleWidth));
        foreach (var row in Rows)
        {
            if (row.Count != Headers.Count) throw new ArgumentException($"table '{Title}': a row has {row.Count} cells for {Headers.Count} columns");
            int shown = row.Count;
            while (shown > 1 && row[shown - 1] == "") shown--;
            if (shown == row.Count) sb.AppendLine(PlainColumn.Line(layout.Columns, row, Title));
            else
            {
                // a note row: its cells up to the last non-empty one, that one bare
                var head = PlainColumn.Line(layout.Columns.Take(shown - 1).ToArray(), row.Take(shown - 1).ToArray(), Title);
                sb.Append(head).AppendLine(row[shown - 1]);
            }
        }
        return sb.ToString();
    }

    /// <summary>"overflow sum MW ours" → ("overflow sum MW", "ours"); a one-word header is a group with an empty sub.</summary>
    private static (string Group, string Sub) SplitGroup(string header) =>
        header.LastIndexOf(' ') is var at && at > 0 ? (header[..at], header[(at + 1)..]) : (header, "");
}
