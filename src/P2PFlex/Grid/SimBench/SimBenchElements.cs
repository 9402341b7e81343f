namespace P2PFlex.Grid.SimBench;

/// <summary>A node of <c>Node.csv</c>. <see cref="Number"/> is its bus number in the network model (1-based, file order).
/// <list type="bullet">
/// <item><c>VmRKv</c>: Rated (nominal) voltage, kV.</item>
/// <item><c>VmSetpointPu</c>: Voltage set point (<c>vmSetp</c>), p.u.; null when the file says NULL.</item>
/// <item><c>SourceLine</c>: The line of <c>Node.csv</c> the node was read from.</item>
/// </list>
/// </summary>
public sealed record SimBenchNode(string Id, int Number, double VmRKv, double VmMinPu, double VmMaxPu, double? VmSetpointPu, string Subnet, int SourceLine);

/// <summary>A line type of <c>LineType.csv</c>: per-kilometre impedance and the thermal current limit.
/// <list type="bullet">
/// <item><c>ROhmPerKm</c>: Series resistance, Ω/km.</item>
/// <item><c>XOhmPerKm</c>: Series reactance, Ω/km.</item>
/// <item><c>BMicroSiemensPerKm</c>: Shunt susceptance (charging), µS/km.</item>
/// <item><c>IMaxA</c>: Thermal current limit, A.</item>
/// </list>
/// </summary>
public sealed record SimBenchLineType(string Id, double ROhmPerKm, double XOhmPerKm, double BMicroSiemensPerKm, double IMaxA, string Kind);

/// <summary>A line of <c>Line.csv</c> with its type resolved.
/// <list type="bullet">
/// <item><c>LoadingMaxPercent</c>: Permitted loading, % of the type's thermal limit.</item>
/// </list>
/// </summary>
public sealed record SimBenchLine(string Id, string NodeA, string NodeB, SimBenchLineType Type, double LengthKm, double LoadingMaxPercent, int SourceLine)
{
    /// <summary>Thermal rating, MVA: iMax × rated voltage × √3 × loadingMax/100 (A × kV = kVA, hence the 1e-3).</summary>
    public double RatingMva(double ratedKv) => Type.IMaxA * ratedKv * Math.Sqrt(3) * LoadingMaxPercent / 100 * 1e-3;
}

/// <summary>Which winding carries a transformer's tap changer.</summary>
public enum TapSide
{
    /// <summary>High-voltage side.</summary>
    HV,
    /// <summary>Low-voltage side.</summary>
    LV,
}

/// <summary>A two-winding transformer type of <c>TransformerType.csv</c>.
/// <list type="bullet">
/// <item><c>SRMva</c>: Rated apparent power, MVA.</item>
/// <item><c>VmHvKv</c>: Rated voltage of the HV winding, kV.</item>
/// <item><c>VmLvKv</c>: Rated voltage of the LV winding, kV.</item>
/// <item><c>Va0Deg</c>: Phase shift of the vector group, degrees (e.g. 150 for Dyn5).</item>
/// <item><c>VmImpPercent</c>: Short-circuit voltage, % of rated voltage.</item>
/// <item><c>PCuKw</c>: Copper (short-circuit) losses at rated power, kW.</item>
/// <item><c>PFeKw</c>: Iron (no-load) losses, kW.</item>
/// <item><c>INoLoadPercent</c>: No-load current, % of rated current.</item>
/// <item><c>DVmPercent</c>: Voltage change per tap step, %.</item>
/// <item><c>DVaDeg</c>: Phase change per tap step, degrees.</item>
/// </list>
/// </summary>
public sealed record SimBenchTransformerType(
    string Id, double SRMva, double VmHvKv, double VmLvKv, double Va0Deg, double VmImpPercent, double PCuKw, double PFeKw,
    double INoLoadPercent, bool Tapable, TapSide TapSide, double DVmPercent, double DVaDeg, int TapNeutral, int TapMin, int TapMax);

/// <summary>A transformer of <c>Transformer.csv</c> with its type resolved.
/// <list type="bullet">
/// <item><c>TapPosition</c>: Tap position (<c>tappos</c>); the neutral position gives the rated ratio.</item>
/// <item><c>LoadingMaxPercent</c>: Permitted loading, % of sR.</item>
/// </list>
/// </summary>
public sealed record SimBenchTransformer(string Id, string NodeHv, string NodeLv, SimBenchTransformerType Type, int TapPosition, double LoadingMaxPercent, int SourceLine)
{
    /// <summary>Thermal rating, MVA: sR × loadingMax/100.</summary>
    public double RatingMva => Type.SRMva * LoadingMaxPercent / 100;
}

/// <summary>The external grid of <c>ExternalNet.csv</c> (calc_type <c>vavm</c>: the slack, voltage and angle given).</summary>
public sealed record SimBenchExternalNet(string Id, string Node, int SourceLine);

/// <summary>A load of <c>Load.csv</c>: nominal P and Q that the profile and study-case factors multiply.</summary>
public sealed record SimBenchLoad(string Id, string Node, string Profile, double PMw, double QMvar, double SRMva, int SourceLine);

/// <summary>The family a renewable unit belongs to, which decides the study-case factor that applies to it.</summary>
public enum SimBenchResKind
{
    /// <summary>Photovoltaics (<c>type</c> starting with "PV"): factor <c>PV_p</c>.</summary>
    Pv,
    /// <summary>Wind (<c>type</c> starting with "Wind"): factor <c>Wind_p</c>.</summary>
    Wind,
    /// <summary>Any other renewable type (biomass, hydro, …): factor <c>RES_p</c>.</summary>
    Other,
}

/// <summary>A renewable generator of <c>RES.csv</c>: nominal P and Q that the profile and study-case factors multiply.</summary>
public sealed record SimBenchRes(string Id, string Node, string Type, SimBenchResKind Kind, string Profile, double PMw, double QMvar, double SRMva, int SourceLine);

/// <summary>A row of <c>StudyCases.csv</c>: SimBench's stress case as factors on the nominal loads and generation, and the slack voltage.
/// <list type="bullet">
/// <item><c>Name</c>: hL (high load), n1, hW (high wind), hPV (high PV), lW (low load, wind), lPV (low load, PV).</item>
/// </list>
/// </summary>
public sealed record SimBenchStudyCase(string Name, double PLoadFactor, double QLoadFactor, double WindFactor, double PvFactor, double ResFactor, double SlackVmPu)
{
    /// <summary>The factor that applies to a renewable unit of the given kind.</summary>
    public double FactorOf(SimBenchResKind kind) => kind switch
    {
        SimBenchResKind.Pv => PvFactor,
        SimBenchResKind.Wind => WindFactor,
        _ => ResFactor,
    };
}

/// <summary>
/// One operating point of a SimBench grid: a P and a Q factor per load, a P factor per renewable unit (Q follows P in
/// proportion), all in file order, and the slack's voltage magnitude.
/// </summary>
public sealed record SimBenchOperatingPoint(string Name, IReadOnlyList<double> LoadPFactor, IReadOnlyList<double> LoadQFactor, IReadOnlyList<double> ResPFactor, double SlackVmPu);
