using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Plotly.NET;

namespace P2PFlex.Display;

/// <summary>
/// Plotly.NET charts as notebook HTML and as the plotly MIME type, without network and without touching the user's
/// chart. The chart formatter of every engine that shows the study notebooks (runner, P2PFlex kernel, official .NET
/// Interactive kernel through <see cref="OfficialKernel"/>) calls this, so charts look the same in all of them.
/// <para>
/// Both forms are built from the chart's figure JSON (<c>GenericChart.toFigureJson</c>, <c>getConfig</c>), never by
/// changing the chart. Trip-wire (notebook-stack notes §2.3): <c>GenericChart.addDisplayOptions</c> and the
/// <c>Chart.withDisplayOptions*</c> functions mutate the chart's existing DisplayOptions, so a formatter must never
/// call them; and no CDN or require.js reference is ever written (plotly.js comes from the page, <see cref="PlotlyJs"/>).
/// </para>
/// <para>
/// On screen a chart fits its container (<see cref="ForScreen"/>): the pixel width a chart sets is its size for
/// <c>p2pflex figures</c>, where the user asks for a size, not for a notebook column or a report page.
/// </para>
/// </summary>
public static partial class PlotlyCharts
{
    /// <summary>
    /// The chart's HTML: a <c>div</c> of the container's width and the chart's height, and a <c>script</c> calling
    /// <c>Plotly.newPlot</c> with the screen form of the figure (<see cref="ForScreen"/>); needs plotly.js on the page.
    /// </summary>
    /// <param name="chart">The chart (not modified).</param>
    /// <param name="divId">The id of the chart's div; null for a random GUID.</param>
    public static string ToHtml(GenericChart chart, string? divId = null)
    {
        var figure = ToMimeJson(chart);
        string id = divId ?? Guid.NewGuid().ToString();
        string scriptId = Regex.Replace(id, "[^A-Za-z0-9_]", "_");
        string height = figure["layout"]?["height"] is JsonValue h && h.TryGetValue<double>(out var px) && px > 0
            ? $" height: {px.ToString("0", System.Globalization.CultureInfo.InvariantCulture)}px;" : "";
        string frames = figure["frames"] is JsonArray f ? $".then(function () {{ return Plotly.addFrames('{id}', {Script(f)}); }})" : "";
        return $"<div><div id=\"{HtmlText.Escape(id)}\" style=\"width: 100%;{height}\"><!-- Plotly chart will be drawn inside this DIV --></div>"
               + $"<script type=\"text/javascript\">var renderPlotly_{scriptId} = function() {{\n"
               + $"    var data = {Script(figure["data"]!)};\n"
               + $"    var layout = {Script(figure["layout"]!)};\n"
               + $"    var config = {Script(figure["config"] ?? new JsonObject())};\n"
               + $"    Plotly.newPlot('{id}', data, layout, config){frames};\n"
               + $"}};\nrenderPlotly_{scriptId}();\n</script></div>";
    }

    // JSON inside a <script>: "</" could close the element early (a title with "</sub>" cannot, "</script" would).
    private static string Script(JsonNode node) => node.ToJsonString(ScriptJson).Replace("</", "<\\/", StringComparison.Ordinal);

    private static readonly System.Text.Json.JsonSerializerOptions ScriptJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The MIME type of a plotly figure in a notebook output, as plotly.py's <c>plotly_mimetype</c> renderer writes it
    /// and JupyterLab (jupyterlab-plotly), VS Code and nteract draw natively, without trusting the notebook.
    /// </summary>
    public const string MimeType = "application/vnd.plotly.v1+json";

    /// <summary>
    /// The chart as the value of <see cref="MimeType"/>: a JSON object with <c>data</c> (the traces), <c>layout</c>,
    /// <c>frames</c> when the chart has any, and <c>config</c> (plotly.py's convention: the figure dictionary plus the
    /// config), in the screen form of <see cref="ForScreen"/>. The same figure as <see cref="ToHtml"/>'s <c>Plotly.newPlot</c>.
    /// </summary>
    public static JsonObject ToMimeJson(GenericChart chart)
    {
        var figure = JsonNode.Parse(GenericChart.toFigureJson(chart)) as JsonObject ?? new JsonObject();
        var result = new JsonObject
        {
            ["data"] = figure["data"]?.DeepClone() ?? new JsonArray(),
            ["layout"] = figure["layout"]?.DeepClone() ?? new JsonObject(),
        };
        if (figure["frames"] is JsonArray { Count: > 0 } frames) result["frames"] = frames.DeepClone();
        result["config"] = JsonNode.Parse(Newtonsoft.Json.JsonConvert.SerializeObject(GenericChart.getConfig(chart))) as JsonObject ?? new JsonObject();
        return ForScreen(result);
    }

    /// <summary>Longest title line on screen, in characters, before it is wrapped at a space.</summary>
    public const int TitleLineChars = 75;

    /// <summary>
    /// The figure (<c>data</c>, <c>layout</c>, <c>config</c>; changed in place and returned) as a page shows it:
    /// <list type="bullet">
    /// <item>no fixed width: <c>autosize</c> and <c>config.responsive</c>, so the chart fits a notebook column, a
    /// report page or a phone, and its legend and toolbar are never cut off (the height stays the chart's);</item>
    /// <item>a title longer than <see cref="TitleLineChars"/> wrapped at spaces, with the top margin to hold it;</item>
    /// <item>a long legend (more than six entries, or long names) laid out horizontally below the plot, where every
    /// entry shows without scrolling; the chart grows by the legend's rows so the plot keeps its height.</item>
    /// </list>
    /// </summary>
    public static JsonObject ForScreen(JsonObject figure)
    {
        if (figure["layout"] is not JsonObject layout) figure["layout"] = layout = new JsonObject();
        layout.Remove("width");
        layout["autosize"] = true;
        if (figure["config"] is not JsonObject config) figure["config"] = config = new JsonObject();
        config["responsive"] = true;

        int titleLines = WrapTitle(layout);
        var margin = layout["margin"] as JsonObject ?? new JsonObject();
        if (titleLines > 1)
        {
            margin["t"] = 50 + 22 * titleLines;
            layout["margin"] = margin;
        }

        var names = (figure["data"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(t => t["showlegend"] is not JsonValue v || !v.TryGetValue<bool>(out var show) || show)
            .Select(t => t["name"] is JsonValue n && n.TryGetValue<string>(out var name) ? name : null)
            .Where(n => !string.IsNullOrEmpty(n))
            .Distinct()
            .ToArray();
        int chars = names.Sum(n => n!.Length + 6);
        if (names.Length > 6 || (names.Length > 1 && chars > 90))
        {
            var legend = layout["legend"] as JsonObject ?? new JsonObject();
            legend["orientation"] = "h";
            legend["x"] = 0;
            legend["xanchor"] = "left";
            legend["y"] = -0.18;
            legend["yanchor"] = "top";
            layout["legend"] = legend;
            // about 7 px per character at plotly's 12 px font, in a column of about 800 px; 22 px per row
            int rows = (int)Math.Ceiling(chars * 7 / 800.0);
            double height = layout["height"] is JsonValue hv && hv.TryGetValue<double>(out var h) && h > 0 ? h : 450;
            layout["height"] = height + 40 + 22 * rows;
        }
        return figure;
    }

    /// <summary>Wraps the layout's title at spaces into lines of at most <see cref="TitleLineChars"/>; returns the line count.</summary>
    private static int WrapTitle(JsonObject layout)
    {
        JsonObject? titleObject = layout["title"] as JsonObject;
        string? text = titleObject?["text"] is JsonValue tv && tv.TryGetValue<string>(out var t) ? t
            : layout["title"] is JsonValue sv && sv.TryGetValue<string>(out var s) ? s : null;
        if (string.IsNullOrEmpty(text)) return 0;
        var lines = PrintLayout.Wrap(text, TitleLineChars);
        string wrapped = string.Join("<br>", lines);
        if (titleObject is not null) titleObject["text"] = wrapped;
        else layout["title"] = new JsonObject { ["text"] = wrapped };
        return lines.Count;
    }

    /// <summary>A one-line text description for <c>text/plain</c>.</summary>
    public static string Describe(GenericChart chart)
    {
        var traces = GenericChart.getTraces(chart).ToList();
        var types = traces.Select(t => t.TryGetTypedPropertyValue<string>("type") is { } o ? o.Value : "trace").Distinct();
        return $"Plotly chart: {traces.Count} trace{(traces.Count == 1 ? "" : "s")} ({string.Join(", ", types)})";
    }

}

/// <summary>
/// The plotly.js bundle that Plotly.NET ships as an embedded resource (the one <c>PlotlyJSReference.Full</c> inlines),
/// so reports and executed notebooks render charts with no network.
/// </summary>
public static class PlotlyJs
{
    private static readonly Lazy<(string Name, string Source)> _bundle = new(Load);

    /// <summary>The minified library (about 3.6 MB).</summary>
    public static string Source => _bundle.Value.Source;

    /// <summary>Its version, from the resource name (e.g. <c>2.28.0</c>).</summary>
    public static string Version
    {
        get
        {
            var m = Regex.Match(_bundle.Value.Name, @"plotly-(\d+\.\d+\.\d+)");
            return m.Success ? m.Groups[1].Value : "unknown";
        }
    }

    /// <summary>
    /// A <c>&lt;script&gt;</c> element defining <c>window.Plotly</c>. The library is wrapped as
    /// <c>(function(define,module,exports){…}).call(window)</c> so that it sets the global even on pages that load
    /// require.js (nbconvert's templates do; plotly.js would otherwise register as an AMD module and charts fail with
    /// "Plotly is not defined"). With <paramref name="guard"/> it does nothing when Plotly is already loaded.
    /// </summary>
    public static string ScriptElement(bool guard)
    {
        var sb = new System.Text.StringBuilder(Source.Length + 300);
        sb.Append("<script type=\"text/javascript\">/* plotly.js ").Append(Version).Append(", from Plotly.NET, embedded once */\n");
        if (guard) sb.Append("if (!window.Plotly) {\n");
        sb.Append(GlobalSource());
        if (guard) sb.Append("}\n");
        sb.Append("</script>");
        return sb.ToString();
    }

    /// <summary>The file name of the one shared copy beside a folder of reports (<see cref="FileText"/>).</summary>
    public const string FileName = "plotly.min.js";

    /// <summary>
    /// The content of <see cref="FileName"/>: the library wrapped as in <see cref="ScriptElement"/>, so that a page
    /// loading it with <c>&lt;script src&gt;</c> gets <c>window.Plotly</c> even when it also loads require.js.
    /// </summary>
    public static string FileText() => "/* plotly.js " + Version + ", from Plotly.NET, shared by the reports of this folder */\n" + GlobalSource();

    /// <summary>A <c>&lt;script src&gt;</c> element loading the shared copy from <paramref name="src"/> (a relative URL).</summary>
    public static string ScriptReference(string src) =>
        "<script type=\"text/javascript\" src=\"" + HtmlText.Escape(src) + "\"></script>";

    private static string GlobalSource() => "(function(define, module, exports) {\n" + Source + "\n}).call(window);\n";

    private static (string, string) Load()
    {
        var asm = typeof(GenericChart).Assembly;
        string name = asm.GetManifestResourceNames().FirstOrDefault(n => n.Contains("plotly", StringComparison.OrdinalIgnoreCase) && n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("Plotly.NET carries no plotly.js resource");
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return (name, reader.ReadToEnd());
    }
}
