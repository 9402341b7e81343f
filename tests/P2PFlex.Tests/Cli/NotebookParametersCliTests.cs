using System.Text.Json;
using System.Text.Json.Nodes;
using P2PFlex.Cli;
using P2PFlex.Notebooks;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Cli;

/// <summary>
/// Notebook parameters as a papermill user types them, stricter (issue 20): unknown names refused with the nearest
/// ones, <c>notebooks params</c>, <c>-f</c> files, grids into one report folder, results of the run itself.
/// </summary>
public class NotebookParametersCliTests
{
    private static string Study05 => NotebooksCommand.StudyNotebooks().Single(p => Path.GetFileName(p) == "05-scenario-3.ipynb");

    /// <summary>A small notebook in its own temporary folder: notebook 05's parameters cell, and a cell printing them.</summary>
    private static string TinyNotebook()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"p2pflex-params-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string Cell(string id, string source, bool parameters = false) =>
            "{\"cell_type\":\"code\",\"id\":\"" + id + "\",\"metadata\":{" + (parameters ? "\"tags\":[\"parameters\"]" : "") + "},\"execution_count\":null,\"outputs\":[],\"source\":"
            + JsonSerializer.Serialize(source) + "}";
        string json = "{\"cells\":[" + Cell("p", "double W = 0.2;\ndouble theta = 0.8;", parameters: true) + ","
            + Cell("r", "Console.WriteLine($\"W={W} theta={theta}\");") + "],"
            + "\"metadata\":{\"kernelspec\":{\"display_name\":\".NET (C#)\",\"language\":\"C#\",\"name\":\".net-csharp\"}},\"nbformat\":4,\"nbformat_minor\":5}";
        string path = Path.Combine(dir, "tiny.ipynb");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void A_parameter_the_notebook_does_not_declare_is_a_usage_error_naming_the_nearest_one()
    {
        string outDir = Path.Combine(Path.GetTempPath(), $"p2pflex-params-out-{Guid.NewGuid():N}");
        var (code, output, err) = CliRunner.Run("notebooks", "run", Study05, "-p", "w=0.3", "--out", outDir);
        Assert.Equal(2, code);
        Assert.Contains("05-scenario-3.ipynb has no parameter 'w'; did you mean 'W'?", err);
        Assert.Equal("", output);
        Assert.False(Directory.Exists(outDir));   // nothing ran, nothing written
        var typo = CliRunner.Run("notebooks", "run", Study05, "-p", "thta=0.9");
        Assert.Equal(2, typo.Code);
        Assert.Contains("did you mean 'theta'?", typo.Err);
        var far = CliRunner.Run("notebooks", "run", Study05, "-p", "feeder=case85");
        Assert.Equal(2, far.Code);
        Assert.DoesNotContain("did you mean", far.Err);
        Assert.Contains("parameters: W, theta", far.Err);
    }

    [Fact]
    public void Notebooks_params_lists_names_types_and_defaults()
    {
        var (code, output, err) = CliRunner.Run("notebooks", "params", Study05);
        Assert.True(code == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("05-scenario-3.ipynb: 2 parameter(s), set with -p NAME=VALUE", lines[0]);
        Assert.Equal(["W", "double", "0.2"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["theta", "double", "0.8"], lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var json = CliRunner.Run("notebooks", "params", Study05, "--json");
        var array = JsonNode.Parse(json.Out)!.AsArray();
        Assert.Equal("W", (string?)array[0]!["name"]);
        Assert.Equal("double", (string?)array[0]!["type"]);
        Assert.Equal("0.8", (string?)array[1]!["default"]);
    }

    [Fact]
    public void A_parameter_file_in_JSON_or_YAML_sets_the_parameters_and_p_overrides_it()
    {
        string nb = TinyNotebook();
        string dir = Path.GetDirectoryName(nb)!;
        string json = Path.Combine(dir, "params.json");
        File.WriteAllText(json, "{\"W\": 0.35, \"theta\": 0.9}");
        var (code, output, err) = CliRunner.Run("notebooks", "run", nb, "-f", json, "-p", "theta=1.0", "--out", Path.Combine(dir, "out-json"));
        Assert.True(code == 0, err + output);
        Assert.Contains("W=0.35 theta=1", output);        // the notebook's own printed result …
        Assert.DoesNotContain("3-theta100", output);      // … not the study's Table 8

        string yaml = Path.Combine(dir, "params.yaml");
        File.WriteAllText(yaml, "# W from the file\nW: 0.45\n");
        var y = CliRunner.Run("notebooks", "run", nb, "-f", yaml, "--out", Path.Combine(dir, "out-yaml"));
        Assert.True(y.Code == 0, y.Err + y.Out);
        Assert.Contains("W=0.45 theta=0.8", y.Out);

        File.WriteAllText(json, "{\"W\": {\"nested\": 1}}");
        var bad = CliRunner.Run("notebooks", "run", nb, "-f", json, "--out", Path.Combine(dir, "out-bad"));
        Assert.Equal(2, bad.Code);
        Assert.Contains("params.json: parameter 'W': a value is a number, a string, true or false", bad.Err);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_2x2_grid_runs_every_combination_into_one_report_folder_with_an_index_of_the_runs()
    {
        string nb = TinyNotebook();
        string dir = Path.GetDirectoryName(nb)!;
        string outDir = Path.Combine(dir, "grid");
        var (code, output, err) = CliRunner.Run("notebooks", "run", nb, "-p", "W=0.1,0.3", "-p", "theta=0.8,1.0", "--out", outDir);
        Assert.True(code == 0, err + output);
        var executed = Directory.GetFiles(outDir, "*.ipynb").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["tiny-W0.1-theta0.8.ipynb", "tiny-W0.1-theta1.0.ipynb", "tiny-W0.3-theta0.8.ipynb", "tiny-W0.3-theta1.0.ipynb"], executed);
        Assert.Equal(4, Directory.GetFiles(outDir, "*.html").Length - 1);   // a report each, and the index
        foreach (var (w, theta) in new[] { ("0.1", "0.8"), ("0.1", "1.0"), ("0.3", "0.8"), ("0.3", "1.0") })
        {
            // each executed notebook computed with its own parameters
            var cells = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, $"tiny-W{w}-theta{theta}.ipynb")))!["cells"]!.AsArray();
            string printed = string.Concat(cells.SelectMany(c => c!["outputs"]!.AsArray()).Where(o => (string?)o!["output_type"] == "stream")
                .SelectMany(o => o!["text"]!.AsArray().Select(t => (string?)t)));
            Assert.Equal($"W={double.Parse(w, System.Globalization.CultureInfo.InvariantCulture)} theta={double.Parse(theta, System.Globalization.CultureInfo.InvariantCulture)}\n", printed);
            Assert.Contains($"== tiny.ipynb (W = {w}, theta = {theta}) ==", output);
        }
        string index = File.ReadAllText(Path.Combine(outDir, NotebookBatch.IndexFileName));
        Assert.Contains("4 notebook runs over a parameter grid", index);
        Assert.Contains("<code>W=0.3</code>, <code>theta=1.0</code>", index);
        Assert.Contains("href=\"tiny-W0.3-theta1.0.html\"", index);
        Assert.Contains("W=0.3 theta=1", index);            // what the run printed
        Assert.DoesNotContain("Table 8", index);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Allow_unknown_parameters_injects_an_undeclared_one_as_papermill_does()
    {
        string nb = TinyNotebook();
        string dir = Path.GetDirectoryName(nb)!;
        var (code, output, err) = CliRunner.Run("notebooks", "run", nb, "-p", "extra=5", "--allow-unknown-parameters", "--out", Path.Combine(dir, "out"));
        Assert.True(code == 0, err + output);
        Assert.Contains("<code>extra=5</code>", File.ReadAllText(Path.Combine(dir, "out", NotebookBatch.IndexFileName)));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_scenario_changed_by_a_parameter_is_named_after_the_change_and_carries_no_study_values()
    {
        var s3 = StudyContext.LoadScenarios().Single(s => s.Name == "3-theta80");
        Assert.Same(s3, ScenarioSweep.With(ScenarioSweep.With(s3, SweepParameter.W, 0.2), SweepParameter.Theta, 0.8));   // the file's own values
        var w = ScenarioSweep.With(s3, SweepParameter.W, 0.35);
        Assert.Equal("3-theta80 (W = 0.35)", w.Name);
        Assert.Null(w.Study);
        Assert.Null(w.Expected);
        Assert.EndsWith(", changed: W = 0.35", w.Label);
        var both = ScenarioSweep.With(w, SweepParameter.Theta, 0.9);
        Assert.Equal("3-theta80 (W = 0.35, θ = 0.9)", both.Name);
        Assert.Equal("3-theta80 (W = 0.4, θ = 0.9)", ScenarioSweep.With(both, SweepParameter.W, 0.4).Name);
        // and so the row of notebook 05's table (StudyTables.Kpis takes the KPIs' name)
        var result = ScenarioRunner.Run(w, TestData.Study.Value);
        Assert.Equal("3-theta80 (W = 0.35)", ScenarioReport.Kpis(result).Name);
    }
}
