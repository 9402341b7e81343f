using System.Globalization;
using System.Text.Json.Nodes;
using P2PFlex.Display;
using PuppeteerSharp;
using PuppeteerSharp.Media;

using P2PFlex.IO;

namespace P2PFlex.Notebooks;

/// <summary>How a report page is printed.</summary>
public sealed record ReportPdfOptions
{
    /// <summary>Paper (default A4, portrait).</summary>
    public PaperFormat Paper { get; init; } = PaperFormat.A4;

    public bool Landscape { get; init; }

    /// <summary>Margin on every side, in millimetres.</summary>
    public double MarginMm { get; init; } = 12;

    /// <summary>How long to wait for every chart to be drawn.</summary>
    public TimeSpan ChartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Run metadata printed on the first page, under the report's own header (name → value, e.g. "P2PFlex" → version,
    /// "data" → data version, "parameters" → values). The date the PDF was made and the renderer are always added.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Facts { get; init; } = [];
}

/// <summary>A report printed: the file and what was checked on the page before printing.</summary>
/// <param name="PdfPath">The PDF written.</param>
/// <param name="Title">The page's title (the notebook's first heading).</param>
/// <param name="Charts">Plotly charts on the page, every one drawn before printing.</param>
/// <param name="Tables">How each table of the page (in page order) was laid out on paper.</param>
public sealed record ReportPdf(string PdfPath, string Title, int Charts, IReadOnlyList<PrintedTable> Tables);

/// <summary>How a table was fitted to the paper (<see cref="PdfExport"/>).</summary>
/// <param name="Caption">The table's caption, or "" without one.</param>
/// <param name="TypePt">The type size it was printed at, in points.</param>
/// <param name="Landscape">Printed on a landscape page of its own (it did not fit the portrait width).</param>
/// <param name="BreaksWords">
/// Too wide even on a landscape page at <see cref="PdfExport.SmallestTablePt"/>: its cells may break words anywhere
/// (the last resort; no study table needs it).
/// </param>
public sealed record PrintedTable(string Caption, double TypePt, bool Landscape, bool BreaksWords);

/// <summary>
/// Prints HTML reports (<see cref="HtmlReport"/>, <see cref="IndexPage"/>) to PDF with a headless Chromium
/// (print-to-PDF of the DevTools protocol):
/// <list type="bullet">
/// <item>the page is opened offline from its file and printing waits until every <c>Plotly.newPlot</c> chart of the
/// page has drawn its SVG (a chart that fails to draw, or a script error, is an error naming it);</item>
/// <item>charts wider than the paper are redrawn at the paper's width (Plotly relayout, so text keeps its size), and the
/// report's print stylesheet keeps a chart, a table or a short code block on one page (<c>break-inside: avoid</c>);</item>
/// <item>a table wider than the paper loses no column and breaks no word: its type shrinks to
/// <see cref="SmallestPortraitTablePt"/>; if it still does not fit, its cell goes on a landscape page of its own (CSS named
/// page <c>wide</c>), with type from the report's size down to <see cref="SmallestTablePt"/>;</item>
/// <item>the run metadata (<see cref="ReportPdfOptions.Facts"/>, the date and the renderer) is added to the first page.</item>
/// </list>
/// The PDF is written atomically beside the HTML by <see cref="WriteBesideAsync"/>.
/// </summary>
public static class PdfExport
{
    /// <summary>Tables are never printed smaller than this (points).</summary>
    public const double SmallestTablePt = 7;

    /// <summary>
    /// A table that needs smaller type than this (points) to fit the portrait width goes on a landscape page instead, where
    /// it keeps larger type.
    /// </summary>
    public const double SmallestPortraitTablePt = 7.5;

    /// <summary>Prints <paramref name="htmlPath"/> to <paramref name="pdfPath"/>.</summary>
    public static async Task<ReportPdf> WriteAsync(ChromiumBrowser browser, string htmlPath, string pdfPath, ReportPdfOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ReportPdfOptions();
        string html = Path.GetFullPath(htmlPath);
        if (!File.Exists(html)) throw new FileNotFoundException($"report {html} does not exist", html);
        var page = await browser.NewOfflinePageAsync().ConfigureAwait(false);
        var errors = new List<string>();
        page.PageError += (_, e) => { lock (errors) errors.Add(e.Message); };
        try
        {
            // Lay the page out at the width of the printable area, in print media, before drawing: Plotly sizes
            // responsive charts from it, and the width check below sees what the paper will see.
            var (paperWidthPx, paperHeightPx) = PaperSizePx(options);
            int marginPx = (int)Math.Round(options.MarginMm / 25.4 * 96);
            int contentWidthPx = paperWidthPx - 2 * marginPx;
            await page.SetViewportAsync(new ViewPortOptions { Width = contentWidthPx, Height = paperHeightPx - 2 * marginPx }).ConfigureAwait(false);
            await page.EmulateMediaTypeAsync(MediaType.Print).ConfigureAwait(false);
            await page.GoToAsync(new Uri(html).AbsoluteUri, new NavigationOptions { WaitUntil = [WaitUntilNavigation.Load], Timeout = 120_000 }).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();

            // The paper as the page's CSS sees it (Chromium prints with the CSS page size, which may differ per page).
            await page.AddStyleTagAsync(new AddTagOptions { Content = PrintRules(options) }).ConfigureAwait(false);
            int wideContentWidthPx = Math.Max(paperWidthPx, paperHeightPx) - 2 * marginPx;
            int wideContentHeightPx = Math.Min(paperWidthPx, paperHeightPx) - 2 * marginPx;

            int charts;
            PrintedTable[] tables;
            try
            {
                await page.WaitForFunctionAsync(AllChartsDrawn, new WaitForFunctionOptions { Timeout = (int)options.ChartTimeout.TotalMilliseconds, PollingInterval = 100 })
                    .ConfigureAwait(false);
                charts = await page.EvaluateFunctionAsync<int>(FitChartsToWidth).ConfigureAwait(false);
                tables = await page.EvaluateFunctionAsync<PrintedTable[]>(FitTablesToWidth, wideContentWidthPx, wideContentHeightPx, SmallestTablePt, SmallestPortraitTablePt)
                    .ConfigureAwait(false);
            }
            catch (WaitTaskTimeoutException)
            {
                string missing = await page.EvaluateFunctionAsync<string>(UndrawnCharts).ConfigureAwait(false);
                throw new InvalidOperationException($"{html}: charts not drawn after {options.ChartTimeout.TotalSeconds:F0} s: {missing}"
                    + (errors.Count > 0 ? $"; script errors: {string.Join(" | ", errors)}" : ""));
            }
            lock (errors)
                if (errors.Count > 0) throw new InvalidOperationException($"{html}: script error on the page: {string.Join(" | ", errors)}");

            var facts = options.Facts
                .Append(new("PDF made", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)))
                .Append(new("rendered by", $"{browser.Version}, plotly.js {PlotlyJs.Version}"))
                .Select(f => new[] { f.Key, f.Value }).ToArray();
            await page.EvaluateFunctionAsync(AddFacts, (object)facts).ConfigureAwait(false);
            string title = await page.EvaluateExpressionAsync<string>("document.title").ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();

            byte[] pdf = await page.PdfDataAsync(new PdfOptions
            {
                Format = options.Paper,
                Landscape = options.Landscape,
                PrintBackground = true,
                MarginOptions = new MarginOptions
                {
                    Top = Mm(options.MarginMm),
                    Bottom = Mm(options.MarginMm),
                    Left = Mm(options.MarginMm),
                    Right = Mm(options.MarginMm),
                },
                DisplayHeaderFooter = true,
                HeaderTemplate = "<span></span>",
                // Chromium fills the classes title, pageNumber and totalPages.
                FooterTemplate = "<div style=\"font: 8px Arial, 'Liberation Sans', sans-serif; width: 100%; padding: 0 12mm; color: #59636e; display: flex; justify-content: space-between;\">"
                                 + "<span class=\"title\"></span><span><span class=\"pageNumber\"></span> / <span class=\"totalPages\"></span></span></div>",
                Outline = true,
                Tagged = true,
                // the page rules above, so that a "wide" page is landscape (the format and margins agree with them)
                PreferCSSPageSize = true,
            }).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            AtomicFile.WriteAllBytes(pdfPath, pdf);
            return new ReportPdf(Path.GetFullPath(pdfPath), title, charts, tables);
        }
        finally
        {
            try { await page.CloseAsync().ConfigureAwait(false); } catch (PuppeteerException) { }
        }
    }

    /// <summary>Prints <c>x.html</c> to <c>x.pdf</c> in the same folder.</summary>
    public static Task<ReportPdf> WriteBesideAsync(ChromiumBrowser browser, string htmlPath, ReportPdfOptions? options = null, CancellationToken cancellationToken = default) =>
        WriteAsync(browser, htmlPath, Path.ChangeExtension(htmlPath, ".pdf"), options, cancellationToken);

    /// <summary>
    /// A PDF beside every report of a batch and beside its index, with each notebook's run metadata (parameters as run:
    /// the parameters cell's defaults with the values given applied) plus <paramref name="commonFacts"/>
    /// (e.g. software and data version) on the first page.
    /// </summary>
    public static async Task<IReadOnlyList<ReportPdf>> WriteForBatchAsync(ChromiumBrowser browser, NotebookBatchResult batch,
        IReadOnlyList<KeyValuePair<string, string>> commonFacts, ReportPdfOptions? options = null, TextWriter? progress = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ReportPdfOptions();
        var written = new List<ReportPdf>();
        foreach (var status in batch.Notebooks)
        {
            if (status.ReportPath is null) continue;
            cancellationToken.ThrowIfCancellationRequested();
            var facts = commonFacts.Append(new("parameters", ParametersAsRun(status))).ToArray();
            var pdf = await WriteBesideAsync(browser, status.ReportPath, options with { Facts = facts }, cancellationToken).ConfigureAwait(false);
            progress?.WriteLine($"pdf: {pdf.PdfPath} ({pdf.Charts} chart{(pdf.Charts == 1 ? "" : "s")})");
            written.Add(pdf);
        }
        if (batch.IndexPath is not null && File.Exists(batch.IndexPath))
        {
            var pdf = await WriteBesideAsync(browser, batch.IndexPath, options with { Facts = commonFacts }, cancellationToken).ConfigureAwait(false);
            progress?.WriteLine($"pdf: {pdf.PdfPath}");
            written.Add(pdf);
        }
        return written;
    }

    /// <summary>
    /// "W = 0.35 (given), theta = 0.8 (default)": every parameter the notebook ran with, or "none" without a parameters
    /// cell and without values given.
    /// </summary>
    public static string ParametersAsRun(NotebookRunStatus status)
    {
        var nb = status.Result?.Notebook;
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        if (nb?.Metadata[NotebookRunner.MetadataKey]?["parameters"] is JsonObject ps)
            foreach (var (k, v) in ps) given[k] = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";
        var parts = new List<string>();
        var cell = nb is null ? null : NotebookParameters.FindParametersCell(nb);
        var declared = cell is null ? [] : NotebookParameters.Declared(cell.Source);
        foreach (var d in declared)
            parts.Add(given.TryGetValue(d.Name, out var g) ? $"{d.Name} = {g} (given)" : $"{d.Name} = {d.Default} (default)");
        foreach (var (k, v) in given)
            if (!declared.Any(d => d.Name == k)) parts.Add($"{k} = {v} (given)");
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    private static string Mm(double mm) => mm.ToString("0.##", CultureInfo.InvariantCulture) + "mm";

    /// <summary>
    /// The print rules of the PDF step, added to the report's own print stylesheet: the options' paper for every page, the
    /// same paper turned sideways for the pages named "wide" (a cell marked <c>pdf-wide</c> by the table fitting), and the
    /// last resort for a table too wide even there (<c>pdf-wrap-anywhere</c>).
    /// </summary>
    internal static string PrintRules(ReportPdfOptions o)
    {
        double w = (double)o.Paper.Width, h = (double)o.Paper.Height;
        (double pw, double ph) = o.Landscape ? (Math.Max(w, h), Math.Min(w, h)) : (w, h);
        return string.Create(CultureInfo.InvariantCulture, $$"""
            @page { size: {{pw:0.###}}in {{ph:0.###}}in; margin: {{o.MarginMm:0.##}}mm; }
            @page wide { size: {{Math.Max(w, h):0.###}}in {{Math.Min(w, h):0.###}}in; }
            @media print {
              .pdf-wide { page: wide; }
              table.pdf-wrap-anywhere th, table.pdf-wrap-anywhere td { overflow-wrap: anywhere; }
            }
            """);
    }

    private static (int Width, int Height) PaperSizePx(ReportPdfOptions o)
    {
        // PaperFormat holds inches.
        int w = (int)Math.Round((double)o.Paper.Width * 96), h = (int)Math.Round((double)o.Paper.Height * 96);
        return o.Landscape ? (h, w) : (w, h);
    }

    // Ids of every chart the page's scripts draw (Plotly.NET writes Plotly.newPlot('<div id>', …)).
    private const string ChartIdsJs = """
        const ids = [];
        for (const s of document.querySelectorAll('script')) {
            for (const m of s.textContent.matchAll(/Plotly\.newPlot\(\s*['"]([^'"]+)['"]/g)) ids.push(m[1]);
        }
        const drawn = id => { const d = document.getElementById(id); return !!(d && d._fullLayout && d.querySelector('svg.main-svg')); };
        """;

    private const string AllChartsDrawn = "() => { " + ChartIdsJs + " return typeof window.Plotly === 'undefined' ? ids.length === 0 : ids.every(drawn); }";

    private const string UndrawnCharts = "() => { " + ChartIdsJs + " const missing = ids.filter(id => !drawn(id)); return `${missing.length} of ${ids.length} (${missing.join(', ')})`; }";

    // Redraws charts wider than their container (the paper's width) at that width, taller when their legend would be
    // clipped; returns how many charts there are.
    private const string FitChartsToWidth = "async () => { " + ChartIdsJs + """
        for (const id of ids) {
            const gd = document.getElementById(id);
            const room = Math.floor(gd.parentElement.getBoundingClientRect().width);
            if (room > 200 && gd._fullLayout.width > room) await Plotly.relayout(gd, { width: room });
            // a legend below the plot that wraps into more rows at the paper's width than on screen would be clipped at
            // the chart's bottom edge: grow the chart until the legend is whole
            for (let i = 0; i < 6; i++) {
                const legend = gd.querySelector('g.legend');
                if (!legend) break;
                const over = legend.getBoundingClientRect().bottom - gd.getBoundingClientRect().bottom;
                if (over <= 2) break;
                await Plotly.relayout(gd, { height: Math.ceil(gd._fullLayout.height + over * 1.3 + 12) });
            }
        }
        return ids.length;
        }
        """;

    // Tables wider than the paper lose no column and break no word. Type shrinks in half-point steps down to the portrait
    // floor; a table still too wide goes on a landscape ("wide") page, where it starts again from the report's size and
    // shrinks down to the floor. The whole cell (code and table) goes there when it fits one landscape page, else only
    // the table's output (a cell's code alone on a landscape page would leave that page empty). Only a table too wide
    // even there may break words anywhere (the last resort). A table's width is its min-content width once it overflows
    // (no cell narrower than its longest word), so comparing it with the landscape width needs no second layout. (On
    // screen wide tables scroll sideways instead.)
    private const string FitTablesToWidth = """
        (wideRoom, wideHeight, floorPt, portraitFloorPt) => {
            const room = document.documentElement.clientWidth;
            const printed = [];
            for (const t of document.querySelectorAll('table')) {
                t.style.fontSize = '';
                const basePt = Math.round(parseFloat(getComputedStyle(t).fontSize) * 0.75 * 2) / 2;
                const shrinkTo = (width, floor) => {
                    let pt = basePt;
                    t.style.fontSize = '';
                    while (t.scrollWidth > width && pt > floor) { pt = Math.max(floor, pt - 0.5); t.style.fontSize = pt + 'pt'; }
                    return pt;
                };
                let pt = shrinkTo(room, portraitFloorPt), landscape = false;
                if (t.scrollWidth > room && wideRoom > room) {
                    landscape = true;
                    pt = shrinkTo(wideRoom, floorPt);
                    const cell = t.closest('section.cell'), output = t.closest('.output') || t;
                    let onePage = false;
                    if (cell) {
                        cell.style.width = wideRoom + 'px';
                        onePage = cell.getBoundingClientRect().height <= wideHeight;
                        cell.style.width = '';
                    }
                    (onePage ? cell : output).classList.add('pdf-wide');
                }
                const breaksWords = t.scrollWidth > (landscape ? wideRoom : room);
                if (breaksWords) t.classList.add('pdf-wrap-anywhere');
                const caption = t.querySelector('caption');
                printed.push({ caption: caption ? caption.textContent.trim() : '', typePt: pt, landscape, breaksWords });
            }
            return printed;
        }
        """;

    private const string AddFacts = """
        (facts) => {
            const box = document.createElement('section');
            box.className = 'pdf-facts';
            const dl = document.createElement('dl');
            dl.className = 'facts';
            for (const [k, v] of facts) {
                const dt = document.createElement('dt'); dt.textContent = k;
                const dd = document.createElement('dd'); dd.textContent = v;
                dl.append(dt, dd);
            }
            box.append(dl);
            const header = document.querySelector('header.run') || document.querySelector('h1');
            if (header) header.after(box); else document.body.prepend(box);
        }
        """;
}
