using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Plotly.NET;
using P2PFlex.Display;
using PuppeteerSharp;
using PuppeteerSharp.Media;

namespace P2PFlex.Notebooks;

/// <summary>File formats of a static chart.</summary>
public enum ChartImageFormat
{
    /// <summary>Vector SVG as plotly.js draws it (text stays text).</summary>
    Svg,
    /// <summary>Raster PNG, by default at 2× the chart's size (print quality).</summary>
    Png,
    /// <summary>One-page vector PDF of the chart's size, fonts embedded by Chromium.</summary>
    Pdf,
    /// <summary>Lossy raster WebP (the browser's default quality): the smallest picture, a third of a PNG's bytes. It
    /// is the picture inside a notebook chart's <c>text/html</c> for pages without JavaScript; not a figure format.</summary>
    Webp,
}

/// <summary>Size of a static chart. Null width/height keep the chart's own (its <c>WithSize</c>, else 700 × 500 px).</summary>
/// <param name="WidthPx">Width in CSS pixels.</param>
/// <param name="HeightPx">Height in CSS pixels.</param>
/// <param name="Scale">PNG pixels per CSS pixel (default 2); SVG and PDF are vector and ignore it.</param>
public sealed record ChartImageOptions(int? WidthPx = null, int? HeightPx = null, double? Scale = null)
{
    public const double DefaultPngScale = 2;

    public void Validate()
    {
        if (WidthPx is <= 0 or > 20_000) throw new ArgumentOutOfRangeException(nameof(WidthPx), WidthPx, "width must be 1–20000 px");
        if (HeightPx is <= 0 or > 20_000) throw new ArgumentOutOfRangeException(nameof(HeightPx), HeightPx, "height must be 1–20000 px");
        if (Scale is double s && !(s > 0 && s <= 10)) throw new ArgumentOutOfRangeException(nameof(Scale), Scale, "scale must be in (0, 10]");
    }
}

/// <summary>A rendered chart: its bytes and the size it was drawn at.</summary>
/// <param name="Bytes">The file's content.</param>
/// <param name="Format">Its format.</param>
/// <param name="WidthPx">Chart width in CSS pixels.</param>
/// <param name="HeightPx">Chart height in CSS pixels.</param>
/// <param name="Scale">PNG scale (1 for SVG and PDF).</param>
/// <param name="Title">The chart's title (plain text).</param>
public sealed record ChartImage(byte[] Bytes, ChartImageFormat Format, int WidthPx, int HeightPx, double Scale, string Title)
{
    /// <summary>Size on paper of a figure drawn for print (<see cref="ChartRenderer.RenderForPrintAsync"/>); null for a screen render.</summary>
    public PaperSize? Paper { get; init; }

    public static string Extension(ChartImageFormat format) => format switch
    {
        ChartImageFormat.Svg => ".svg",
        ChartImageFormat.Png => ".png",
        ChartImageFormat.Pdf => ".pdf",
        ChartImageFormat.Webp => ".webp",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>Parses <c>svg</c>, <c>png</c> or <c>pdf</c> (any case).</summary>
    public static ChartImageFormat ParseFormat(string text) => text.Trim().ToLowerInvariant() switch
    {
        "svg" => ChartImageFormat.Svg,
        "png" => ChartImageFormat.Png,
        "pdf" => ChartImageFormat.Pdf,
        _ => throw new FormatException($"unknown figure format '{text}' (svg, png or pdf)"),
    };
}

/// <summary>The printed size of a figure file: its width and height on paper and, for PNG, its dots per inch and pixels.</summary>
/// <param name="Width">Printed width (the SVG's <c>width</c> in cm, the PDF page's width).</param>
/// <param name="Height">Printed height.</param>
/// <param name="Dpi">Dots per inch written into a PNG's pHYs chunk; null for SVG and PDF (vector).</param>
/// <param name="PixelWidth">PNG width in pixels (width × dpi / 2.54 cm, rounded); null for SVG and PDF.</param>
/// <param name="PixelHeight">PNG height in pixels; null for SVG and PDF.</param>
public sealed record PaperSize(PrintLength Width, PrintLength Height, double? Dpi, int? PixelWidth, int? PixelHeight);

/// <summary>
/// Draws Plotly.NET charts as SVG, PNG or PDF in a headless Chromium with plotly.js's own <c>Plotly.toImage</c>, from
/// the plotly.js bundle Plotly.NET ships (loaded once into one offline page). The chart is drawn from its figure JSON
/// (<c>GenericChart.toFigureJson</c>), so what is exported is exactly what a notebook shows; only the font family is
/// set, when the chart names none, to a standard one (Arial, or its metric twin Liberation Sans) instead of plotly's
/// default "Open Sans", which few machines have. Not thread-safe: one renderer draws one chart at a time.
/// </summary>
public sealed class ChartRenderer : IAsyncDisposable
{
    /// <summary>The font family of exported charts that set none.</summary>
    public const string StandardFontFamily = "Arial, \"Liberation Sans\", Helvetica, sans-serif";

    private const int DefaultWidthPx = 700, DefaultHeightPx = 500;   // plotly.js's own defaults

    private readonly ChromiumBrowser _browser;
    private readonly IPage _plotPage;
    private IPage? _printPage;

    private ChartRenderer(ChromiumBrowser browser, IPage plotPage)
    {
        _browser = browser;
        _plotPage = plotPage;
    }

    /// <summary>The browser it draws with.</summary>
    public ChromiumBrowser Browser => _browser;

    /// <summary>Opens the drawing page (plotly.js loaded from a local file) in <paramref name="browser"/>.</summary>
    public static async Task<ChartRenderer> CreateAsync(ChromiumBrowser browser)
    {
        string pagePath = Path.Combine(browser.ScratchDirectory, "plot.html");
        File.WriteAllText(pagePath,
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + PlotlyJs.ScriptElement(guard: false) + "</head><body></body></html>",
            new UTF8Encoding(false));
        var page = await browser.NewOfflinePageAsync().ConfigureAwait(false);
        await page.GoToAsync(new Uri(pagePath).AbsoluteUri, new NavigationOptions { WaitUntil = [WaitUntilNavigation.Load], Timeout = 60_000 }).ConfigureAwait(false);
        if (!await page.EvaluateExpressionAsync<bool>("typeof window.Plotly === 'object' && typeof Plotly.toImage === 'function'").ConfigureAwait(false))
            throw new InvalidOperationException("plotly.js did not load in the headless browser");
        return new ChartRenderer(browser, page);
    }

    /// <summary>Draws <paramref name="chart"/> (not modified) as <paramref name="format"/>.</summary>
    public Task<ChartImage> RenderAsync(GenericChart chart, ChartImageFormat format, ChartImageOptions? options = null, CancellationToken cancellationToken = default) =>
        RenderFigureAsync(JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject(), format, options, cancellationToken);

    /// <summary>
    /// Draws a plotly figure given as JSON (<c>data</c>, <c>layout</c>; e.g. a notebook output's
    /// <c>application/vnd.plotly.v1+json</c>, <see cref="PlotlyCharts.ToMimeJson"/>), not modified, as <paramref name="format"/>.
    /// </summary>
    public async Task<ChartImage> RenderFigureAsync(JsonObject figure, ChartImageFormat format, ChartImageOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ChartImageOptions();
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var layout = figure["layout"] as JsonObject;
        int width = options.WidthPx ?? IntOf(layout?["width"]) ?? DefaultWidthPx;
        int height = options.HeightPx ?? IntOf(layout?["height"]) ?? DefaultHeightPx;
        bool raster = format is ChartImageFormat.Png or ChartImageFormat.Webp;
        double scale = raster ? options.Scale ?? ChartImageOptions.DefaultPngScale : 1;
        string title = PlainTitle(layout?["title"]);

        string data = await _plotPage.EvaluateFunctionAsync<string>(DrawScript, figure.ToJsonString(),
            width, height, raster ? format.ToString().ToLowerInvariant() : "svg", scale, StandardFontFamily).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        byte[] bytes = format switch
        {
            ChartImageFormat.Png or ChartImageFormat.Webp => Convert.FromBase64String(StripDataUrl(data)),
            ChartImageFormat.Svg => Encoding.UTF8.GetBytes(SvgText(data)),
            _ => await PrintSvgAsync(SvgText(data), Px(width), Px(height), title).ConfigureAwait(false),
        };
        return new ChartImage(bytes, format, width, height, scale, title);
    }

    /// <summary>
    /// Draws <paramref name="chart"/> (not modified) for paper (<see cref="PrintLayout"/>): laid out at its printed size
    /// with print fonts (none below 7 pt), an SVG whose <c>width</c>/<c>height</c> are the printed size in cm, a PDF page
    /// of the printed size, or a PNG of width × dpi / 2.54 cm pixels with the dpi in its pHYs chunk.
    /// </summary>
    public Task<ChartImage> RenderForPrintAsync(GenericChart chart, ChartImageFormat format, PrintSize size, CancellationToken cancellationToken = default) =>
        RenderFigureForPrintAsync(JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject(), format, size, cancellationToken);

    /// <summary>As <see cref="RenderForPrintAsync"/>, from a plotly figure given as JSON (not modified).</summary>
    public async Task<ChartImage> RenderFigureForPrintAsync(JsonObject figure, ChartImageFormat format, PrintSize size, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(figure);
        if (format is not (ChartImageFormat.Svg or ChartImageFormat.Png or ChartImageFormat.Pdf))
            throw new ArgumentException($"a figure for print is SVG, PNG or PDF, not {format}", nameof(format));
        var printed = PrintLayout.Apply(figure, size);
        cancellationToken.ThrowIfCancellationRequested();
        int w = printed.WidthCssPx, h = printed.HeightCssPx;
        string title = PlainTitle(figure["layout"]?["title"]);
        string svg = SvgText(await _plotPage.EvaluateFunctionAsync<string>(DrawScript, printed.Figure.ToJsonString(),
            w, h, "svg", 1, StandardFontFamily).ConfigureAwait(false));
        cancellationToken.ThrowIfCancellationRequested();
        string widthCm = Cm(printed.Width), heightCm = Cm(printed.Height);
        switch (format)
        {
            case ChartImageFormat.Png:
                int pxW = printed.PixelWidth, pxH = printed.PixelHeight;
                if (pxW > 40_000 || pxH > 40_000 || (long)pxW * pxH > 400_000_000)
                    throw new ArgumentOutOfRangeException(nameof(size), $"{pxW} × {pxH} px is too large a PNG; lower the dpi or the size");
                string png = await _plotPage.EvaluateFunctionAsync<string>(RasterScript, svg, pxW, pxH).ConfigureAwait(false);
                return new ChartImage(PngDensity.WithDpi(Convert.FromBase64String(StripDataUrl(png)), printed.Dpi), format, w, h,
                    printed.Dpi / PrintLength.CssPxPerInch, title)
                { Paper = new PaperSize(printed.Width, printed.Height, printed.Dpi, pxW, pxH) };
            case ChartImageFormat.Svg:
                return new ChartImage(Encoding.UTF8.GetBytes(WithPaperSize(svg, widthCm, heightCm, w, h)), format, w, h, 1, title)
                { Paper = new PaperSize(printed.Width, printed.Height, null, null, null) };
            default:
                byte[] pdf = await PrintSvgAsync(WithPaperSize(svg, widthCm, heightCm, w, h), widthCm, heightCm, title).ConfigureAwait(false);
                return new ChartImage(pdf, format, w, h, 1, title) { Paper = new PaperSize(printed.Width, printed.Height, null, null, null) };
        }
    }

    private static string Cm(PrintLength length) => length.Cm.ToString("0.####", CultureInfo.InvariantCulture) + "cm";

    /// <summary>The SVG with its root's <c>width</c> and <c>height</c> in physical units and a <c>viewBox</c> of its
    /// CSS-pixel layout, so that any viewer or typesetter places it at its printed size.</summary>
    internal static string WithPaperSize(string svg, string width, string height, int widthPx, int heightPx)
    {
        var root = System.Text.RegularExpressions.Regex.Match(svg, "<svg\\b[^>]*>");
        if (!root.Success) throw new InvalidOperationException("plotly.js returned no SVG");
        string tag = root.Value;
        tag = System.Text.RegularExpressions.Regex.Replace(tag, "\\swidth=\"[^\"]*\"", " width=\"" + width + "\"");
        tag = System.Text.RegularExpressions.Regex.Replace(tag, "\\sheight=\"[^\"]*\"", " height=\"" + height + "\"");
        if (!tag.Contains(" viewBox=", StringComparison.Ordinal))
            tag = tag.Insert(4, string.Create(CultureInfo.InvariantCulture, $" viewBox=\"0 0 {widthPx} {heightPx}\""));
        return svg[..root.Index] + tag + svg[(root.Index + root.Length)..];
    }

    // Rasterises plotly's SVG at exactly width × height pixels (plotly's own toImage rounds width × scale and height ×
    // scale separately, which can miss the pixel count of a printed size by one).
    private const string RasterScript = """
        async (svg, width, height) => {
            const img = new Image();
            await new Promise((resolve, reject) => {
                img.onload = resolve;
                img.onerror = () => reject(new Error('the SVG did not load as an image'));
                img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
            });
            const canvas = document.createElement('canvas');
            canvas.width = width;
            canvas.height = height;
            const ctx = canvas.getContext('2d');
            ctx.fillStyle = '#ffffff';
            ctx.fillRect(0, 0, width, height);
            ctx.drawImage(img, 0, 0, width, height);
            return canvas.toDataURL('image/png');
        }
        """;

    // Draws the figure into a fresh div (static: no hover layers) and asks plotly.js for the image of that div.
    private const string DrawScript = """
        async (figureJson, width, height, format, scale, fontFamily) => {
            const figure = JSON.parse(figureJson);
            const layout = Object.assign({}, figure.layout || {});
            layout.font = Object.assign({ family: fontFamily }, layout.font || {});
            layout.width = width;
            layout.height = height;
            const gd = document.createElement('div');
            document.body.appendChild(gd);
            try {
                await Plotly.newPlot(gd, figure.data || [], layout, { staticPlot: true, displayModeBar: false });
                return await Plotly.toImage(gd, { format: format, width: width, height: height, scale: scale, imageDataOnly: true });
            } finally {
                Plotly.purge(gd);
                gd.remove();
            }
        }
        """;

    private static string Px(int px) => px.ToString(CultureInfo.InvariantCulture) + "px";

    /// <summary>Prints an SVG on one page of exactly the given CSS size (e.g. <c>700px</c>, <c>17.8cm</c>): a vector PDF
    /// whose text is text (fonts embedded).</summary>
    private async Task<byte[]> PrintSvgAsync(string svg, string w, string h, string title)
    {
        _printPage ??= await _browser.NewOfflinePageAsync().ConfigureAwait(false);
        string html = $"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{Html.Escape(title)}</title>
            <style>@page {"{"} size: {w} {h}; margin: 0; {"}"} html, body {"{"} margin: 0; padding: 0; overflow: hidden; {"}"} svg {"{"} display: block; width: {w}; height: {h}; {"}"}</style>
            </head><body>{svg}</body></html>
            """;
        await _printPage.SetContentAsync(html, new SetContentOptions { WaitUntil = [WaitUntilNavigation.Load] }).ConfigureAwait(false);
        return await _printPage.PdfDataAsync(new PdfOptions
        {
            Width = w,
            Height = h,
            PrintBackground = true,
            PreferCSSPageSize = true,
            PageRanges = "1",
            MarginOptions = new MarginOptions { Top = "0", Bottom = "0", Left = "0", Right = "0" },
        }).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _plotPage.CloseAsync().ConfigureAwait(false);
            if (_printPage is not null) await _printPage.CloseAsync().ConfigureAwait(false);
        }
        catch (PuppeteerException) { /* the browser is closing */ }
    }

    private static int? IntOf(JsonNode? n) => n is JsonValue v && v.TryGetValue<double>(out var d) && d > 0 ? (int)Math.Round(d) : null;

    private static string StripDataUrl(string s)
    {
        if (!s.StartsWith("data:", StringComparison.Ordinal)) return s;
        int comma = s.IndexOf(',');
        return comma < 0 ? s : s[(comma + 1)..];
    }

    private static string SvgText(string s) =>
        s.StartsWith("data:", StringComparison.Ordinal) ? Uri.UnescapeDataString(StripDataUrl(s)) : s;

    /// <summary>The title's text without plotly's HTML-ish markup (<c>&lt;br&gt;</c>, <c>&lt;sub&gt;</c>).</summary>
    internal static string PlainTitle(JsonNode? title)
    {
        string? text = title switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonObject o => o["text"] is JsonValue t && t.TryGetValue<string>(out var s2) ? s2 : null,
            _ => null,
        };
        if (string.IsNullOrEmpty(text)) return "";
        text = System.Text.RegularExpressions.Regex.Replace(text, "<br\\s*/?>", " — ", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(text, "<[^>]+>", "")).Trim();
    }
}
