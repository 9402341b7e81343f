using System.Globalization;
using P2PFlex.Grid;
using P2PFlex.Grid.Matpower;
using P2PFlex.Grid.SimBench;
using P2PFlex.IO;

namespace P2PFlex.Tests.Grid.SimBench;

/// <summary>The SimBench reader and network model on the shared LV grid 1-LV-rural1--0-no_sw (shared/data/simbench).</summary>
public class SimBenchGridTests
{
    // NodePFResult.csv gives vm and va (degrees) to 5 decimals: an exact solution of the same model differs from it by at
    // most half a unit of the last digit. That is the tolerance; it is not loosened.
    private const double ReferenceRounding = 5e-6;

    private static readonly Lazy<SimBenchGrid> Grid = new(() => SimBenchGrid.Read(SharedData.SimBenchLvRural1));

    private static Dictionary<string, (double Vm, double Va)> Reference() =>
        File.ReadAllLines(Path.Combine(SharedData.SimBenchLvRural1, "NodePFResult.csv")).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(';'))
            .ToDictionary(c => c[0], c => (double.Parse(c[1], CultureInfo.InvariantCulture), double.Parse(c[2], CultureInfo.InvariantCulture)));

    [Fact]
    public void Reads_every_element_of_the_LV_grid()
    {
        var g = Grid.Value;
        Assert.Equal("1-LV-rural1--0-no_sw", g.Name);
        Assert.Equal(15, g.Nodes.Count);
        Assert.Equal(13, g.Lines.Count);
        Assert.Single(g.Transformers);
        Assert.Equal(13, g.Loads.Count);
        Assert.Equal(4, g.Res.Count);
        Assert.All(g.Res, r => Assert.Equal(SimBenchResKind.Pv, r.Kind));
        Assert.Equal(["hL", "n1", "hW", "hPV", "lW", "lPV"], g.StudyCases.Select(c => c.Name));
        Assert.Equal("MV1.101 Bus 4", g.ExternalNet.Node);
        Assert.Equal(1.025, g.Node("MV1.101 Bus 4").VmSetpointPu);
        Assert.Null(g.Node("LV1.101 Bus 1").VmSetpointPu);
        var hpv = g.StudyCase("hPV");
        Assert.Equal((1.0, 1.0, 0.85, 0.95, 1.0, 0.965), (hpv.PLoadFactor, hpv.QLoadFactor, hpv.WindFactor, hpv.PvFactor, hpv.ResFactor, hpv.SlackVmPu));
        var line = g.Lines[0];
        Assert.Equal(("LV1.101 Line 1", "LV1.101 Bus 10", "LV1.101 Bus 3", 0.0557667), (line.Id, line.NodeA, line.NodeB, line.LengthKm));
        Assert.Equal((0.2067, 0.0804248, 260.752, 270.0), (line.Type.ROhmPerKm, line.Type.XOhmPerKm, line.Type.BMicroSiemensPerKm, line.Type.IMaxA));
        var t = g.Transformers[0].Type;
        Assert.Equal((0.16, 4.0, 2.35, 0.46, 0.28751, TapSide.HV), (t.SRMva, t.VmImpPercent, t.PCuKw, t.PFeKw, t.INoLoadPercent, t.TapSide));
        Assert.Equal((0.014, 0.005533), (g.Loads[12].PMw, g.Loads[12].QMvar));
        Assert.Equal(0.078381, g.Res[1].PMw);
    }

    [Fact]
    public void Ratings_are_the_grids_own_thermal_limits()
    {
        var g = Grid.Value;
        var network = g.Network(g.Nominal());
        var limits = g.Limits(network);
        Assert.Equal(14, network.Branches.Count);
        // NAYY 4x150SE: 270 A at 0.4 kV, loadingMax 100 %: 0.27 kA × 0.4 kV × √3 = 0.18706 MVA.
        for (int l = 0; l < 13; l++) Assert.Equal(0.27 * 0.4 * Math.Sqrt(3), limits.LimitMw[l], 12);
        // The transformer: its type's sR of 0.16 MVA at loadingMax 100 %.
        Assert.Equal(0.16, limits.LimitMw[13], 12);
        Assert.Equal(limits.LimitMw, network.Branches.Select(b => b.RateAMva));
    }

    [Fact]
    public void Branch_impedances_come_from_type_times_length_and_the_transformer_type()
    {
        var g = Grid.Value;
        var network = g.Network(g.Nominal());
        var line = network.Branches[0];
        double zBase = 0.4 * 0.4 / SimBenchGrid.BaseMva;
        Assert.Equal(0.2067 * 0.0557667 / zBase, line.RPu, 12);
        Assert.Equal(0.0804248 * 0.0557667 / zBase, line.XPu, 12);
        Assert.Equal(260.752e-6 * 0.0557667 * zBase, line.BPu, 15);
        Assert.Equal((10, 3), (line.FromBus, line.ToBus));

        // Without the magnetising branch the series impedance would be z_k = 0.04 on 0.16 MVA (r = 2.35 kW / 160 kVA);
        // the T→π transform changes it by a few parts per million.
        var trafo = network.Branches[13];
        double zk = 0.04 / 0.16, rk = 2.35e-3 / 0.16 / 0.16;
        Assert.Equal(rk, trafo.RPu, 4);
        Assert.Equal(Math.Sqrt(zk * zk - rk * rk), trafo.XPu, 4);
        Assert.Equal(1.0, trafo.TapRatio, 15);
        Assert.Equal(0.0, trafo.ShiftDeg);
        Assert.Equal((15, 4), (trafo.FromBus, trafo.ToBus));
        // The magnetising branch's shunts: iron losses and no-load current of 0.46 kW and 0.28751 % of 160 kVA, half each side.
        var hv = network.Buses[14];
        var lv = network.Buses[3];
        Assert.Equal(0.46e-3, hv.GsMw + lv.GsMw, 7);
        double bm = Math.Sqrt(0.0028751 * 0.0028751 * 0.16 * 0.16 - 0.46e-3 * 0.46e-3);
        Assert.Equal(-bm, hv.BsMvar + lv.BsMvar, 7);
        Assert.Equal(BusType.Reference, hv.Type);
    }

    [Fact]
    public void The_AC_power_flow_reproduces_NodePFResult_at_the_nominal_operating_point()
    {
        var g = Grid.Value;
        var reference = Reference();
        var pf = AcPowerFlow.Solve(g.Network(g.Nominal()));
        Assert.Equal(PowerFlowStatus.Converged, pf.Status);
        Assert.Equal(15, reference.Count);
        foreach (var v in pf.Voltages)
        {
            var (vm, va) = reference[g.BusName(v.Bus)];
            Assert.True(Math.Abs(v.VmPu - vm) <= ReferenceRounding, $"{g.BusName(v.Bus)}: vm {v.VmPu} vs {vm}");
            Assert.True(Math.Abs(v.VaDeg - va) <= ReferenceRounding, $"{g.BusName(v.Bus)}: va {v.VaDeg} vs {va}");
        }
    }

    [Fact]
    public void No_study_case_is_the_operating_point_of_NodePFResult()
    {
        // The candidates docs/grid.md lists: every study case, at its own slack voltage and at the node's 1.025 p.u.
        var g = Grid.Value;
        var reference = Reference();
        foreach (var c in g.StudyCases)
            foreach (double slack in new[] { c.SlackVmPu, 1.025 })
            {
                var pf = AcPowerFlow.Solve(g.Network(g.AtStudyCase(c) with { SlackVmPu = slack }));
                double worst = pf.Voltages.Max(v => Math.Abs(v.VmPu - reference[g.BusName(v.Bus)].Vm));
                Assert.True(worst > 5e-4, $"{c.Name} at {slack} p.u. is within {worst} p.u. of the reference");
            }
    }

    [Fact]
    public void A_study_case_scales_loads_units_and_the_slack_voltage()
    {
        var g = Grid.Value;
        var lw = g.Network(g.AtStudyCase("lW"));
        var nominal = g.Network(g.Nominal());
        Assert.Equal(0.1 * nominal.Buses.Sum(b => b.PdMw), lw.Buses.Sum(b => b.PdMw), 12);
        Assert.Equal(0.122543 * nominal.Buses.Sum(b => b.QdMvar), lw.Buses.Sum(b => b.QdMvar), 12);
        Assert.Equal(0.8 * nominal.BaseInjectionMw.Sum(p => p) + 0.8 * nominal.Buses.Sum(b => b.PdMw) - 0.1 * nominal.Buses.Sum(b => b.PdMw),
            lw.BaseInjectionMw.Sum(p => p), 12);
        Assert.Equal(1.055, lw.Buses[lw.SlackIndex].VmPu);
        Assert.Equal(PowerFlowStatus.Converged, AcPowerFlow.Solve(lw).Status);
    }

    public static TheoryData<string, int, string, Func<string, string>> Malformations => new()
    {
        { "Node.csv", 4, "vmR", s => ReplaceField(s, 4, 4, "abc") },
        { "Node.csv", 16, "id", s => s.Replace("MV1.101 Bus 4;busbar", "LV1.101 Bus 9;busbar") },
        { "Line.csv", 3, "type", s => ReplaceField(s, 3, 3, "NAYY 4x999") },
        { "Line.csv", 2, "nodeB", s => ReplaceField(s, 2, 2, "LV1.101 Bus 99") },
        { "LineType.csv", 21, "iMax", s => ReplaceField(s, 21, 4, "-270") },
        { "Transformer.csv", 2, "tappos", s => ReplaceField(s, 2, 4, "7") },
        { "TransformerType.csv", 2, "vmImp", s => ReplaceField(s, 2, 5, "NULL") },
        { "TransformerType.csv", 2, "tapside", s => ReplaceField(s, 2, 10, "MV") },
        { "ExternalNet.csv", 2, "calc_type", s => ReplaceField(s, 2, 2, "pq") },
        { "Load.csv", 5, "pLoad", s => ReplaceField(s, 5, 3, "1,5") },
        { "Load.csv", 6, "row", s => ReplaceField(s, 6, 7, "LV1.101;7;extra") },
        { "RES.csv", 3, "pRES", s => ReplaceField(s, 3, 5, "NaN") },
        { "StudyCases.csv", 4, "Slack_vm", s => ReplaceField(s, 4, 6, "96.5") },
        { "StudyCases.csv", 3, "Study Case", s => ReplaceField(s, 3, 0, "hL") },
    };

    [Theory]
    [MemberData(nameof(Malformations))]
    public void A_malformed_copy_of_each_file_is_refused_with_file_line_and_column(string file, int line, string field, Func<string, string> edit)
    {
        string folder = CopyWith(file, edit);
        try
        {
            var e = Assert.Throws<DataFormatException>(() => SimBenchGrid.Read(folder));
            Assert.Equal(Path.Combine(folder, file), e.File);
            Assert.Equal(line, e.Line);
            Assert.Equal(field, e.Field);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Theory]
    [InlineData("Node.csv")]
    [InlineData("Load.csv")]
    [InlineData("StudyCases.csv")]
    public void A_missing_file_is_named(string file)
    {
        string folder = CopyWith(file, _ => "");
        File.Delete(Path.Combine(folder, file));
        try
        {
            var e = Assert.Throws<DataFormatException>(() => SimBenchGrid.Read(folder));
            Assert.Equal(Path.Combine(folder, file), e.File);
            Assert.Equal("file", e.Field);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void A_node_cut_off_from_the_external_grid_is_named()
    {
        // Drop line 11 (Bus 5 – Bus 6): Bus 5 hangs on nothing else.
        string folder = CopyWith("Line.csv", s => string.Join('\n', s.Split('\n').Where(l => !l.StartsWith("LV1.101 Line 11;", StringComparison.Ordinal))));
        try
        {
            var e = Assert.Throws<DataFormatException>(() => SimBenchGrid.Read(folder));
            Assert.Equal(Path.Combine(folder, "Node.csv"), e.File);
            Assert.Equal(6, e.Line);
            Assert.Contains("LV1.101 Bus 5", e.Message);
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void A_folder_with_switches_is_refused_not_read_wrong()
    {
        string folder = CopyWith("Node.csv", s => s);
        File.WriteAllText(Path.Combine(folder, "Switch.csv"), "id;nodeA;nodeB;type;cond;substation;subnet;voltLvl\nS1;LV1.101 Bus 1;LV1.101 Bus 2;LBS;1;NULL;LV1.101;7\n");
        try
        {
            var e = Assert.Throws<DataFormatException>(() => SimBenchGrid.Read(folder));
            Assert.Equal((Path.Combine(folder, "Switch.csv"), 2), (e.File, e.Line));
        }
        finally { Directory.Delete(folder, true); }
    }

    /// <summary>Replaces field <paramref name="column"/> (0-based) of file line <paramref name="line"/> (1-based).</summary>
    private static string ReplaceField(string text, int line, int column, string value)
    {
        var lines = text.Split('\n');
        var cells = lines[line - 1].Split(';');
        cells[column] = value;
        lines[line - 1] = string.Join(';', cells);
        return string.Join('\n', lines);
    }

    /// <summary>A temporary copy of the grid's element tables (not the year's profiles) with one file edited.</summary>
    internal static string CopyWith(string file, Func<string, string> edit)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"p2pflex-simbench-{Guid.NewGuid():N}", "grid");
        Directory.CreateDirectory(folder);
        foreach (string source in Directory.GetFiles(SharedData.SimBenchLvRural1, "*.csv"))
        {
            string name = Path.GetFileName(source);
            if (name.EndsWith("Profile.csv", StringComparison.Ordinal)) continue;
            string text = File.ReadAllText(source);
            File.WriteAllText(Path.Combine(folder, name), name == file ? edit(text) : text);
        }
        return folder;
    }
}
