using System.Numerics;
using P2PFlex.Grid.Matpower;

namespace P2PFlex.Grid.SimBench;

/// <summary>
/// A SimBench grid read from its CSV folder (<see cref="SimBenchReader"/>): nodes, lines with their types, two-winding
/// transformers with their types, the external grid, loads, renewable units and the study cases. Builds the project's
/// network model for any operating point (<see cref="Network"/>) with the grid's real thermal ratings
/// (<see cref="Limits"/>); docs/grid.md, "SimBench grids", states the mapping.
/// </summary>
public sealed class SimBenchGrid
{
    /// <summary>System base of the networks built from a SimBench grid (MVA). LV grids carry kW; 1 MVA keeps the p.u.
    /// values of order one to a thousandth and the power-flow tolerance (1e-8 p.u.) at 0.01 W.</summary>
    public const double BaseMva = 1.0;

    private readonly Dictionary<string, SimBenchNode> _nodeById;

    internal SimBenchGrid(string folder, string name, IReadOnlyList<SimBenchNode> nodes, IReadOnlyList<SimBenchLine> lines,
        IReadOnlyList<SimBenchTransformer> transformers, SimBenchExternalNet externalNet, IReadOnlyList<SimBenchLoad> loads,
        IReadOnlyList<SimBenchRes> res, IReadOnlyList<SimBenchStudyCase> studyCases)
    {
        Folder = folder;
        Name = name;
        Nodes = nodes;
        Lines = lines;
        Transformers = transformers;
        ExternalNet = externalNet;
        Loads = loads;
        Res = res;
        StudyCases = studyCases;
        _nodeById = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
    }

    /// <summary>Reads a SimBench CSV folder; see <see cref="SimBenchReader.Read"/>.</summary>
    public static SimBenchGrid Read(string folder) => SimBenchReader.Read(folder);

    /// <summary>The folder the grid was read from (absolute).</summary>
    public string Folder { get; }

    /// <summary>The grid's name: its folder's name (e.g. <c>1-LV-rural1--0-no_sw</c>).</summary>
    public string Name { get; }

    public IReadOnlyList<SimBenchNode> Nodes { get; }
    public IReadOnlyList<SimBenchLine> Lines { get; }
    public IReadOnlyList<SimBenchTransformer> Transformers { get; }
    public SimBenchExternalNet ExternalNet { get; }
    public IReadOnlyList<SimBenchLoad> Loads { get; }
    public IReadOnlyList<SimBenchRes> Res { get; }
    public IReadOnlyList<SimBenchStudyCase> StudyCases { get; }

    /// <summary>The node with the given id.</summary>
    public SimBenchNode Node(string id) =>
        _nodeById.TryGetValue(id, out var n) ? n : throw new KeyNotFoundException($"node '{id}' does not exist in {Name}");

    /// <summary>The node of a bus number of the network model.</summary>
    public SimBenchNode NodeOfBus(int busNumber) => Nodes[busNumber - 1];

    /// <summary>The study case with the given name (hL, n1, hW, hPV, lW, lPV).</summary>
    public SimBenchStudyCase StudyCase(string name) =>
        StudyCases.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"{Name} has no study case '{name}' (StudyCases.csv lists: {string.Join(", ", StudyCases.Select(c => c.Name))})");

    /// <summary>Every load and unit at its nominal value (factor 1), the slack at the external grid node's <c>vmSetp</c>
    /// (1 p.u. when NULL): the operating point of SimBench's own <c>NodePFResult.csv</c> (docs/grid.md).</summary>
    public SimBenchOperatingPoint Nominal() =>
        new("nominal", Ones(Loads.Count), Ones(Loads.Count), Ones(Res.Count), Node(ExternalNet.Node).VmSetpointPu ?? 1.0);

    /// <summary>A study case's operating point: pload/qload on every load, PV_p/Wind_p/RES_p on the units by kind, Slack_vm.</summary>
    public SimBenchOperatingPoint AtStudyCase(SimBenchStudyCase c) =>
        new(c.Name, Repeat(c.PLoadFactor, Loads.Count), Repeat(c.QLoadFactor, Loads.Count), Res.Select(r => c.FactorOf(r.Kind)).ToArray(), c.SlackVmPu);

    /// <summary>See <see cref="AtStudyCase(SimBenchStudyCase)"/>.</summary>
    public SimBenchOperatingPoint AtStudyCase(string name) => AtStudyCase(StudyCase(name));

    private static double[] Ones(int n) => Repeat(1.0, n);
    private static double[] Repeat(double v, int n) => Enumerable.Repeat(v, n).ToArray();

    /// <summary>
    /// The network model at an operating point. Buses are the nodes in file order (bus number = row number); the
    /// external grid's node is the slack at the point's voltage, angle 0. Loads at a node add up (P, Q times their
    /// factors); each renewable unit is a generator at its node (P times its factor, Q in proportion). Branches are the
    /// lines in file order (π model from type × length), then the transformers (impedance and magnetising branch from the
    /// type, tap ratio from the tap position); each branch's RATE_A is its thermal rating (<see cref="RatingsMva"/>).
    /// </summary>
    public GridNetwork Network(SimBenchOperatingPoint point)
    {
        if (point.LoadPFactor.Count != Loads.Count || point.LoadQFactor.Count != Loads.Count || point.ResPFactor.Count != Res.Count)
            throw new ArgumentException($"operating point '{point.Name}' has {point.LoadPFactor.Count}/{point.LoadQFactor.Count} load factors and {point.ResPFactor.Count} unit factors; {Name} has {Loads.Count} loads and {Res.Count} units", nameof(point));
        if (!(point.SlackVmPu > 0) || !double.IsFinite(point.SlackVmPu))
            throw new ArgumentException($"operating point '{point.Name}': slack voltage must be positive, is {point.SlackVmPu}", nameof(point));
        int n = Nodes.Count;
        var pd = new double[n];
        var qd = new double[n];
        var gs = new double[n];
        var bs = new double[n];
        for (int k = 0; k < Loads.Count; k++)
        {
            int i = Node(Loads[k].Node).Number - 1;
            pd[i] += Loads[k].PMw * point.LoadPFactor[k];
            qd[i] += Loads[k].QMvar * point.LoadQFactor[k];
        }
        var slack = Node(ExternalNet.Node);
        var generators = new List<MatpowerGenerator>
        {
            new(slack.Number, 0, 0, double.PositiveInfinity, double.NegativeInfinity, point.SlackVmPu, BaseMva, true,
                double.PositiveInfinity, double.NegativeInfinity, ExternalNet.SourceLine),
        };
        for (int k = 0; k < Res.Count; k++)
        {
            var r = Res[k];
            double f = point.ResPFactor[k];
            generators.Add(new MatpowerGenerator(Node(r.Node).Number, r.PMw * f, r.QMvar * f, r.QMvar * f, r.QMvar * f, point.SlackVmPu, BaseMva, true,
                r.PMw * f, r.PMw * f, r.SourceLine));
        }

        var branches = new List<MatpowerBranch>();
        foreach (var line in Lines)
        {
            var a = Node(line.NodeA);
            double zBase = a.VmRKv * a.VmRKv / BaseMva;
            branches.Add(new MatpowerBranch(a.Number, Node(line.NodeB).Number,
                line.Type.ROhmPerKm * line.LengthKm / zBase, line.Type.XOhmPerKm * line.LengthKm / zBase,
                line.Type.BMicroSiemensPerKm * 1e-6 * line.LengthKm * zBase,
                line.RatingMva(a.VmRKv), 0, 0, 0, 0, true, -360, 360, line.SourceLine));
        }
        foreach (var t in Transformers)
        {
            var model = TransformerModel(t);
            int hv = Node(t.NodeHv).Number - 1, lv = Node(t.NodeLv).Number - 1;
            gs[hv] += model.ShuntHv.Real * BaseMva;
            bs[hv] += model.ShuntHv.Imaginary * BaseMva;
            gs[lv] += model.ShuntLv.Real * BaseMva;
            bs[lv] += model.ShuntLv.Imaginary * BaseMva;
            branches.Add(new MatpowerBranch(hv + 1, lv + 1, model.Series.Real, model.Series.Imaginary, 0,
                t.RatingMva, 0, 0, model.TapRatio, model.ShiftDeg, true, -360, 360, t.SourceLine));
        }

        var buses = Nodes.Select(nd => new MatpowerBus(nd.Number, nd.Number == slack.Number ? BusType.Reference : BusType.PQ,
            pd[nd.Number - 1], qd[nd.Number - 1], gs[nd.Number - 1], bs[nd.Number - 1], 1, point.SlackVmPu, 0, nd.VmRKv, 1,
            nd.VmMaxPu, nd.VmMinPu, nd.SourceLine)).ToArray();
        return GridNetwork.FromCase(new MatpowerCase(Name, Folder, BaseMva, buses, generators, branches, []));
    }

    /// <summary>Thermal ratings per branch of <see cref="Network"/> (lines, then transformers), MVA: a line's
    /// iMax × rated voltage × √3 × loadingMax/100, a transformer's sR × loadingMax/100.</summary>
    public IReadOnlyList<double> RatingsMva =>
        Lines.Select(l => l.RatingMva(Node(l.NodeA).VmRKv)).Concat(Transformers.Select(t => t.RatingMva)).ToArray();

    /// <summary>The line limits of a network built by <see cref="Network"/>: the real thermal ratings, read as MW limits
    /// of the DC market model (a lossless unity-power-factor flow; the AC check reads them back as MVA).</summary>
    public LineLimits Limits(GridNetwork network) => new(network, RatingsMva, Folder);

    /// <summary>A transformer in the network model: series impedance and tap of the π branch, and the shunts its
    /// magnetising branch puts at the HV and LV buses (all p.u. on <see cref="BaseMva"/>).</summary>
    public readonly record struct TransformerBranchModel(Complex Series, Complex ShuntHv, Complex ShuntLv, double TapRatio, double ShiftDeg);

    /// <summary>
    /// The transformer's equivalent circuit. On its own rating: |z_k| = vmImp/100, r_k = pCu/(1000·sR), x_k = √(|z_k|² − r_k²);
    /// magnetising y_m = iNoLoad/100 with conductance g_m = pFe/(1000·sR) and an inductive susceptance −√(y_m² − g_m²).
    /// Referred to the LV bus's rated voltage and the system base (× (vmLV/vn_LV)²·S_base/sR). The T circuit (half the
    /// series impedance on each side of the magnetising branch, pandapower's default "t" model) becomes the π circuit of
    /// a branch by the star–delta transform. Tap: ratio 1 + (tappos − tapNeutr)·dVm/100 on the tap side (its inverse for
    /// an LV tap), times the ratio of the winding voltages to the buses' rated voltages. The vector group's phase shift
    /// (va0) is left out: with one infeed it turns every angle behind the transformer by the same amount and changes no
    /// magnitude or flow (SimBench's NodePFResult.csv leaves it out too); a tap's dVa is kept.
    /// </summary>
    public TransformerBranchModel TransformerModel(SimBenchTransformer t)
    {
        var type = t.Type;
        double vnHv = Node(t.NodeHv).VmRKv, vnLv = Node(t.NodeLv).VmRKv;
        double toSystem = (type.VmLvKv / vnLv) * (type.VmLvKv / vnLv) * BaseMva / type.SRMva;
        double zk = type.VmImpPercent / 100, rk = type.PCuKw / 1000 / type.SRMva;
        var zSeries = new Complex(rk, Math.Sqrt(zk * zk - rk * rk)) * toSystem;
        double ym = type.INoLoadPercent / 100, gm = type.PFeKw / 1000 / type.SRMva;
        var yMag = new Complex(gm, -Math.Sqrt(ym * ym - gm * gm)) / toSystem;
        Complex series = zSeries, shuntHv = Complex.Zero, shuntLv = Complex.Zero;
        if (yMag != Complex.Zero)
        {
            // Star (Z/2, Z/2, 1/y_m) to delta: Σ = Z1·Z2 + Z2·Zm + Zm·Z1; Z12 = Σ/Zm, Z1g = Σ/Z2, Z2g = Σ/Z1.
            Complex z1 = zSeries / 2, z2 = zSeries / 2, zm = 1 / yMag;
            Complex sum = z1 * z2 + z2 * zm + zm * z1;
            series = sum / zm;
            shuntHv = z2 / sum;
            shuntLv = z1 / sum;
        }
        int steps = t.TapPosition - type.TapNeutral;
        double step = 1 + steps * type.DVmPercent / 100;
        double ratio = (type.TapSide == TapSide.HV ? step : 1 / step) * (type.VmHvKv / vnHv) / (type.VmLvKv / vnLv);
        double shift = (type.TapSide == TapSide.HV ? 1 : -1) * steps * type.DVaDeg;
        return new TransformerBranchModel(series, shuntHv, shuntLv, ratio, shift);
    }

    /// <summary>"LV1.101 Bus 4" style name of a bus number, for tables.</summary>
    public string BusName(int busNumber) => NodeOfBus(busNumber).Id;
}
