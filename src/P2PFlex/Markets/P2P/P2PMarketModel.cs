using System.Collections.Immutable;

namespace P2PFlex.Markets.P2P;

/// <summary>
/// Side of the market a peer is on. Trades only flow from a <see cref="Seller"/> to a <see cref="Buyer"/>;
/// a prosumer that can do both is modelled as two peers so that each peer's cost curve stays convex
/// and its balance constraint keeps a single sign.
/// </summary>
public enum PeerRole
{
    /// <summary>Generates G ∈ [0, V] at cost π·G + ½·a·G² per hour.</summary>
    Seller,

    /// <summary>Consumes D ∈ [0, V] with utility λ·D − ½·b·D² per hour (its cost is minus the utility).</summary>
    Buyer,
}

/// <summary>
/// One market participant with a quadratic cost (seller) or a quadratic utility (buyer).
/// </summary>
/// <param name="Id">Free-form label, only used in reports.</param>
/// <param name="Role">Seller or buyer.</param>
/// <param name="MaxVolumeMw">V: upper bound of generation (seller) or consumption (buyer), ≥ 0, finite.</param>
/// <param name="LinearCostEurPerMwh">Seller: π, marginal cost at G = 0. Buyer: λ, willingness to pay at D = 0.
/// Any finite value (negative marginal costs occur, e.g. with feed-in obligations).</param>
/// <param name="QuadraticCostEurPerMw2h">Seller: a &gt; 0, slope of marginal cost. Buyer: b &gt; 0, slope by which
/// marginal utility falls. Strictly positive so that every peer's response to a price is unique and
/// Lipschitz, which both solvers rely on.</param>
public sealed record Peer(
    string Id,
    PeerRole Role,
    double MaxVolumeMw,
    double LinearCostEurPerMwh,
    double QuadraticCostEurPerMw2h);

/// <summary>
/// An allowed bilateral trade from a seller to a buyer. Pairs not listed are blocked (there is no
/// "blocked" flag: absence is the block, which keeps the trade vector dense over allowed pairs only).
/// </summary>
/// <param name="SellerIndex">Index into <see cref="P2PMarketProblem.Peers"/> of a peer with role Seller.</param>
/// <param name="BuyerIndex">Index into <see cref="P2PMarketProblem.Peers"/> of a peer with role Buyer.</param>
/// <param name="SellerPreferenceEurPerMwh">c_ij: the seller's preference cost per MWh sold on this pair
/// (product differentiation, distance, …). Any finite value.</param>
/// <param name="BuyerPreferenceEurPerMwh">c_ji: the buyer's preference cost per MWh bought on this pair.</param>
/// <param name="CapMw">Upper bound of the trade, ≥ 0; +∞ for none.</param>
public sealed record TradePair(
    int SellerIndex,
    int BuyerIndex,
    double SellerPreferenceEurPerMwh,
    double BuyerPreferenceEurPerMwh,
    double CapMw = double.PositiveInfinity);

/// <summary>
/// One interval of a peer-to-peer market, posed as a generalised Nash game whose variational equilibrium
/// is the minimiser of the potential
/// Δt·[Σ_i (π_i G_i + ½ a_i G_i²) − Σ_j (λ_j D_j − ½ b_j D_j²) + Σ_(i,j) (c_ij + c_ji) q_ij + ε/2 Σ q_ij²]
/// subject to G_i = Σ_j q_ij, D_j = Σ_i q_ij, bounds on G, D and q.
/// </summary>
/// <param name="Peers">All peers; pairs refer to them by index.</param>
/// <param name="Pairs">Allowed seller→buyer trades; each (seller, buyer) at most once.</param>
/// <param name="EpsilonEurPerMw2h">ε ≥ 0: quadratic trade cost that makes the trade matrix unique
/// (without it any split of a buyer's demand among equally priced sellers is optimal). Small values
/// (default 1e-3) barely move net positions but make the problem stiff. The centralised solver needs
/// ε &gt; 0; the ADMM solver accepts ε = 0.</param>
/// <param name="IntervalHours">Δt &gt; 0: length of the market interval. It multiplies every cost, so
/// welfare is in € for the interval; quantities (MW) and prices (€/MWh) do not depend on it.</param>
public sealed record P2PMarketProblem(
    IReadOnlyList<Peer> Peers,
    IReadOnlyList<TradePair> Pairs,
    double EpsilonEurPerMw2h = 1e-3,
    double IntervalHours = 1.0)
{
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> whose ParamName names the offending field
    /// (e.g. "Peers[3].MaxVolumeMw", "Pairs[7].BuyerIndex") if the problem is malformed.
    /// The solvers and the KKT checker call this themselves; it is public so callers can validate early.
    /// </summary>
    public void Validate() => _ = P2PNetwork.Build(this);
}

/// <summary>How a solver run ended. Non-convergence is a status, never an exception.</summary>
public enum SolveStatus
{
    /// <summary>All stated tolerances were met.</summary>
    Converged,

    /// <summary>The iteration limit was hit first; the result is the last iterate.</summary>
    MaxIterationsReached,

    /// <summary>The iterate stopped changing before the tolerances were met (floating-point floor).</summary>
    Stalled,

    /// <summary>Non-finite numbers or an unbounded dual appeared; the result is not meaningful.</summary>
    Diverged,
}

/// <summary>
/// Market outcome. Arrays are indexed like <see cref="P2PMarketProblem.Pairs"/> (trades) or
/// <see cref="P2PMarketProblem.Peers"/> (net positions, prices).
/// </summary>
/// <param name="Status">How the run ended.</param>
/// <param name="TradesMw">q per pair, always within [0, cap].</param>
/// <param name="NetPositionMw">Per peer: +Σ trades for a seller (its generation), −Σ trades for a buyer
/// (its consumption). Computed from <paramref name="TradesMw"/> so the market balances exactly.</param>
/// <param name="PriceEurPerMwh">Each peer's local marginal price: the multiplier of its balance
/// constraint, equal to its marginal cost (seller) or marginal utility (buyer) when its volume is inside
/// its bounds. For a peer at a bound with no interior trade the multiplier is not unique; the value
/// returned is the one the solver ended on.</param>
/// <param name="TradePriceEurPerMwh">Per pair: the bilateral price at which the seller sells (seller
/// price + c_ij + ε q/2 = buyer price − c_ji − ε q/2 at equilibrium on interior trades).</param>
/// <param name="TradedVolumeMw">Σ q.</param>
/// <param name="WelfareEur">−potential over the interval (includes Δt).</param>
/// <param name="Iterations">Centralised: factorisations (Newton steps, interior-point steps and active-set
/// trials). ADMM: negotiation rounds.</param>
/// <param name="PrimalResidualMw">Centralised: max |peer volume − Σ its trades| at the final prices.
/// ADMM: max |seller copy − buyer copy| of a trade (the reported trade is the smaller copy).</param>
/// <param name="DualResidualEurPerMwh">Centralised: the largest price-condition violation (stationarity or
/// complementarity, €/MWh) that <see cref="P2PKktChecker"/> measures on the returned trades, i.e. the residual after
/// the last Newton step (about 1e-8 on the study's markets), not the size of that step.
/// ADMM: ρ·max |change of a buyer copy| in the last round (the standard ADMM dual residual).</param>
/// <param name="Solver">Name of the algorithm that produced the result.</param>
public sealed record P2PMarketResult(
    SolveStatus Status,
    ImmutableArray<double> TradesMw,
    ImmutableArray<double> NetPositionMw,
    ImmutableArray<double> PriceEurPerMwh,
    ImmutableArray<double> TradePriceEurPerMwh,
    double TradedVolumeMw,
    double WelfareEur,
    int Iterations,
    double PrimalResidualMw,
    double DualResidualEurPerMwh,
    string Solver);
