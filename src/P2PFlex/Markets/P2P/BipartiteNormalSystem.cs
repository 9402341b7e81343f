using System.Runtime.Intrinsics;
using P2PFlex.Numerics;

namespace P2PFlex.Markets.P2P;

/// <summary>
/// The dense path for the normal systems K of <see cref="INormalSystem"/>: K = Σ_pairs w_p (e_i − e_j)(e_i − e_j)ᵀ +
/// diag(own_k + shift_k), a weighted Laplacian of the trade graph plus a diagonal.
/// </summary>
/// <remarks>
/// Sellers only trade with buyers, so the seller block and the buyer block of K are both diagonal. The larger
/// side is eliminated (exactly, a diagonal solve) and the Schur complement on the smaller side is
/// factorised densely; for 500 + 500 peers with 20 trades each that is a 500×500 Cholesky of a few ms. Its cost grows
/// like the cube of the smaller side, so large markets use <see cref="SparseNormalSystem"/> instead
/// (<see cref="NormalSystem.Create"/>).
/// </remarks>
internal sealed class BipartiteNormalSystem : INormalSystem
{
    private readonly P2PNetwork _net;
    private readonly int[] _sideIndex;
    private readonly int[] _keptPeers;
    private readonly double[] _schur;
    private readonly double[] _diag;
    private readonly double[] _keptRhs;
    private readonly int[] _neighbours;
    private readonly double[] _neighbourWeights;
    // Every eliminated peer's kept-side neighbours (ascending) and weights as of the last factorisation, one run per
    // eliminated peer (_eliminated[e], run _runStart[e] … _runStart[e + 1]): the solves of that factorisation read them
    // instead of collecting them again.
    private readonly int[] _eliminated;
    private readonly int[] _runStart;
    private readonly int[] _runNeighbour;
    private readonly double[] _runWeight;
    private double[] _pairWeight = [];

    public BipartiteNormalSystem(P2PNetwork net)
    {
        _net = net;
        int n = net.PeerCount;
        int sellers = 0;
        for (int k = 0; k < n; k++) if (net.IsSeller[k]) sellers++;
        bool keepSellers = sellers <= n - sellers;
        _sideIndex = new int[n];
        var kept = new List<int>();
        for (int k = 0; k < n; k++)
        {
            if (net.IsSeller[k] == keepSellers)
            {
                _sideIndex[k] = kept.Count;
                kept.Add(k);
            }
            else
            {
                _sideIndex[k] = -1;
            }
        }

        _keptPeers = kept.ToArray();
        _schur = new double[_keptPeers.Length * _keptPeers.Length];
        _keptRhs = new double[_keptPeers.Length];
        _diag = new double[n];
        int maxDegree = 0;
        for (int k = 0; k < n; k++) maxDegree = Math.Max(maxDegree, net.Degree(k));
        _neighbours = new int[maxDegree];
        _neighbourWeights = new double[maxDegree];
        _eliminated = Enumerable.Range(0, n).Where(k => _sideIndex[k] < 0).ToArray();
        _runStart = new int[_eliminated.Length + 1];
        _runNeighbour = new int[net.PairCount];
        _runWeight = new double[net.PairCount];
    }

    /// <summary>
    /// Assembles and factorises K for pair weights w_p ≥ 0 and diagonal terms own_k + shift_k &gt; 0.
    /// The arrays are read now; <paramref name="pairWeight"/> is also read again by <see cref="Solve"/>.
    /// </summary>
    public void Factorize(double[] ownWeight, double[] pairWeight, double[] shift)
    {
        var net = _net;
        _pairWeight = pairWeight;
        int n = net.PeerCount;
        for (int k = 0; k < n; k++)
        {
            double d = ownWeight[k] + shift[k];
            for (int a = net.AdjacencyStart[k]; a < net.AdjacencyStart[k + 1]; a++)
                d += pairWeight[net.AdjacentPairs[a]];
            _diag[k] = d;
        }

        int nk = _keptPeers.Length;
        Array.Clear(_schur);
        for (int v = 0; v < nk; v++) _schur[v * nk + v] = _diag[_keptPeers[v]];

        // Lower triangle of the Schur complement, one rank-one update per eliminated peer. The neighbours come in
        // ascending kept index, so row vi's entries vj ≤ vi are neighbours 0..i: no test per entry, and on a complete
        // market (neighbours 0, 1, 2, …) a contiguous run that is updated a vector at a time. Every entry still gets the
        // same operations in the same order (one multiply and one subtraction per eliminated peer, peers ascending), so
        // the factor is bit-identical to the entry-by-entry loop on every machine.
        int run = 0;
        for (int e = 0; e < _eliminated.Length; e++)
        {
            int u = _eliminated[e];
            int count = Neighbours(u);
            _runStart[e] = run;
            Array.Copy(_neighbours, 0, _runNeighbour, run, count);
            Array.Copy(_neighbourWeights, 0, _runWeight, run, count);
            run += count;
            if (count == 0) continue;
            double inv = 1.0 / _diag[u];
            bool contiguous = _neighbours[count - 1] - _neighbours[0] == count - 1;
            for (int i = 0; i < count; i++)
            {
                int vi = _neighbours[i];
                double wi = _neighbourWeights[i] * inv;
                int row = vi * nk;
                if (contiguous)
                {
                    SubtractScaled(_schur.AsSpan(row + _neighbours[0], i + 1), wi, _neighbourWeights.AsSpan(0, i + 1));
                }
                else
                {
                    for (int j = 0; j <= i; j++) _schur[row + _neighbours[j]] -= wi * _neighbourWeights[j];
                }
            }
        }

        _runStart[_eliminated.Length] = run;
        DenseCholesky.Factorize(_schur, nk);
    }

    /// <summary>Solves K x = b with the last factorisation.</summary>
    public void Solve(double[] rhs, double[] solution)
    {
        var net = _net;
        int nk = _keptPeers.Length;
        for (int v = 0; v < nk; v++) _keptRhs[v] = rhs[_keptPeers[v]];
        for (int e = 0; e < _eliminated.Length; e++)
        {
            int u = _eliminated[e];
            double g = rhs[u] / _diag[u];
            for (int i = _runStart[e]; i < _runStart[e + 1]; i++) _keptRhs[_runNeighbour[i]] += _runWeight[i] * g;
        }

        DenseCholesky.Solve(_schur, nk, _keptRhs);
        for (int v = 0; v < nk; v++) solution[_keptPeers[v]] = _keptRhs[v];
        for (int u = 0; u < net.PeerCount; u++)
        {
            if (_sideIndex[u] >= 0) continue;
            double s = rhs[u];
            for (int a = net.AdjacencyStart[u]; a < net.AdjacencyStart[u + 1]; a++)
            {
                int p = net.AdjacentPairs[a];
                double w = _pairWeight[p];
                if (w != 0) s += w * solution[Other(p, u)];
            }

            solution[u] = s / _diag[u];
        }
    }

    /// <summary>Kept-side neighbours of eliminated peer u through pairs of nonzero weight.</summary>
    private int Neighbours(int u)
    {
        var net = _net;
        int count = 0;
        for (int a = net.AdjacencyStart[u]; a < net.AdjacencyStart[u + 1]; a++)
        {
            int p = net.AdjacentPairs[a];
            double w = _pairWeight[p];
            if (w == 0) continue;
            _neighbours[count] = _sideIndex[Other(p, u)];
            _neighbourWeights[count++] = w;
        }

        // Ascending kept index (pairs usually come that way already; each neighbour appears once, so the order is unique).
        bool sorted = true;
        for (int i = 1; i < count && sorted; i++) sorted = _neighbours[i - 1] < _neighbours[i];
        if (!sorted) Array.Sort(_neighbours, _neighbourWeights, 0, count);
        return count;
    }

    /// <summary>target[j] −= scale · weights[j], entry by entry (a product rounded, then a difference rounded: never
    /// fused, so vector and scalar lanes give the same bits).</summary>
    private static void SubtractScaled(Span<double> target, double scale, ReadOnlySpan<double> weights)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale);
            for (; j + 4 <= target.Length; j += 4)
            {
                var t = Vector256.Create(target.Slice(j, 4));
                var w = Vector256.Create(weights.Slice(j, 4));
                var product = s * w;
                (t - product).CopyTo(target.Slice(j, 4));
            }
        }
        for (; j < target.Length; j++) target[j] -= scale * weights[j];
    }

    private int Other(int pair, int peer) =>
        _net.PairSeller[pair] == peer ? _net.PairBuyer[pair] : _net.PairSeller[pair];
}
