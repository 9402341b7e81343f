using Plotly.NET.CSharp;
using Microsoft.FSharp.Core;
using P2PFlex.Display;
using P2PFlex.Notebooks;
using Plotly.NET;

namespace P2PFlex.Notebooks.Tests.Notebooks;

/// <summary>Reader/writer, parameter literals, chart HTML, highlighting, markdown: no script runs.</summary>
public class FormatTests
{
    [Fact]
    public void Reads_nbformat_4_4_with_string_sources_and_no_ids_and_keeps_unknown_metadata()
    {
        const string json = """
            {"cells": [
              {"cell_type": "markdown", "metadata": {}, "source": "# Title\nText"},
              {"cell_type": "code", "execution_count": 3, "metadata": {"custom": {"k": 1}}, "outputs": [
                 {"output_type": "stream", "name": "stdout", "text": ["a\n", "b\n"]},
                 {"output_type": "execute_result", "execution_count": 3, "metadata": {},
                  "data": {"text/plain": ["x"], "application/json": {"a": [1, 2]}}}],
               "source": ["x = 1\n", "x"]},
              {"cell_type": "raw", "metadata": {}, "source": "raw"}],
             "metadata": {"kernelspec": {"name": "other"}, "mine": [1, 2]},
             "nbformat": 4, "nbformat_minor": 4}
            """;
        var nb = NotebookJson.Parse(json);
        Assert.Equal(5, nb.NbFormatMinor);
        Assert.All(nb.Cells, c => Assert.True(CellIds.IsValid(c.Id)));
        Assert.Equal(3, nb.Cells.Select(c => c.Id).Distinct().Count());
        Assert.Equal("# Title\nText", nb.Cells[0].Source);
        Assert.Equal("x = 1\nx", nb.Cells[1].Source);
        Assert.Equal("a\nb\n", ((StreamOutput)nb.Cells[1].Outputs[0]).Text);
        var result = (ExecuteResultOutput)nb.Cells[1].Outputs[1];
        Assert.Equal("{\"a\":[1,2]}", result.Data.GetText("application/json"));
        Assert.Equal("Title", nb.Title());

        string written = NotebookJson.Serialize(nb);
        Assert.Contains("\"nbformat_minor\": 5", written);
        Assert.Contains("\"mine\": [", written);
        Assert.Contains("\"custom\": {", written);
        Assert.Contains("\"source\": [\n    \"x = 1\\n\",\n    \"x\"\n   ]", written);
        Assert.Equal(written, NotebookJson.Serialize(NotebookJson.Parse(written)));
    }

    [Fact]
    public void Rejects_what_is_not_an_nbformat_4_notebook()
    {
        Assert.Contains("nbformat 3", Assert.Throws<NotebookFormatException>(() => NotebookJson.Parse("""{"nbformat": 3, "worksheets": []}""")).Message);
        Assert.Contains("not valid JSON", Assert.Throws<NotebookFormatException>(() => NotebookJson.Parse("{")).Message);
        Assert.Contains("unknown cell_type 'x'", Assert.Throws<NotebookFormatException>(() =>
            NotebookJson.Parse("""{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "x", "source": ""}]}""")).Message);
    }

    [Theory]
    [InlineData("0.25", "double", "0.25")]
    [InlineData("1", "double", "1.0")]
    [InlineData("-2.5e-3", "double", "-0.0025")]
    [InlineData("1e20", "double", "1E+20")]
    [InlineData("42", "int", "42")]
    [InlineData("42", "long", "42L")]
    [InlineData("0.1", "decimal", "0.1m")]
    [InlineData("True", "bool", "true")]
    [InlineData("a \"b\"\n\\c", "string", "\"a \\\"b\\\"\\n\\\\c\"")]
    [InlineData("null", "string?", "null")]
    public void Parameter_values_become_invariant_csharp_literals(string value, string type, string literal)
    {
        Assert.Equal(literal, NotebookParameters.TryLiteral(value, type, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("1,5", "double")]
    [InlineData("NaN", "double")]
    [InlineData("Infinity", "double")]
    [InlineData("-Infinity", "double")]
    [InlineData("1e999", "double")]
    [InlineData("2.5", "int")]
    [InlineData("yes", "bool")]
    [InlineData("99999999999", "int")]
    public void Values_not_of_the_declared_type_are_problems(string value, string type)
    {
        Assert.Null(NotebookParameters.TryLiteral(value, type, out var problem));
        Assert.Contains($"'{value}' is not", problem);
    }

    [Theory]
    [InlineData("true", "true", "bool")]
    [InlineData("7", "7", "int")]
    [InlineData("10000000000", "10000000000L", "long")]
    [InlineData("0.5", "0.5", "double")]
    [InlineData("base", "\"base\"", "string")]
    public void Undeclared_parameters_get_an_inferred_type(string value, string literal, string type)
    {
        Assert.Equal(literal, NotebookParameters.InferLiteral(value, out var t));
        Assert.Equal(type, t);
    }

    [Fact]
    public void Declared_parameters_are_read_from_the_parameters_cell()
    {
        var d = NotebookParameters.Declared("#!csharp\n// defaults\ndouble alpha = 0.5, beta = 1;\nvar label = \"x\";\nvar n = -3;\nvar xs = new[] { 1 };\nConsole.WriteLine();");
        Assert.Equal(["alpha", "beta", "label", "n", "xs"], d.Select(p => p.Name));
        Assert.Equal(["double", "double", "string", "int", null], d.Select(p => p.Type));
    }

    [Fact]
    public void On_screen_a_chart_fits_its_container_wraps_a_long_title_and_puts_a_long_legend_below_while_the_chart_keeps_its_size()
    {
        var traces = Enumerable.Range(1, 9).Select(i => Plotly.NET.CSharp.Chart.Line<int, int, string>(x: new[] { 1, 2 }, y: new[] { i, i + 1 }, Name: $"series number {i}"));
        string title = "A title that is far too long for one line of a narrow notebook column, so it has to be wrapped somewhere sensible";
        var chart = Plotly.NET.Chart.withTitle(title, null).Invoke(Plotly.NET.CSharp.Chart.Combine(traces)).WithSize(1100, 450);
        var figure = PlotlyCharts.ToMimeJson(chart);
        var layout = figure["layout"]!.AsObject();
        Assert.False(layout.ContainsKey("width"));   // no fixed pixel width on screen
        Assert.True((bool)layout["autosize"]!);
        Assert.True((bool)figure["config"]!["responsive"]!);
        string wrapped = (string)layout["title"]!["text"]!;
        Assert.Equal(title, wrapped.Replace("<br>", " "));
        Assert.All(wrapped.Split("<br>"), line => Assert.True(line.Length <= PlotlyCharts.TitleLineChars, line));
        Assert.Equal("h", (string?)layout["legend"]!["orientation"]);   // nine entries: horizontal, below the plot
        Assert.True((double)layout["legend"]!["y"]! < 0);
        Assert.True((double)layout["height"]! > 450);                 // the plot keeps its height, the legend gets its own
        // the chart itself keeps the size asked for, which `p2pflex figures` exports at
        var own = System.Text.Json.Nodes.JsonNode.Parse(GenericChart.toFigureJson(chart))!["layout"]!;
        Assert.Equal(1100, (int)own["width"]!);
        Assert.Contains("<div id=\"c-2\" style=\"width: 100%; height: ", PlotlyCharts.ToHtml(chart, "c-2"));
    }

    [Fact]
    public void Chart_html_never_mutates_the_chart_and_never_loads_from_a_cdn()
    {
        var chart = Plotly.NET.CSharp.Chart.Line<int, int, string>(x: new[] { 1, 2 }, y: new[] { 3, 4 });
        var optionsBefore = GenericChart.getDisplayOptions(chart);
        var referenceBefore = DisplayOptions.tryGetPlotlyReference(optionsBefore);
        string html = PlotlyCharts.ToHtml(chart, "c-1");
        Assert.Contains("<div id=\"c-1\" style=\"width: 100%;", html);
        Assert.Contains("Plotly.newPlot('c-1'", html);
        Assert.Same(optionsBefore, GenericChart.getDisplayOptions(chart));
        Assert.Equal(referenceBefore, DisplayOptions.tryGetPlotlyReference(GenericChart.getDisplayOptions(chart)));
        Assert.True(html.Length < 50_000, "no library inlined");

        // A chart set up for require.js + CDN (as Plotly.NET.Interactive does) is drawn from a copy with plain script.
        var require = FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.NewRequire("https://cdn.plot.ly/plotly-2.28.0.min"));
        var required = GenericChart.setDisplayOptions(DisplayOptions.init(null, null, null, null, null, null, require), chart);
        string offline = PlotlyCharts.ToHtml(required);
        Assert.DoesNotContain("require", offline);
        Assert.DoesNotContain("cdn", offline);
        Assert.True(DisplayOptions.getPlotlyReference(GenericChart.getDisplayOptions(required)).IsRequire, "the user's chart keeps its options");
    }

    [Fact]
    public void Highlighting_keeps_the_source_text_exactly()
    {
        const string code = "#r \"nuget: Deedle\"\n// comment <b>\nvar s = $\"a{1}\" + @\"b\" + \"\"\"raw\"\"\";\nif (x < 2.5e3) { await Task.Yield(); } /* end */";
        string html = CSharpHighlighter.ToHtml(code);
        string text = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", ""));
        Assert.Equal(code, text);
        Assert.Contains("<span class=\"kw\">var</span>", html);
        Assert.Contains("<span class=\"com\">// comment &lt;b&gt;</span>", html);
        Assert.Contains("<span class=\"num\">2.5e3</span>", html);
        Assert.Contains("<span class=\"pre\">#r", html);
    }

    [Fact]
    public void Markdown_renders_headings_emphasis_code_lists_tables_and_links()
    {
        string html = HtmlReport.Markdown("## Head\n\n**bold** and *em*, `code`, [l](x.html)\n\n1. one\n2. two\n\n| k | v |\n|:--|--:|\n| a | 1 |\n\n```csharp\nvar x = 1;\n```\n");
        Assert.Contains("<h2 id=\"head\">Head</h2>", html);
        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("<em>em</em>", html);
        Assert.Contains("<code>code</code>", html);
        Assert.Contains("<a href=\"x.html\">l</a>", html);
        Assert.Contains("<ol>", html);
        Assert.Contains("<table>", html);
        Assert.Contains("<td style=\"text-align: right;\">1</td>", html);
        Assert.Contains("<pre><code class=\"language-csharp\">var x = 1;", html);
    }

    [Fact]
    public void Shipped_packages_carry_the_central_versions()
    {
        Assert.Equal("6.0.0", ShippedPackages.Find("plotly.net")!.Version);
        Assert.Equal("0.14.0", ShippedPackages.Find("Plotly.NET.CSharp")!.Version);
        Assert.Equal("8.1.0", ShippedPackages.Find("Deedle")!.Version);
        Assert.Equal("5.0.0", ShippedPackages.Find("MathNet.Numerics")!.Version);
        Assert.Null(ShippedPackages.Find("Unknown"));
    }
}
