using P2PFlex.Cli;

namespace P2PFlex.Tests.Cli;

public class NotebooksCommandTests
{
    private static string Notebook(params string[] codeCells)
    {
        var cells = codeCells.Select((c, i) =>
            "{\"cell_type\":\"code\",\"id\":\"c" + i + "\",\"metadata\":{},\"execution_count\":null,\"outputs\":[],\"source\":["
            + System.Text.Json.JsonSerializer.Serialize(c) + "]}");
        string json = "{\"cells\":[" + string.Join(",", cells) + "],\"metadata\":{\"kernelspec\":{\"display_name\":\".NET (C#)\",\"language\":\"C#\",\"name\":\".net-csharp\"}},\"nbformat\":4,\"nbformat_minor\":5}";
        string path = Path.Combine(Path.GetTempPath(), $"p2pflex-cli-{Guid.NewGuid():N}.ipynb");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void A_failing_cell_makes_the_command_exit_nonzero_naming_notebook_and_cell_and_parameters_override_defaults()
    {
        string good = Notebook("int x = 1;", "x * 10");
        string bad = Notebook("var y = 2;", "throw new InvalidOperationException(\"boom\");", "y");
        string outDir = Path.Combine(Path.GetTempPath(), $"p2pflex-cli-out-{Guid.NewGuid():N}");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Commands.Execute(["notebooks", "run", good, bad, "--out", outDir], output, error);
        Assert.Equal(1, code);
        string text = output.ToString();
        Assert.Contains($"{Path.GetFileName(good)}: ok", text);
        Assert.Contains($"{Path.GetFileName(bad)}: cell 2", text);
        Assert.Contains("boom", text);
        // A set with a failure is not published (issue 22): the output folder keeps what it had (here: nothing).
        Assert.False(Directory.Exists(outDir));
        Assert.Contains("no index written", text);
    }

    [Fact]
    public void Usage_errors_exit_2()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(2, Commands.Execute(["notebooks", "run"], output, error));
        Assert.Equal(2, Commands.Execute(["notebooks", "run", "x.ipynb", "-p", "novalue"], output, error));
        Assert.Equal(1, Commands.Execute(["notebooks", "run", "/nonexistent/x.ipynb"], output, error));
    }
}
