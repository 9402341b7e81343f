using System.Globalization;
using System.Text;

using P2PFlex.Display;
using P2PFlex.IO;
using P2PFlex.Scenarios;

namespace P2PFlex.Notebooks;

/// <summary>One notebook on the index page.</summary>
public sealed record IndexEntry(
    string Name,
    string? Title,
    string? ReportHref,
    string? NotebookHref,
    bool Succeeded,
    string? Failure,
    TimeSpan Elapsed,
    IReadOnlyDictionary<string, string> Parameters);

/// <summary>What the index page shows besides the list of notebooks.</summary>
public sealed class IndexPageOptions
{
    public string Title { get; init; } = "P2PFlex notebooks";

    /// <summary>Markdown shown under the title.</summary>
    public string? IntroMarkdown { get; init; }

    /// <summary>Tables shown under the list of notebooks (passed in by the caller, e.g. the CLI's reproduce command).</summary>
    public IReadOnlyList<TextTable> Summary { get; init; } = [];

    /// <summary>What each run printed (<see cref="NotebookTextResults"/>), shown under the tables as preformatted text.</summary>
    public IReadOnlyList<PrintedResults> Printed { get; init; } = [];
}

/// <summary>What one run of a notebook printed: its name as listed (<c>05-scenario-3.ipynb (W = 0.35)</c>) and its texts.</summary>
public sealed record PrintedResults(string Run, IReadOnlyList<string> Texts);

/// <summary>The <c>index.html</c> of a batch: links to each report and executed notebook, status, time, parameters, summary tables.</summary>
public static class IndexPage
{
    public static void Write(string path, IReadOnlyList<IndexEntry> entries, IndexPageOptions? options = null) =>
        AtomicFile.WriteAllText(path, Render(entries, options));

    public static string Render(IReadOnlyList<IndexEntry> entries, IndexPageOptions? options = null)
    {
        options ??= new IndexPageOptions();
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("<main>\n<h1>").Append(Html.Escape(options.Title)).Append("</h1>\n");
        if (options.IntroMarkdown is not null) sb.Append("<div class=\"markdown\">").Append(HtmlReport.Markdown(options.IntroMarkdown)).Append("</div>\n");
        int failed = entries.Count(e => !e.Succeeded);
        sb.Append("<p class=\"status ").Append(failed == 0 ? "ok" : "failed").Append("\">")
          .Append(failed == 0 ? $"all {entries.Count} notebook{(entries.Count == 1 ? "" : "s")} ran without error"
                              : $"{failed} of {entries.Count} notebook{(entries.Count == 1 ? "" : "s")} failed")
          .Append("</p>\n");

        sb.Append("<table class=\"notebooks\">\n<thead><tr><th>notebook</th><th>status</th><th>time</th><th>parameters</th><th>files</th></tr></thead>\n<tbody>\n");
        foreach (var e in entries)
        {
            sb.Append("<tr class=\"").Append(e.Succeeded ? "ok" : "failed").Append("\"><td>");
            string label = Html.Escape(e.Title ?? e.Name);
            sb.Append(e.ReportHref is null ? label : $"<a href=\"{Html.Escape(e.ReportHref)}\">{label}</a>");
            if (e.Title is not null) sb.Append("<br><code>").Append(Html.Escape(e.Name)).Append("</code>");
            sb.Append("</td><td class=\"status\">").Append(e.Succeeded ? "ok" : "FAILED: " + Html.Escape(e.Failure)).Append("</td>");
            sb.Append("<td class=\"num\">").Append(e.Elapsed.TotalSeconds.ToString("0.0", ci)).Append(" s</td><td>");
            sb.Append(string.Join(", ", e.Parameters.Select(p => $"<code>{Html.Escape(p.Key)}={Html.Escape(p.Value)}</code>")));
            sb.Append("</td><td>");
            var files = new List<string>();
            if (e.ReportHref is not null) files.Add($"<a href=\"{Html.Escape(e.ReportHref)}\">html</a>");
            if (e.NotebookHref is not null) files.Add($"<a href=\"{Html.Escape(e.NotebookHref)}\">ipynb</a>");
            sb.Append(string.Join(" · ", files)).Append("</td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");

        foreach (var table in options.Summary) sb.Append(Table(table));
        if (options.Printed.Count > 0)
        {
            sb.Append("<h2>What each notebook printed</h2>\n");
            foreach (var run in options.Printed)
            {
                sb.Append("<h3>").Append(Html.Escape(run.Run)).Append("</h3>\n");
                sb.Append(run.Texts.Count == 0 ? "<p>(nothing)</p>\n" : "<pre class=\"printed\">" + Html.Escape(string.Join("\n\n", run.Texts)) + "</pre>\n");
            }
        }
        sb.Append("</main>\n");
        return HtmlReport.Page(options.Title, "", sb.ToString());
    }

    /// <summary>A summary table as HTML (<see cref="TableHtml"/>: the same cells as in the notebooks and the CLI).</summary>
    public static string Table(TextTable table) => "<div class=\"output\">" + TableHtml.Render(table) + "</div>\n";
}
