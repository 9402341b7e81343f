namespace P2PFlex.Markets.Lfm;

/// <summary>
/// Input of one local-flexibility-market clearing: a DC grid in PTDF form, the flows that would
/// occur without flexibility, the line limits and the order book.
/// </summary>
/// <remarks>
/// Arrays are held by reference and read only during <see cref="LocalFlexibilityMarket.Clear"/>;
/// the clearing never writes to them. Record equality therefore compares arrays by reference.
/// </remarks>
/// <param name="PtdfMwPerMw">
/// H, lines × buses: flow change on line l (MW, in the line's reference direction) per MW of
/// injection at bus k withdrawn at the slack bus. The slack column is zero. Entries must be finite.
/// </param>
/// <param name="BaseFlowMw">f⁰, flow per line without any activation (MW, signed, reference direction).</param>
/// <param name="LimitMw">F, thermal limit per line (MW, finite, &gt; 0), applied symmetrically: −F ≤ f ≤ F.</param>
/// <param name="Bids">The order book; activations are reported in this order.</param>
/// <param name="RequireBalance">
/// When true, upward and downward activations must sum to the same MW so the DSO does not shift
/// energy onto the upstream grid. Off by default: the slack (substation) absorbs the net activation.
/// </param>
/// <param name="IntervalHours">Δt, length of the delivery interval (h, finite, &gt; 0); cost = Σ π x Δt.</param>
/// <param name="OverflowToleranceMw">
/// A line counts as overloaded only when |f| exceeds F by more than this (MW, finite, ≥ 0). Used by the
/// uncongested fast path and to decide which lines are listed as still overloaded when infeasible.
/// </param>
/// <param name="Voltage">
/// Optional linearised voltage limits (the voltage-aware LFM, <see cref="VoltageAwareLfm"/>); null (the default) for
/// the congestion-only market of the study.
/// </param>
public sealed record LfmProblem(
    double[,] PtdfMwPerMw,
    double[] BaseFlowMw,
    double[] LimitMw,
    IReadOnlyList<FlexBid> Bids,
    bool RequireBalance = false,
    double IntervalHours = 1.0,
    double OverflowToleranceMw = 1e-6,
    LinearVoltageLimits? Voltage = null)
{
    /// <summary>Number of lines (rows of H).</summary>
    public int LineCount => PtdfMwPerMw.GetLength(0);

    /// <summary>Number of buses (columns of H).</summary>
    public int BusCount => PtdfMwPerMw.GetLength(1);
}

/// <summary>
/// How to clear, separate from the market data so the same problem can be solved both ways.
/// </summary>
/// <param name="SkipLpWhenUncongested">
/// When true (default) and no line exceeds its limit by more than the tolerance, and no bid has a
/// negative price, the LP is skipped: zero activation is then provably optimal (all costs ≥ 0 and
/// zero activation is feasible, also under the balance constraint). Set false to force the LP, e.g. to
/// check that it agrees.
/// </param>
/// <param name="LpSolver">
/// Which LP solver clears the market: our <see cref="LfmLpSolver.DualSimplex"/> (default; GLOP takes over when the LP is
/// infeasible or the answer cannot be certified) or <see cref="LfmLpSolver.Glop"/> alone, e.g. to compare the two.
/// </param>
public sealed record LfmOptions(bool SkipLpWhenUncongested = true, LfmLpSolver LpSolver = LfmLpSolver.DualSimplex)
{
    /// <summary>Default options: fast path enabled.</summary>
    public static LfmOptions Default { get; } = new();
}

/// <summary>The LP solver of the clearing (see <see cref="LfmOptions.LpSolver"/>).</summary>
public enum LfmLpSolver
{
    /// <summary>Our bounded dual simplex with row generation (<see cref="Numerics.BoundedDualSimplex"/>), GLOP as fallback.</summary>
    DualSimplex,

    /// <summary>OR-Tools GLOP for every LP.</summary>
    Glop,
}

/// <summary>
/// Linearised voltage limits of the LFM: for every monitored row r (a bus),
/// V_min ≤ V⁰_r + Σ_k S_V[r, k]·Δp_k ≤ V_max, where Δp_k is the activation's injection change at bus k
/// (+x for up bids, −x for down bids). One row per bus of the grid in the same order as the PTDF's columns.
/// </summary>
/// <param name="SensitivityPuPerMw">S_V, rows × buses: ∂|V_r|/∂p_k (p.u. per MW), finite; same bus columns as the PTDF.</param>
/// <param name="OffsetPu">V⁰ per row: the linearised |V| at zero activation (p.u., finite).</param>
/// <param name="MinPu">V_min (p.u.).</param>
/// <param name="MaxPu">V_max (p.u.), &gt; V_min.</param>
/// <param name="TolerancePu">A row counts as violated only beyond this (p.u., ≥ 0).</param>
public sealed record LinearVoltageLimits(
    double[,] SensitivityPuPerMw,
    double[] OffsetPu,
    double MinPu,
    double MaxPu,
    double TolerancePu = 1e-9)
{
    /// <summary>Number of voltage rows.</summary>
    public int RowCount => SensitivityPuPerMw.GetLength(0);
}
