using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace P2PFlex.Markets.P2P;

/// <summary>
/// Validated, array-based copy of a <see cref="P2PMarketProblem"/> with a peer→pairs adjacency
/// (compressed rows). Solvers work on this form so their inner loops touch flat arrays only and the
/// caller's lists cannot change under them.
/// </summary>
internal sealed class P2PNetwork
{
    public required int PeerCount { get; init; }
    public required int PairCount { get; init; }
    public required bool[] IsSeller { get; init; }

    /// <summary>π (seller) or λ (buyer).</summary>
    public required double[] Linear { get; init; }

    /// <summary>a (seller) or b (buyer), &gt; 0.</summary>
    public required double[] Quadratic { get; init; }

    public required double[] MaxVolume { get; init; }
    public required int[] PairSeller { get; init; }
    public required int[] PairBuyer { get; init; }
    public required double[] SellerPreference { get; init; }
    public required double[] BuyerPreference { get; init; }

    /// <summary>c_ij + c_ji.</summary>
    public required double[] PairCost { get; init; }

    public required double[] Cap { get; init; }

    /// <summary>Pairs of peer k are AdjacentPairs[AdjacencyStart[k] .. AdjacencyStart[k+1]), in pair order.</summary>
    public required int[] AdjacencyStart { get; init; }

    public required int[] AdjacentPairs { get; init; }
    public required double Epsilon { get; init; }
    public required double IntervalHours { get; init; }

    public int Degree(int peer) => AdjacencyStart[peer + 1] - AdjacencyStart[peer];

    /// <summary>Validates <paramref name="problem"/> and builds the array form.</summary>
    /// <exception cref="ArgumentException">ParamName names the offending field.</exception>
    public static P2PNetwork Build(P2PMarketProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (problem.Peers is null) throw new ArgumentNullException(nameof(P2PMarketProblem.Peers));
        if (problem.Pairs is null) throw new ArgumentNullException(nameof(P2PMarketProblem.Pairs));
        RequireFiniteNonNegative(problem.EpsilonEurPerMw2h, nameof(P2PMarketProblem.EpsilonEurPerMw2h));
        if (!double.IsFinite(problem.IntervalHours) || problem.IntervalHours <= 0)
            throw new ArgumentOutOfRangeException(nameof(P2PMarketProblem.IntervalHours), problem.IntervalHours,
                "The market interval must be finite and > 0 h.");

        int n = problem.Peers.Count;
        var isSeller = new bool[n];
        var linear = new double[n];
        var quadratic = new double[n];
        var vmax = new double[n];
        for (int k = 0; k < n; k++)
        {
            var peer = problem.Peers[k];
            // Parameter names are formatted only on error: this loop runs on every (warm) re-solve.
            if (peer is null) throw new ArgumentNullException(PeerAt(k));
            if (peer.Role is not (PeerRole.Seller or PeerRole.Buyer))
                throw new ArgumentOutOfRangeException(PeerAt(k) + ".Role", peer.Role, "Unknown peer role.");
            if (!double.IsFinite(peer.MaxVolumeMw) || peer.MaxVolumeMw < 0)
                RequireFiniteNonNegative(peer.MaxVolumeMw, PeerAt(k) + "." + nameof(Peer.MaxVolumeMw));
            if (!double.IsFinite(peer.LinearCostEurPerMwh))
                throw new ArgumentOutOfRangeException(PeerAt(k) + "." + nameof(Peer.LinearCostEurPerMwh), peer.LinearCostEurPerMwh,
                    "The linear cost / willingness to pay must be finite.");
            if (!double.IsFinite(peer.QuadraticCostEurPerMw2h) || peer.QuadraticCostEurPerMw2h <= 0)
                throw new ArgumentOutOfRangeException(PeerAt(k) + "." + nameof(Peer.QuadraticCostEurPerMw2h), peer.QuadraticCostEurPerMw2h,
                    "The quadratic cost coefficient must be finite and > 0.");
            isSeller[k] = peer.Role == PeerRole.Seller;
            linear[k] = peer.LinearCostEurPerMwh;
            quadratic[k] = peer.QuadraticCostEurPerMw2h;
            vmax[k] = peer.MaxVolumeMw;
        }

        int m = problem.Pairs.Count;
        var ps = new int[m];
        var pb = new int[m];
        var cs = new double[m];
        var cb = new double[m];
        var cost = new double[m];
        var cap = new double[m];
        var degree = new int[n + 1];
        // Duplicates: one bit per (seller, buyer) where that table is at most a few words per pair (every market of the
        // study, on each W re-solve), a hash set for large sparse markets; the same pair is reported either way.
        long cells = (long)n * n;
        ulong[]? seenBits = cells <= 256L * Math.Max(m, 1) ? new ulong[(cells + 63) / 64] : null;
        HashSet<long>? seen = seenBits is null ? new HashSet<long>(m) : null;
        for (int p = 0; p < m; p++)
        {
            var pair = problem.Pairs[p];
            if (pair is null) throw new ArgumentNullException(PairAt(p));
            if (pair.SellerIndex < 0 || pair.SellerIndex >= n)
                throw new ArgumentOutOfRangeException(PairAt(p) + "." + nameof(TradePair.SellerIndex), pair.SellerIndex, "Unknown peer index.");
            if (pair.BuyerIndex < 0 || pair.BuyerIndex >= n)
                throw new ArgumentOutOfRangeException(PairAt(p) + "." + nameof(TradePair.BuyerIndex), pair.BuyerIndex, "Unknown peer index.");
            if (!isSeller[pair.SellerIndex])
                throw new ArgumentException($"Peer {pair.SellerIndex} is not a seller.", PairAt(p) + "." + nameof(TradePair.SellerIndex));
            if (isSeller[pair.BuyerIndex])
                throw new ArgumentException($"Peer {pair.BuyerIndex} is not a buyer.", PairAt(p) + "." + nameof(TradePair.BuyerIndex));
            if (!double.IsFinite(pair.SellerPreferenceEurPerMwh))
                throw new ArgumentOutOfRangeException(PairAt(p) + "." + nameof(TradePair.SellerPreferenceEurPerMwh), pair.SellerPreferenceEurPerMwh, "Must be finite.");
            if (!double.IsFinite(pair.BuyerPreferenceEurPerMwh))
                throw new ArgumentOutOfRangeException(PairAt(p) + "." + nameof(TradePair.BuyerPreferenceEurPerMwh), pair.BuyerPreferenceEurPerMwh, "Must be finite.");
            if (double.IsNaN(pair.CapMw) || pair.CapMw < 0)
                throw new ArgumentOutOfRangeException(PairAt(p) + "." + nameof(TradePair.CapMw), pair.CapMw, "The cap must be ≥ 0 (+∞ for none).");
            if (!MarkNew(seenBits, seen, (long)pair.SellerIndex * n + pair.BuyerIndex))
                throw new ArgumentException($"Pair ({pair.SellerIndex}, {pair.BuyerIndex}) is listed twice.", PairAt(p));
            ps[p] = pair.SellerIndex;
            pb[p] = pair.BuyerIndex;
            cs[p] = pair.SellerPreferenceEurPerMwh;
            cb[p] = pair.BuyerPreferenceEurPerMwh;
            cost[p] = cs[p] + cb[p];
            cap[p] = pair.CapMw;
            degree[ps[p] + 1]++;
            degree[pb[p] + 1]++;
        }

        for (int k = 0; k < n; k++) degree[k + 1] += degree[k];
        var adjacent = new int[2 * m];
        var fill = (int[])degree.Clone();
        for (int p = 0; p < m; p++)
        {
            adjacent[fill[ps[p]]++] = p;
            adjacent[fill[pb[p]]++] = p;
        }

        return new P2PNetwork
        {
            PeerCount = n,
            PairCount = m,
            IsSeller = isSeller,
            Linear = linear,
            Quadratic = quadratic,
            MaxVolume = vmax,
            PairSeller = ps,
            PairBuyer = pb,
            SellerPreference = cs,
            BuyerPreference = cb,
            PairCost = cost,
            Cap = cap,
            AdjacencyStart = degree,
            AdjacentPairs = adjacent,
            Epsilon = problem.EpsilonEurPerMw2h,
            IntervalHours = problem.IntervalHours,
        };
    }

    // Adds key to the bit table (or the hash set when there is none); false if it was there already.
    private static bool MarkNew(ulong[]? bits, HashSet<long>? set, long key)
    {
        if (bits is null) return set!.Add(key);
        ref ulong word = ref bits[key >> 6];
        ulong bit = 1UL << (int)(key & 63);
        if ((word & bit) != 0) return false;
        word |= bit;
        return true;
    }

    /// <summary>
    /// result_k = −s_k·own_k + Σ s_k·pairValue_p over peer k's pairs in pair order, with s_k = <paramref name="sellerSign"/>
    /// (±1) for a seller and its opposite for a buyer: what a pass over the pairs adding ±pairValue_p into both ends
    /// computes (r − x is r + (−1·x), the same operation), as one sum per peer. Four peers' sums run side by side
    /// (independent chains of additions instead of one chain through memory for consecutive pairs of one peer).
    /// <paramref name="own"/> may be <paramref name="result"/>: each peer's own value is read before its result is written.
    /// </summary>
    public void SignedPairSums(ReadOnlySpan<double> own, double[] pairValue, double sellerSign, Span<double> result)
    {
        int n = PeerCount, k = 0;
        // Pair indices come from this validated network: no bounds checks in the sums.
        ref int adjacent = ref MemoryMarshal.GetArrayDataReference(AdjacentPairs);
        ref double value = ref MemoryMarshal.GetArrayDataReference(pairValue);
        for (; k + 4 <= n; k += 4)
        {
            int a0 = AdjacencyStart[k], a1 = AdjacencyStart[k + 1], a2 = AdjacencyStart[k + 2], a3 = AdjacencyStart[k + 3];
            int common = Math.Min(Math.Min(a1 - a0, a2 - a1), Math.Min(a3 - a2, AdjacencyStart[k + 4] - a3));
            double g0 = IsSeller[k] ? sellerSign : -sellerSign, g1 = IsSeller[k + 1] ? sellerSign : -sellerSign;
            double g2 = IsSeller[k + 2] ? sellerSign : -sellerSign, g3 = IsSeller[k + 3] ? sellerSign : -sellerSign;
            double r0 = -g0 * own[k], r1 = -g1 * own[k + 1], r2 = -g2 * own[k + 2], r3 = -g3 * own[k + 3];
            for (int t = 0; t < common; t++)
            {
                r0 += g0 * Unsafe.Add(ref value, Unsafe.Add(ref adjacent, a0 + t));
                r1 += g1 * Unsafe.Add(ref value, Unsafe.Add(ref adjacent, a1 + t));
                r2 += g2 * Unsafe.Add(ref value, Unsafe.Add(ref adjacent, a2 + t));
                r3 += g3 * Unsafe.Add(ref value, Unsafe.Add(ref adjacent, a3 + t));
            }

            result[k] = FinishSignedSum(r0, g0, k, common, pairValue);
            result[k + 1] = FinishSignedSum(r1, g1, k + 1, common, pairValue);
            result[k + 2] = FinishSignedSum(r2, g2, k + 2, common, pairValue);
            result[k + 3] = FinishSignedSum(r3, g3, k + 3, common, pairValue);
        }

        for (; k < n; k++)
        {
            double g = IsSeller[k] ? sellerSign : -sellerSign;
            result[k] = FinishSignedSum(-g * own[k], g, k, 0, pairValue);
        }
    }

    /// <summary>r + the signed values of peer k's pairs from its <paramref name="done"/>-th on, in pair order.</summary>
    private double FinishSignedSum(double r, double sign, int k, int done, double[] pairValue)
    {
        for (int a = AdjacencyStart[k] + done; a < AdjacencyStart[k + 1]; a++) r += sign * pairValue[AdjacentPairs[a]];
        return r;
    }

    /// <summary>Potential (sum of peer costs) in € for the interval, at the given trades.</summary>
    public double PotentialEur(ReadOnlySpan<double> trades)
    {
        var volume = new double[PeerCount];
        double tradeCost = 0;
        for (int p = 0; p < PairCount; p++)
        {
            double q = trades[p];
            volume[PairSeller[p]] += q;
            volume[PairBuyer[p]] += q;
            tradeCost += (PairCost[p] + 0.5 * Epsilon * q) * q;
        }

        double peerCost = 0;
        for (int k = 0; k < PeerCount; k++)
        {
            double x = volume[k];
            peerCost += IsSeller[k]
                ? (Linear[k] + 0.5 * Quadratic[k] * x) * x
                : -(Linear[k] - 0.5 * Quadratic[k] * x) * x;
        }

        return IntervalHours * (peerCost + tradeCost);
    }

    /// <summary>Net positions (+G / −D) from trades.</summary>
    public double[] NetPositions(ReadOnlySpan<double> trades)
    {
        var net = new double[PeerCount];
        for (int p = 0; p < PairCount; p++)
        {
            net[PairSeller[p]] += trades[p];
            net[PairBuyer[p]] -= trades[p];
        }

        return net;
    }

    private static string PeerAt(int k) => $"Peers[{k}]";

    private static string PairAt(int p) => $"Pairs[{p}]";

    internal static void RequireFiniteNonNegative(double value, string paramName)
    {
        if (!double.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(paramName, value, "Must be finite and ≥ 0.");
    }
}
