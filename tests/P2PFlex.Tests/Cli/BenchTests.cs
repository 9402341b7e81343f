using System.Text.Json;
using P2PFlex.Cli;
using P2PFlex.Cli.Bench;

namespace P2PFlex.Tests.Cli;

/// <summary>The benchmark command's output shape in its quick mode; timings are never checked.</summary>
public class BenchTests
{
    [Fact]
    public void Quick_bench_json_lists_every_measurement_with_times_and_runs()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Commands.Execute(["bench", "--runs", "1", "--warmup", "0", "--memory-runs", "4", "--json"], output, error);
        Assert.True(code == 0, error.ToString());
        using var doc = JsonDocument.Parse(output.ToString());
        var items = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(BenchCommand.Names.ToArray(), items.Select(e => e.GetProperty("name").GetString()!).ToArray());
        Assert.Contains("scenario3-resolve-w", BenchCommand.Names);
        Assert.Contains("read-ptdf-case69", BenchCommand.Names);
        foreach (var e in items)
        {
            foreach (var f in new[] { "median_ms", "min_ms", "max_ms" })
                Assert.Equal(JsonValueKind.Number, e.GetProperty(f).ValueKind);
            Assert.Equal(1, e.GetProperty("runs").GetInt32());
            Assert.True(e.GetProperty("min_ms").GetDouble() <= e.GetProperty("max_ms").GetDouble());
        }
        var resolve = items.Single(e => e.GetProperty("name").GetString() == "scenario3-resolve-w");
        Assert.Equal(4, resolve.GetProperty("memory_runs").GetInt32());
        Assert.True(resolve.GetProperty("memory_start_bytes").GetInt64() > 0);
        Assert.True(resolve.GetProperty("memory_end_bytes").GetInt64() > 0);
    }

    [Fact]
    public void Long_time_series_entries_run_when_named_with_cpu_time_and_peak_memory()
    {
        Assert.Contains("timeseries-case69-year-scenario3", BenchSuite.Names);
        Assert.DoesNotContain("timeseries-case69-year-scenario3", BenchCommand.Names);   // not in a plain `bench`
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Commands.Execute(["bench", "--only", "timeseries-case69-day", "--runs", "1", "--json"], output, error);
        Assert.True(code == 0, error.ToString());
        using var doc = JsonDocument.Parse(output.ToString());
        var day = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal("timeseries-case69-day-every-scenario", day.GetProperty("name").GetString());
        Assert.Equal(0, day.GetProperty("warmup_calls").GetInt32());   // long entries: no warm-up unless asked
        Assert.True(day.GetProperty("median_cpu_ms").GetDouble() >= 0);
        Assert.True(day.GetProperty("peak_working_set_bytes").GetInt64() > 0);
    }

    [Fact]
    public void Bench_rejects_bad_options_as_usage_errors()
    {
        var error = new StringWriter();
        Assert.Equal(2, Commands.Execute(["bench", "--runs", "0"], new StringWriter(), error));
        Assert.Contains("--runs", error.ToString());
        Assert.Equal(2, Commands.Execute(["bench", "--fast"], new StringWriter(), new StringWriter()));
        error = new StringWriter();
        Assert.Equal(2, Commands.Execute(["bench", "--only", "timeseries-simbench", "--simbench", Path.GetTempPath()], new StringWriter(), error));
        Assert.Contains("not a SimBench grid folder", error.ToString());
    }

    [Fact]
    public void Synthetic_market_is_deterministic_and_every_peer_has_its_nearest_counterparts()
    {
        var network = P2PFlex.Grid.GridNetwork.Load(TestData.CasePath("case69"));
        var ptdf = P2PFlex.Grid.Ptdf.Compute(network);
        var market = P2PFlex.Scenarios.StudyContext.LoadScenarios().Single(s => s.Name == "1").Market;
        var a = P2PFlex.Scenarios.SyntheticMarket.Build(network, ptdf, market, 60, 5);
        var b = P2PFlex.Scenarios.SyntheticMarket.Build(network, ptdf, market, 60, 5);
        Assert.Equal(a.Problem.Peers, b.Problem.Peers);
        Assert.Equal(a.Problem.Pairs, b.Problem.Pairs);
        Assert.Equal(60, a.Problem.Peers.Count);
        a.Problem.Validate();
        for (int k = 0; k < 60; k++)
        {
            int degree = a.Problem.Pairs.Count(p => p.SellerIndex == k || p.BuyerIndex == k);
            Assert.True(degree >= 5, $"peer {k} has {degree} counterparts");
        }
        // On a radial feeder the distance is the path reactance: bus 1 → 3 is branches 1–2 and 2–3.
        int b1 = network.IndexOfBus(1), b3 = network.IndexOfBus(3);
        var d = P2PFlex.Scenarios.SyntheticMarket.ElectricalDistance(network, ptdf, [b1, b3]);
        Assert.Equal(network.Branches[0].XPu + network.Branches[1].XPu, d[(b1, b3)], 12);
        Assert.Equal(d[(b1, b3)], d[(b3, b1)]);
    }

    [Fact]
    public void Timing_reports_median_min_max()
    {
        int k = 0;
        var m = SteadyStateTimer.Time("x", 3, () => k++, warmupCalls: 2);
        Assert.Equal(5, k);
        Assert.Equal(3, m.Runs);
        Assert.Equal(2, m.WarmupCalls);
        Assert.True(m.MinMs <= m.MedianMs && m.MedianMs <= m.MaxMs);
    }

    [Fact]
    public void Default_warm_up_is_by_time_and_calls_at_least_once()
    {
        int k = 0;
        var m = SteadyStateTimer.Time("x", 1, () => k++, warmupSeconds: 0.05);
        Assert.True(m.WarmupCalls > 1, $"{m.WarmupCalls} warm-up calls in 50 ms");
        Assert.Equal(m.WarmupCalls + 1, k);
        int slow = 0;
        var once = SteadyStateTimer.Time("slow", 1, () => { slow++; Thread.Sleep(30); }, warmupSeconds: 0.01);
        Assert.Equal(1, once.WarmupCalls);
        Assert.Equal(2, slow);
    }

    [Fact]
    public void Median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        var m = SteadyStateTimer.Summarise("x", [4, 1, 3, 2]);
        Assert.Equal(2.5, m.MedianMs);
        Assert.Equal(1, m.MinMs);
        Assert.Equal(4, m.MaxMs);
    }

    [Fact]
    public void Fitted_exponent_recovers_a_power_law()
    {
        var points = new[] { 100.0, 300, 1000, 3000 }.Select(x => (x, 0.5 * Math.Pow(x, 1.3)));
        Assert.Equal(1.3, ScalingStudy.Exponent(points), 12);
        Assert.True(double.IsNaN(ScalingStudy.Exponent([(10.0, 1.0)])));
    }

    [Fact]
    public void Scaling_json_has_one_row_per_size_with_iterations_memory_and_fits()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Commands.Execute(["bench", "--scaling", "--peers", "40,80", "--runs", "1", "--warmup", "0", "--admm", "--json"], output, error);
        Assert.True(code == 0, error.ToString());
        using var doc = JsonDocument.Parse(output.ToString());
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal([40, 80], rows.Select(r => r.GetProperty("peers").GetInt32()));
        foreach (var r in rows)
        {
            Assert.True(r.GetProperty("iterations").GetInt32() > 0);
            Assert.True(r.GetProperty("allocated_bytes").GetInt64() > 0);
            Assert.True(r.GetProperty("admm_rounds").GetInt32() > 0);
            Assert.True(r.GetProperty("pairs").GetInt32() > 0);
        }
        var fit = doc.RootElement.GetProperty("fit");
        Assert.Equal(JsonValueKind.Number, fit.GetProperty("time_exponent").ValueKind);
        Assert.Equal(JsonValueKind.Number, fit.GetProperty("admm_rounds_exponent").ValueKind);
    }

    [Fact]
    public void Scaling_text_prints_the_table_and_the_exponents()
    {
        var output = new StringWriter();
        int code = Commands.Execute(["bench", "--scaling", "--peers", "40,80", "--runs", "1", "--warmup", "0"], output, new StringWriter());
        Assert.Equal(0, code);
        string text = output.ToString();
        Assert.Contains("iterations", text);
        Assert.Contains("fitted exponents", text);
        Assert.Contains("time ∝ peers^", text);
    }

    [Fact]
    public void Only_filters_operations_and_scaling_options_need_scaling()
    {
        var output = new StringWriter();
        Assert.Equal(0, Commands.Execute(["bench", "--only", "acpf-case69", "--runs", "1", "--warmup", "0", "--json"], output, new StringWriter()));
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.Equal(["acpf-case69"], doc.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        var error = new StringWriter();
        Assert.Equal(2, Commands.Execute(["bench", "--peers", "10,20"], new StringWriter(), error));
        Assert.Contains("--scaling", error.ToString());
        Assert.Equal(2, Commands.Execute(["bench", "--scaling", "--peers", "1,x"], new StringWriter(), new StringWriter()));
        Assert.Equal(2, Commands.Execute(["bench", "--only", "nothing-like-this"], new StringWriter(), new StringWriter()));
    }
}
