using P2PFlex.Display;
using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Notebooks;

public class RunnerTests(StudyRunFixture run) : IClassFixture<StudyRunFixture>
{
    private Notebook Executed => run.Result.Notebook;

    private NotebookCell Cell(string sourceFragment) =>
        Executed.Cells.Single(c => c.CellType == CellType.Code && c.Source.Contains(sourceFragment, StringComparison.Ordinal));

    [Fact]
    public void Variables_carry_across_cells_and_the_trailing_expression_is_an_execute_result()
    {
        var cell = Cell("prices.Length");
        var result = Assert.Single(cell.Outputs.OfType<ExecuteResultOutput>());
        Assert.Equal("3", result.Data.GetText("text/plain"));
        Assert.Contains("<pre>3</pre>", result.Data.GetText("text/html"));
        Assert.Equal(cell.ExecutionCount, result.ExecutionCount);
        // the frame cell uses `prices` (cell 3) and `alpha` (parameters) again
        Assert.Contains("scaled", Cell("Frame.FromColumns").Outputs.OfType<ExecuteResultOutput>().Single().Data.GetText("text/plain"));
    }

    [Fact]
    public void Console_output_is_a_stdout_stream_in_order_with_displays()
    {
        var outputs = Cell("display(chart)").Outputs;
        int chart = outputs.FindIndex(o => o is DisplayDataOutput d && d.Data.GetText("text/html")!.Contains("<div id=\"plotly-"));
        int stream = outputs.FindIndex(o => o is StreamOutput);
        Assert.True(chart >= 0 && stream > chart, "the chart, then the line printed after it");
        var s = (StreamOutput)outputs[stream];
        Assert.Equal(StreamOutput.Stdout, s.Name);
        Assert.Equal("after chart\n", s.Text);
    }

    [Fact]
    public void Parameters_are_injected_after_the_parameters_cell_and_override_the_defaults()
    {
        int p = Executed.Cells.FindIndex(c => c.HasTag(NotebookParameters.ParametersTag));
        var injected = Executed.Cells[p + 1];
        Assert.True(injected.HasTag(NotebookParameters.InjectedTag));
        Assert.Contains("alpha = 0.25;", injected.Source);
        Assert.Contains("label = \"hi \\\"quoted\\\"\";", injected.Source);
        Assert.Contains("var extra = 7;", injected.Source);    // not declared: papermill injects it anyway
        var printed = Cell("prices.Length").Outputs.OfType<StreamOutput>().Single().Text;
        Assert.Equal("alpha=0.25 label=hi \"quoted\" rounds=3\n", printed);

        var recorded = NotebookRunner.RunMetadata(Executed)["parameters"]!.AsObject();
        Assert.Equal("0.25", recorded["alpha"]!.GetValue<string>());
        Assert.Equal(3, run.Result.Parameters.Parameters.Count);
        Assert.False(run.Result.Parameters.Parameters.Single(x => x.Name == "extra").Declared);
        Assert.Contains(run.Progress, e => e.Kind == NotebookProgressKind.Warning && e.Message!.Contains("'extra'"));
    }

    [Fact]
    public void A_plotly_chart_is_a_div_with_newPlot_and_plotly_js_comes_once_before_it()
    {
        var outputs = Cell("display(chart)").Outputs;
        var chart = outputs.OfType<DisplayDataOutput>().Single(d => d.Metadata.Count == 0 && d.Data.GetText("text/html")!.Contains("Plotly.newPlot("));
        string html = chart.Data.GetText("text/html")!;
        Assert.Matches("<div id=\"plotly-[0-9a-f]{8}-1\"[ >]", html);
        Assert.DoesNotContain("require", html);
        Assert.DoesNotContain("cdn.plot.ly", html);
        Assert.StartsWith("Plotly chart: 1 trace", chart.Data.GetText("text/plain"));

        // plotly.js: one output in the whole notebook, right before the first chart, marked for the report writer
        var libraries = Executed.Cells.SelectMany(c => c.Outputs).OfType<DisplayDataOutput>()
            .Where(d => d.Metadata["p2pflex"]?["plotlyjs"] is not null).ToList();
        var library = Assert.Single(libraries);
        Assert.Equal(outputs.IndexOf(chart) - 1, outputs.IndexOf(library));
        Assert.Contains(PlotlyJs.Source[..200], library.Data.GetText("text/html"));
        Assert.Contains("(function(define, module, exports)", library.Data.GetText("text/html"));
    }

    [Fact]
    public void A_deedle_frame_is_an_html_table()
    {
        var result = Cell("Frame.FromColumns").Outputs.OfType<ExecuteResultOutput>().Single();
        string html = result.Data.GetText("text/html")!;
        Assert.Contains("<table>", html);
        Assert.Contains("<th>price</th><th>scaled</th>", html);
        // 10 * alpha (0.25, injected): right-aligned even where CSS is stripped, with the column's one number of decimals
        Assert.Contains("<td class=\"num\" style=\"text-align: right\">2.500</td>", html);
        Assert.Contains("<td class=\"num\" style=\"text-align: right\">3.125</td>", html);
        Assert.Contains("3 rows × 2 columns", html);
    }

    [Fact]
    public void A_failing_cell_gives_an_error_output_and_later_cells_do_not_run()
    {
        var failing = Cell("boom in cell");
        Assert.False(run.Result.Succeeded);
        Assert.Equal(failing.Id, run.Result.FailedCell!.Id);
        Assert.Equal(Executed.Cells.IndexOf(failing), run.Result.FailedCell.Index);
        Assert.Equal(6, run.Result.FailedCell.CodeCellNumber);
        Assert.Equal(7, run.Result.FailedCell.CodeCellCount);

        Assert.Equal("before the throw\n", Assert.IsType<StreamOutput>(failing.Outputs[0]).Text);
        var error = Assert.IsType<ErrorOutput>(failing.Outputs[^1]);
        Assert.Equal("System.InvalidOperationException", error.EName);
        Assert.Equal("boom in cell", error.EValue);
        Assert.Contains(error.Traceback, l => l.Contains("[cell ") && l.Contains(":line 2"));
        Assert.Same(error, run.Result.Error);

        var after = Cell("must not run");
        Assert.Empty(after.Outputs);
        Assert.Null(after.ExecutionCount);
        Assert.Equal("failed", NotebookRunner.RunMetadata(Executed)["status"]!.GetValue<string>());
        Assert.Contains("cell 8 (code cell 6/7", run.Result.Describe());
    }

    [Fact]
    public void Execution_counts_and_progress_follow_the_code_cells()
    {
        var counts = Executed.Cells.Where(c => c.CellType == CellType.Code).Select(c => c.ExecutionCount).ToList();
        Assert.Equal(new int?[] { 1, 2, 3, 4, 5, 6, null }, counts);
        Assert.Equal(6, run.Progress.Count(p => p.Kind == NotebookProgressKind.CellFinished));
        Assert.Equal(NotebookProgressKind.NotebookFinished, run.Progress[^1].Kind);
        Assert.False(run.Progress[^1].Succeeded);
    }

    [Fact]
    public void The_input_notebook_is_not_modified()
    {
        Assert.Equal(run.InputJson, NotebookJson.Serialize(run.Input));
    }

    [Fact]
    public void The_executed_notebook_round_trips_through_the_writer_and_reader()
    {
        string json = NotebookJson.Serialize(Executed);
        var back = NotebookJson.Parse(json);
        Assert.Equal(json, NotebookJson.Serialize(back));
        Assert.Equal(Executed.Cells.Count, back.Cells.Count);
        for (int i = 0; i < back.Cells.Count; i++)
        {
            var (a, b) = (Executed.Cells[i], back.Cells[i]);
            Assert.Equal((a.Id, a.CellType, a.Source, a.ExecutionCount), (b.Id, b.CellType, b.Source, b.ExecutionCount));
            Assert.Equal(a.Outputs.Select(o => o.OutputType), b.Outputs.Select(o => o.OutputType));
        }
        var error = back.Cells.SelectMany(c => c.Outputs).OfType<ErrorOutput>().Single();
        Assert.Equal("boom in cell", error.EValue);
        Assert.Equal(".net-csharp", back.Metadata["kernelspec"]!["name"]!.GetValue<string>());
        Assert.Equal("csharp", back.Metadata["polyglot_notebook"]!["kernelInfo"]!["defaultKernelName"]!.GetValue<string>());
        Assert.All(back.Cells.Where(c => c.CellType == CellType.Code),
            c => Assert.Equal("csharp", c.Metadata["polyglot_notebook"]!["kernelName"]!.GetValue<string>()));
        Assert.Equal(5, back.NbFormatMinor);
    }

    [Fact]
    public void The_report_has_plotly_js_exactly_once_and_the_rendered_markdown()
    {
        string html = HtmlReport.Render(Executed, new HtmlReportOptions { NotebookName = "study.ipynb", NotebookHref = "study.ipynb" });
        Assert.Equal(1, Occurrences(html, PlotlyJs.Source[..300]));
        Assert.True(html.IndexOf(PlotlyJs.Source[..300], StringComparison.Ordinal) < html.IndexOf("</head>", StringComparison.Ordinal));
        Assert.DoesNotContain("<script src", html);
        Assert.Contains("Plotly.newPlot(", html);
        Assert.Contains("<h1 id=\"sample-study\">Sample study</h1>", html);
        Assert.Contains("<em>small</em>", html);
        Assert.Contains("<code>code</code>", html);
        Assert.Contains("<a href=\"https://example.org\">link</a>", html);
        Assert.Contains("<li>one</li>", html);
        Assert.Contains("<th>a</th>", html);
        Assert.Contains("<title>Sample study</title>", html);
        Assert.Contains("failed at <a href=\"#cell-", html);
        Assert.Contains("<code>alpha = 0.25</code>", html);
        Assert.Contains("<span class=\"kw\">double</span>", html);   // highlighted source
        Assert.Contains("boom in cell", html);
        Assert.Contains("not run", html);
    }

    private static int Occurrences(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
