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
/// <item>a raster picture of the same chart (WebP) inside the chart's <c>div</c> in <c>text/html</c>, as an <c>img</c>
/// with a <c>data:image/webp</c> source: a page without JavaScript (nbconvert HTML opened with scripts off, nbconvert
/// <c>--sanitize-html</c> and the static viewers built on it, an untrusted notebook in classic Jupyter, a report whose
/// plotly.js did not load) shows the picture; once plotly.js has drawn the chart (the div then has the class
/// <c>js-plotly-plot</c>) a stylesheet rule hides it. A raster image and not the inline SVG: HTML sanitizers
/// (nbconvert's lxml cleaner) keep an <c>img</c> with a PNG, JPEG or WebP data URI but strip an inline SVG's drawing
/// elements and any <c>data:image/svg+xml</c> source, which left sanitized pages with an empty box where each chart
/// was. WebP and not PNG: a third of the bytes at the same look (the report folder stays under 10 MB; with PNGs it
/// was 11.1 MB).</item>
/// </list>
/// </summary>
public static partial class StaticChartImages
{
    public const string SvgMime = "image/svg+xml";

    /// <summary>The class of the picture inside a chart's <c>text/html</c>.</summary>
    public const string FallbackClass = "p2pflex-static-chart";

    /// <summary>Width of the picture when the chart sets none (charts fit their container on screen): a notebook column.</summary>
    public const int DefaultWidthPx = 900;

    /// <summary>Pixels per CSS pixel of the picture in <c>text/html</c>: one, the fallback of pages without JavaScript
    /// (the vector form is the output's <c>image/svg+xml</c>); at 1.5 the pictures would take the report folder to about
    /// 10 MB.</summary>
    public const double FallbackScale = 1;

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
                if (output is DisplayDataOutput d && await AddAsync(d, renderer, cancellationToken).ConfigureAwait(false)) drawn++;
        return drawn;
    }

    /// <summary>
    /// Adds the static forms to one output (a display or an execute result) if it holds a chart that lacks them: the
    /// runner's executed notebooks (<see cref="AddAsync(Notebook, ChartRenderer, CancellationToken)"/>) and the P2PFlex
    /// kernel's outputs as it publishes them get the same forms. Returns whether it drew.
    /// </summary>
    public static async Task<bool> AddAsync(DisplayDataOutput d, ChartRenderer renderer, CancellationToken cancellationToken = default)
    {
        if (d.Data.Get(PlotlyCharts.MimeType) is not JsonObject figure || d.Data.Contains(SvgMime)) return false;
        cancellationToken.ThrowIfCancellationRequested();
        var layout = figure["layout"] as JsonObject;
        var size = new ChartImageOptions(WidthPx: HasSize(layout, "width") ? null : DefaultWidthPx);
        var image = await renderer.RenderFigureAsync(figure, ChartImageFormat.Svg, size, cancellationToken).ConfigureAwait(false);
        string svg = Encoding.UTF8.GetString(image.Bytes);
        d.Data.Set(SvgMime, svg);
        d.Metadata[SvgMime] = new JsonObject { ["width"] = image.WidthPx, ["height"] = image.HeightPx };
        if (d.Data.GetText(NotebookFormatters.HtmlMime) is { } html)
        {
            var picture = await renderer.RenderFigureAsync(figure, ChartImageFormat.Webp, size with { Scale = FallbackScale }, cancellationToken).ConfigureAwait(false);
            d.Data.Set(NotebookFormatters.HtmlMime, WithFallback(html, picture));
        }
        return true;
    }

    /// <summary>
    /// <paramref name="html"/> (a chart's div and its <c>Plotly.newPlot</c> script) with <paramref name="picture"/> first
    /// inside the chart's div, as an <c>img</c> at the chart's CSS size (scaled down to a narrow column) with the chart's
    /// title as its text alternative, and the rule that hides it once the chart is drawn. Unchanged if it holds no chart
    /// or has its picture already.
    /// </summary>
    public static string WithFallback(string html, ChartImage picture)
    {
        string mime = picture.Format switch
        {
            ChartImageFormat.Png => "image/png",
            ChartImageFormat.Webp => "image/webp",
            _ => throw new ArgumentException($"the picture in text/html is a raster image (sanitizers strip SVG), not {picture.Format}", nameof(picture)),
        };
        if (html.Contains(FallbackClass, StringComparison.Ordinal)) return html;
        var call = NewPlotCall().Match(html);
        if (!call.Success) return html;
        var div = Regex.Match(html, "<div[^>]*\\bid=\"" + Regex.Escape(call.Groups["id"].Value) + "\"[^>]*>");
        if (!div.Success) return html;
        string alt = Html.Escape(string.IsNullOrEmpty(picture.Title) ? "chart" : picture.Title);
        string figure = $"<div class=\"{FallbackClass}\" role=\"img\" aria-label=\"{alt}\">"
                        + string.Create(CultureInfo.InvariantCulture, $"<img alt=\"{alt}\" width=\"{picture.WidthPx}\" height=\"{picture.HeightPx}\" style=\"max-width: 100%; height: auto;\" ")
                        + $"src=\"data:{mime};base64,{Convert.ToBase64String(picture.Bytes)}\"></div>";
        return FallbackStyle + html.Insert(div.Index + div.Length, figure);
    }

    private static bool HasSize(JsonObject? layout, string key) => layout?[key] is JsonValue v && v.TryGetValue<double>(out var x) && x > 0;

    [GeneratedRegex(@"Plotly\.newPlot\('(?<id>[^']+)'")]
    private static partial Regex NewPlotCall();
}
