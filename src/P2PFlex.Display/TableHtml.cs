using System.Text;
using P2PFlex.Scenarios;

namespace P2PFlex.Display;

/// <summary>
/// A <see cref="TextTable"/> as an HTML table, for notebooks, reports, the index page and their PDFs: the title as
/// caption, a two-line header where columns share a group (the group's name over "ours | study"), numbers
/// right-aligned in tabular figures, long texts given room to wrap in a few lines rather than in a narrow, tall column.
/// The cells are the table's, as the plain text and the terminal show them. Alignment is written on each cell as well
/// as by class, so a front-end without the reports' stylesheet (JupyterLab, nbconvert, GitHub) aligns them too.
/// </summary>
public static class TableHtml
{
    /// <summary>The class of the table's wrapping <c>div</c>.</summary>
    public const string ContainerClass = "p2pflex-table";

    /// <summary>A text cell longer than this many characters gets a minimum width, so it wraps into a few wide lines.</summary>
    public const int LongText = 40;

    public static string Render(TextTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = table.Columns;
        foreach (var row in table.Rows)
            if (row.Count != columns.Count) throw new ArgumentException($"table '{table.Title}': a row has {row.Count} cells for {columns.Count} columns");
        var sb = new StringBuilder();
        sb.Append("<div class=\"").Append(ContainerClass).Append("\"><table>");
        if (table.Title.Length > 0) sb.Append("<caption>").Append(Esc(table.Title)).Append("</caption>");
        sb.Append("<thead>");
        if (table.Grouped)
        {
            // first line: ungrouped headers spanning both lines, each group once over its consecutive columns
            sb.Append("<tr>");
            for (int c = 0; c < columns.Count;)
            {
                var col = columns[c];
                if (col.Group is null)
                {
                    Th(sb, col.Header, col.Numeric, "rowspan=\"2\"");
                    c++;
                    continue;
                }
                int span = 1;
                while (c + span < columns.Count && columns[c + span].Group == col.Group) span++;
                sb.Append("<th colspan=\"").Append(span).Append("\" class=\"group\" style=\"text-align: center\">").Append(Esc(col.Group)).Append("</th>");
                c += span;
            }
            sb.Append("</tr><tr>");
            foreach (var col in columns.Where(c => c.Group is not null)) Th(sb, col.Header, col.Numeric, null);
            sb.Append("</tr>");
        }
        else
        {
            sb.Append("<tr>");
            foreach (var col in columns) Th(sb, col.Header, col.Numeric, null);
            sb.Append("</tr>");
        }
        sb.Append("</thead><tbody>");
        var longColumns = Enumerable.Range(0, columns.Count).Select(c => !columns[c].Numeric && table.Rows.Any(r => r[c].Length > LongText)).ToArray();
        foreach (var row in table.Rows)
        {
            sb.Append("<tr>");
            for (int c = 0; c < columns.Count; c++)
            {
                if (columns[c].Numeric) sb.Append("<td class=\"num\" style=\"text-align: right; white-space: nowrap\">");
                else if (c == 0) sb.Append("<td style=\"text-align: left; white-space: nowrap\">");   // the row's name ("3-theta100") in one piece
                else if (longColumns[c]) sb.Append("<td class=\"long\" style=\"text-align: left; min-width: 16em\">");
                else sb.Append("<td style=\"text-align: left\">");
                sb.Append(Esc(row[c])).Append("</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table></div>");
        return sb.ToString();
    }

    private static void Th(StringBuilder sb, string text, bool numeric, string? attributes)
    {
        sb.Append("<th");
        if (attributes is not null) sb.Append(' ').Append(attributes);
        sb.Append(numeric ? " class=\"num\" style=\"text-align: right\">" : " style=\"text-align: left\">").Append(Esc(text)).Append("</th>");
    }

    private static string Esc(string s) => HtmlText.Escape(s);
}
