using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using P2PFlex.Notebooks;
using P2PFlex.Notebooks.Tests.Export;

namespace P2PFlex.Notebooks.Tests.Study;

/// <summary>
/// The reports of the shared study run (<see cref="StudyNotebooksFixture"/>) printed to PDF as <c>reproduce --pdf</c>
/// prints them, read back through the PDF's text layer (poppler's <c>pdftotext -raw</c>, text in the order Chromium
/// drew it).
/// </summary>
public partial class StudyNotebooksTests
{
    /// <summary>
    /// Every PDF loses nothing and breaks no word: its title, every table's caption and every row of every table (the
    /// header rows and each row's cells read left to right, so a lost column, a row name or a header split inside a word
    /// fails), every chart title and every legend entry are in the text layer as the HTML has them; no table is printed
    /// below 7 pt; a table too wide for the portrait page is on a landscape page; the first page of 06 does not stay
    /// empty below the title (its long first code cell starts there).
    /// </summary>
    [Fact]
    public async Task Every_pdf_holds_its_title_every_table_row_and_every_legend_entry_in_whole_words()
    {
        string dir = fixture.OutDir + "-pdf";
        Directory.CreateDirectory(dir);
        string artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts", "pdf");
        Directory.CreateDirectory(artifacts);
        var missing = new List<string>();
        int rows = 0, chartTexts = 0, landscapeTables = 0;
        await using var browser = await ChromiumBrowser.LaunchAsync();
        try
        {
            var reports = fixture.Result.Notebooks.Select(n => (n.Name, Html: n.ReportPath!, Ipynb: n.ExecutedNotebookPath))
                .Append(("index", Path.Combine(fixture.OutDir, "index.html"), null));
            foreach (var (name, html, ipynb) in reports)
            {
                string pdfPath = Path.Combine(dir, Path.GetFileNameWithoutExtension(html) + ".pdf");
                var pdf = await PdfExport.WriteAsync(browser, html, pdfPath);
                // pdftotext ends every page with a form feed; the text is left beside the pictures for a person to read
                string raw = ExportFixture.Poppler("pdftotext", "-raw", pdfPath, "-");
                File.WriteAllText(Path.Combine(artifacts, Path.GetFileNameWithoutExtension(pdfPath) + ".txt"), raw);
                string[] pages = raw.Split('\f').SkipLast(1).Select(Words).ToArray();
                bool[] landscape = PageIsLandscape(pdfPath);
                Assert.Equal(pages.Length, landscape.Length);
                string text = string.Join(" ", pages);
                string page = File.ReadAllText(html);

                if (!text.Contains(Words(pdf.Title), StringComparison.Ordinal)) missing.Add($"{name}: title '{pdf.Title}'");

                Assert.Equal(TableElement().Matches(page).Count, pdf.Tables.Count);
                foreach (var table in pdf.Tables)
                {
                    if (table.TypePt < PdfExport.SmallestTablePt || table.BreaksWords)
                        missing.Add($"{name}: table '{table.Caption}' printed at {table.TypePt} pt{(table.BreaksWords ? ", breaking words" : "")}");
                    if (!table.Landscape) continue;
                    landscapeTables++;
                    var on = Enumerable.Range(0, pages.Length).Where(p => pages[p].Contains(Words(table.Caption), StringComparison.Ordinal)).ToArray();
                    if (on.Length == 0 || !on.All(p => landscape[p]))
                        missing.Add($"{name}: wide table '{table.Caption}' not on a landscape page (pages {string.Join(", ", on.Select(p => p + 1))})");
                }
                foreach (Match t in TableElement().Matches(page))
                {
                    if (CaptionElement().Match(t.Value) is { Success: true } caption && !text.Contains(Cell(caption.Groups["text"].Value), StringComparison.Ordinal))
                        missing.Add($"{name}: table caption '{Cell(caption.Groups["text"].Value)}'");
                    foreach (Match tr in RowElement().Matches(t.Value))
                    {
                        // normalised as a whole, as the page's text is (a dash cell followed by the next cell: "– cleared")
                        string row = Words(string.Join(" ", CellElement().Matches(tr.Value).Select(c => Cell(c.Groups["text"].Value))));
                        if (row.Length == 0) continue;
                        rows++;
                        if (!text.Contains(row, StringComparison.Ordinal)) missing.Add($"{name}: table row '{row}'");
                    }
                }
                if (ipynb is not null)
                    foreach (var (kind, label) in ChartTexts(ipynb))
                    {
                        chartTexts++;
                        if (!text.Contains(label, StringComparison.Ordinal)) missing.Add($"{name}: {kind} '{label}'");
                    }

                if (name.StartsWith("06-", StringComparison.Ordinal))
                {
                    // the title's page goes on with the first code cell instead of leaving it for page 2
                    string firstCode = Words(FirstCodeLine(ipynb!));
                    if (!pages[0].Contains(firstCode, StringComparison.Ordinal)) missing.Add($"{name}: page 1 ends before the first code cell ('{firstCode}')");
                }
                if (name.StartsWith("06-", StringComparison.Ordinal) || name.StartsWith("07-", StringComparison.Ordinal))
                    for (int p = 0; p < pages.Length; p++)
                        if (p == 0 || pages[p].Contains("Table 8", StringComparison.Ordinal) || pages[p].Contains("designs compared", StringComparison.Ordinal))
                            ExportFixture.Poppler("pdftoppm", "-r", "60", "-png", "-f", Num(p + 1), "-l", Num(p + 1), pdfPath,
                                Path.Combine(artifacts, Path.GetFileNameWithoutExtension(pdfPath) + "-page"));
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
        Assert.True(rows >= 80, $"{rows} table rows");
        Assert.True(chartTexts >= 40, $"{chartTexts} chart titles and legend entries");
        Assert.True(landscapeTables >= 2, $"{landscapeTables} tables on landscape pages (06's and 07's 16-column comparison)");
        Assert.True(missing.Count == 0, $"{missing.Count} texts missing from the PDFs or broken there:\n" + string.Join("\n", missing));
    }

    /// <summary>
    /// Whitespace collapsed to single spaces (a line break inside a wrapped cell, title or legend entry reads as a space),
    /// a line break after a hyphen or an en dash joined ("network-" / "auction" is the word "network-auction" broken
    /// where it may break, not inside a word; "30–" / "60 %" likewise) and no space before a comma, colon, semicolon or closing parenthesis (pdftotext puts one
    /// after the padding of an inline <c>code</c> box: "cm1 , cm1-extreme").
    /// </summary>
    private static string Words(string s) =>
        SpaceBeforePunctuation().Replace(HyphenBreak().Replace(Regex.Replace(s, @"\s+", " ").Trim(), "$1"), "$1");

    /// <summary>A table cell's (or caption's) text: tags removed, entities decoded, as <see cref="Words"/>.</summary>
    private static string Cell(string html) => Words(WebUtility.HtmlDecode(Regex.Replace(Regex.Replace(html, @"<br\s*/?>", " "), "<[^>]+>", "")));

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>Per page of the PDF (pdfinfo): wider than tall.</summary>
    private static bool[] PageIsLandscape(string pdf)
    {
        int pages = ExportFixture.PdfPages(pdf);
        return ExportFixture.Poppler("pdfinfo", "-f", "1", "-l", Num(pages), pdf).Split('\n')
            .Select(l => PageSize().Match(l)).Where(m => m.Success)
            .Select(m => double.Parse(m.Groups["w"].Value, CultureInfo.InvariantCulture) > double.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture))
            .ToArray();
    }

    /// <summary>The first line of the first code cell of an executed notebook (as the report shows it).</summary>
    private static string FirstCodeLine(string ipynb) =>
        Text(JsonNode.Parse(File.ReadAllText(ipynb))!["cells"]!.AsArray().First(c => (string?)c!["cell_type"] == "code")!["source"]!)
            .Split('\n').First(l => l.Trim().Length > 0);

    /// <summary>
    /// The texts every chart of an executed notebook must show on paper: each line of its title (tags removed) and
    /// each legend entry (a named trace that a legend shows: not hidden, not a heat map, in a chart whose legend is on).
    /// </summary>
    private static IEnumerable<(string Kind, string Text)> ChartTexts(string ipynb)
    {
        foreach (var output in ChartOutputs(ipynb))
        {
            var figure = output["data"]![P2PFlex.Display.PlotlyCharts.MimeType]!;
            var layout = figure["layout"]!;
            string? title = (layout["title"] as JsonObject)?["text"]?.GetValue<string>() ?? (layout["title"] as JsonValue)?.GetValue<string>();
            if (title is not null)
                foreach (var line in Regex.Split(title, @"<br\s*/?>"))
                    if (Cell(line) is { Length: > 0 } t) yield return ("chart title", t);
            if (layout["showlegend"] is JsonValue show && !show.GetValue<bool>()) continue;
            var named = figure["data"]!.AsArray().OfType<JsonObject>()
                .Where(t => t["showlegend"] is not JsonValue v || v.GetValue<bool>())
                .Where(t => (string?)t["type"] is not ("heatmap" or "contour" or "histogram2d"))
                .Select(t => (string?)t["name"]).Where(n => !string.IsNullOrEmpty(n)).Distinct().ToArray();
            if (named.Length < 2 && layout["showlegend"] is null) continue;   // plotly shows no legend for a single trace
            foreach (var n in named) yield return ("legend entry", Cell(n!));
        }
    }

    [GeneratedRegex(@"([-–])\s+")]
    private static partial Regex HyphenBreak();

    [GeneratedRegex(@"\s+([,;:)])")]
    private static partial Regex SpaceBeforePunctuation();

    [GeneratedRegex(@"<table\b.*?</table>", RegexOptions.Singleline)]
    private static partial Regex TableElement();

    [GeneratedRegex(@"<caption\b[^>]*>(?<text>.*?)</caption>", RegexOptions.Singleline)]
    private static partial Regex CaptionElement();

    [GeneratedRegex(@"<tr\b.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowElement();

    [GeneratedRegex(@"<t[hd]\b[^>]*>(?<text>.*?)</t[hd]>", RegexOptions.Singleline)]
    private static partial Regex CellElement();

    [GeneratedRegex(@"^Page\s+\d+\s+size:\s+(?<w>[\d.]+) x (?<h>[\d.]+)")]
    private static partial Regex PageSize();
}
