using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Markdig;
using P2PFlex.Display;

using P2PFlex.IO;

namespace P2PFlex.Notebooks;

/// <summary>How <see cref="HtmlReport"/> renders a notebook.</summary>
public sealed class HtmlReportOptions
{
    /// <summary>The page title (default: the notebook's first <c># heading</c>, else <see cref="NotebookName"/>).</summary>
    public string? Title { get; init; }

    /// <summary>The notebook's name (file name), shown under the title.</summary>
    public string? NotebookName { get; init; }

    /// <summary>Link back to the index page; null for none.</summary>
    public string? IndexHref { get; init; } = "index.html";

    /// <summary>Link to the executed <c>.ipynb</c>; null for none.</summary>
    public string? NotebookHref { get; init; }

    /// <summary>Load plotly.js from this relative URL (the folder's shared copy) instead of inlining it; null inlines it.</summary>
    public string? PlotlyJsSrc { get; init; }

    /// <summary>Show code cells' source (cells tagged <c>remove-input</c>/<c>hide-input</c> never show it).</summary>
    public bool ShowCode { get; init; } = true;
}

/// <summary>
/// One self-contained HTML page per executed notebook: markdown rendered (Markdig: headings, emphasis, code, lists,
/// tables, links), code cells with their highlighted source and outputs, run status and parameters on top.
/// plotly.js is inlined once in <c>&lt;head&gt;</c> when the page has charts (each chart's own HTML is only a div and
/// a <c>Plotly.newPlot</c> call), so a report needs no network. Tags honoured: <c>remove-cell</c>,
/// <c>remove-input</c>/<c>hide-input</c>, <c>remove-output</c>.
/// </summary>
public static partial class HtmlReport
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    private static readonly string[] MimeOrder =
        ["text/html", "image/svg+xml", "image/png", "image/jpeg", "image/gif", "text/markdown", "text/latex", "application/json", "text/plain"];

    /// <summary>Markdown as HTML (CommonMark + pipe tables, emphasis extras, auto links, …).</summary>
    public static string Markdown(string markdown) => Markdig.Markdown.ToHtml(markdown, Pipeline);

    public static void Write(Notebook executed, string path, HtmlReportOptions? options = null) =>
        AtomicFile.WriteAllText(path, Render(executed, options));

    public static string Render(Notebook executed, HtmlReportOptions? options = null)
    {
        options ??= new HtmlReportOptions();
        var run = executed.Metadata[NotebookRunner.MetadataKey] as JsonObject;
        string title = options.Title ?? executed.Title() ?? options.NotebookName ?? "Notebook";

        var body = new StringBuilder();
        bool hasCharts = false;
        foreach (var cell in executed.Cells)
        {
            if (cell.HasTag("remove-cell")) continue;
            switch (cell.CellType)
            {
                case CellType.Markdown:
                    body.Append("<section class=\"cell markdown\" id=\"cell-").Append(Html.Escape(cell.Id)).Append("\">\n")
                        .Append(WithAttachments(Markdown(cell.Source), cell.Attachments)).Append("</section>\n");
                    break;
                case CellType.Raw:
                    string format = Str(cell.Metadata["format"]) ?? Str(cell.Metadata["raw_mimetype"]) ?? "";
                    body.Append("<section class=\"cell raw\" id=\"cell-").Append(Html.Escape(cell.Id)).Append("\">")
                        .Append(format == "text/html" ? cell.Source : "<pre>" + Html.Escape(cell.Source) + "</pre>").Append("</section>\n");
                    break;
                default:
                    hasCharts |= CodeCell(body, cell, run, options);
                    break;
            }
        }

        var head = new StringBuilder();
        head.Append("<header class=\"run\">\n");
        if (options.IndexHref is not null) head.Append("<nav><a href=\"").Append(Html.Escape(options.IndexHref)).Append("\">← all notebooks</a></nav>\n");
        head.Append(RunSummary(run, options));
        head.Append("</header>\n");

        string plotly = !hasCharts ? "" : options.PlotlyJsSrc is { } src ? PlotlyJs.ScriptReference(src) : PlotlyJs.ScriptElement(guard: false);
        return Page(title, plotly, head + "<main>\n" + body + "</main>\n");
    }

    private static string RunSummary(JsonObject? run, HtmlReportOptions options)
    {
        var sb = new StringBuilder("<dl class=\"facts\">\n");
        if (options.NotebookName is not null)
            sb.Append("<dt>notebook</dt><dd><code>").Append(Html.Escape(options.NotebookName)).Append("</code>")
              .Append(options.NotebookHref is null ? "" : $" (<a href=\"{Html.Escape(options.NotebookHref)}\">executed .ipynb</a>)").Append("</dd>\n");
        if (run is not null)
        {
            string status = Str(run["status"]) ?? "not run";
            sb.Append("<dt>status</dt><dd class=\"status ").Append(status == "ok" ? "ok" : "failed").Append("\">");
            if (status == "failed" && run["failed_cell"] is JsonObject f)
            {
                sb.Append("failed at <a href=\"#cell-").Append(Html.Escape(Str(f["id"]))).Append("\">cell ")
                  .Append(Html.Escape(f["index"] is JsonValue iv ? (iv.GetValue<int>() + 1).ToString(CultureInfo.InvariantCulture) : "?"))
                  .Append(" (code cell ").Append(Html.Escape(f["code_cell"]?.ToJsonString())).Append('/').Append(Html.Escape(f["code_cells"]?.ToJsonString()))
                  .Append(")</a>: <code>").Append(Html.Escape(Str(f["error"]))).Append("</code>");
            }
            else sb.Append(Html.Escape(status));
            sb.Append("</dd>\n");
            if (run["duration_s"] is JsonValue d)
                sb.Append("<dt>run</dt><dd>").Append(d.GetValue<double>().ToString("0.00", CultureInfo.InvariantCulture)).Append(" s")
                  .Append(Str(run["start_time"]) is { } st ? $", started {Html.Escape(st)}" : "").Append("</dd>\n");
            if (run["parameters"] is JsonObject ps && ps.Count > 0)
            {
                sb.Append("<dt>parameters</dt><dd>");
                sb.Append(string.Join(", ", ps.Select(p => $"<code>{Html.Escape(p.Key)} = {Html.Escape(Str(p.Value) ?? p.Value?.ToJsonString())}</code>")));
                sb.Append("</dd>\n");
            }
        }
        sb.Append("</dl>\n");
        return sb.ToString();
    }

    /// <summary>Renders a code cell; true if its outputs contain a Plotly chart.</summary>
    private static bool CodeCell(StringBuilder sb, NotebookCell cell, JsonObject? run, HtmlReportOptions options)
    {
        bool failed = run?["failed_cell"]?["id"] is JsonValue fid && fid.GetValue<string>() == cell.Id;
        bool notRun = cell.ExecutionCount is null && !string.IsNullOrWhiteSpace(cell.Source) && run is not null;
        var classes = new List<string> { "cell", "code" };
        if (failed) classes.Add("failed");
        if (notRun) classes.Add("not-run");
        if (cell.HasTag(NotebookParameters.ParametersTag)) classes.Add("parameters");
        if (cell.HasTag(NotebookParameters.InjectedTag)) classes.Add("injected");
        sb.Append("<section class=\"").Append(string.Join(' ', classes)).Append("\" id=\"cell-").Append(Html.Escape(cell.Id)).Append("\">\n");

        bool showInput = options.ShowCode && !cell.HasTag("remove-input") && !cell.HasTag("hide-input");
        if (showInput)
        {
            string prompt = cell.ExecutionCount is int n ? $"In [{n}]" : "In [ ]";
            sb.Append("<div class=\"input\"><div class=\"prompt\">").Append(prompt);
            if (cell.HasTag(NotebookParameters.ParametersTag)) sb.Append(" <span class=\"tag\">parameters</span>");
            if (cell.HasTag(NotebookParameters.InjectedTag)) sb.Append(" <span class=\"tag\">injected parameters</span>");
            if (notRun) sb.Append(" <span class=\"tag\">not run</span>");
            sb.Append("</div><pre class=\"source\"><code class=\"language-csharp\">")
              .Append(CSharpHighlighter.ToHtml(cell.Source)).Append("</code></pre></div>\n");
        }

        bool charts = false;
        if (!cell.HasTag("remove-output") && cell.Outputs.Count > 0)
        {
            sb.Append("<div class=\"outputs\">\n");
            foreach (var output in cell.Outputs) charts |= Output(sb, output);
            sb.Append("</div>\n");
        }
        sb.Append("</section>\n");
        return charts;
    }

    private static bool Output(StringBuilder sb, NotebookOutput output)
    {
        switch (output)
        {
            case StreamOutput s:
                sb.Append("<div class=\"output stream ").Append(s.Name == StreamOutput.Stderr ? "stderr" : "stdout").Append("\"><pre>")
                  .Append(Html.Escape(StripAnsi(s.Text))).Append("</pre></div>\n");
                return false;
            case ErrorOutput e:
                sb.Append("<div class=\"output error\"><pre>");
                var lines = e.Traceback.Count > 0 ? e.Traceback : [$"{e.EName}: {e.EValue}"];
                sb.Append(Html.Escape(StripAnsi(string.Join("\n", lines)))).Append("</pre></div>\n");
                return false;
            case DisplayDataOutput d:
                if (d.Metadata[NotebookRunner.MetadataKey]?[NotebookSession.PlotlyJsMetadataKey] is not null) return false; // plotly.js is in <head>
                string? mime = MimeOrder.FirstOrDefault(d.Data.Contains) ?? d.Data.MimeTypes.FirstOrDefault();
                if (mime is null) return false;
                string text = d.Data.GetText(mime) ?? "";
                string prompt = d is ExecuteResultOutput { ExecutionCount: int n } ? $"<div class=\"prompt out\">Out[{n}]</div>" : "";
                sb.Append("<div class=\"output ").Append(mime == "text/html" ? "html" : mime.StartsWith("image/", StringComparison.Ordinal) ? "image" : "text")
                  .Append("\">").Append(prompt);
                sb.Append(mime switch
                {
                    "text/html" => text,
                    "image/svg+xml" => text,
                    "image/png" or "image/jpeg" or "image/gif" => $"<img src=\"data:{mime};base64,{Regex.Replace(text, @"\s", "")}\" alt=\"\">",
                    "text/markdown" => Markdown(text),
                    "application/json" => "<pre>" + Html.Escape(PrettyJson(d.Data.Get(mime))) + "</pre>",
                    _ => "<pre>" + Html.Escape(StripAnsi(text)) + "</pre>",
                });
                sb.Append("</div>\n");
                return mime == "text/html" && text.Contains("Plotly.newPlot(", StringComparison.Ordinal);
            default:
                return false;
        }
    }

    private static string PrettyJson(JsonNode? node) =>
        node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "";

    [GeneratedRegex(@"\x1b\[[0-9;]*[A-Za-z]")]
    private static partial Regex Ansi();

    private static string StripAnsi(string s) => Ansi().Replace(s, "");

    /// <summary>Replaces <c>attachment:name</c> image sources with data URIs from the cell's attachments.</summary>
    private static string WithAttachments(string html, JsonObject? attachments)
    {
        if (attachments is null || attachments.Count == 0) return html;
        return Regex.Replace(html, "(src|href)=\"attachment:([^\"]+)\"", m =>
        {
            string name = Uri.UnescapeDataString(m.Groups[2].Value);
            if (attachments[name] is not JsonObject bundle || bundle.FirstOrDefault() is not { Value: JsonNode data } first) return m.Value;
            string payload = data is JsonArray a ? string.Concat(a.Select(x => x?.GetValue<string>())) : data.GetValue<string>();
            return $"{m.Groups[1].Value}=\"data:{first.Key};base64,{Regex.Replace(payload, @"\s", "")}\"";
        });
    }

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>A complete page with the reports' stylesheet.</summary>
    internal static string Page(string title, string headExtra, string body) =>
        $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="P2PFlex.Notebooks">
        <title>{Html.Escape(title)}</title>
        <style>
        {Css}
        </style>
        {headExtra}
        </head>
        <body>
        {body}
        </body>
        </html>

        """;

    internal const string Css = """
        :root { --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --code-bg: #f6f8fa; --accent: #0969da; --bad: #d1242f; --good: #1a7f37; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--fg); background: #fff; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        header.run, main, .page { max-width: 1200px; margin: 0 auto; padding: 0 2rem; }
        header.run { padding-top: 1rem; border-bottom: 1px solid var(--border); }
        header.run nav { font-size: .9rem; }
        main { padding-bottom: 4rem; }
        a { color: var(--accent); }
        h1, h2, h3, h4 { line-height: 1.25; margin: 1.6em 0 .6em; }
        h1 { font-size: 2rem; border-bottom: 1px solid var(--border); padding-bottom: .3em; }
        h2 { font-size: 1.5rem; border-bottom: 1px solid var(--border); padding-bottom: .2em; }
        code, pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: .85rem; }
        :not(pre) > code { background: var(--code-bg); padding: .1em .35em; border-radius: 4px; }
        pre { margin: 0; padding: .75rem 1rem; overflow-x: auto; white-space: pre; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .8rem 0 1rem; font-size: .92rem; }
        dl.facts dt { color: var(--muted); }
        dl.facts dd { margin: 0; }
        .status.ok { color: var(--good); font-weight: 600; }
        .status.failed { color: var(--bad); font-weight: 600; }
        .cell { margin: 1.2rem 0; }
        .cell.code { border-left: 3px solid transparent; padding-left: .6rem; }
        .cell.failed { border-left-color: var(--bad); }
        .cell.not-run { opacity: .55; }
        .prompt { color: var(--muted); font: .75rem/1.6 ui-monospace, monospace; }
        .tag { display: inline-block; border: 1px solid var(--border); border-radius: 10px; padding: 0 .5em; margin-left: .3em; font-family: system-ui, sans-serif; }
        .input pre.source { background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; }
        .source .kw { color: #cf222e; } .source .str { color: #0a3069; } .source .num { color: #0550ae; }
        .source .com { color: #6e7781; font-style: italic; } .source .pre { color: #8250df; }
        /* wide outputs (charts, tables) scroll sideways instead of being cut off */
        .outputs { margin-top: .4rem; }
        .output { max-width: 100%; overflow-x: auto; margin: .3rem 0; }
        .output.stream pre, .output.text pre { background: #fff; border: 1px solid var(--border); border-radius: 6px; }
        .output.stream.stderr pre { background: #fff8c5; }
        .output.error pre { background: #ffebe9; border: 1px solid #ff818266; border-radius: 6px; color: #82071e; }
        .output.image img { max-width: none; }
        table { border-collapse: collapse; margin: .6rem 0; font-size: .9rem; }
        th, td { border: 1px solid var(--border); padding: .3rem .65rem; vertical-align: top; }
        thead th { background: var(--code-bg); }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.missing { color: var(--muted); }
        caption { caption-side: top; text-align: left; color: var(--muted); font-size: .8rem; padding-bottom: .2rem; }
        .markdown table { display: block; max-width: 100%; overflow-x: auto; }
        .markdown img { max-width: 100%; }
        .deedle-frame { overflow-x: auto; }
        tr.ok td.status { color: var(--good); } tr.failed td.status { color: var(--bad); font-weight: 600; }
        .pdf-facts dl.facts { margin-top: 0; }
        /* printing (a browser's print, p2pflex --pdf): no navigation, nothing cut off sideways; a chart, a table row, an
           HTML output or an image never split across two pages; code and text outputs break between lines, never
           leaving fewer than four lines of a block on a page (a long first code cell starts on the title's page instead of
           leaving it empty); headings stay with what follows them. (p2pflex --pdf adds its own page rules: PdfExport.) */
        @page { size: A4; margin: 12mm; }
        @media print {
          body { font-size: 11pt; }
          header.run, main, .page { max-width: none; padding-left: 0; padding-right: 0; }
          header.run nav { display: none; }
          .output, .deedle-frame, .markdown table { overflow: visible; }
          pre { white-space: pre-wrap; overflow-wrap: anywhere; orphans: 4; widows: 4; }
          .output.html, .output.image, .js-plotly-plot, .plotly-graph-div, svg.main-svg,
          tr, img, figure, .pdf-facts, dl.facts { break-inside: avoid; }
          h1, h2, h3, h4, caption, .prompt { break-after: avoid; }
          table { font-size: 8.5pt; }
          th, td { padding: .15rem .25rem; }
          /* a long text column gives up its screen width on paper, so a wide table needs less room */
          td.long { min-width: 7em !important; }
          a { color: inherit; text-decoration: none; }
          .modebar-container, .modebar { display: none !important; }   /* Plotly's toolbar does nothing on paper */
        }
        """;
}
