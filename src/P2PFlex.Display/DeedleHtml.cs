using System.Globalization;
using System.Text;
using Deedle;

namespace P2PFlex.Display;

/// <summary>
/// Deedle frames and series as HTML. The formatting library's default for a frame is a useless property dump (a
/// 2.3 MB object tree for a 2-row frame in .NET Interactive), so every engine that shows the study notebooks — the
/// headless runner, the P2PFlex kernel and the official .NET Interactive kernel (through <see cref="OfficialKernel"/>)
/// — registers these functions as its formatters: one implementation, the same tables everywhere. Every
/// <c>Frame&lt;R,C&gt;</c> implements <see cref="IFrame"/>, so one formatter on that interface covers all instantiations.
/// </summary>
public static class DeedleHtml
{
    /// <summary>Rows shown before the table is cut (the first <c>MaxRows - 5</c> and the last 5).</summary>
    public static int MaxRows { get; set; } = 60;

    /// <summary>Columns shown before the table is cut.</summary>
    public static int MaxColumns { get; set; } = 50;

    /// <summary>The frame as an HTML table with a "rows × columns" caption (long frames cut, see <see cref="MaxRows"/>).</summary>
    public static string Table(IFrame frame) => frame.Apply(new TableOperation());

    /// <summary>A Deedle series as preformatted HTML (its own aligned text).</summary>
    public static string Series(object series) => "<pre class=\"deedle-series\">" + HtmlText.Escape(PlainText(series)) + "</pre>";

    /// <summary>Deedle's own text rendering of a frame or series (what F# Interactive prints), for <c>text/plain</c>.</summary>
    public static string PlainText(object value) =>
        value is Deedle.Internal.IFsiFormattable f ? f.Format() : value.ToString() ?? "";

    private sealed class TableOperation : IFrameOperation<string>
    {
        public string Invoke<R, C>(Frame<R, C> frame)
        {
            var rows = frame.RowKeys.ToList();
            var cols = frame.ColumnKeys.ToList();
            var shownCols = cols.Take(MaxColumns).ToList();
            var columns = shownCols.Select(c => frame.GetColumn<object>(c)).ToList();
            var sb = new StringBuilder();
            sb.Append("<div class=\"deedle-frame\"><table>");
            sb.Append("<caption>").Append(rows.Count).Append(rows.Count == 1 ? " row" : " rows").Append(" × ")
              .Append(cols.Count).Append(cols.Count == 1 ? " column" : " columns").Append("</caption>");
            sb.Append("<thead><tr><th></th>");
            // headers for people: "PriceEurPerMwh" → "price (€/MWh)"; each double column with one number of decimals
            foreach (var c in shownCols) sb.Append("<th>").Append(Esc(Scenarios.ColumnNames.Human(Text(c)))).Append("</th>");
            var decimals = columns.Select(col => Decimals(col.Values)).ToList();
            if (cols.Count > shownCols.Count) sb.Append("<th>…</th>");
            sb.Append("</tr></thead><tbody>");
            foreach (var (r, gap) in Shown(rows))
            {
                if (gap)
                {
                    sb.Append("<tr class=\"gap\"><th>…</th><td colspan=\"").Append(shownCols.Count + (cols.Count > shownCols.Count ? 1 : 0))
                      .Append("\">").Append(rows.Count - Head - Tail).Append(" rows not shown</td></tr>");
                    continue;
                }
                sb.Append("<tr><th>").Append(Esc(Text(r))).Append("</th>");
                for (int c = 0; c < columns.Count; c++)
                {
                    var v = columns[c].TryGet(r);
                    if (!v.HasValue) sb.Append("<td class=\"missing\">&lt;missing&gt;</td>");
                    else sb.Append(IsNumber(v.Value) ? "<td class=\"num\" style=\"text-align: right\">" : "<td>")
                        .Append(Esc(v.Value is double d && decimals[c] is int k && double.IsFinite(d) ? d.ToString("F" + k, CultureInfo.InvariantCulture) : Text(v.Value))).Append("</td>");
                }
                if (cols.Count > shownCols.Count) sb.Append("<td>…</td>");
                sb.Append("</tr>");
            }
            sb.Append("</tbody></table></div>");
            return sb.ToString();
        }
    }

    private const int Tail = 5;
    private static int Head => Math.Max(1, MaxRows - Tail);

    private static IEnumerable<(T Item, bool Gap)> Shown<T>(IReadOnlyList<T> rows)
    {
        if (rows.Count <= Math.Max(MaxRows, Head + Tail))
        {
            foreach (var r in rows) yield return (r, false);
            yield break;
        }
        for (int i = 0; i < Head; i++) yield return (rows[i], false);
        yield return (default!, true);
        for (int i = rows.Count - Tail; i < rows.Count; i++) yield return (rows[i], false);
    }

    /// <summary>
    /// The decimals a column of doubles is written with so that its numbers align: as many as its most precise value
    /// needs (up to 6; the values are the notebook's, usually rounded already), null for other columns or when a value
    /// needs more (written as it is).
    /// </summary>
    private static int? Decimals(IEnumerable<object> values)
    {
        int most = 0;
        bool any = false;
        foreach (var v in values)
        {
            if (v is not double d) return null;
            if (!double.IsFinite(d)) continue;
            any = true;
            string g = d.ToString("R", CultureInfo.InvariantCulture);
            if (g.Contains('E')) return null;
            int dot = g.IndexOf('.');
            int k = dot < 0 ? 0 : g.Length - dot - 1;
            if (k > 6) return null;
            most = Math.Max(most, k);
        }
        return any ? most : null;
    }

    private static bool IsNumber(object v) => v is double or float or decimal or int or long or short or byte or uint or ulong or ushort or sbyte;

    /// <summary>Invariant-culture text of a cell value (doubles with up to 10 significant digits).</summary>
    public static string Text(object? v) => v switch
    {
        null => "",
        double d => d.ToString("G10", CultureInfo.InvariantCulture),
        float f => f.ToString("G7", CultureInfo.InvariantCulture),
        DateTime t => t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string Esc(string s) => HtmlText.Escape(s);
}
