namespace P2PFlex.Grid.Matpower;

/// <summary>MATPOWER bus types (column BUS_TYPE of the bus matrix).</summary>
public enum BusType
{
    /// <summary>Load bus: P and Q given.</summary>
    PQ = 1,
    /// <summary>Generator bus: P and |V| given.</summary>
    PV = 2,
    /// <summary>Reference (slack) bus: |V| and angle given.</summary>
    Reference = 3,
    /// <summary>Isolated bus.</summary>
    Isolated = 4,
}

/// <summary>
/// One row of MATPOWER's <c>mpc.bus</c> after the case file's own unit conversions
/// (MATPOWER <c>caseformat</c>, columns 1–13). <see cref="SourceLine"/> is the file line the row was written on.
/// </summary>
public sealed record MatpowerBus(
    int BusNumber,
    BusType Type,
    double PdMw,
    double QdMvar,
    double GsMw,
    double BsMvar,
    int Area,
    double VmPu,
    double VaDeg,
    double BaseKv,
    int Zone,
    double VmaxPu,
    double VminPu,
    int SourceLine);

/// <summary>One row of <c>mpc.gen</c> (columns 1–10 of MATPOWER's gen matrix).</summary>
public sealed record MatpowerGenerator(
    int BusNumber,
    double PgMw,
    double QgMvar,
    double QmaxMvar,
    double QminMvar,
    double VgPu,
    double MbaseMva,
    bool InService,
    double PmaxMw,
    double PminMw,
    int SourceLine);

/// <summary>
/// One row of <c>mpc.branch</c> (columns 1–13). Impedances in p.u. on the system base after conversion.
/// A <see cref="TapRatio"/> of 0 in the file means a line (ratio 1); it is stored as written.
/// </summary>
public sealed record MatpowerBranch(
    int FromBus,
    int ToBus,
    double RPu,
    double XPu,
    double BPu,
    double RateAMva,
    double RateBMva,
    double RateCMva,
    double TapRatio,
    double ShiftDeg,
    bool InService,
    double AngMinDeg,
    double AngMaxDeg,
    int SourceLine)
{
    /// <summary>The effective off-nominal tap ratio (MATPOWER treats 0 as 1).</summary>
    public double EffectiveTap => TapRatio == 0 ? 1.0 : TapRatio;
}

/// <summary>
/// A MATPOWER case as read from a <c>.m</c> file, with every assignment statement of the file applied
/// (distribution cases convert ohms to p.u. and kW to MW at the end of the file).
/// Row order is the file's order: branch <c>k</c> (1-based) is <c>Branches[k-1]</c>.
/// </summary>
public sealed record MatpowerCase(
    string Name,
    string SourceFile,
    double BaseMva,
    IReadOnlyList<MatpowerBus> Buses,
    IReadOnlyList<MatpowerGenerator> Generators,
    IReadOnlyList<MatpowerBranch> Branches,
    IReadOnlyList<IReadOnlyList<double>> GeneratorCosts)
{
    /// <summary>Total active load (MW), after the file's conversions.</summary>
    public double TotalLoadMw => Buses.Sum(b => b.PdMw);

    /// <summary>Total reactive load (MVAr), after the file's conversions.</summary>
    public double TotalLoadMvar => Buses.Sum(b => b.QdMvar);

    /// <summary>A copy with every bus load multiplied by the given factor for that bus number (factor 1 when absent).</summary>
    public MatpowerCase WithLoadsScaled(Func<int, double> factorOfBus) =>
        this with
        {
            Buses = Buses.Select(b =>
            {
                double k = factorOfBus(b.BusNumber);
                return b with { PdMw = b.PdMw * k, QdMvar = b.QdMvar * k };
            }).ToArray(),
        };
}
