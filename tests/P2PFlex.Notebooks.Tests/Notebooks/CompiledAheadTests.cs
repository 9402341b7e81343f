using System.Text.Json.Nodes;
using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Notebooks;

/// <summary>
/// The cells after the running one are compiled while it runs (<see cref="NotebookRunOptions.CompileCellsAhead"/>):
/// the executed notebook is the same as when each cell is compiled just before it runs, errors still name their cell,
/// and a cell whose compilation reads a file that an earlier cell writes waits for that cell.
/// </summary>
public class CompiledAheadTests
{
    private static Task<NotebookRunResult> Run(Notebook nb, bool ahead, string? baseDirectory = null) =>
        NotebookRunner.RunAsync(nb, new NotebookRunOptions { NotebookName = "t.ipynb", CompileCellsAhead = ahead, BaseDirectory = baseDirectory });

    /// <summary>The executed notebook as written, without the times measured.</summary>
    private static string WithoutTimes(Notebook nb)
    {
        var copy = nb.Clone();
        foreach (var cell in copy.Cells) (cell.Metadata[NotebookRunner.MetadataKey] as JsonObject)?.Remove("duration_s");
        var meta = NotebookRunner.RunMetadata(copy);
        meta.Remove("duration_s");
        meta.Remove("start_time");
        return NotebookJson.Serialize(copy);
    }

    [Fact]
    public async Task The_executed_notebook_is_the_same_as_with_each_cell_compiled_in_its_turn()
    {
        // Types, methods and lambdas declared in cells and used later, a chart, a frame, a value, stdout, then a
        // runtime error (the cells after it are compiled ahead but never run).
        var nb = SampleNotebooks.Study();
        nb.Cells.Insert(3, NewCode(nb, "record Reading(string Name, double Value);\ndouble Twice(double x) => 2 * x;\nFunc<double, double> half = x => x / 2;"));
        nb.Cells.Insert(4, NewCode(nb, "var readings = prices.Select((p, i) => new Reading($\"r{i}\", Twice(half(p)))).ToList();\nConsole.WriteLine(typeof(Reading).FullName);\nreadings"));
        var sequential = await Run(nb, ahead: false);
        var compiledAhead = await Run(nb, ahead: true);

        Assert.False(compiledAhead.Succeeded);
        Assert.Equal(sequential.FailedCell, compiledAhead.FailedCell);
        Assert.Equal(WithoutTimes(sequential.Notebook), WithoutTimes(compiledAhead.Notebook));
        // The submissions are numbered in the cells' order either way (Roslyn names a cell's types after it).
        var printed = compiledAhead.Notebook.Cells[4].Outputs.OfType<StreamOutput>().Single().Text;
        Assert.Equal("Submission#2+Reading\n", printed);
    }

    [Fact]
    public async Task A_compile_error_in_a_cell_compiled_ahead_names_that_cell_and_nothing_after_it_runs()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddCode("var a = 1;\nSystem.Threading.Thread.Sleep(200);");   // the next two cells are compiled while this one runs
        nb.AddCode("var b = a + 1;");
        nb.AddCode("// third cell\nvar c = missing + b;");
        nb.AddCode("Console.WriteLine(\"must not run\");");
        var r = await Run(nb, ahead: true);

        Assert.False(r.Succeeded);
        Assert.Equal(3, r.FailedCell!.CodeCellNumber);
        var error = Assert.IsType<ErrorOutput>(Assert.Single(r.Notebook.Cells[2].Outputs));
        Assert.Equal("CompilationError", error.EName);
        Assert.StartsWith("line 2, column 9: error CS0103: The name 'missing' does not exist in the current context", error.EValue);
        Assert.Contains("   2 | var c = missing + b;", error.Traceback);
        Assert.Empty(r.Notebook.Cells[3].Outputs);
        Assert.Null(r.Notebook.Cells[3].ExecutionCount);
        Assert.Equal(WithoutTimes((await Run(nb, ahead: false)).Notebook), WithoutTimes(r.Notebook));
    }

    [Fact]
    public async Task A_cell_that_loads_a_script_an_earlier_cell_writes_is_compiled_after_that_cell_ran()
    {
        string dir = Directory.CreateTempSubdirectory("p2pflex-ahead-").FullName;
        try
        {
            var nb = Notebook.CreateCSharp();
            string script = Path.Combine(dir, "written.csx").Replace("\\", "\\\\");
            nb.AddCode($"File.WriteAllText(\"{script}\", \"int FromFile() => 42;\");");
            nb.AddCode("#load \"written.csx\"\nFromFile()");
            nb.AddCode("FromFile() + 1");
            var r = await Run(nb, ahead: true, baseDirectory: dir);

            Assert.True(r.Succeeded, r.Describe());
            Assert.Equal("42", r.Notebook.Cells[1].Outputs.OfType<ExecuteResultOutput>().Single().Data.GetText("text/plain"));
            Assert.Equal("43", r.Notebook.Cells[2].Outputs.OfType<ExecuteResultOutput>().Single().Data.GetText("text/plain"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_runtime_error_names_its_cell_in_the_stack_trace()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddCode("int Fail() => throw new InvalidOperationException(\"boom\");");
        nb.AddCode("var x = 1;");
        nb.AddCode("var z = x + 1;\nvar y = Fail();");
        var r = await Run(nb, ahead: true);

        Assert.Equal(3, r.FailedCell!.CodeCellNumber);
        Assert.Equal("boom", r.Error!.EValue);
        Assert.Contains(r.Error.Traceback, line => line.Contains("t.ipynb [cell 1]:line 1", StringComparison.Ordinal));
        Assert.Contains(r.Error.Traceback, line => line.Contains("t.ipynb [cell 3]:line 2", StringComparison.Ordinal));
    }

    private static NotebookCell NewCode(Notebook nb, string source)
    {
        nb.AddCode(source);
        var cell = nb.Cells[^1];
        nb.Cells.RemoveAt(nb.Cells.Count - 1);
        return cell;
    }
}
