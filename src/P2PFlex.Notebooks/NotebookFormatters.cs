using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive.Formatting;
using P2PFlex.Display;
using Plotly.NET;

namespace P2PFlex.Notebooks;

/// <summary>
/// Turns values into MIME bundles with Microsoft.DotNet.Interactive.Formatting, the formatting library of
/// .NET Interactive, so values look the same here as in Polyglot Notebooks. The HTML itself comes from
/// <c>P2PFlex.Display</c> (its own assembly), which the official kernel's setup (<c>P2PFlex.Display.OfficialKernel</c>)
/// registers too. Registers, once per process:
/// Plotly.NET charts → <c>text/html</c> (<see cref="PlotlyCharts.ToHtml"/>, no mutation, no CDN), the figure as
/// <c>application/vnd.plotly.v1+json</c> (<see cref="PlotlyCharts.ToMimeJson"/>) and a one-line <c>text/plain</c>; the study's
/// tables (<see cref="P2PFlex.Scenarios.TextTable"/>) → <see cref="TableHtml"/> and their aligned plain text; Deedle frames → an HTML table (<see cref="DeedleHtml"/>); Deedle frames and series →
/// their own <c>Format()</c> text for <c>text/plain</c>, and series as <c>&lt;pre&gt;</c> HTML.
/// </summary>
public static class NotebookFormatters
{
    public const string HtmlMime = "text/html";
    public const string PlainTextMime = "text/plain";

    private static readonly Lazy<bool> _registered = new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Registers the formatters (idempotent, thread-safe).</summary>
    public static void EnsureRegistered() => _ = _registered.Value;

    private static bool Register()
    {
        Formatter.Register<GenericChart>((chart, w) => w.Write(PlotlyCharts.ToHtml(chart, NotebookSession.Current?.NextChartId())), HtmlMime);
        Formatter.Register<GenericChart>((chart, w) => w.Write(PlotlyCharts.Describe(chart)), PlainTextMime);
        Formatter.Register<P2PFlex.Scenarios.TextTable>((table, w) => w.Write(TableHtml.Render(table)), HtmlMime);
        Formatter.Register<P2PFlex.Scenarios.TextTable>((table, w) => w.Write(table.ToPlainText()), PlainTextMime);
        Formatter.Register<Deedle.IFrame>((frame, w) => w.Write(DeedleHtml.Table(frame)), HtmlMime);
        Formatter.Register<Deedle.IFrame>((frame, w) => w.Write(DeedleHtml.PlainText(frame)), PlainTextMime);
        Formatter.Register(typeof(Deedle.Series<,>), (object series, TextWriter w) => w.Write(DeedleHtml.Series(series)), HtmlMime);
        Formatter.Register(typeof(Deedle.Series<,>), (object series, TextWriter w) => w.Write(DeedleHtml.PlainText(series)), PlainTextMime);
        return true;
    }

    /// <summary>
    /// The value as a MIME bundle: the requested types, else <c>text/html</c> + <c>text/plain</c>
    /// (strings only <c>text/plain</c>, as in .NET Interactive).
    /// </summary>
    public static MimeBundle ToBundle(object? value, IReadOnlyList<string>? mimeTypes = null)
    {
        EnsureRegistered();
        IReadOnlyList<string> types = mimeTypes is { Count: > 0 } ? mimeTypes
            : value is string ? [PlainTextMime]
            : value is GenericChart ? [HtmlMime, PlotlyCharts.MimeType, PlainTextMime]
            : [HtmlMime, PlainTextMime];
        var bundle = new MimeBundle();
        foreach (var mime in types)
        {
            if (mime == PlotlyCharts.MimeType && value is GenericChart chart)
            {
                bundle.Set(mime, PlotlyCharts.ToMimeJson(chart));   // a JSON object in the notebook, not a string
                continue;
            }
            string text = value is IHtmlContent html && mime == HtmlMime ? ToHtmlString(html)
                : value is string s && mime == PlainTextMime ? s
                : value.ToDisplayString(mime);
            bundle.Set(mime, text.Replace("\r\n", "\n"));
        }
        return bundle;
    }

    private static string ToHtmlString(IHtmlContent content)
    {
        using var w = new StringWriter();
        content.WriteTo(w, System.Text.Encodings.Web.HtmlEncoder.Default);
        return w.ToString();
    }
}
