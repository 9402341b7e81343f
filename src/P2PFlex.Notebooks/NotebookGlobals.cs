using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Html;
using P2PFlex.Display;

namespace P2PFlex.Notebooks;

/// <summary>
/// The globals object of a notebook's script session: its public members can be called unqualified in cells.
/// <c>display(x)</c> and <c>HTML("…")</c> are spelled as in .NET Interactive, so cells using them also run in
/// Polyglot Notebooks.
/// </summary>
public class NotebookGlobals
{
    internal NotebookGlobals(NotebookSession session) => Session = session;

    internal NotebookSession Session { get; }

    /// <summary>Full path of the notebook file, or "" when it was not run from a file.</summary>
    public string NotebookPath => Session.NotebookPath;

    /// <summary>The folder <c>#r</c>/<c>#load</c> paths are relative to (the notebook's folder).</summary>
    public string NotebookDirectory => Session.BaseDirectory;

    /// <summary>The parameters injected into this run (name → value as given), empty if none.</summary>
    public IReadOnlyDictionary<string, string> Parameters => Session.Parameters;

    /// <summary>Shows a value as a <c>display_data</c> output (its HTML and text, or the given MIME types).</summary>
#pragma warning disable IDE1006 // lower case, as in .NET Interactive
    public DisplayedValue display(object? value, params string[] mimeTypes) => Session.Display(value, mimeTypes);
#pragma warning restore IDE1006

    /// <summary>
    /// Signalled when the running cell should stop: an interrupt in the Jupyter kernel, a cancelled run in the runner.
    /// Long cells observe it (<c>CancellationToken.ThrowIfCancellationRequested()</c>, or pass it on) to be interruptible.
    /// </summary>
    public CancellationToken CancellationToken => Session.CellCancellation;

    /// <summary>Raw HTML to display: <c>display(HTML("&lt;b&gt;x&lt;/b&gt;"))</c> or as a cell's last expression.</summary>
    public IHtmlContent HTML(string html) => new HtmlString(html);
}

/// <summary>A value shown with <c>display</c>; <see cref="Update"/> replaces what the output shows.</summary>
public sealed class DisplayedValue
{
    private readonly NotebookSession _session;
    private readonly CellCapture _capture;
    private readonly IReadOnlyList<string> _mimeTypes;
    private DisplayDataOutput _output;

    internal DisplayedValue(NotebookSession session, CellCapture capture, DisplayDataOutput output, IReadOnlyList<string> mimeTypes)
    {
        _session = session;
        _capture = capture;
        _output = output;
        _mimeTypes = mimeTypes;
    }

    public void Update(object? value)
    {
        var replacement = _session.Format(value, _mimeTypes, _capture, resultCount: null);
        _capture.Replace(_output, replacement);
        _output = replacement;
    }
}

/// <summary>State of one notebook run: the globals, the current cell's capture, chart numbering, plotly.js embedding.</summary>
internal sealed class NotebookSession
{
    private static readonly AsyncLocal<NotebookSession?> _current = new();
    private int _charts;
    private bool _plotlyEmbedded;

    public NotebookSession(string notebookPath, string baseDirectory, IReadOnlyDictionary<string, string> parameters, bool embedPlotlyJs, string chartIdSeed,
        string? plotlyJsSrc = null)
    {
        PlotlyJsSrc = plotlyJsSrc;
        NotebookPath = notebookPath;
        BaseDirectory = baseDirectory;
        Parameters = parameters;
        EmbedPlotlyJs = embedPlotlyJs;
        ChartPrefix = "plotly-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(chartIdSeed)), 0, 4) + "-";
        Globals = new NotebookGlobals(this);
    }

    public static NotebookSession? Current => _current.Value;

    public string NotebookPath { get; }
    public string BaseDirectory { get; }
    public IReadOnlyDictionary<string, string> Parameters { get; }
    public bool EmbedPlotlyJs { get; }

    /// <summary>Where the library output loads plotly.js from (a relative URL); null embeds the library.</summary>
    public string? PlotlyJsSrc { get; }
    public NotebookGlobals Globals { get; }
    public string ChartPrefix { get; }
    public int ChartCount => Volatile.Read(ref _charts);
    public CellCapture? Capture { get; private set; }

    /// <summary>The token of the cell that is running (<see cref="NotebookGlobals.CancellationToken"/>).</summary>
    public CancellationToken CellCancellation { get; set; }

    /// <summary>Makes this session and <paramref name="capture"/> current for the calling async flow.</summary>
    public IDisposable Enter(CellCapture capture)
    {
        var previous = _current.Value;
        _current.Value = this;
        Capture = capture;
        var console = ConsoleCapture.Begin(capture);
        return new Exit(() =>
        {
            console.Dispose();
            Capture = null;
            _current.Value = previous;
        });
    }

    private sealed class Exit(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    /// <summary>Deterministic, notebook-specific chart div ids (stable diffs; unique when several notebooks share a page).</summary>
    public string NextChartId() => ChartPrefix + Interlocked.Increment(ref _charts).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public DisplayedValue Display(object? value, string[] mimeTypes)
    {
        var capture = Capture ?? throw new InvalidOperationException("display() was called while no cell of this notebook is running");
        var output = Format(value, mimeTypes, capture, resultCount: null);
        capture.Add(output);
        return new DisplayedValue(this, capture, output, mimeTypes);
    }

    /// <summary>
    /// Formats a value into a display_data (or, with <paramref name="resultCount"/>, execute_result) output. The first
    /// time a chart is formatted, plotly.js is added to <paramref name="capture"/> first, once per notebook.
    /// </summary>
    public DisplayDataOutput Format(object? value, IReadOnlyList<string> mimeTypes, CellCapture capture, int? resultCount)
    {
        int before = ChartCount;
        var bundle = NotebookFormatters.ToBundle(value, mimeTypes);
        if (ChartCount > before && EmbedPlotlyJs && !_plotlyEmbedded)
        {
            _plotlyEmbedded = true;
            capture.Add(PlotlyLibraryOutput(PlotlyJsSrc));
        }
        return resultCount is null ? new DisplayDataOutput(bundle) : new ExecuteResultOutput(resultCount, bundle);
    }

    /// <summary>The marker in an output's metadata that says "this output only loads plotly.js".</summary>
    public const string PlotlyJsMetadataKey = "plotlyjs";

    private static DisplayDataOutput PlotlyLibraryOutput(string? src) => new(
        new MimeBundle().Set(NotebookFormatters.HtmlMime, src is null ? PlotlyJs.ScriptElement(guard: true) : PlotlyJs.ScriptReference(src))
                        .Set(NotebookFormatters.PlainTextMime, $"(plotly.js {PlotlyJs.Version} for the charts of this notebook)"),
        new JsonObject { [NotebookRunner.MetadataKey] = new JsonObject { [PlotlyJsMetadataKey] = PlotlyJs.Version } });
}
