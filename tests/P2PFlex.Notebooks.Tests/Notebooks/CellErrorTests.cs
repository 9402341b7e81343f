using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Notebooks;

/// <summary>Directives, compile errors, parameter errors: each fails its cell with a clear error and stops the run.</summary>
public class CellErrorTests
{
    private static async Task<NotebookRunResult> Run(Notebook nb, Dictionary<string, string>? parameters = null) =>
        await NotebookRunner.RunAsync(nb, new NotebookRunOptions { Parameters = parameters, NotebookName = "t.ipynb" });

    [Fact]
    public async Task A_nuget_package_beyond_the_preloaded_ones_without_an_exact_version_is_rejected_in_its_cell()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddCode("var x = 1;");
        nb.AddCode("#r \"nuget: Pluralize.NET\"\nx + 1");
        nb.AddCode("x");
        var r = await Run(nb);

        Assert.False(r.Succeeded);
        Assert.Equal(2, r.FailedCell!.CodeCellNumber);
        var error = Assert.IsType<ErrorOutput>(Assert.Single(r.Notebook.Cells[1].Outputs));
        Assert.Equal("UnsupportedDirective", error.EName);
        Assert.StartsWith("line 1: package 'Pluralize.NET' needs an exact version, e.g. #r \"nuget: Pluralize.NET, 1.2.3\"", error.EValue);
        Assert.Empty(r.Notebook.Cells[2].Outputs);
    }

    [Fact]
    public async Task Shipped_packages_and_csharp_magics_are_accepted_other_magics_are_not()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddCode("#!csharp\n#r \"nuget: Deedle, 8.1.0\"\n#r \"nuget: Plotly.NET.Interactive, 5.0.0\"\n#r \"nuget: MathNet.Numerics, 4.0.0\"\nMatrix<double>.Build.DenseIdentity(2)[1, 1]");
        nb.AddCode("#!time\n1");
        var r = await Run(nb);

        var first = r.Notebook.Cells[0].Outputs;
        Assert.Equal("1", first.OfType<ExecuteResultOutput>().Single().Data.GetText("text/plain"));
        var note = first.OfType<StreamOutput>().Single();
        Assert.Equal(StreamOutput.Stderr, note.Name);
        Assert.Contains("'MathNet.Numerics' version 4.0.0 was asked for; the runner uses 5.0.0", note.Text);

        var error = r.Notebook.Cells[1].Outputs.OfType<ErrorOutput>().Single();
        Assert.Contains("'#!time' is not supported", error.EValue);
    }

    [Fact]
    public async Task A_compile_error_names_the_cells_own_line_and_column()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddCode("var a = 1;");
        nb.AddCode("// second cell\nvar b = c + a;");
        var r = await Run(nb);

        var error = Assert.IsType<ErrorOutput>(Assert.Single(r.Notebook.Cells[1].Outputs));
        Assert.Equal("CompilationError", error.EName);
        Assert.StartsWith("line 2, column 9: error CS0103: The name 'c' does not exist in the current context", error.EValue);
        Assert.Contains("   2 | var b = c + a;", error.Traceback);
        Assert.Contains("     |         ^", error.Traceback);
        Assert.Contains("CompilationError: line 2", r.Describe());
    }

    [Fact]
    public async Task A_bad_parameter_value_fails_the_injected_cell_before_anything_runs_after_it()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddCode("double alpha = 0.5;", NotebookParameters.ParametersTag);
        nb.AddCode("Console.WriteLine(alpha);");
        var r = await Run(nb, new() { ["alpha"] = "abc", ["bad name"] = "1" });

        Assert.False(r.Succeeded);
        var injected = r.Notebook.Cells[1];
        Assert.True(injected.HasTag(NotebookParameters.InjectedTag));
        var error = Assert.IsType<ErrorOutput>(Assert.Single(injected.Outputs));
        Assert.Equal("ParameterError", error.EName);
        Assert.Contains("parameter 'alpha' (double): 'abc' is not a finite number", error.EValue);
        Assert.Contains("'bad name' is not a valid C# variable name", error.EValue);
        Assert.Null(r.Notebook.Cells[2].ExecutionCount);
    }

    [Fact]
    public async Task Parameters_of_other_types_are_converted_to_the_declared_type()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddCode("StudyState state = StudyState.Base;\nvar limits = new[] { 1.0 };\nfloat f = 1f;\nlong n = 2;", NotebookParameters.ParametersTag);
        nb.AddCode("$\"{state} {limits.Length} {limits[1]} {f} {n}\"");
        var r = await Run(nb, new() { ["state"] = "extreme", ["limits"] = "0.8, 1.2", ["f"] = "2.5", ["n"] = "-3" });

        Assert.True(r.Succeeded, r.Describe());
        var injected = r.Notebook.Cells[1].Source;
        Assert.Contains("state = P2PFlex.Notebooks.Scripting.ParameterConvert.Like(state, \"extreme\", \"state\");", injected);
        Assert.Contains("f = 2.5f;", injected);
        Assert.Contains("n = -3L;", injected);
        Assert.Equal("Extreme 2 1.2 2.5 -3", r.Notebook.Cells[2].Outputs.OfType<ExecuteResultOutput>().Single().Data.GetText("text/plain"));
    }

    [Fact]
    public async Task Without_a_parameters_cell_parameters_go_first()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddMarkdown("# t");
        nb.AddCode("seed * 2");
        var r = await Run(nb, new() { ["seed"] = "21" });
        Assert.True(r.Notebook.Cells[0].HasTag(NotebookParameters.InjectedTag));
        Assert.False(r.Parameters.HasParametersCell);
        Assert.Equal("42", r.Notebook.Cells[2].Outputs.OfType<ExecuteResultOutput>().Single().Data.GetText("text/plain"));
    }

    [Fact]
    public async Task A_cell_for_another_kernel_is_an_error()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddCode("#!fsharp\nlet x = 1");
        var r = await Run(nb);
        Assert.Equal("UnsupportedKernel", r.Error!.EName);
    }

    [Fact]
    public async Task Display_update_html_and_the_Display_extension_work_as_in_dotnet_interactive()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddCode("var d = display(\"first\");\nd.Update(\"second\");\nHTML(\"<b>bold</b>\").Display();\ndisplay(HTML(\"<i>x</i>\"))");
        var r = await Run(nb);
        Assert.True(r.Succeeded, r.Describe());
        var outputs = r.Notebook.Cells[0].Outputs;
        Assert.Equal(3, outputs.Count);    // the trailing display(...) is not repeated as a result
        Assert.Equal("second", ((DisplayDataOutput)outputs[0]).Data.GetText("text/plain"));
        Assert.Equal("<b>bold</b>", ((DisplayDataOutput)outputs[1]).Data.GetText("text/html"));
        Assert.Equal("<i>x</i>", ((DisplayDataOutput)outputs[2]).Data.GetText("text/html"));
    }

    [Fact]
    public async Task Concurrent_runs_capture_only_their_own_console_output()
    {
        static Notebook Printer(string word)
        {
            var nb = Notebook.CreateCSharp();
            nb.AddCode($"for (int i = 0; i < 200; i++) {{ Console.Write(\"{word}\"); if (i % 20 == 0) await Task.Yield(); }}");
            return nb;
        }
        var runs = await Task.WhenAll(Run(Printer("a")), Run(Printer("b")));
        Assert.Equal(new string('a', 200), runs[0].Notebook.Cells[0].Outputs.OfType<StreamOutput>().Single().Text);
        Assert.Equal(new string('b', 200), runs[1].Notebook.Cells[0].Outputs.OfType<StreamOutput>().Single().Text);
    }
}
