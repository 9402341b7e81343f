using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Notebooks;

/// <summary>
/// Issue 20: <c>#r "nuget: Name, Version"</c> for a package the runner does not preload is restored through NuGet when
/// the cell runs (<see cref="NuGetPackages"/>). The package used, Pluralize.NET 1.0.2, is small, managed only and not
/// among the preloaded ones; the failures use a nuget.config in the notebook's folder (an empty local source, or an
/// unreachable one with an empty package cache), so they ask no registry.
/// </summary>
public sealed class NuGetPackageTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("p2pflex-nuget-test-");

    public void Dispose() => _dir.Delete(recursive: true);

    private async Task<NotebookRunResult> Run(params string[] cells)
    {
        var nb = Notebook.CreateCSharp();
        foreach (var c in cells) nb.AddCode(c);
        return await NotebookRunner.RunAsync(nb, new NotebookRunOptions { NotebookName = "pkg.ipynb", BaseDirectory = _dir.FullName });
    }

    private static string? Result(Notebook nb, int cell) =>
        nb.Cells[cell].Outputs.OfType<ExecuteResultOutput>().SingleOrDefault()?.Data.GetText("text/plain");

    /// <summary>A nuget.config beside the notebook with only <paramref name="source"/> and an empty package cache.</summary>
    private void NuGetConfig(string source)
    {
        string cache = Directory.CreateDirectory(Path.Combine(_dir.FullName, "cache")).FullName;
        File.WriteAllText(Path.Combine(_dir.FullName, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{cache}" /></config>
              <packageSources><clear /><add key="only" value="{source}" /></packageSources>
            </configuration>
            """);
    }

    [Fact]
    public async Task A_package_beyond_the_preloaded_ones_is_restored_and_later_cells_use_it_too()
    {
        var r = await Run(
            "#r \"nuget: Pluralize.NET, 1.0.2\"\nvar words = new Pluralize.NET.Pluralizer();\nwords.Pluralize(\"battery\")",
            "words.Pluralize(\"feeder\") + \" \" + words.Singularize(\"buses\")");

        Assert.True(r.Succeeded, r.Describe());
        Assert.Equal("batteries", Result(r.Notebook, 0));
        Assert.Equal("feeders bus", Result(r.Notebook, 1));
    }

    [Fact]
    public async Task A_package_no_source_has_fails_its_cell_with_NuGets_answer()
    {
        NuGetConfig(Directory.CreateDirectory(Path.Combine(_dir.FullName, "empty-feed")).FullName);
        var r = await Run("var x = 1;", "#r \"nuget: Pluralize.NET, 1.0.2\"\nx", "x");

        Assert.False(r.Succeeded);
        Assert.Equal(2, r.FailedCell!.CodeCellNumber);
        var error = Assert.IsType<ErrorOutput>(Assert.Single(r.Notebook.Cells[1].Outputs));
        Assert.Equal("NuGetRestoreError", error.EName);
        Assert.StartsWith("line 1: the package Pluralize.NET 1.0.2 could not be restored through NuGet: NU1101: Unable to find package Pluralize.NET", error.EValue);
        Assert.Empty(r.Notebook.Cells[2].Outputs);
    }

    [Fact]
    public async Task Offline_the_error_says_that_a_package_source_cannot_be_reached()
    {
        // Port 9 (discard) on loopback: nothing listens, so the connection is refused at once, as offline.
        NuGetConfig("https://127.0.0.1:9/v3/index.json");
        var r = await Run("#r \"nuget: Pluralize.NET, 1.0.2\"\n1");

        var error = Assert.IsType<ErrorOutput>(Assert.Single(r.Notebook.Cells[0].Outputs));
        Assert.Equal("NuGetRestoreError", error.EName);
        Assert.StartsWith("line 1: the package Pluralize.NET 1.0.2 could not be restored through NuGet (a package source cannot be reached: is this machine offline?", error.EValue);
        Assert.Contains("NU1301", error.EValue);
    }
}
