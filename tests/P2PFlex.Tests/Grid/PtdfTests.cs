using MathNet.Numerics.LinearAlgebra;
using P2PFlex.Grid;
using P2PFlex.Grid.Matpower;

namespace P2PFlex.Tests.Grid;

[Trait(TestTiers.Category, TestTiers.Fast)]
public class PtdfTests
{
    // Radial entries are exactly 0 or −1 in exact arithmetic; the LU solves leave rounding that grows with the spread of
    // branch susceptances (case141 has a 1e-5 Ω branch beside ordinary ones: errors up to ~1e-12). Stated bound: 1e-9.
    private const double RadialTolerance = 1e-9;

    [Theory]
    [InlineData("case69")]
    [InlineData("case33bw")]
    [InlineData("case141")]
    [InlineData("case22")]
    public void Radial_feeders_have_path_indicator_PTDFs(string name)
    {
        var network = GridNetwork.Load(TestData.CasePath(name));
        var h = Ptdf.Compute(network);
        Assert.Equal(network.Branches.Count, h.LineCount);
        for (int l = 0; l < h.LineCount; l++)
            for (int k = 0; k < h.BusCount; k++)
            {
                double v = h[l, k];
                Assert.True(Math.Abs(v) < RadialTolerance || Math.Abs(v + 1) < RadialTolerance, $"H[{l},{k}] = {v}");
            }
        for (int l = 0; l < h.LineCount; l++) Assert.Equal(0.0, h[l, network.SlackIndex]);
        // case69: injecting at bus 45 relieves (−1) lines 1–2 … 44–45 on its path, and nothing else.
        if (name == "case69")
        {
            int bus45 = network.IndexOfBus(45);
            var onPath = Enumerable.Range(0, h.LineCount).Where(l => Math.Abs(h[l, bus45] + 1) < RadialTolerance)
                .Select(l => network.Branches[l].Label).ToArray();
            Assert.Equal(["1–2", "2–3", "3–36", "36–37", "37–38", "38–39", "39–40", "40–41", "41–42", "42–43", "43–44", "44–45"], onPath);
        }
    }

    [Theory]
    [InlineData("case69")]
    [InlineData("case33bw")]
    [InlineData("case4_dist")]
    public void PTDF_equals_MATPOWERs_makePTDF(string name)
    {
        var network = GridNetwork.Load(TestData.CasePath(name));
        var h = Ptdf.Compute(network);
        var reference = File.ReadAllLines(TestData.Fixture($"{name}_ptdf.csv")).Skip(1)
            .Select(l => l.Split(',').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        foreach (var row in reference)
        {
            int caseIndex = (int)row[0];
            if (!network.Branches.Any(b => b.CaseIndex == caseIndex)) continue; // out-of-service: MATPOWER's zero row
            int l = network.PositionOfBranch(caseIndex);
            for (int k = 0; k < h.BusCount; k++) Assert.Equal(row[k + 1], h[l, k], 1e-10);
        }
    }

    [Theory]
    [InlineData("case69")]
    [InlineData("case33bw")]
    [InlineData("case118zh")]
    [InlineData("case533mt_hi")]
    public void PTDF_times_injections_equals_the_DC_power_flow(string name)
    {
        // Identity check: solve B'θ = p independently (dense LU of MathNet) and compare b·(θf − θt) with H·p,
        // then compare both with MATPOWER's rundcpf branch flows.
        var network = GridNetwork.Load(TestData.CasePath(name));
        var h = Ptdf.Compute(network);
        var p = network.BaseInjectionMw.ToArray();
        var flows = h.Flows(p);

        int n = network.Buses.Count, s = network.SlackIndex;
        var b = Matrix<double>.Build.Dense(n, n);
        foreach (var br in network.Branches)
        {
            double y = 1 / (br.XPu * br.TapRatio);
            b[br.From, br.From] += y; b[br.To, br.To] += y; b[br.From, br.To] -= y; b[br.To, br.From] -= y;
        }
        var keep = Enumerable.Range(0, n).Where(i => i != s).ToArray();
        var reduced = Matrix<double>.Build.Dense(n - 1, n - 1, (i, j) => b[keep[i], keep[j]]);
        var theta = reduced.LU().Solve(Vector<double>.Build.Dense(keep.Select(i => p[i]).ToArray()));
        var full = new double[n];
        for (int i = 0; i < keep.Length; i++) full[keep[i]] = theta[i];
        double scale = p.Sum(Math.Abs);
        for (int l = 0; l < network.Branches.Count; l++)
        {
            var br = network.Branches[l];
            double direct = (full[br.From] - full[br.To]) / (br.XPu * br.TapRatio);
            Assert.Equal(direct, flows[l], 1e-9 * scale);
        }
        var matpower = TestData.ReadFixture($"{name}_dc_branches.csv");
        for (int l = 0; l < network.Branches.Count; l++)
        {
            var row = matpower.Single(r => (int)r["index"] == network.Branches[l].CaseIndex);
            Assert.Equal(row["p_from_mw"], flows[l], 1e-9 * scale);
        }
    }

    [Fact]
    public void Meshed_triangle_splits_flow_by_reactance()
    {
        // Triangle 1–2 (x = 0.1), 2–3 (x = 0.1), 1–3 (x = 0.2); slack at bus 1. An injection at bus 3 returns to bus 1
        // over two paths: direct 3→1 (x = 0.2) and 3→2→1 (x = 0.2), so half each.
        var c = MatpowerReader.Parse("""
            function mpc = tri
            mpc.version = '2';
            mpc.baseMVA = 100;
            mpc.bus = [1 3 0 0 0 0 1 1 0 10 1 1.1 0.9; 2 1 0 0 0 0 1 1 0 10 1 1.1 0.9; 3 1 0 0 0 0 1 1 0 10 1 1.1 0.9];
            mpc.gen = [1 0 0 10 -10 1 100 1 10 0];
            mpc.branch = [1 2 0 0.1 0 0 0 0 0 0 1 -360 360; 2 3 0 0.1 0 0 0 0 0 0 1 -360 360; 1 3 0 0.2 0 0 0 0 0 0 1 -360 360];
            """, "tri.m");
        var h = Ptdf.Compute(GridNetwork.FromCase(c));
        Assert.Equal(-0.5, h[0, 2], 1e-14);  // 1→2 carries −0.5 (power flows 2→1)
        Assert.Equal(-0.5, h[1, 2], 1e-14);  // 2→3 carries −0.5
        Assert.Equal(-0.5, h[2, 2], 1e-14);  // 1→3 carries −0.5
        // Injection at bus 2: paths 2→1 (x 0.1) and 2→3→1 (x 0.3): 3/4 direct, 1/4 around.
        Assert.Equal(-0.75, h[0, 1], 1e-14);
        Assert.Equal(0.25, h[1, 1], 1e-14);
        Assert.Equal(-0.25, h[2, 1], 1e-14);
    }
}
