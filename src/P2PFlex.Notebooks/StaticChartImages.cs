using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using P2PFlex.Display;

namespace P2PFlex.Notebooks;

/// <summary>Where the pages of a report folder get plotly.js from.</summary>
public enum PlotlyJsMode
{
    /// <summary>Every HTML report and every executed notebook embeds its own copy (single-file pages, 3.6 MB each).</summary>
    Embed,
    /// <summary>One <see cref="PlotlyJs.FileName"/> beside the reports; pages load it by relative path (still offline).</summary>
    Directory,
}

/// <summary>
/// Gives every chart output of an executed notebook a static form beside its interactive ones, so that the notebook
/// shows its charts wherever it is shared (docs/notebooks.md, "Which front-end shows what"):
/// <list type="bullet">
/// <item><c>image/svg+xml</c>: the chart drawn by the same headless Chromium and plotly.js as <c>p2pflex figures</c>
/// (<see cref="ChartRenderer"/>), from the output's own <c>application/vnd.plotly.v1+json</c>, for viewers that draw
/// images but run no JavaScript;</item>
/// <item>the same picture inline inside the chart's <c>div</c> in <c>text/html</c>: a page without
/// JavaScript (nbconvert HTML opened with scripts off, an untrusted notebook in classic Jupyter, a report whose
/// plotly.js did not load) shows the picture; once plotly.js has drawn the chart (the div then has the class
/// <c>js-plotly-plot</c>) a stylesheet rule hides it.</item>
/// </list>
/// </summary>
public static partial class StaticChartImages
{
    public const string SvgMime = "image/svg+xml";

    /// <summary>The class of the picture inside a chart's <c>text/html</c>.</summary>
    public const string FallbackClass = "p2pflex-static-chart";

    /// <summary>Width of the picture when the chart sets none (charts fit their container on screen): a notebook column.</summary>
    public const int DefaultWidthPx = 900;

    /// <summary>Hides the picture once plotly.js has drawn the interactive chart in the same div.</summary>
    public const string FallbackStyle = "<style>.js-plotly-plot > ." + FallbackClass + " { display: none; }</style>";

    /// <summary>True for an output that holds a chart (one with a plotly figure).</summary>
    public static bool IsChart(NotebookOutput output) => output is DisplayDataOutput d && d.Data.Get(PlotlyCharts.MimeType) is JsonObject;

    /// <summary>Adds the static forms to every chart output of <paramref name="notebook"/> that lacks them; returns how many it drew.</summary>
    public static async Task<int> AddAsync(Notebook notebook, ChartRenderer renderer, CancellationToken cancellationToken = default)
    {
        int drawn = 0;
        foreach (var cell in notebook.Cells)
            foreach (var output in cell.Outputs)
            {
                if (output is not DisplayDataOutput d || d.Data.Get(PlotlyCharts.MimeType) is not JsonObject figure || d.Data.Contains(SvgMime)) continue;
                cancellationToken.ThrowIfCancellationRequested();
                var layout = figure["layout"] as JsonObject;
                var size = new ChartImageOptions(WidthPx: HasSize(layout, "width") ? null : DefaultWidthPx);
                var image = await renderer.RenderFigureAsync(figure, ChartImageFormat.Svg, size, cancellationToken).ConfigureAwait(false);
                string svg = Encoding.UTF8.GetString(image.Bytes);
                d.Data.Set(SvgMime, svg);
                d.Metadata[SvgMime] = new JsonObject { ["width"] = image.WidthPx, ["height"] = image.HeightPx };
                if (d.Data.GetText(NotebookFormatters.HtmlMime) is { } html)
                    d.Data.Set(NotebookFormatters.HtmlMime, WithFallback(html, svg, image.Title));
                drawn++;
            }
        return drawn;
    }

    /// <summary>
    /// <paramref name="html"/> (a chart's div and its <c>Plotly.newPlot</c> script) with <paramref name="svg"/> first
    /// inside the chart's div (inline, not a data URI: a third smaller, and the picture's text stays text), and the rule
    /// that hides it once the chart is drawn. Unchanged if it holds no chart or has its picture already.
    /// </summary>
    public static string WithFallback(string html, string svg, string title)
    {
        if (html.Contains(FallbackClass, StringComparison.Ordinal)) return html;
        var call = NewPlotCall().Match(html);
        if (!call.Success) return html;
        var div = Regex.Match(html, "<div[^>]*\\bid=\"" + Regex.Escape(call.Groups["id"].Value) + "\"[^>]*>");
        if (!div.Success) return html;
        // the drawing scales down to a narrow column: its root keeps the viewBox and loses the fixed pixel size
        // (and not plotly's class "main-svg", which plotly.js's stylesheet and the chart checks treat as a drawn chart)
        string picture = SvgRootSize().Replace(svg.Replace("\r\n", "\n").Replace('\n', ' '), "", 2);
        int root = picture.IndexOf("<svg", StringComparison.Ordinal);
        if (root >= 0) picture = picture[..root] + MainSvgClass().Replace(picture[root..], "class=\"" + FallbackClass + "-svg\"", 1);
        string figure = $"<div class=\"{FallbackClass}\" role=\"img\" aria-label=\"{Html.Escape(string.IsNullOrEmpty(title) ? "chart" : title)}\" "
                        + $"style=\"max-width: 100%;\">{picture}</div>";
        return FallbackStyle + html.Insert(div.Index + div.Length, figure);
    }

    private static bool HasSize(JsonObject? layout, string key) => layout?[key] is JsonValue v && v.TryGetValue<double>(out var x) && x > 0;

    // the width="…" and height="…" of the <svg> root (its first two attributes of that name)
    [GeneratedRegex(@"(?<=<svg\b[^>]*)\s(width|height)=""[^""]*""")]
    private static partial Regex SvgRootSize();

    [GeneratedRegex(@"class=""main-svg""")]
    private static partial Regex MainSvgClass();

    [GeneratedRegex(@"Plotly\.newPlot\('(?<id>[^']+)'")]
    private static partial Regex NewPlotCall();
}
