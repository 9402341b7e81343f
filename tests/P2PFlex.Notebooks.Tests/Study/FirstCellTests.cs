using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using P2PFlex.TestSupport;

namespace P2PFlex.Notebooks.Tests.Study;

/// <summary>
/// The first cell that lets every notebook run in the runner, the P2PFlex kernel and the official .NET Interactive
/// kernel (docs/notebooks.md, "The first cell"): every notebook in notebooks/ begins with the header the doc gives,
/// and the header's package versions are the ones of Directory.Packages.props.
/// </summary>
public partial class FirstCellTests
{

    /// <summary>The header as docs/notebooks.md states it (the csharp block between the first-cell-header markers).</summary>
    private static string[] DocumentedHeader()
    {
        string doc = File.ReadAllText(RepositoryPaths.Of("docs", "notebooks.md")).Replace("\r\n", "\n");
        var m = Regex.Match(doc, "<!-- first-cell-header:begin -->\n```csharp\n(?<code>.*?)```\n<!-- first-cell-header:end -->", RegexOptions.Singleline);
        Assert.True(m.Success, "docs/notebooks.md lost its first-cell-header block");
        return m.Groups["code"].Value.TrimEnd('\n').Split('\n');
    }

    private static IEnumerable<string> NotebookPaths() => Directory.GetFiles(RepositoryPaths.Of("notebooks"), "*.ipynb").Order(StringComparer.Ordinal);

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
        var central = XDocument.Load(RepositoryPaths.Of("Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);
        string version = XDocument.Load(RepositoryPaths.Of("Directory.Build.props")).Descendants("Version").Single().Value;
        var header = DocumentedHeader().Select(l => NuGetLine().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups["id"].Value, m => m.Groups["version"].Value, StringComparer.OrdinalIgnoreCase);
        foreach (var (id, asked) in header)
        {
            if (Libraries.Any(l => l.PackageId == id))
            {
                // P2PFlex's own packages, at the version environment/notebook-packages.sh packs them
                Assert.True(asked == version, $"the first cell asks for {id} {asked}; Directory.Build.props gives version {version}");
                continue;
            }
            Assert.True(central.TryGetValue(id, out var pinned), $"the first cell references {id}, which Directory.Packages.props does not pin");
            Assert.True(asked == pinned, $"the first cell asks for {id} {asked}; Directory.Packages.props pins {pinned}");
        }
        // every package the libraries themselves reference (but those used at compile time only), so P2PFlex.Core and
        // P2PFlex.Display find their dependencies in the official kernel whatever their packages declare
        foreach (var (folder, packageId) in Libraries)
        {
            var csproj = XDocument.Load(RepositoryPaths.Of("src", folder, folder + ".csproj"));
            Assert.Equal(packageId, csproj.Descendants("PackageId").Single().Value);
            Assert.True(header.ContainsKey(packageId), $"the first cell does not load the package {packageId}");
            var libraryPackages = csproj.Descendants("PackageReference").Where(e => (string?)e.Attribute("PrivateAssets") != "all").Select(e => (string)e.Attribute("Include")!);
            Assert.All(libraryPackages, id => Assert.True(header.ContainsKey(id), $"{packageId} references {id}, but the first cell does not load it"));
        }
        // and the runner ships exactly these versions, so it skips the lines without a version note
        Assert.All(header, p => Assert.Equal(p.Value, ShippedPackages.Find(p.Key)?.Version));
    }

    /// <summary>The project folders (= project names) of the libraries the first cell loads, with their package ids.</summary>
    private static readonly (string Folder, string PackageId)[] Libraries = [("P2PFlex", "P2PFlex"), ("P2PFlex.Display", "P2PFlex.Display")];

    [Fact]
    public void The_header_has_no_path_and_the_first_statement_after_the_usings_sets_up_the_official_kernel()
    {
        // No line of the header depends on the notebook's folder (a copied notebook runs anywhere: CopiedNotebookTests,
        // OfficialKernelTests): no #r of a file, no #load.
        Assert.All(DocumentedHeader(), l => Assert.False(DllLine().IsMatch(l) || LoadLine().IsMatch(l), $"the header depends on the notebook's folder: {l}"));
        // Using directives must come before any statement, and a notebook may add its own after the header's.
        foreach (var path in NotebookPaths())
        {
            var code = FirstCodeCellLines(path).Skip(DocumentedHeader().Length).SkipWhile(l => l.StartsWith("using ", StringComparison.Ordinal)).FirstOrDefault();
            Assert.True(code is not null && SetupLine().IsMatch(code), $"{Path.GetFileName(path)}: the first line after the first cell's usings is\n  {code}\nnot OfficialKernel.Setup();");
        }
    }

    [Fact]
    public async Task The_runner_skips_the_package_lines_and_keeps_its_own_formatters()
    {
        // the whole header and the setup call, as a notebook's first cell, then a chart and a frame: the runner's own
        // formatters must stay. The setup sets up the official kernel only and does nothing in the runner.
        var nb = Notebook.CreateCSharp();
        nb.AddCode(string.Join('\n', DocumentedHeader()) + "\nOfficialKernel.Setup();\n1 + 1");
        nb.AddCode("Chart.Line<int, double, string>(x: new[] { 1, 2 }, y: new[] { 1.5, 2.5 })");
        nb.AddCode("Frame.FromRecords(new[] { new { A = 1 } })");
        var r = await NotebookRunner.RunAsync(nb, new NotebookRunOptions { BaseDirectory = Path.GetTempPath(), NotebookName = "header.ipynb" });
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

    [GeneratedRegex("""^\s*#r\s+"(?!nuget:)""")]
    private static partial Regex DllLine();

    [GeneratedRegex("""^\s*#load\s""")]
    private static partial Regex LoadLine();

    [GeneratedRegex("""^OfficialKernel\.Setup\(\);(\s*//.*)?$""")]
    private static partial Regex SetupLine();
}
