using System.Text.Json;
using P2PFlex.Cli;

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
        Assert.Equal(BenchCommand.Names, items.Select(e => e.GetProperty("name").GetString()).ToArray());
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
    public void Bench_rejects_bad_options_as_usage_errors()
    {
        var error = new StringWriter();
        Assert.Equal(2, Commands.Execute(["bench", "--runs", "0"], new StringWriter(), error));
        Assert.Contains("--runs", error.ToString());
        Assert.Equal(2, Commands.Execute(["bench", "--fast"], new StringWriter(), new StringWriter()));
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
        var m = BenchCommand.Time("x", 2, 3, () => k++);
        Assert.Equal(5, k);
        Assert.Equal(3, m.Runs);
        Assert.True(m.MinMs <= m.MedianMs && m.MedianMs <= m.MaxMs);
    }
}
