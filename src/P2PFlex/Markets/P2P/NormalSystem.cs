using P2PFlex.Numerics;

namespace P2PFlex.Markets.P2P;

/// <summary>
/// The symmetric positive definite systems in one unknown per peer that both Newton-type phases of
/// <see cref="CentralizedP2PSolver"/> solve: K = Σ_pairs w_p (e_i − e_j)(e_i − e_j)ᵀ + diag(own_k + shift_k),
/// a weighted Laplacian of the trade graph plus a diagonal. Two implementations: <see cref="BipartiteNormalSystem"/>
/// (dense Schur complement, fastest for small markets) and <see cref="SparseNormalSystem"/> (sparse Cholesky with
/// a fill-reducing ordering); <see cref="NormalSystem.Create"/> picks one by the work each needs.
/// </summary>
internal interface INormalSystem
{
    /// <summary>
    /// Assembles and factorises K for pair weights w_p ≥ 0 and diagonal terms own_k + shift_k &gt; 0.
    /// The arrays are read now; <paramref name="pairWeight"/> may also be read again by <see cref="Solve"/>.
    /// </summary>
    void Factorize(double[] ownWeight, double[] pairWeight, double[] shift);

    /// <summary>Solves K x = b with the last factorisation.</summary>
    void Solve(double[] rhs, double[] solution);
}

/// <summary>Chooses the normal-system implementation for a market.</summary>
internal static class NormalSystem
{
    /// <summary>Markets whose smaller side has at most this many peers always use the dense Schur complement:
    /// its factorisation then costs well under a millisecond, less than analysing the sparse pattern.</summary>
    public const int DenseOnlyKeptPeers = 150;

    /// <summary>How much slower a sparse multiply–add is than a dense, vectorised one (measured on the synthetic
    /// markets of <c>p2pflex bench --scaling</c>: indirect addressing and no SIMD). The sparse path is taken when its
    /// flop count times this is below the dense one's. A power of two, so that "penalty × sparse &lt; dense" and
    /// "sparse &lt; dense / penalty" are the same test in floating point.</summary>
    public const double SparseFlopPenalty = 4;

    /// <summary>
    /// The dense Schur complement (<see cref="BipartiteNormalSystem"/>) when the market is small or its trade graph so
    /// dense that the sparse factor would fill in; otherwise the sparse Cholesky (<see cref="SparseNormalSystem"/>),
    /// whose ordering and symbolic analysis are cached per trade graph, so warm re-solves of the same market (new
    /// prices, preferences or caps) do not redo them.
    /// </summary>
    /// <remarks>
    /// The choice is "penalty × sparse flops &lt; dense flops", with the sparse flops those of the minimum-degree
    /// ordering. Ordering a dense bilateral market costs far more than it can save (case533mt_hi's complete
    /// 299 × 327 market: seconds, for a factor that loses anyway), so the sparse side is ruled out as early as it is
    /// certain to lose: first by a lower bound valid for every ordering, from the peers' degrees alone (linear in the
    /// pairs; <see cref="SparseSymbolicFactor.FlopsLowerBound(ReadOnlySpan{int})"/>), then inside the ordering, which
    /// stops once the columns eliminated so far plus a bound on the rest reach the dense cost
    /// (<see cref="SparseSymbolicFactor.AnalyzeUnlessCostlier"/>). Either stop is a proof that the full analysis
    /// would have chosen the dense path, so the choice, and every result, is the same as ordering to the end.
    /// </remarks>
    public static INormalSystem Create(P2PNetwork net)
    {
        int sellers = 0;
        for (int k = 0; k < net.PeerCount; k++) if (net.IsSeller[k]) sellers++;
        int kept = Math.Min(sellers, net.PeerCount - sellers);
        if (kept <= DenseOnlyKeptPeers) return new BipartiteNormalSystem(net);
        double denseFlops = DenseFlops(net, kept);
        var degrees = new int[net.PeerCount];
        for (int k = 0; k < net.PeerCount; k++) degrees[k] = net.Degree(k); // distinct buyers or sellers (P2PNetwork refuses a repeated pair)
        if (SparseFlopPenalty * SparseSymbolicFactor.FlopsLowerBound(degrees) >= denseFlops) return new BipartiteNormalSystem(net);
        var symbolic = SparseNormalSystem.AnalyzeUnlessCostlier(net, denseFlops / SparseFlopPenalty);
        return symbolic is not null
            ? new SparseNormalSystem(net, symbolic)
            : new BipartiteNormalSystem(net);
    }

    /// <summary>Multiply–adds of one dense factorisation: Schur assembly Σ deg²/2 over the eliminated side plus a
    /// Cholesky of the kept side, nk³/6.</summary>
    public static double DenseFlops(P2PNetwork net, int kept)
    {
        int sellers = 0;
        for (int k = 0; k < net.PeerCount; k++) if (net.IsSeller[k]) sellers++;
        bool keepSellers = sellers <= net.PeerCount - sellers;
        double assembly = 0;
        for (int k = 0; k < net.PeerCount; k++)
            if (net.IsSeller[k] != keepSellers) assembly += 0.5 * (double)net.Degree(k) * net.Degree(k);
        return assembly + (double)kept * kept * kept / 6;
    }
}

/// <summary>
/// K factorised as a sparse matrix: P K Pᵀ = L Lᵀ with a minimum-degree ordering of the trade graph (entries: one
/// per peer on the diagonal, one per pair), by <see cref="SparseCholesky"/>. The ordering and symbolic factorisation
/// depend only on which pairs exist, so they are computed once per trade graph and cached (a few graphs, compared by
/// content): every Newton and interior-point iteration and every warm re-solve reuses them. Pairs with zero weight
/// stay in the pattern with value 0, which changes nothing numerically.
/// </summary>
internal sealed class SparseNormalSystem : INormalSystem
{
    private readonly P2PNetwork _net;
    private readonly SparseCholesky _cholesky;
    private readonly double[] _values;

    public SparseNormalSystem(P2PNetwork net, SparseSymbolicFactor symbolic)
    {
        _net = net;
        // The dense path floors pivots at 1e-13 of the Schur diagonal; the same relative floor here.
        _cholesky = new SparseCholesky(symbolic, pivotFloorRelative: 1e-13);
        _values = new double[net.PeerCount + net.PairCount];
    }

    /// <summary>Symbolic analysis of the market's K pattern, or null when one factorisation would cost at least
    /// <paramref name="flopLimit"/> (<see cref="SparseSymbolicFactor.AnalyzeUnlessCostlier"/>); from the cache when the
    /// same trade graph was seen.</summary>
    public static SparseSymbolicFactor? AnalyzeUnlessCostlier(P2PNetwork net, double flopLimit) => SymbolicCache.Get(net, flopLimit);

    /// <summary>Symbolic analysis of the market's K pattern whatever it costs (from the cache when seen).</summary>
    public static SparseSymbolicFactor Analyze(P2PNetwork net) => SymbolicCache.Get(net, double.PositiveInfinity)!;

    public void Factorize(double[] ownWeight, double[] pairWeight, double[] shift)
    {
        var net = _net;
        int n = net.PeerCount;
        for (int k = 0; k < n; k++)
        {
            double d = ownWeight[k] + shift[k];
            for (int a = net.AdjacencyStart[k]; a < net.AdjacencyStart[k + 1]; a++)
                d += pairWeight[net.AdjacentPairs[a]];
            _values[k] = d;
        }
        for (int p = 0; p < net.PairCount; p++) _values[n + p] = -pairWeight[p];
        _cholesky.Factorize(_values);
    }

    public void Solve(double[] rhs, double[] solution) => _cholesky.Solve(rhs, solution);

    /// <summary>The last few analysed trade graphs (peer count and each pair's seller and buyer), by content, with
    /// their analysis, or null and the limit it was found to reach (it then answers for that limit and lower ones).</summary>
    private static class SymbolicCache
    {
        private const int Capacity = 4;
        private static readonly List<(int PeerCount, int[] Sellers, int[] Buyers, SparseSymbolicFactor? Symbolic, double ReachedLimit)> Entries = [];
        private static readonly Lock Gate = new();

        public static SparseSymbolicFactor? Get(P2PNetwork net, double flopLimit)
        {
            lock (Gate)
            {
                for (int e = 0; e < Entries.Count; e++)
                {
                    var entry = Entries[e];
                    if (entry.PeerCount == net.PeerCount && entry.Sellers.AsSpan().SequenceEqual(net.PairSeller)
                        && entry.Buyers.AsSpan().SequenceEqual(net.PairBuyer))
                    {
                        Entries.RemoveAt(e);
                        if (entry.Symbolic is null && flopLimit > entry.ReachedLimit) break; // unknown below this limit: analyse again
                        Entries.Add(entry); // most recently used last
                        return entry.Symbolic is { } known && known.FactorFlops < flopLimit ? known : null;
                    }
                }
            }

            int n = net.PeerCount, m = net.PairCount;
            var rows = new int[n + m];
            var cols = new int[n + m];
            for (int k = 0; k < n; k++) rows[k] = cols[k] = k;
            for (int p = 0; p < m; p++)
            {
                rows[n + p] = net.PairSeller[p];
                cols[n + p] = net.PairBuyer[p];
            }
            var symbolic = SparseSymbolicFactor.AnalyzeUnlessCostlier(n, rows, cols, flopLimit);
            lock (Gate)
            {
                if (Entries.Count == Capacity) Entries.RemoveAt(0);
                Entries.Add((n, (int[])net.PairSeller.Clone(), (int[])net.PairBuyer.Clone(), symbolic, flopLimit));
            }
            return symbolic;
        }
    }
}
