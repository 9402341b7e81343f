using System.Text.RegularExpressions;
using Microsoft.FSharp.Core;
using Plotly.NET;

namespace P2PFlex.Display;

/// <summary>
/// Plotly.NET charts as notebook HTML, without network and without touching the user's chart. The chart formatter of
/// every engine that shows the study notebooks (runner, P2PFlex kernel, official .NET Interactive kernel through
/// <c>notebooks/p2pflex-kernel.csx</c>) calls this, so charts look the same in all of them.
/// <para>
/// Trip-wire (notebook-stack notes §2.3): <c>GenericChart.addDisplayOptions</c> and the <c>Chart.withDisplayOptions*</c>
/// functions mutate the chart's existing DisplayOptions, so a formatter must never call them. Here the chart HTML is
/// <c>GenericChart.toChartHTML</c> (a <c>div</c> and a script calling <c>Plotly.newPlot</c>, with no library
/// reference); only a chart set to <c>PlotlyJSReference.Require</c> (whose HTML would load require.js and plotly.js
/// from CDNs) is rendered from a copy made with <c>GenericChart.setDisplayOptions</c>, which builds a new chart value
/// around fresh options and leaves the original as it was.
/// </para>
/// </summary>
public static partial class PlotlyCharts
{
    /// <summary>The chart's HTML: <c>div</c> + <c>script</c> calling <c>Plotly.newPlot</c>; needs plotly.js on the page.</summary>
    /// <param name="chart">The chart (not modified).</param>
    /// <param name="divId">The id of the chart's div; null keeps Plotly.NET's random GUID.</param>
    public static string ToHtml(GenericChart chart, string? divId = null)
    {
        var source = chart;
        var reference = DisplayOptions.tryGetPlotlyReference(GenericChart.getDisplayOptions(chart));
        if (reference is not null && reference.Value.IsRequire)
        {
            var fresh = DisplayOptions.init(null, null, null, null, null, null,
                FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.NoReference));
            source = GenericChart.setDisplayOptions(fresh, chart);
        }
        string html = GenericChart.toChartHTML(source);
        if (divId is null) return html;
        var m = DivGuid().Match(html);
        if (!m.Success) return html;
        string guid = m.Groups[1].Value;
        string scriptId = Regex.Replace(divId, "[^A-Za-z0-9_]", "_");
        return html.Replace(guid.Replace("-", ""), scriptId).Replace(guid, divId);
    }

    /// <summary>A one-line text description for <c>text/plain</c>.</summary>
    public static string Describe(GenericChart chart)
    {
        var traces = GenericChart.getTraces(chart).ToList();
        var types = traces.Select(t => t.TryGetTypedPropertyValue<string>("type") is { } o ? o.Value : "trace").Distinct();
        return $"Plotly chart: {traces.Count} trace{(traces.Count == 1 ? "" : "s")} ({string.Join(", ", types)})";
    }

    [GeneratedRegex("<div id=\"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\"")]
    private static partial Regex DivGuid();
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
        sb.Append("(function(define, module, exports) {\n").Append(Source).Append("\n}).call(window);\n");
        if (guard) sb.Append("}\n");
        sb.Append("</script>");
        return sb.ToString();
    }

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
