using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace P2PFlex.Markets.P2P;

/// <summary>
/// Karush–Kuhn–Tucker residuals of a candidate market outcome, each as the largest violation of its kind
/// (zero means satisfied), so a caller can see which condition fails and by how much.
/// </summary>
/// <param name="BalanceViolationMw">Max |reported net position − signed sum of the peer's trades|; 0 when no
/// net positions were given (volumes are then taken from the trades).</param>
/// <param name="BoundViolationMw">Max violation of 0 ≤ q ≤ cap and 0 ≤ G, D ≤ V.</param>
/// <param name="StationarityViolationEurPerMwh">Max violation of the equalities: on every interior trade
/// price_buyer − price_seller = c_ij + c_ji + ε q, and on every peer inside its bounds price = its marginal
/// cost (seller) or marginal utility (buyer).</param>
/// <param name="ComplementarityViolationEurPerMwh">Max violation of the sign conditions at bounds: a zero trade
/// needs price_buyer − price_seller ≤ c_ij + c_ji, a capped one ≥ c_ij + c_ji + ε cap; a seller at 0 needs
/// price ≤ π, at V price ≥ π + a V; a buyer at 0 needs price ≥ λ, at V price ≤ λ − b V.</param>
/// <param name="ImpliedPriceEurPerMwh">The per-peer prices the checker derived from the trades alone.</param>
/// <param name="WorstPairIndex">Pair with the largest stationarity or complementarity violation; −1 if none.</param>
/// <param name="InteriorTradeCount">Trades classified strictly inside (0, cap).</param>
public sealed record P2PKktReport(
    double BalanceViolationMw,
    double BoundViolationMw,
    double StationarityViolationEurPerMwh,
    double ComplementarityViolationEurPerMwh,
    ImmutableArray<double> ImpliedPriceEurPerMwh,
    int WorstPairIndex,
    int InteriorTradeCount)
{
    /// <summary>True when the volume conditions hold within <paramref name="volumeToleranceMw"/> and the
    /// price conditions within <paramref name="priceToleranceEurPerMwh"/>.</summary>
    public bool IsSatisfied(double volumeToleranceMw, double priceToleranceEurPerMwh) =>
        BalanceViolationMw <= volumeToleranceMw
        && BoundViolationMw <= volumeToleranceMw
        && StationarityViolationEurPerMwh <= priceToleranceEurPerMwh
        && ComplementarityViolationEurPerMwh <= priceToleranceEurPerMwh;
}

/// <summary>
/// Checks optimality of given trades directly from the model's definition, sharing no code with the
/// solvers (only input validation), so that it can catch their mistakes.
/// </summary>
/// <remarks>
/// <para>The only inputs are the problem and the trades (optionally the reported net positions): prices
/// are not taken from a solver but derived. Each peer's volume is the sum of its trades; a trade or a
/// volume within <c>activeToleranceMw</c> of a bound counts as at that bound. A peer inside its bounds has
/// a known price (its marginal cost π + aG or marginal utility λ − bD); a peer at a bound only a half-line
/// of admissible prices. Interior trades fix price differences (buyer − seller = c_ij + c_ji + ε q), so
/// the peers connected through interior trades form groups whose prices are known up to one common
/// shift; the checker picks, per group, the shift in the middle of what the peers' own conditions allow
/// (which is the group's single exact price when it contains an interior peer). All conditions are then
/// evaluated at these prices, except that a trade's condition uses the marginal cost (utility) of an
/// interior seller (buyer) directly, so an inconsistency shows at its full size on the trade.</para>
/// <para>A group without a peer inside its bounds has a range of admissible shifts; within it the checker
/// moves the shift so that the group's trades at a bound to other groups are satisfied too (a few
/// Gauss–Seidel sweeps over the groups, others held fixed). For a true optimum the derived prices then
/// satisfy all conditions and every residual is at rounding level. The check stays conservative: in
/// degenerate chains of such groups the sweeps may miss an admissible choice and report a violation that
/// a different choice of the non-unique prices would avoid. A report with all residuals (near) zero is
/// always genuine: the derived prices are then a certificate of optimality.</para>
/// </remarks>
public static class P2PKktChecker
{
    /// <summary>Checks a solver result (its trades and net positions).</summary>
    public static P2PKktReport Check(P2PMarketProblem problem, P2PMarketResult result, double activeToleranceMw = 1e-9)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Check(problem, result.TradesMw, result.NetPositionMw, activeToleranceMw);
    }

    private sealed record PriceGroup(List<int> Members, double Lower, double Upper);

    /// <summary>Middle of [lower, upper] (also when empty: the compromise), or its finite end, or 0.</summary>
    private static double Choose(double lower, double upper) =>
        double.IsFinite(lower) && double.IsFinite(upper) ? 0.5 * (lower + upper)
        : double.IsFinite(lower) ? lower
        : double.IsFinite(upper) ? upper
        : 0;

    /// <summary>Checks trades (one per pair) and, if given, net positions (one per peer, +G / −D).</summary>
    /// <exception cref="ArgumentException">Malformed problem or arrays; ParamName names the field.</exception>
    public static P2PKktReport Check(
        P2PMarketProblem problem,
        IReadOnlyList<double> tradesMw,
        IReadOnlyList<double>? netPositionMw = null,
        double activeToleranceMw = 1e-9)
    {
        ArgumentNullException.ThrowIfNull(problem);
        problem.Validate();
        ArgumentNullException.ThrowIfNull(tradesMw);
        if (!double.IsFinite(activeToleranceMw) || activeToleranceMw < 0)
            throw new ArgumentOutOfRangeException(nameof(activeToleranceMw), activeToleranceMw, "Must be finite and ≥ 0.");
        var peers = problem.Peers;
        var pairs = problem.Pairs;
        int n = peers.Count, m = pairs.Count;
        if (tradesMw.Count != m)
            throw new ArgumentException($"Expected {m} trades (one per pair), got {tradesMw.Count}.", nameof(tradesMw));
        if (netPositionMw is not null && netPositionMw.Count != n)
            throw new ArgumentException($"Expected {n} net positions (one per peer), got {netPositionMw.Count}.", nameof(netPositionMw));

        var q = new double[m];
        for (int p = 0; p < m; p++)
        {
            q[p] = tradesMw[p];
            if (!double.IsFinite(q[p]))
                throw new ArgumentOutOfRangeException($"{nameof(tradesMw)}[{p}]", q[p], "Must be finite.");
        }

        double eps = problem.EpsilonEurPerMw2h;
        double tol = activeToleranceMw;

        // Volumes, balance and bounds.
        var volume = new double[n];
        for (int p = 0; p < m; p++)
        {
            volume[pairs[p].SellerIndex] += q[p];
            volume[pairs[p].BuyerIndex] += q[p];
        }

        double balance = 0, bound = 0;
        if (netPositionMw is not null)
        {
            for (int k = 0; k < n; k++)
            {
                double net = netPositionMw[k];
                if (!double.IsFinite(net))
                    throw new ArgumentOutOfRangeException($"{nameof(netPositionMw)}[{k}]", net, "Must be finite.");
                double expected = peers[k].Role == PeerRole.Seller ? volume[k] : -volume[k];
                balance = Math.Max(balance, Math.Abs(net - expected));
            }
        }

        for (int p = 0; p < m; p++) bound = Math.Max(bound, Math.Max(-q[p], q[p] - pairs[p].CapMw));
        for (int k = 0; k < n; k++) bound = Math.Max(bound, Math.Max(-volume[k], volume[k] - peers[k].MaxVolumeMw));

        // Each peer's admissible price interval from its own problem.
        var lo = new double[n];
        var hi = new double[n];
        for (int k = 0; k < n; k++)
        {
            var peer = peers[k];
            bool atZero = volume[k] <= tol;
            bool atMax = volume[k] >= peer.MaxVolumeMw - tol;
            if (peer.Role == PeerRole.Seller)
            {
                double marginalCost = peer.LinearCostEurPerMwh + peer.QuadraticCostEurPerMw2h * volume[k];
                lo[k] = atZero ? double.NegativeInfinity : marginalCost;
                hi[k] = atMax ? double.PositiveInfinity : marginalCost;
            }
            else
            {
                double marginalUtility = peer.LinearCostEurPerMwh - peer.QuadraticCostEurPerMw2h * volume[k];
                lo[k] = atMax ? double.NegativeInfinity : marginalUtility;
                hi[k] = atZero ? double.PositiveInfinity : marginalUtility;
            }
        }

        // Trade classification and groups connected by interior trades (breadth-first, fixed order).
        var interior = new bool[m];
        var adjacency = new List<int>[n];
        for (int k = 0; k < n; k++) adjacency[k] = [];
        int interiorCount = 0;
        for (int p = 0; p < m; p++)
        {
            interior[p] = q[p] > tol && q[p] < pairs[p].CapMw - tol;
            if (!interior[p]) continue;
            interiorCount++;
            adjacency[pairs[p].SellerIndex].Add(p);
            adjacency[pairs[p].BuyerIndex].Add(p);
        }

        var offset = new double[n];
        var group = new int[n];
        Array.Fill(group, -1);
        var price = new double[n];
        var groups = new List<PriceGroup>();
        var queue = new Queue<int>();
        for (int root = 0; root < n; root++)
        {
            if (group[root] >= 0) continue;
            var members = new List<int>();
            group[root] = groups.Count;
            offset[root] = 0;
            queue.Enqueue(root);
            while (queue.Count > 0)
            {
                int k = queue.Dequeue();
                members.Add(k);
                foreach (int p in adjacency[k])
                {
                    var pair = pairs[p];
                    double gap = pair.SellerPreferenceEurPerMwh + pair.BuyerPreferenceEurPerMwh + eps * q[p];
                    int other = pair.SellerIndex == k ? pair.BuyerIndex : pair.SellerIndex;
                    if (group[other] >= 0) continue;
                    group[other] = groups.Count;
                    offset[other] = pair.SellerIndex == k ? offset[k] + gap : offset[k] - gap;
                    queue.Enqueue(other);
                }
            }

            double lower = double.NegativeInfinity, upper = double.PositiveInfinity;
            foreach (int k in members)
            {
                lower = Math.Max(lower, lo[k] - offset[k]);
                upper = Math.Min(upper, hi[k] - offset[k]);
            }

            double shift = Choose(lower, upper);
            foreach (int k in members) price[k] = shift + offset[k];
            groups.Add(new PriceGroup(members, lower, upper));
        }

        // Groups whose own conditions leave a range of shifts (no interior peer) take the shift that also
        // suits their trades at a bound to other groups, holding those groups' prices; a few sweeps.
        var boundPairs = new List<int>[n];
        for (int k = 0; k < n; k++) boundPairs[k] = [];
        for (int p = 0; p < m; p++)
        {
            if (interior[p] || group[pairs[p].SellerIndex] == group[pairs[p].BuyerIndex]) continue;
            boundPairs[pairs[p].SellerIndex].Add(p);
            boundPairs[pairs[p].BuyerIndex].Add(p);
        }

        for (int sweep = 0; sweep < 20; sweep++)
        {
            bool changed = false;
            foreach (var g in groups)
            {
                if (!(g.Lower < g.Upper)) continue;
                double lower = double.NegativeInfinity, upper = double.PositiveInfinity; // from bound trades
                foreach (int k in g.Members)
                {
                    foreach (int p in boundPairs[k])
                    {
                        var pair = pairs[p];
                        double gap = pair.SellerPreferenceEurPerMwh + pair.BuyerPreferenceEurPerMwh + eps * q[p];
                        bool atZero = q[p] <= tol, atCap = q[p] >= pair.CapMw - tol;
                        if (atZero && atCap) continue;
                        // Zero trade: buyer − seller ≤ gap; capped trade: buyer − seller ≥ gap.
                        bool isSeller = pair.SellerIndex == k;
                        double otherPrice = price[isSeller ? pair.BuyerIndex : pair.SellerIndex];
                        double limit = isSeller ? otherPrice - gap - offset[k] : otherPrice + gap - offset[k];
                        bool boundsFromAbove = atZero != isSeller; // zero trade: seller from below, buyer from above
                        if (boundsFromAbove) upper = Math.Min(upper, limit);
                        else lower = Math.Max(lower, limit);
                    }
                }

                // Within the group's own admissible range if the trades allow it; otherwise the own
                // conditions stay satisfied and the conflict shows on the trades.
                double both = Math.Max(lower, g.Lower), bothUpper = Math.Min(upper, g.Upper);
                double shift = both <= bothUpper ? Choose(both, bothUpper) : Math.Clamp(Choose(lower, upper), g.Lower, g.Upper);
                double current = price[g.Members[0]] - offset[g.Members[0]];
                if (shift == current || double.IsNaN(shift)) continue;
                foreach (int k in g.Members) price[k] = shift + offset[k];
                changed = true;
            }

            if (!changed) break;
        }

        // Residuals at the derived prices.
        double stationarity = 0, complementarity = 0, worst = 0;
        int worstPair = -1;
        for (int k = 0; k < n; k++)
        {
            double below = lo[k] - price[k], above = price[k] - hi[k];
            double violation = Math.Max(0, Math.Max(below, above));
            if (lo[k] == hi[k]) stationarity = Math.Max(stationarity, violation);
            else complementarity = Math.Max(complementarity, violation);
        }

        for (int p = 0; p < m; p++)
        {
            var pair = pairs[p];
            int i = pair.SellerIndex, j = pair.BuyerIndex;
            // A peer inside its bounds is valued at its own marginal cost/utility, exactly as the condition
            // is stated; only peers at a bound use the derived price.
            double sellerValue = lo[i] == hi[i] ? lo[i] : price[i];
            double buyerValue = lo[j] == hi[j] ? lo[j] : price[j];
            double excess = buyerValue - sellerValue
                - pair.SellerPreferenceEurPerMwh - pair.BuyerPreferenceEurPerMwh - eps * q[p];
            bool atZero = q[p] <= tol, atCap = q[p] >= pair.CapMw - tol;
            double violation;
            if (interior[p])
            {
                violation = Math.Abs(excess);
                stationarity = Math.Max(stationarity, violation);
            }
            else
            {
                violation = atZero && atCap ? 0 : atZero ? Math.Max(excess, 0) : Math.Max(-excess, 0);
                complementarity = Math.Max(complementarity, violation);
            }

            if (violation > worst)
            {
                worst = violation;
                worstPair = p;
            }
        }

        return new P2PKktReport(
            balance,
            bound,
            stationarity,
            complementarity,
            ImmutableCollectionsMarshal.AsImmutableArray(price),
            worstPair,
            interiorCount);
    }
}
