using Plotly.NET;

using P2PFlex.Display;
using P2PFlex.IO;

namespace P2PFlex.Notebooks
{
    /// <summary>
    /// A process-wide <see cref="ChartRenderer"/> for one-off saves from notebook cells: the browser starts at the first
    /// save and is closed when the process exits. Saves are serialised (one drawing page).
    /// </summary>
    public static class SharedChartRenderer
    {
        private static readonly SemaphoreSlim Gate = new(1, 1);
        private static ChromiumBrowser? _browser;
        private static ChartRenderer? _renderer;
        private static bool _exitHooked;

        /// <summary>Renders with the shared renderer, starting the browser if needed.</summary>
        public static async Task<ChartImage> RenderAsync(GenericChart chart, ChartImageFormat format, ChartImageOptions? options, CancellationToken cancellationToken = default)
        {
            await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await EnsureStartedAsync().ConfigureAwait(false);
                return await _renderer!.RenderAsync(chart, format, options, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Gate.Release();
            }
        }

        /// <summary>
        /// Adds the static forms of a chart output (<see cref="StaticChartImages.AddAsync(DisplayDataOutput, ChartRenderer, CancellationToken)"/>)
        /// with the shared renderer, starting the browser if needed (it throws <see cref="BrowserNotFoundException"/>
        /// when there is none). Returns whether it drew.
        /// </summary>
        public static async Task<bool> AddStaticFormsAsync(DisplayDataOutput output, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(output);
            if (!StaticChartImages.IsChart(output) || output.Data.Contains(StaticChartImages.SvgMime)) return false;
            await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await EnsureStartedAsync().ConfigureAwait(false);
                return await StaticChartImages.AddAsync(output, _renderer!, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Gate.Release();
            }
        }

        /// <summary>
        /// The static forms of a chart for a host that is not the runner and knows none of its types: the official .NET
        /// Interactive kernel's setup (P2PFlex.Display's OfficialKernel) calls this by reflection, so that its chart
        /// outputs carry the same pictures as the runner's and the P2PFlex kernel's. Given the chart's <c>text/html</c>
        /// (<see cref="PlotlyCharts.ToHtml"/>), returns that HTML with the WebP picture inside the chart's div
        /// (<see cref="StaticChartImages.WithFallback"/>) and the <c>image/svg+xml</c> text, as a two-element array.
        /// Throws <see cref="BrowserNotFoundException"/> without a Chromium.
        /// </summary>
        public static string[] StaticForms(GenericChart chart, string html)
        {
            ArgumentNullException.ThrowIfNull(chart);
            var output = new DisplayDataOutput(new MimeBundle().Set(NotebookFormatters.HtmlMime, html).Set(PlotlyCharts.MimeType, PlotlyCharts.ToMimeJson(chart)));
            // The caller is a formatter on the kernel's thread, which waits: no synchronization context to come back to.
            AddStaticFormsAsync(output).GetAwaiter().GetResult();
            return [output.Data.GetText(NotebookFormatters.HtmlMime) ?? html, output.Data.GetText(StaticChartImages.SvgMime) ?? ""];
        }

        private static async Task EnsureStartedAsync()
        {
            if (_renderer is not null) return;
            _browser = await ChromiumBrowser.LaunchAsync().ConfigureAwait(false);
            _renderer = await ChartRenderer.CreateAsync(_browser).ConfigureAwait(false);
            if (!_exitHooked)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => CloseAsync().AsTask().GetAwaiter().GetResult();
                _exitHooked = true;
            }
        }

        /// <summary>Closes the shared browser (a later save starts a new one).</summary>
        public static async ValueTask CloseAsync()
        {
            var renderer = Interlocked.Exchange(ref _renderer, null);
            var browser = Interlocked.Exchange(ref _browser, null);
            if (renderer is not null) await renderer.DisposeAsync().ConfigureAwait(false);
            if (browser is not null) await browser.DisposeAsync().ConfigureAwait(false);
        }

        /// <summary>
        /// Renders and writes atomically (temporary file, then rename: an interrupted save leaves no partial file).
        /// A relative path is taken relative to the running notebook's folder (or the current directory outside a notebook).
        /// </summary>
        public static async Task<string> SaveAsync(GenericChart chart, string path, ChartImageFormat format, ChartImageOptions? options, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(chart);
            ArgumentException.ThrowIfNullOrEmpty(path);
            string full = Path.IsPathRooted(path) ? path : Path.Combine(NotebookSession.Current?.BaseDirectory ?? Directory.GetCurrentDirectory(), path);
            var image = await RenderAsync(chart, format, options, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            AtomicFile.WriteAllBytes(full, image.Bytes);
            return Path.GetFullPath(full);
        }
    }
}

namespace P2PFlex.Notebooks.Scripting
{
    /// <summary>
    /// <c>chart.SaveSvg("fig.svg")</c>, <c>SavePng</c>, <c>SavePdf</c>: any chart of a notebook cell as a file, drawn
    /// as <c>p2pflex figures</c> draws the study's figures (headless Chromium, plotly.js's <c>toImage</c>). Imported
    /// into every cell. Each returns the full path written; relative paths are relative to the notebook's folder.
    /// </summary>
    public static class ChartFileExtensions
    {
        public static string SaveSvg(this GenericChart chart, string path, int? widthPx = null, int? heightPx = null) =>
            Save(chart, path, ChartImageFormat.Svg, new ChartImageOptions(widthPx, heightPx));

        /// <param name="chart">The chart (not modified).</param>
        /// <param name="path">Target file.</param>
        /// <param name="widthPx">Width in CSS pixels (default: the chart's).</param>
        /// <param name="heightPx">Height in CSS pixels (default: the chart's).</param>
        /// <param name="scale">Pixels per CSS pixel: 2 by default, for print.</param>
        public static string SavePng(this GenericChart chart, string path, int? widthPx = null, int? heightPx = null, double scale = ChartImageOptions.DefaultPngScale) =>
            Save(chart, path, ChartImageFormat.Png, new ChartImageOptions(widthPx, heightPx, scale));

        public static string SavePdf(this GenericChart chart, string path, int? widthPx = null, int? heightPx = null) =>
            Save(chart, path, ChartImageFormat.Pdf, new ChartImageOptions(widthPx, heightPx));

        /// <summary>As <see cref="SaveSvg"/> etc., awaitable, in the format named by the extension (.svg, .png, .pdf).</summary>
        public static Task<string> SaveAsync(this GenericChart chart, string path, ChartImageOptions? options = null, CancellationToken cancellationToken = default) =>
            SharedChartRenderer.SaveAsync(chart, path, ChartImage.ParseFormat(Path.GetExtension(path).TrimStart('.')), options, cancellationToken);

        // Script cells run without a synchronisation context, so blocking here cannot deadlock.
        private static string Save(GenericChart chart, string path, ChartImageFormat format, ChartImageOptions options) =>
            SharedChartRenderer.SaveAsync(chart, path, format, options).GetAwaiter().GetResult();
    }
}
