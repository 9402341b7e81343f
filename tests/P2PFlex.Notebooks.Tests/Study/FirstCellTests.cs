using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace P2PFlex.Notebooks.Tests.Study;

/// <summary>
/// The first cell that lets every notebook run in the runner, the P2PFlex kernel and the official .NET Interactive
/// kernel (docs/notebooks.md, "The first cell"): every notebook in notebooks/ begins with the header the doc gives,
/// and the header's package versions are the ones of Directory.Packages.props.
/// </summary>
public partial class FirstCellTests
{
    private static string Repo(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "P2PFlex.sln"))) return Path.Combine([dir.FullName, .. parts]);
        throw new DirectoryNotFoundException("repository root (P2PFlex.sln) not found above the test binaries");
    }

    /// <summary>The header as docs/notebooks.md states it (the csharp block between the first-cell-header markers).</summary>
    private static string[] DocumentedHeader()
    {
        string doc = File.ReadAllText(Repo("docs", "notebooks.md")).Replace("\r\n", "\n");
        var m = Regex.Match(doc, "<!-- first-cell-header:begin -->\n```csharp\n(?<code>.*?)```\n<!-- first-cell-header:end -->", RegexOptions.Singleline);
        Assert.True(m.Success, "docs/notebooks.md lost its first-cell-header block");
        return m.Groups["code"].Value.TrimEnd('\n').Split('\n');
    }

    private static IEnumerable<string> NotebookPaths() => Directory.GetFiles(Repo("notebooks"), "*.ipynb").Order(StringComparer.Ordinal);

    private static string[] FirstCodeCellLines(string path)
    {
        var nb = JsonNode.Parse(File.ReadAllText(path))!;
        var cell = nb["cells"]!.AsArray().First(c => c!["cell_type"]!.GetValue<string>() == "code")!;
        var source = cell["source"] is JsonArray a ? string.Concat(a.Select(x => x!.GetValue<string>())) : cell["source"]!.GetValue<string>();
        return source.Replace("\r\n", "\n").Split('\n');
    }

    [Fact]
    public void Every_notebook_begins_with_the_documented_first_cell_header()
    {
        var header = DocumentedHeader();
        var paths = NotebookPaths().ToArray();
        Assert.NotEmpty(paths);
        foreach (var path in paths)
        {
            var lines = FirstCodeCellLines(path);
            for (int i = 0; i < header.Length; i++)
            {
                string actual = i < lines.Length ? lines[i] : "(end of cell)";
                Assert.True(actual == header[i],
                    $"{Path.GetFileName(path)}: line {i + 1} of the first code cell is\n  {actual}\nbut docs/notebooks.md says every notebook begins with\n  {header[i]}");
            }
        }
    }

    [Fact]
    public void The_headers_package_versions_are_those_of_Directory_Packages_props()
    {
        var central = XDocument.Load(Repo("Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);
        var header = DocumentedHeader().Select(l => NuGetLine().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups["id"].Value, m => m.Groups["version"].Value, StringComparer.OrdinalIgnoreCase);
        foreach (var (id, version) in header)
        {
            Assert.True(central.TryGetValue(id, out var pinned), $"the first cell references {id}, which Directory.Packages.props does not pin");
            Assert.True(version == pinned, $"the first cell asks for {id} {version}; Directory.Packages.props pins {pinned}");
        }
        // every package the libraries themselves reference, so P2PFlex.Core and P2PFlex.Display find their dependencies in the official kernel
        foreach (var (folder, assembly) in Libraries)
        {
            var libraryPackages = XDocument.Load(Repo("src", folder, folder + ".csproj")).Descendants("PackageReference").Select(e => (string)e.Attribute("Include")!);
            Assert.All(libraryPackages, id => Assert.True(header.ContainsKey(id), $"{assembly} references {id}, but the first cell does not load it"));
        }
        // and the runner ships exactly these versions, so it skips the lines without a version note
        Assert.All(header, p => Assert.Equal(p.Value, ShippedPackages.Find(p.Key)?.Version));
    }

    /// <summary>The project folders (= project names) the first cell loads as Debug builds, with their assembly names.</summary>
    private static readonly (string Folder, string Assembly)[] Libraries = [("P2PFlex", "P2PFlex.Core"), ("P2PFlex.Display", "P2PFlex.Display")];

    [Fact]
    public void The_header_loads_the_libraries_debug_builds_and_the_setup_script_that_exist_in_the_repository()
    {
        var header = DocumentedHeader();
        string[] dlls = header.Select(l => DllLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["path"].Value).ToArray();
        string targetFramework = XDocument.Load(Repo("Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        // relative to the notebooks' folder, where every engine resolves them; dotnet build writes them there
        var expected = Libraries.Select(l => (l.Folder, Name: XDocument.Load(Repo("src", l.Folder, l.Folder + ".csproj")).Descendants("AssemblyName").Single().Value))
            .Select(l => Repo("src", l.Folder, "bin", "Debug", targetFramework, l.Name + ".dll"));
        Assert.Equal(expected, dlls.Select(d => Path.GetFullPath(Path.Combine(Repo("notebooks"), d))));
        string script = header.Select(l => LoadLine().Match(l)).Single(m => m.Success).Groups["path"].Value;
        Assert.True(File.Exists(Path.Combine(Repo("notebooks"), script)), $"notebooks/{script} is missing");
    }

    [Fact]
    public async Task The_runner_skips_the_setup_script_and_keeps_its_own_formatters()
    {
        // the whole header, as a notebook's first cell, then a chart and a frame: the runner's own formatters must stay.
        // The script sets up the official kernel only, so the runner does not load it (a copied notebook has no script
        // beside it, CopiedNotebookTests).
        var nb = Notebook.CreateCSharp();
        nb.AddCode(string.Join('\n', DocumentedHeader()) + "\n1 + 1");
        nb.AddCode("Chart.Line<int, double, string>(x: new[] { 1, 2 }, y: new[] { 1.5, 2.5 })");
        nb.AddCode("Frame.FromRecords(new[] { new { A = 1 } })");
        var r = await NotebookRunner.RunAsync(nb, new NotebookRunOptions { BaseDirectory = Repo("notebooks"), NotebookName = "header.ipynb" });
        Assert.True(r.Succeeded, r.Describe());
        var first = r.Notebook.Cells[0].Outputs;
        Assert.Equal("2", first.OfType<ExecuteResultOutput>().Single().Data.GetText("text/plain"));
        Assert.DoesNotContain(first, o => o is StreamOutput);   // no version notes: the header asks for the shipped versions
        var chart = r.Notebook.Cells[1].Outputs;
        Assert.Equal(2, chart.Count);   // plotly.js as its own output, then the chart with a deterministic id
        Assert.Contains("Plotly.newPlot('plotly-", ((DisplayDataOutput)chart[1]).Data.GetText("text/html"));
        Assert.Contains("<caption>1 row × 1 column</caption>", r.Notebook.Cells[2].Outputs.OfType<DisplayDataOutput>().Single().Data.GetText("text/html"));
    }

    [GeneratedRegex("""^#r "nuget: (?<id>[^,"]+), (?<version>[^"]+)"$""")]
    private static partial Regex NuGetLine();

    [GeneratedRegex("""^#r "(?<path>[^"]+\.dll)"$""")]
    private static partial Regex DllLine();

    [GeneratedRegex("""^#load "(?<path>[^"]+)"$""")]
    private static partial Regex LoadLine();
}
