using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// The results an executed notebook shows, per code cell, in a form that does not depend on the engine that ran it
/// (headless runner, P2PFlex kernel, official .NET Interactive kernel): printed text, KPI tables and chart data. Chart
/// ids, output order, MIME types beside <c>text/html</c>, the plotly.js output and engine notices (the official
/// kernel's "Installed Packages" list and front-end probe) are left out.
/// </summary>
internal static partial class NotebookOutputs
{
    public static string Text(JsonNode? n) => n is JsonArray a ? string.Concat(a.Select(x => x!.GetValue<string>())) : n?.GetValue<string>() ?? "";

    public static JsonNode[] CodeCells(JsonNode notebook) =>
        notebook["cells"]!.AsArray().Where(c => c!["cell_type"]!.GetValue<string>() == "code").Select(c => c!).ToArray();

    public static IEnumerable<JsonNode> Outputs(JsonNode cell) => cell["outputs"]!.AsArray().Select(o => o!);

    public static string Html(JsonNode output) => Text(output["data"]?["text/html"]);

    /// <summary>An output that only carries plotly.js (the runners put it before a notebook's first chart): embedded (the
    /// kernels), or a script reference to the report folder's copy, which the headless runner marks in the output's
    /// metadata (<c>p2pflex.plotlyjs</c>; the test run writes reports as <c>reproduce</c> does).</summary>
    public static bool IsPlotlyLibrary(JsonNode output) =>
        Html(output) is { Length: > 1_000_000 } h && !h.Contains("Plotly.newPlot", StringComparison.Ordinal)
        || output["metadata"]?[P2PFlex.Notebooks.NotebookRunner.MetadataKey]?["plotlyjs"] is not null;   // NotebookSession.PlotlyJsMetadataKey (internal)

    public static IEnumerable<JsonNode> Errors(JsonNode cell) => Outputs(cell).Where(o => o["output_type"]!.GetValue<string>() == "error");

    /// <summary>Everything the cell printed to stdout, in order.</summary>
    public static string Stdout(JsonNode cell) => string.Concat(Outputs(cell)
        .Where(o => o["output_type"]!.GetValue<string>() == "stream" && o["name"]?.GetValue<string>() == "stdout")
        .Select(o => Text(o["text"])));

    /// <summary>The HTML of every table the cell shows (Deedle frames: the KPI tables).</summary>
    public static string[] Tables(JsonNode cell) => Outputs(cell).Select(Html).Where(h => h.Contains("<table", StringComparison.Ordinal)).ToArray();

    /// <summary>The data (traces) of every chart the cell shows, as normalised JSON.</summary>
    public static string[] ChartData(JsonNode cell) => Outputs(cell).Select(Html)
        .SelectMany(h => ChartDataLine().Matches(h).Select(m => JsonNode.Parse(m.Groups["json"].Value)!.ToJsonString()))
        .ToArray();

    /// <summary>
    /// Asserts that <paramref name="actual"/> (run by <paramref name="engine"/>) shows, cell by cell, what
    /// <paramref name="expected"/> (the headless runner's) shows: no errors, the same printed text, tables and chart data.
    /// Returns how many tables and charts were compared.
    /// </summary>
    public static (int Tables, int Charts) AssertSameResults(JsonNode expected, JsonNode actual, string notebook, string engine)
    {
        var e = CodeCells(expected);
        var a = CodeCells(actual);
        Assert.True(e.Length == a.Length, $"{notebook}: {e.Length} code cells headless, {a.Length} in {engine}");
        int tables = 0, charts = 0;
        for (int i = 0; i < e.Length; i++)
        {
            string where = $"{notebook}, code cell {i + 1} ({engine} vs headless runner)";
            var error = Errors(a[i]).FirstOrDefault()?.ToJsonString();
            if (error is not null) Assert.Fail($"{where}: error output {error[..Math.Min(2000, error.Length)]}");
            Assert.True(Stdout(e[i]) == Stdout(a[i]), $"{where}: printed text differs:\n--- headless\n{Stdout(e[i])}\n--- {engine}\n{Stdout(a[i])}");
            Assert.True(Tables(e[i]).SequenceEqual(Tables(a[i])),
                $"{where}: tables differ:\n--- headless\n{string.Join("\n", Tables(e[i]))}\n--- {engine}\n{string.Join("\n", Tables(a[i]))}");
            var (ce, ca) = (ChartData(e[i]), ChartData(a[i]));
            Assert.True(ce.Length == ca.Length, $"{where}: {ce.Length} charts headless, {ca.Length} in {engine}");
            for (int k = 0; k < ce.Length; k++) Assert.True(ce[k] == ca[k], $"{where}: data of chart {k + 1} differs");
            tables += Tables(e[i]).Length;
            charts += ce.Length;
        }
        return (tables, charts);
    }

    // Plotly.NET's chart HTML declares its traces on one line: "var data = [...];"
    [GeneratedRegex(@"^\s*var data = (?<json>.*);\s*$", RegexOptions.Multiline)]
    private static partial Regex ChartDataLine();
}
