using System.Globalization;
using System.Text.Json;
using P2PFlex.IO;
using P2PFlex.Markets.Lfm;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Scenarios;

/// <summary>
/// The voltage-aware LFM's export (issue 22): its last LP — line rows and voltage rows linearised at the AC operating
/// point, the band — is rebuilt from the exported files alone and re-solved by GLOP (the independent LP solver of the
/// export and agreement tests; the scenario ran on our dual simplex), and the re-solve gives the exported cost; the
/// exported operating point is the AC state after the LFM the scenario reports.
/// </summary>
public class VoltageAwareExportTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"p2pflex-va-export-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static CsvTable Csv(string dir, string file) => CsvTable.Read(Path.Combine(dir, file));

    /// <summary>A matrix from the columns <paramref name="prefix"/>&lt;bus&gt; of a table, and the bus numbers of its columns.</summary>
    private static (double[,] M, int[] Buses) Matrix(CsvTable t, string prefix)
    {
        var columns = t.Header.Where(h => h.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
        var m = new double[t.Count, columns.Length];
        for (int r = 0; r < t.Count; r++)
            for (int k = 0; k < columns.Length; k++) m[r, k] = t.Number(r, columns[k]);
        return (m, columns.Select(c => int.Parse(c[prefix.Length..], CultureInfo.InvariantCulture)).ToArray());
    }

    private static double[] Column(CsvTable t, string column) => Enumerable.Range(0, t.Count).Select(r => t.Number(r, column)).ToArray();

    [Theory]
    [InlineData("0-voltage", null)]
    [InlineData("1-voltage", null)]
    [InlineData("0-voltage", 0.93)]   // a tighter band: the voltage rows bind
    public void Voltage_aware_LFM_re_solved_from_the_exported_files_gives_the_exported_cost(string name, double? vMinPu)
    {
        var context = TestData.Study.Value;
        var scenario = StudyContext.LoadScenarios().Single(s => s.Name == name);
        if (vMinPu is double v) scenario = scenario with { Lfm = scenario.Lfm with { VMinPu = v } };
        var run = ScenarioRunner.Run(scenario, context);
        Assert.Equal(VoltageAwareLfmStatus.Converged, run.VoltageAwareLfm!.Status);
        string dir = Path.Combine(_root, $"{name}-{vMinPu}");
        ScenarioExport.Write(run, context.Orderbook, dir);

        // Everything below reads only the exported files.
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "scenario.json"))).RootElement;
        var lfmJson = json.GetProperty("lfm");
        var va = lfmJson.GetProperty("voltage_aware");
        Assert.Equal("Converged", va.GetProperty("status").GetString());
        Assert.True(va.GetProperty("final_lp_exported").GetBoolean());
        var lines = Csv(dir, "voltage_lfm_lines.csv");
        var buses = Csv(dir, "voltage_lfm_buses.csv");
        var (g, gBuses) = Matrix(lines, "g_bus_");
        var (sv, svBuses) = Matrix(buses, "sv_bus_");
        Assert.Equal(gBuses, svBuses);
        Assert.Equal(gBuses, Enumerable.Range(0, buses.Count).Select(r => buses.Integer(r, "bus")));
        var lfmBids = Csv(dir, "lfm_bids.csv");
        var bids = Enumerable.Range(0, lfmBids.Count).Select(r => new FlexBid(lfmBids.Text(r, "id"), Array.IndexOf(gBuses, lfmBids.Integer(r, "bus")),
            lfmBids.Text(r, "direction") == "up" ? BidDirection.Up : BidDirection.Down, lfmBids.Number(r, "volume_mw"), lfmBids.Number(r, "price_eur_per_mwh"))).ToArray();
        double vMin = va.GetProperty("v_min_pu").GetDouble(), vMax = va.GetProperty("v_max_pu").GetDouble();
        Assert.Equal(scenario.Lfm.VMinPu, vMin);
        var voltage = new LinearVoltageLimits(sv, Column(buses, "vm_at_zero_activation_pu"), vMin, vMax, va.GetProperty("final_lp_voltage_tolerance_pu").GetDouble());
        var problem = new LfmProblem(g, Column(lines, "s_at_zero_activation_mva"), Column(lines, "limit_mva"), bids,
            json.GetProperty("market").GetProperty("lfm_require_balance").GetBoolean(), json.GetProperty("interval_hours").GetDouble(),
            va.GetProperty("final_lp_overflow_tolerance_mva").GetDouble(), voltage);

        var glop = LocalFlexibilityMarket.Clear(problem, new LfmOptions(SkipLpWhenUncongested: false, LpSolver: LfmLpSolver.Glop));
        Assert.Equal(LfmStatus.Optimal, glop.Status);
        double cost = lfmJson.GetProperty("cost_eur").GetDouble();
        Assert.Equal(json.GetProperty("kpis").GetProperty("lfm_cost_eur").GetDouble(), cost);
        Assert.Equal(cost, glop.CostEur!.Value, 1e-9 * Math.Max(1, cost));   // the LP's optimum is unique, its minimiser need not be
        Assert.True(cost > 0, "the LFM bought nothing: the re-solve would say little");

        // The exported activations are feasible in the exported rows and cost what the export says.
        var x = Column(lfmBids, "activated_mw");
        var delta = new double[gBuses.Length];
        double exportedCost = 0;
        for (int b = 0; b < bids.Length; b++)
        {
            delta[bids[b].BusIndex] += bids[b].Direction == BidDirection.Up ? x[b] : -x[b];
            exportedCost += bids[b].PriceEurPerMwh * x[b] * problem.IntervalHours;
        }
        Assert.Equal(cost, exportedCost, 1e-9 * Math.Max(1, cost));
        for (int l = 0; l < lines.Count; l++)
        {
            double s = problem.BaseFlowMw[l];
            for (int k = 0; k < delta.Length; k++) s += g[l, k] * delta[k];
            Assert.True(Math.Abs(s) <= problem.LimitMw[l] + 1e-7, $"line {lines.Integer(l, "index")}: linearised |S| {s} above {problem.LimitMw[l]} MVA");
        }
        int binding = 0;
        for (int i = 0; i < buses.Count; i++)
        {
            double vm = voltage.OffsetPu[i];
            for (int k = 0; k < delta.Length; k++) vm += sv[i, k] * delta[k];
            Assert.InRange(vm, vMin - 1e-7, vMax + 1e-7);
            if (vm - vMin < 1e-6) binding++;
        }
        if (vMinPu is not null) Assert.True(binding > 0, "the tighter band binds no voltage row");

        // The operating point is the AC state after the LFM (the loop converged: its last LP moved no activation).
        var after = Csv(dir, "buses.csv");
        for (int i = 0; i < buses.Count; i++)
            Assert.Equal(after.Number(i, "vm_after_lfm_pu"), buses.Number(i, "vm_at_point_pu"), 1e-6);
        var linesCsv = Csv(dir, "lines.csv");
        for (int l = 0; l < lines.Count; l++)
            Assert.Equal(linesCsv.Number(l, "s_after_lfm_mva"), lines.Number(l, "s_at_point_mva"), 1e-6);
    }

    [Fact]
    public void Congestion_only_export_has_header_only_voltage_files_and_a_null_voltage_object()
    {
        var context = TestData.Study.Value;
        var run = ScenarioRunner.Run(StudyContext.LoadScenarios().Single(s => s.Name == "0"), context);
        var files = ScenarioExport.Files(run, context.Orderbook);
        Assert.Single(files["voltage_lfm_lines.csv"].TrimEnd('\n').Split('\n'));
        Assert.Single(files["voltage_lfm_buses.csv"].TrimEnd('\n').Split('\n'));
        var json = JsonDocument.Parse(files["scenario.json"]).RootElement;
        Assert.Equal(JsonValueKind.Null, json.GetProperty("lfm").GetProperty("voltage_aware").ValueKind);
    }
}
