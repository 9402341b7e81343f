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
        double activeToleranceMw = 1e-9) =>
        Check(problem, tradesMw, netPositionMw, activeToleranceMw, problemValidated: false);

    /// <summary>The check, without validating the problem again when the caller has just done so
    /// (<paramref name="problemValidated"/>: the centralised solver, which built the problem's network moments before).</summary>
    internal static P2PKktReport Check(
        P2PMarketProblem problem,
        IReadOnlyList<double> tradesMw,
        IReadOnlyList<double>? netPositionMw,
        double activeToleranceMw,
        bool problemValidated)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (!problemValidated) problem.Validate();
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

        // The problem's fields read once into flat arrays (the loops below run over them several times).
        var seller = new int[m];
        var buyer = new int[m];
        var sellerPreference = new double[m];
        var buyerPreference = new double[m];
        var cap = new double[m];
        for (int p = 0; p < m; p++)
        {
            var pair = pairs[p];
            seller[p] = pair.SellerIndex;
            buyer[p] = pair.BuyerIndex;
            sellerPreference[p] = pair.SellerPreferenceEurPerMwh;
            buyerPreference[p] = pair.BuyerPreferenceEurPerMwh;
            cap[p] = pair.CapMw;
        }

        double eps = problem.EpsilonEurPerMw2h;
        double tol = activeToleranceMw;

        // Volumes, balance and bounds.
        var volume = new double[n];
        for (int p = 0; p < m; p++)
        {
            volume[seller[p]] += q[p];
            volume[buyer[p]] += q[p];
        }

        var isSeller = new bool[n];
        for (int k = 0; k < n; k++) isSeller[k] = peers[k].Role == PeerRole.Seller;
        double balance = 0, bound = 0;
        if (netPositionMw is not null)
        {
            for (int k = 0; k < n; k++)
            {
                double net = netPositionMw[k];
                if (!double.IsFinite(net))
                    throw new ArgumentOutOfRangeException($"{nameof(netPositionMw)}[{k}]", net, "Must be finite.");
                double expected = isSeller[k] ? volume[k] : -volume[k];
                balance = Math.Max(balance, Math.Abs(net - expected));
            }
        }

        for (int p = 0; p < m; p++) bound = Math.Max(bound, Math.Max(-q[p], q[p] - cap[p]));
        for (int k = 0; k < n; k++) bound = Math.Max(bound, Math.Max(-volume[k], volume[k] - peers[k].MaxVolumeMw));

        // Each peer's admissible price interval from its own problem.
        var lo = new double[n];
        var hi = new double[n];
        for (int k = 0; k < n; k++)
        {
            var peer = peers[k];
            bool atZero = volume[k] <= tol;
            bool atMax = volume[k] >= peer.MaxVolumeMw - tol;
            if (isSeller[k])
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

        // Trade classification and groups connected by interior trades (breadth-first, fixed order). Each peer's
        // interior trades in pair order: adjacency[adjacencyStart[k] .. adjacencyStart[k + 1]).
        var interior = new bool[m];
        int interiorCount = 0;
        for (int p = 0; p < m; p++)
        {
            interior[p] = q[p] > tol && q[p] < cap[p] - tol;
            if (interior[p]) interiorCount++;
        }

        var (adjacencyStart, adjacency) = PairsByPeer(n, seller, buyer, p => interior[p]);
        var offset = new double[n];
        var group = new int[n];
        Array.Fill(group, -1);
        var price = new double[n];
        // The breadth-first queue is also the list of members: group g is order[groupStart[g] .. groupStart[g + 1]).
        var order = new int[n];
        var groupStart = new List<int>();
        var groupLower = new List<double>();
        var groupUpper = new List<double>();
        int tail = 0;
        for (int root = 0; root < n; root++)
        {
            if (group[root] >= 0) continue;
            int g = groupStart.Count, head = tail;
            groupStart.Add(head);
            group[root] = g;
            offset[root] = 0;
            order[tail++] = root;
            while (head < tail)
            {
                int k = order[head++];
                for (int a = adjacencyStart[k]; a < adjacencyStart[k + 1]; a++)
                {
                    int p = adjacency[a];
                    double gap = sellerPreference[p] + buyerPreference[p] + eps * q[p];
                    int other = seller[p] == k ? buyer[p] : seller[p];
                    if (group[other] >= 0) continue;
                    group[other] = g;
                    offset[other] = seller[p] == k ? offset[k] + gap : offset[k] - gap;
                    order[tail++] = other;
                }
            }

            double lower = double.NegativeInfinity, upper = double.PositiveInfinity;
            for (int i = groupStart[g]; i < tail; i++)
            {
                int k = order[i];
                lower = Math.Max(lower, lo[k] - offset[k]);
                upper = Math.Min(upper, hi[k] - offset[k]);
            }

            double shift = Choose(lower, upper);
            for (int i = groupStart[g]; i < tail; i++) price[order[i]] = shift + offset[order[i]];
            groupLower.Add(lower);
            groupUpper.Add(upper);
        }

        groupStart.Add(tail);

        // Groups whose own conditions leave a range of shifts (no interior peer) take the shift that also
        // suits their trades at a bound to other groups, holding those groups' prices; a few sweeps.
        var (boundStart, boundPairs) = PairsByPeer(n, seller, buyer, p => !interior[p] && group[seller[p]] != group[buyer[p]]);
        int groups = groupLower.Count;
        for (int sweep = 0; sweep < 20; sweep++)
        {
            bool changed = false;
            for (int g = 0; g < groups; g++)
            {
                if (!(groupLower[g] < groupUpper[g])) continue;
                double lower = double.NegativeInfinity, upper = double.PositiveInfinity; // from bound trades
                for (int i = groupStart[g]; i < groupStart[g + 1]; i++)
                {
                    int k = order[i];
                    for (int a = boundStart[k]; a < boundStart[k + 1]; a++)
                    {
                        int p = boundPairs[a];
                        double gap = sellerPreference[p] + buyerPreference[p] + eps * q[p];
                        bool atZero = q[p] <= tol, atCap = q[p] >= cap[p] - tol;
                        if (atZero && atCap) continue;
                        // Zero trade: buyer − seller ≤ gap; capped trade: buyer − seller ≥ gap.
                        bool sellerSide = seller[p] == k;
                        double otherPrice = price[sellerSide ? buyer[p] : seller[p]];
                        double limit = sellerSide ? otherPrice - gap - offset[k] : otherPrice + gap - offset[k];
                        bool boundsFromAbove = atZero != sellerSide; // zero trade: seller from below, buyer from above
                        if (boundsFromAbove) upper = Math.Min(upper, limit);
                        else lower = Math.Max(lower, limit);
                    }
                }

                // Within the group's own admissible range if the trades allow it; otherwise the own
                // conditions stay satisfied and the conflict shows on the trades.
                double both = Math.Max(lower, groupLower[g]), bothUpper = Math.Min(upper, groupUpper[g]);
                double shift = both <= bothUpper ? Choose(both, bothUpper) : Math.Clamp(Choose(lower, upper), groupLower[g], groupUpper[g]);
                int first = order[groupStart[g]];
                double current = price[first] - offset[first];
                if (shift == current || double.IsNaN(shift)) continue;
                for (int i = groupStart[g]; i < groupStart[g + 1]; i++) price[order[i]] = shift + offset[order[i]];
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
            int i = seller[p], j = buyer[p];
            // A peer inside its bounds is valued at its own marginal cost/utility, exactly as the condition
            // is stated; only peers at a bound use the derived price.
            double sellerValue = lo[i] == hi[i] ? lo[i] : price[i];
            double buyerValue = lo[j] == hi[j] ? lo[j] : price[j];
            double excess = buyerValue - sellerValue
                - sellerPreference[p] - buyerPreference[p] - eps * q[p];
            bool atZero = q[p] <= tol, atCap = q[p] >= cap[p] - tol;
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

    /// <summary>The pairs that <paramref name="include"/> selects, listed under both their peers in pair order
    /// (compressed rows: peer k's are list[start[k] .. start[k + 1])).</summary>
    private static (int[] Start, int[] List) PairsByPeer(int n, int[] seller, int[] buyer, Func<int, bool> include)
    {
        int m = seller.Length;
        var start = new int[n + 1];
        for (int p = 0; p < m; p++)
        {
            if (!include(p)) continue;
            start[seller[p] + 1]++;
            start[buyer[p] + 1]++;
        }

        for (int k = 0; k < n; k++) start[k + 1] += start[k];
        var list = new int[start[n]];
        var fill = (int[])start.Clone();
        for (int p = 0; p < m; p++)
        {
            if (!include(p)) continue;
            list[fill[seller[p]]++] = p;
            list[fill[buyer[p]]++] = p;
        }

        return (start, list);
    }
}
