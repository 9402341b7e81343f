using System.Globalization;
using System.Text.RegularExpressions;
using P2PFlex.TestSupport;
using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Notebooks;

/// <summary>
/// An executed notebook and its HTML report do not depend on the machine's locale: run and rendered under a German
/// culture they are identical to the invariant run (numbers in cells, display(), Deedle frames, Plotly charts, the
/// study's KPI tables, the index page).
/// </summary>
public class CultureTests
{
    private static async Task<T> Under<T>(CultureInfo culture, Func<Task<T>> action)
    {
        var (before, beforeUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            return await action();
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
            CultureInfo.CurrentUICulture = beforeUi;
        }
    }

    private static Notebook Sample()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddMarkdown("# Numbers");
        nb.AddCode("double W = 0.35;", NotebookParameters.ParametersTag);
        nb.AddCode("W * 3");
        nb.AddCode("Console.WriteLine($\"W = {W}, cost {1234.5:F2} EUR, share {0.125:P1}\"); display(1.5); display(new[] { 0.25, 2.5 });");
        nb.AddCode("Frame.FromColumns(new Dictionary<string, Series<int, double>> { [\"flow_mw\"] = new Series<int, double>(new[] { 1, 2 }, new[] { 0.125, 1.5 }) })");
        nb.AddCode("Chart.Column<double, string, string>(values: new[] { 0.5, 1.25 }, Keys: new[] { \"a\", \"b\" })");
        nb.AddCode("var context = StudyContext.Load(); var s0 = StudyContext.LoadScenarios().Single(s => s.Name == \"0\"); var r0 = ScenarioRunner.Run(s0, context); ScenarioReport.Table([r0])");
        nb.AddCode("P2PFlex.Display.StudyTables.Table8([r0])");
        return nb;
    }

    /// <summary>Cell durations and start times are wall-clock readings and differ between two runs.</summary>
    private static string Normalise(string html) =>
        Regex.Replace(html, @"""duration_s"":\s*[0-9.eE+-]+|\d+\.\d+ s\b|\d{4}-\d\d-\d\dT[0-9:.]+Z", "T");

    [Fact]
    public async Task A_report_run_and_rendered_under_a_german_culture_is_identical_to_the_invariant_one()
    {
        Assert.Equal("0,5", await Under(TestCultures.German(), () => Task.FromResult($"{0.5}")));
        async Task<(string Report, string Index, string Outputs)> RunAndRender()
        {
            var run = await NotebookRunner.RunAsync(Sample(), new NotebookRunOptions { Parameters = new Dictionary<string, string> { ["W"] = "0.4" } });
            Assert.True(run.Succeeded, run.Describe());
            string report = HtmlReport.Render(run.Notebook, new HtmlReportOptions { NotebookName = "numbers.ipynb" });
            string index = IndexPage.Render(
                [new IndexEntry("numbers.ipynb", "Numbers", "numbers.html", "numbers.ipynb", true, null, TimeSpan.FromSeconds(1.25),
                    new Dictionary<string, string> { ["W"] = "0.4" })],
                new IndexPageOptions { Summary = [new P2PFlex.Scenarios.TextTable("t", ["x"], [["1.5"]])] });
            string outputs = string.Join("\n", run.Notebook.Cells.SelectMany(c => c.Outputs).Select(o => NotebookJson.Serialize(OneCell(o))));
            return (report, index, outputs);
        }

        var invariant = await Under(CultureInfo.InvariantCulture, RunAndRender);
        var german = await Under(TestCultures.German(), RunAndRender);

        Assert.Contains("W = 0.4, cost 1234.50 EUR, share 12.5 %", invariant.Outputs);
        Assert.Equal(Normalise(invariant.Outputs), Normalise(german.Outputs));
        Assert.Equal(Normalise(invariant.Report), Normalise(german.Report));
        Assert.Equal(invariant.Index, german.Index);
    }

    private static Notebook OneCell(NotebookOutput output)
    {
        var nb = Notebook.CreateCSharp();
        nb.AddCode("").Outputs.Add(output);
        return nb;
    }
}
