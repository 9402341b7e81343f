using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Plotly.NET;
using P2PFlex.Data;
using P2PFlex.Display;

namespace P2PFlex.Tests.Display;

/// <summary>The figure catalogue: every entry draws the chart its notebook cell draws, with the title it announces.</summary>
public class StudyFiguresTests
{
    private static readonly Lazy<StudyFigureData> Data = new(StudyFigureData.Load);

    private static JsonObject Layout(GenericChart chart) => JsonNode.Parse(GenericChart.toFigureJson(chart))!["layout"]!.AsObject();

    private static string RepositoryFile(params string[] parts) => Path.Combine([Path.GetDirectoryName(DataPaths.Root)!, .. parts]);

    [Fact]
    public void The_catalogue_has_the_study_figures_19_to_25_and_the_kpi_against_w_charts_with_unique_file_names()
    {
        var numbers = StudyFigures.Catalogue.Where(f => f.StudyFigureNumber is not null).Select(f => f.StudyFigureNumber!.Value).Order();
        Assert.Equal([19, 20, 21, 22, 23, 24, 25], numbers);
        Assert.Equal(4, StudyFigures.Catalogue.Count(f => f.Id.StartsWith("kpi-vs-w-", StringComparison.Ordinal)));
        Assert.Equal(StudyFigures.Catalogue.Count, StudyFigures.Catalogue.Select(f => f.Id).Distinct().Count());
        Assert.All(StudyFigures.Catalogue, f => Assert.Matches("^[a-z0-9-]+$", f.Id));
        Assert.All(StudyFigures.Catalogue.Where(f => f.StudyFigureNumber is int), f => Assert.StartsWith($"fig{f.StudyFigureNumber}-", f.Id));
        Assert.All(StudyFigures.Catalogue, f => Assert.Contains("scenario-" + f.Scenarios[0], f.Id));
    }

    [Fact]
    public void Each_chart_has_the_catalogue_title_and_the_size_and_axes_of_the_notebook_chart()
    {
        foreach (var figure in StudyFigures.Catalogue)
        {
            var layout = Layout(StudyFigures.Chart(figure, Data.Value));
            Assert.Equal(figure.Title, (string?)layout["title"]!["text"]);
            Assert.True((int?)layout["width"] > 0 && (int?)layout["height"] > 0, figure.Id);
            if (figure.StudyFigureNumber == 19)
            {
                // A diagram: positions carry no quantity, so no axes (FeederDiagramTests).
                Assert.False((bool)layout["xaxis"]!["visible"]!);
                Assert.False((bool)layout["yaxis"]!["visible"]!);
                continue;
            }
            Assert.False(string.IsNullOrEmpty((string?)layout["xaxis"]?["title"]?["text"]), figure.Id);
            Assert.False(string.IsNullOrEmpty((string?)layout["yaxis"]?["title"]?["text"]), figure.Id);
        }
    }

    [Fact]
    public void Each_figure_names_a_notebook_cell_that_draws_it_through_the_catalogue()
    {
        var methods = typeof(StudyFigures).GetMethods().Where(m => m.ReturnType == typeof(GenericChart) && m.Name != nameof(StudyFigures.Chart))
            .Select(m => m.Name).ToHashSet();
        foreach (var figure in StudyFigures.Catalogue)
        {
            var cells = JsonNode.Parse(File.ReadAllText(RepositoryFile("notebooks", figure.Notebook)))!["cells"]!.AsArray();
            var cell = cells.SingleOrDefault(c => (string?)c!["id"] == figure.CellId);
            Assert.True(cell is not null, $"{figure.Id}: no cell {figure.CellId} in {figure.Notebook}");
            string source = string.Concat(cell!["source"]!.AsArray().Select(s => (string?)s));
            var called = Regex.Matches(source, @"StudyFigures\.(\w+)\(").Select(m => m.Groups[1].Value).Where(methods.Contains).ToArray();
            Assert.True(called.Length > 0, $"{figure.Id}: cell {figure.CellId} draws no catalogue chart");
            Assert.DoesNotContain("StudyCharts.", source);   // titles live in one place
        }
    }

    [Fact]
    public void The_scenario_3_figure_follows_its_parameters()
    {
        var data = new StudyFigureData(Data.Value.Context, Data.Value.Definitions, w: 0.35, theta: 0.9);
        var layout = Layout(StudyFigures.Chart(StudyFigures.Find("fig25-occupancy-scenario-3-theta80-vs-0"), data));
        Assert.Equal("Scenario 3 (W = 0.35, θ = 0.9) against scenario 0: occupancy per line before the LFM", (string?)layout["title"]!["text"]);
        Assert.Throws<KeyNotFoundException>(() => StudyFigures.Find("fig99"));
    }

    [Fact]
    public void The_data_version_is_a_hash_of_the_data_files_that_changes_with_any_byte()
    {
        string root = Path.Combine(Path.GetTempPath(), $"p2pflex-dataversion-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "cases"));
            File.WriteAllText(Path.Combine(root, "cases", "a.m"), "x = 1;\n");
            File.WriteAllText(Path.Combine(root, "b.csv"), "k,v\n");
            string v1 = Provenance.DataVersion(root);
            Assert.Matches("^sha256:[0-9a-f]{16}$", v1);
            Assert.Equal(v1, Provenance.DataVersion(root));
            File.WriteAllText(Path.Combine(root, ".hidden"), "ignored");
            Assert.Equal(v1, Provenance.DataVersion(root));
            File.WriteAllText(Path.Combine(root, "b.csv"), "k,w\n");
            Assert.NotEqual(v1, Provenance.DataVersion(root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        Assert.Matches("^sha256:[0-9a-f]{16}$", Provenance.DataVersion());
        Assert.False(string.IsNullOrEmpty(Provenance.SoftwareVersion));
    }
}
