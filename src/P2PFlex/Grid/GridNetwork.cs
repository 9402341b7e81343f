using P2PFlex.Grid.Matpower;

namespace P2PFlex.Grid;

/// <summary>A bus of the network model: its number as in the case file and its internal index (0-based, file order).</summary>
public sealed record GridBus(
    int Number,
    int Index,
    BusType Type,
    double PdMw,
    double QdMvar,
    double GsMw,
    double BsMvar,
    double VmPu,
    double VaDeg,
    double BaseKv);

/// <summary>
/// An in-service branch. <see cref="CaseIndex"/> is its 1-based row in the case file (the study's "branch index",
/// e.g. 44 for line 44–45 of case69); <see cref="From"/>/<see cref="To"/> are internal bus indices.
/// Positive flow runs from <see cref="FromBus"/> to <see cref="ToBus"/>.
/// </summary>
public sealed record GridBranch(
    int CaseIndex,
    int FromBus,
    int ToBus,
    int From,
    int To,
    double RPu,
    double XPu,
    double BPu,
    double TapRatio,
    double ShiftDeg,
    double RateAMva)
{
    /// <summary>"44–45" style label used in tables and charts.</summary>
    public string Label => $"{FromBus}–{ToBus}";

    /// <summary>
    /// The one way P2PFlex names a line in text: its line number (the branch's row in the case file, <see cref="CaseIndex"/>)
    /// and its from–to buses, e.g. "line 44 (44–45)" (docs/grid.md, "Naming lines").
    /// </summary>
    public string Name => $"line {CaseIndex} ({FromBus}–{ToBus})";
}

/// <summary>
/// The network a market runs on: buses, in-service branches, generators and the base injections.
/// Built once from a <see cref="MatpowerCase"/>; immutable.
/// </summary>
public sealed class GridNetwork
{
    private readonly Dictionary<int, int> _indexOfBus;

    private GridNetwork(MatpowerCase source, IReadOnlyList<GridBus> buses, IReadOnlyList<GridBranch> branches, int slack)
    {
        Case = source;
        Buses = buses;
        Branches = branches;
        SlackIndex = slack;
        _indexOfBus = buses.ToDictionary(b => b.Number, b => b.Index);

        var injection = new double[buses.Count];
        for (int i = 0; i < buses.Count; i++) injection[i] = -buses[i].PdMw;
        foreach (var g in source.Generators)
            if (g.InService && _indexOfBus[g.BusNumber] != slack)
                injection[_indexOfBus[g.BusNumber]] += g.PgMw;
        BaseInjectionMw = injection;
    }

    /// <summary>The case the network was built from.</summary>
    public MatpowerCase Case { get; }

    /// <summary>Case name (e.g. <c>case69</c>).</summary>
    public string Name => Case.Name;

    /// <summary>System MVA base.</summary>
    public double BaseMva => Case.BaseMva;

    /// <summary>Buses in file order; <c>Buses[i].Index == i</c>.</summary>
    public IReadOnlyList<GridBus> Buses { get; }

    /// <summary>In-service branches in file order (out-of-service rows, e.g. open tie switches, are left out).</summary>
    public IReadOnlyList<GridBranch> Branches { get; }

    /// <summary>Internal index of the reference (slack) bus.</summary>
    public int SlackIndex { get; }

    /// <summary>
    /// Base nodal injections (MW, positive into the grid): −Pd at every bus plus the output of in-service
    /// generators away from the slack. The slack's own injection balances the rest and is not listed here.
    /// </summary>
    public IReadOnlyList<double> BaseInjectionMw { get; }

    /// <summary>Internal index of a bus number.</summary>
    /// <exception cref="KeyNotFoundException">The bus does not exist; the message names it.</exception>
    public int IndexOfBus(int busNumber) =>
        _indexOfBus.TryGetValue(busNumber, out int i) ? i : throw new KeyNotFoundException($"bus {busNumber} does not exist in {Name}");

    /// <summary>Whether a bus number exists.</summary>
    public bool HasBus(int busNumber) => _indexOfBus.ContainsKey(busNumber);

    /// <summary>Position in <see cref="Branches"/> of the branch with the given 1-based case index.</summary>
    public int PositionOfBranch(int caseIndex)
    {
        for (int l = 0; l < Branches.Count; l++) if (Branches[l].CaseIndex == caseIndex) return l;
        throw new KeyNotFoundException($"branch {caseIndex} is not an in-service branch of {Name}");
    }

    /// <summary>Builds the network model of a case. The first reference bus is the slack.</summary>
    public static GridNetwork FromCase(MatpowerCase source)
    {
        var buses = source.Buses.Select((b, i) => new GridBus(b.BusNumber, i, b.Type, b.PdMw, b.QdMvar, b.GsMw, b.BsMvar, b.VmPu, b.VaDeg, b.BaseKv)).ToArray();
        var index = buses.ToDictionary(b => b.Number, b => b.Index);
        var branches = new List<GridBranch>();
        for (int k = 0; k < source.Branches.Count; k++)
        {
            var br = source.Branches[k];
            if (!br.InService) continue;
            branches.Add(new GridBranch(k + 1, br.FromBus, br.ToBus, index[br.FromBus], index[br.ToBus], br.RPu, br.XPu, br.BPu,
                br.EffectiveTap, br.ShiftDeg, br.RateAMva));
        }
        int slack = buses.First(b => b.Type == BusType.Reference).Index;
        return new GridNetwork(source, buses, branches, slack);
    }

    /// <summary>Reads a MATPOWER case file and builds its network.</summary>
    public static GridNetwork Load(string path) => FromCase(MatpowerReader.ReadFile(path));
}
