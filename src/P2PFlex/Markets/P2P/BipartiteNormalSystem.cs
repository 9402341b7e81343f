using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// <para>Every pair has exactly one end on the eliminated side, so the eliminated peers' pairs, in adjacency order, are
/// one flat list of the pairs with the kept end of each, made once per market (<c>_slotPair</c>, <c>_slotKept</c>).
/// A factorisation sums each peer's diagonal and collects the eliminated peers' runs (the pairs of nonzero weight) in
/// one pass over that list, four peers side by side (four independent chains of additions, each in adjacency order:
/// the same sums, without waiting on one chain's latency), and writes each run at its peer's fixed place in the list,
/// so nothing is copied.</para>
/// </remarks>
internal sealed class BipartiteNormalSystem : INormalSystem
{
    private readonly P2PNetwork _net;
    private readonly int[] _sideIndex;
    private readonly int[] _keptPeers;
    private readonly double[] _schur;
    private readonly double[] _diag;
    private readonly double[] _keptRhs;
    // Every eliminated peer's kept-side neighbours (ascending) and weights as of the last factorisation, one run per
    // eliminated peer (_eliminated[e], run _runStart[e] … _runEnd[e]; _runStart[e] is where its pairs start in the
    // slot list): the solves of that factorisation read them instead of collecting them again.
    private readonly int[] _eliminated;
    private readonly int[] _runStart;
    private readonly int[] _runEnd;
    private readonly int[] _runNeighbour;
    private readonly double[] _runWeight;
    // The eliminated peers' pairs in adjacency order (eliminated peer e: slots _runStart[e] … _runStart[e + 1]) and the
    // kept index of each pair's other end; whether each peer's kept ends ascend in that order (then its runs need no
    // sorting and the back substitution can read them).
    private readonly int[] _slotPair;
    private readonly int[] _slotKept;
    private readonly bool[] _slotsAscending;
    private double[] _pairWeight = [];
    // The dense panels of the Schur update (see SubtractPanels), allocated on first use.
    private double[] _panelScaled = [];
    private double[] _panelWeight = [];

    // Null: the panel update where it pays (PanelPays); true / false forces it on or off (tests compare the two).
    private readonly bool? _panels;

    public BipartiteNormalSystem(P2PNetwork net) : this(net, null) { }

    /// <summary>With the Schur update's path forced: <paramref name="panels"/> true for the blocked panels wherever they
    /// apply, false for one eliminated peer at a time, null to choose by the work (tests compare the paths bit for bit).</summary>
    internal BipartiteNormalSystem(P2PNetwork net, bool? panels)
    {
        _panels = panels;
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
        _eliminated = Enumerable.Range(0, n).Where(k => _sideIndex[k] < 0).ToArray();
        _runStart = new int[_eliminated.Length + 1];
        _runEnd = new int[_eliminated.Length];
        _runNeighbour = new int[net.PairCount];
        _runWeight = new double[net.PairCount];
        _slotPair = new int[net.PairCount];
        _slotKept = new int[net.PairCount];
        _slotsAscending = new bool[_eliminated.Length];
        int slot = 0;
        for (int e = 0; e < _eliminated.Length; e++)
        {
            int u = _eliminated[e];
            _runStart[e] = slot;
            bool ascending = true;
            for (int a = net.AdjacencyStart[u]; a < net.AdjacencyStart[u + 1]; a++)
            {
                int p = net.AdjacentPairs[a];
                _slotPair[slot] = p;
                _slotKept[slot] = _sideIndex[Other(p, u)];
                ascending &= slot == _runStart[e] || _slotKept[slot - 1] < _slotKept[slot];
                slot++;
            }

            _slotsAscending[e] = ascending;
        }

        _runStart[_eliminated.Length] = slot;
    }

    /// <summary>
    /// Assembles and factorises K for pair weights w_p ≥ 0 and diagonal terms own_k + shift_k &gt; 0.
    /// The arrays are read now; <paramref name="pairWeight"/> is also read again by <see cref="Solve"/>.
    /// </summary>
    public void Factorize(double[] ownWeight, double[] pairWeight, double[] shift)
    {
        _pairWeight = pairWeight;
        KeptDiagonals(ownWeight, pairWeight, shift);
        EliminatedDiagonalsAndRuns(ownWeight, pairWeight, shift);

        int nk = _keptPeers.Length;
        Array.Clear(_schur);
        bool positiveDiagonal = true;
        for (int v = 0; v < nk; v++)
        {
            double d = _diag[_keptPeers[v]];
            _schur[v * nk + v] = d;
            positiveDiagonal &= d > 0 && double.IsFinite(d);
        }

        double pairTerms = 0;
        bool finiteScaled = positiveDiagonal;
        for (int e = 0; e < _eliminated.Length; e++)
        {
            int count = _runEnd[e] - _runStart[e];
            pairTerms += 0.5 * (double)count * count;
            double inv = 1.0 / _diag[_eliminated[e]];
            finiteScaled &= double.IsFinite(inv);
        }

        // Lower triangle of the Schur complement: entry (vi, vj), vj ≤ vi, starts at the diagonal or 0 and gets, for
        // each eliminated peer u in ascending order that neighbours both, −= (w_u,vi / d_u) · w_u,vj. Either path below
        // gives every entry exactly these operations in this order, so the factor is the same bit for bit.
        if (Vector256.IsHardwareAccelerated && finiteScaled && nk >= 8 && (_panels ?? PanelPays(pairTerms, nk)))
        {
            SubtractPanels(nk);
        }
        else
        {
            for (int e = 0; e < _eliminated.Length; e++) SubtractOne(e, nk);
        }

        DenseCholesky.Factorize(_schur, nk);
    }

    /// <summary>diag_k = own_k + shift_k + Σ w_p over peer k's pairs in adjacency order, for the kept peers, four peers'
    /// sums side by side.</summary>
    private void KeptDiagonals(double[] ownWeight, double[] pairWeight, double[] shift)
    {
        var net = _net;
        ref int adjacent = ref MemoryMarshal.GetArrayDataReference(net.AdjacentPairs);
        ref double w = ref MemoryMarshal.GetArrayDataReference(pairWeight);
        int nk = _keptPeers.Length, v = 0;
        for (; v + 4 <= nk; v += 4)
        {
            int k0 = _keptPeers[v], k1 = _keptPeers[v + 1], k2 = _keptPeers[v + 2], k3 = _keptPeers[v + 3];
            int a0 = net.AdjacencyStart[k0], a1 = net.AdjacencyStart[k1], a2 = net.AdjacencyStart[k2], a3 = net.AdjacencyStart[k3];
            int common = Math.Min(Math.Min(net.Degree(k0), net.Degree(k1)), Math.Min(net.Degree(k2), net.Degree(k3)));
            double d0 = ownWeight[k0] + shift[k0], d1 = ownWeight[k1] + shift[k1];
            double d2 = ownWeight[k2] + shift[k2], d3 = ownWeight[k3] + shift[k3];
            for (int t = 0; t < common; t++)
            {
                d0 += Unsafe.Add(ref w, Unsafe.Add(ref adjacent, a0 + t));
                d1 += Unsafe.Add(ref w, Unsafe.Add(ref adjacent, a1 + t));
                d2 += Unsafe.Add(ref w, Unsafe.Add(ref adjacent, a2 + t));
                d3 += Unsafe.Add(ref w, Unsafe.Add(ref adjacent, a3 + t));
            }

            _diag[k0] = FinishSum(d0, k0, common, pairWeight);
            _diag[k1] = FinishSum(d1, k1, common, pairWeight);
            _diag[k2] = FinishSum(d2, k2, common, pairWeight);
            _diag[k3] = FinishSum(d3, k3, common, pairWeight);
        }

        for (; v < nk; v++)
        {
            int k = _keptPeers[v];
            _diag[k] = FinishSum(ownWeight[k] + shift[k], k, 0, pairWeight);
        }
    }

    /// <summary>d + the weights of peer k's pairs from its <paramref name="done"/>-th on, in adjacency order.</summary>
    private double FinishSum(double d, int k, int done, double[] pairWeight)
    {
        var net = _net;
        for (int a = net.AdjacencyStart[k] + done; a < net.AdjacencyStart[k + 1]; a++) d += pairWeight[net.AdjacentPairs[a]];
        return d;
    }

    /// <summary>For each eliminated peer: its diagonal (as <see cref="KeptDiagonals"/>) and its run, the kept ends and
    /// weights of its pairs of nonzero weight in ascending kept index; four peers side by side.</summary>
    private void EliminatedDiagonalsAndRuns(double[] ownWeight, double[] pairWeight, double[] shift)
    {
        int count = _eliminated.Length, e = 0;
        ref int pairs = ref MemoryMarshal.GetArrayDataReference(_slotPair);
        ref int kept = ref MemoryMarshal.GetArrayDataReference(_slotKept);
        ref double w = ref MemoryMarshal.GetArrayDataReference(pairWeight);
        ref int neighbour = ref MemoryMarshal.GetArrayDataReference(_runNeighbour);
        ref double weight = ref MemoryMarshal.GetArrayDataReference(_runWeight);
        for (; e + 4 <= count; e += 4)
        {
            int s0 = _runStart[e], s1 = _runStart[e + 1], s2 = _runStart[e + 2], s3 = _runStart[e + 3];
            int common = Math.Min(Math.Min(s1 - s0, s2 - s1), Math.Min(s3 - s2, _runStart[e + 4] - s3));
            int u0 = _eliminated[e], u1 = _eliminated[e + 1], u2 = _eliminated[e + 2], u3 = _eliminated[e + 3];
            double d0 = ownWeight[u0] + shift[u0], d1 = ownWeight[u1] + shift[u1];
            double d2 = ownWeight[u2] + shift[u2], d3 = ownWeight[u3] + shift[u3];
            int c0 = s0, c1 = s1, c2 = s2, c3 = s3;
            for (int t = 0; t < common; t++)
            {
                double w0 = Unsafe.Add(ref w, Unsafe.Add(ref pairs, s0 + t));
                double w1 = Unsafe.Add(ref w, Unsafe.Add(ref pairs, s1 + t));
                double w2 = Unsafe.Add(ref w, Unsafe.Add(ref pairs, s2 + t));
                double w3 = Unsafe.Add(ref w, Unsafe.Add(ref pairs, s3 + t));
                d0 += w0;
                d1 += w1;
                d2 += w2;
                d3 += w3;
                // Written always, kept (the cursor advanced) only for a nonzero weight: no branch on the data. A cursor
                // never passes its slot, so it stays inside its own peer's part of the run arrays.
                Unsafe.Add(ref neighbour, c0) = Unsafe.Add(ref kept, s0 + t);
                Unsafe.Add(ref weight, c0) = w0;
                c0 += w0 != 0 ? 1 : 0;
                Unsafe.Add(ref neighbour, c1) = Unsafe.Add(ref kept, s1 + t);
                Unsafe.Add(ref weight, c1) = w1;
                c1 += w1 != 0 ? 1 : 0;
                Unsafe.Add(ref neighbour, c2) = Unsafe.Add(ref kept, s2 + t);
                Unsafe.Add(ref weight, c2) = w2;
                c2 += w2 != 0 ? 1 : 0;
                Unsafe.Add(ref neighbour, c3) = Unsafe.Add(ref kept, s3 + t);
                Unsafe.Add(ref weight, c3) = w3;
                c3 += w3 != 0 ? 1 : 0;
            }

            FinishRun(e, common, d0, c0, pairWeight);
            FinishRun(e + 1, common, d1, c1, pairWeight);
            FinishRun(e + 2, common, d2, c2, pairWeight);
            FinishRun(e + 3, common, d3, c3, pairWeight);
        }

        for (; e < count; e++)
        {
            int u = _eliminated[e];
            FinishRun(e, 0, ownWeight[u] + shift[u], _runStart[e], pairWeight);
        }
    }

    /// <summary>Eliminated peer e from its <paramref name="done"/>-th slot on: the rest of its diagonal and run; then
    /// the run sorted by kept index if its slots do not ascend.</summary>
    private void FinishRun(int e, int done, double d, int cursor, double[] pairWeight)
    {
        for (int slot = _runStart[e] + done; slot < _runStart[e + 1]; slot++)
        {
            double w = pairWeight[_slotPair[slot]];
            d += w;
            if (w == 0) continue;
            _runNeighbour[cursor] = _slotKept[slot];
            _runWeight[cursor++] = w;
        }

        _diag[_eliminated[e]] = d;
        _runEnd[e] = cursor;
        // Each neighbour appears once, so the ascending order is unique.
        if (!_slotsAscending[e]) Array.Sort(_runNeighbour, _runWeight, _runStart[e], cursor - _runStart[e]);
    }

    /// <summary>The former update, one eliminated peer at a time: for each of its neighbours vi (ascending), row vi's
    /// entries at its neighbours vj ≤ vi, a vector at a time where the neighbours are contiguous (complete markets).</summary>
    private void SubtractOne(int e, int nk)
    {
        int start = _runStart[e], count = _runEnd[e] - start;
        if (count == 0) return;
        double inv = 1.0 / _diag[_eliminated[e]];
        var neighbours = _runNeighbour.AsSpan(start, count);
        var weights = _runWeight.AsSpan(start, count);
        bool contiguous = neighbours[count - 1] - neighbours[0] == count - 1;
        for (int i = 0; i < count; i++)
        {
            int vi = neighbours[i];
            double wi = weights[i] * inv;
            int row = vi * nk;
            if (contiguous)
            {
                SubtractScaled(_schur.AsSpan(row + neighbours[0], i + 1), wi, weights[..(i + 1)]);
            }
            else
            {
                // Indices from our own runs (kept indices < nk): no bounds checks.
                ref double schurRow = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_schur), row);
                ref int nb = ref MemoryMarshal.GetReference(neighbours);
                ref double wt = ref MemoryMarshal.GetReference(weights);
                for (int j = 0; j <= i; j++) Unsafe.Add(ref schurRow, Unsafe.Add(ref nb, j)) -= wi * Unsafe.Add(ref wt, j);
            }
        }
    }

    /// <summary>Whether the panel update pays: it does the work of a complete market (E·nk²/2 multiply–subtracts, at
    /// a few times the speed), the one-peer-at-a-time update only Σ deg²/2 (at memory speed: it streams the whole
    /// triangle once per eliminated peer). Measured on case533mt_hi's markets: the panel wins from about a quarter of
    /// the complete market's terms.</summary>
    private bool PanelPays(double pairTerms, int nk) => 4 * pairTerms >= 0.5 * _eliminated.Length * (double)nk * nk;

    /// <summary>
    /// The Schur update as a blocked product (a SYRK): S −= Aᵀ B with A_u,v = w_u,v / d_u and B_u,v = w_u,v over the
    /// eliminated peers u, zero where u and v do not trade. Tiles of 4 rows × 8 columns of the lower triangle stay in
    /// registers while u runs over every eliminated peer in ascending order, so each entry gets its subtractions in
    /// the same order as <see cref="SubtractOne"/>; the products with a zero are +0 or −0, and subtracting them changes
    /// nothing (all values are finite and no entry is ever −0: entries start at a positive diagonal or +0, and an exact
    /// zero difference rounds to +0). The panels are packed so that each tile reads two contiguous streams.
    /// </summary>
    private void SubtractPanels(int nk)
    {
        int count = _eliminated.Length;
        int rowBlocks = (nk + 3) >> 2, columnBlocks = (nk + 7) >> 3;
        int scaledLength = rowBlocks * count * 4, weightLength = columnBlocks * count * 8;
        if (_panelScaled.Length < scaledLength) _panelScaled = new double[scaledLength];
        else Array.Clear(_panelScaled, 0, scaledLength);
        if (_panelWeight.Length < weightLength) _panelWeight = new double[weightLength];
        else Array.Clear(_panelWeight, 0, weightLength);
        for (int e = 0; e < count; e++)
        {
            double inv = 1.0 / _diag[_eliminated[e]];
            for (int r = _runStart[e]; r < _runEnd[e]; r++)
            {
                int v = _runNeighbour[r];
                double w = _runWeight[r];
                _panelScaled[((v >> 2) * count + e) * 4 + (v & 3)] = w * inv;
                _panelWeight[((v >> 3) * count + e) * 8 + (v & 7)] = w;
            }
        }

        for (int cb = 0; cb < columnBlocks; cb++)
        {
            ref double weight = ref _panelWeight[cb * count * 8];
            for (int rb = cb * 2; rb < rowBlocks; rb++)
                Tile(nk, count, rb * 4, cb * 8, ref _panelScaled[rb * count * 4], ref weight);
        }
    }

    /// <summary>Rows i0 … i0 + 3, columns j0 … j0 + 7 of the lower triangle: S −= Aᵀ B over every eliminated peer.</summary>
    private void Tile(int nk, int count, int i0, int j0, ref double scaled, ref double weight)
    {
        bool inside = i0 + 4 <= nk && j0 + 8 <= nk;
        Span<double> spill = stackalloc double[32];
        scoped ref double s0 = ref _schur[0];
        if (!inside)
        {
            spill.Clear();
            for (int r = 0; r < 4; r++)
                for (int c = 0; c < 8; c++)
                    if (i0 + r < nk && j0 + c < nk) spill[r * 8 + c] = _schur[(i0 + r) * nk + j0 + c];
            s0 = ref spill[0];
        }

        int stride = inside ? nk : 8;
        nuint at = inside ? (nuint)(i0 * nk + j0) : 0;
        var c00 = Vector256.LoadUnsafe(ref s0, at);
        var c01 = Vector256.LoadUnsafe(ref s0, at + 4);
        var c10 = Vector256.LoadUnsafe(ref s0, at + (nuint)stride);
        var c11 = Vector256.LoadUnsafe(ref s0, at + (nuint)stride + 4);
        var c20 = Vector256.LoadUnsafe(ref s0, at + (nuint)(2 * stride));
        var c21 = Vector256.LoadUnsafe(ref s0, at + (nuint)(2 * stride) + 4);
        var c30 = Vector256.LoadUnsafe(ref s0, at + (nuint)(3 * stride));
        var c31 = Vector256.LoadUnsafe(ref s0, at + (nuint)(3 * stride) + 4);
        for (int e = 0; e < count; e++)
        {
            var b0 = Vector256.LoadUnsafe(ref weight, (nuint)(e * 8));
            var b1 = Vector256.LoadUnsafe(ref weight, (nuint)(e * 8 + 4));
            ref double a = ref Unsafe.Add(ref scaled, e * 4);
            var a0 = Vector256.Create(a);
            c00 -= a0 * b0;
            c01 -= a0 * b1;
            var a1 = Vector256.Create(Unsafe.Add(ref a, 1));
            c10 -= a1 * b0;
            c11 -= a1 * b1;
            var a2 = Vector256.Create(Unsafe.Add(ref a, 2));
            c20 -= a2 * b0;
            c21 -= a2 * b1;
            var a3 = Vector256.Create(Unsafe.Add(ref a, 3));
            c30 -= a3 * b0;
            c31 -= a3 * b1;
        }

        if (inside && j0 + 7 <= i0)
        {
            // Wholly below the diagonal: stored as it is.
            c00.StoreUnsafe(ref s0, at);
            c01.StoreUnsafe(ref s0, at + 4);
            c10.StoreUnsafe(ref s0, at + (nuint)stride);
            c11.StoreUnsafe(ref s0, at + (nuint)stride + 4);
            c20.StoreUnsafe(ref s0, at + (nuint)(2 * stride));
            c21.StoreUnsafe(ref s0, at + (nuint)(2 * stride) + 4);
            c30.StoreUnsafe(ref s0, at + (nuint)(3 * stride));
            c31.StoreUnsafe(ref s0, at + (nuint)(3 * stride) + 4);
            return;
        }

        // On the diagonal or at the edge: only the entries j ≤ i inside the matrix (the rest stays 0).
        Span<double> tile = stackalloc double[32];
        c00.CopyTo(tile[0..4]);
        c01.CopyTo(tile[4..8]);
        c10.CopyTo(tile[8..12]);
        c11.CopyTo(tile[12..16]);
        c20.CopyTo(tile[16..20]);
        c21.CopyTo(tile[20..24]);
        c30.CopyTo(tile[24..28]);
        c31.CopyTo(tile[28..32]);
        for (int r = 0; r < 4; r++)
        {
            int i = i0 + r;
            if (i >= nk) break;
            for (int c = 0; c < 8; c++)
            {
                int j = j0 + c;
                if (j > i || j >= nk) break;
                _schur[i * nk + j] = tile[r * 8 + c];
            }
        }
    }

    /// <summary>Solves K x = b with the last factorisation.</summary>
    public void Solve(double[] rhs, double[] solution)
    {
        var net = _net;
        int nk = _keptPeers.Length;
        for (int v = 0; v < nk; v++) _keptRhs[v] = rhs[_keptPeers[v]];
        // Indices from our own runs (kept indices < nk): no bounds checks.
        ref double keptRhs = ref MemoryMarshal.GetArrayDataReference(_keptRhs);
        ref int neighbour = ref MemoryMarshal.GetArrayDataReference(_runNeighbour);
        ref double weight = ref MemoryMarshal.GetArrayDataReference(_runWeight);
        for (int e = 0; e < _eliminated.Length; e++)
        {
            int u = _eliminated[e];
            double g = rhs[u] / _diag[u];
            for (int i = _runStart[e]; i < _runEnd[e]; i++) Unsafe.Add(ref keptRhs, Unsafe.Add(ref neighbour, i)) += Unsafe.Add(ref weight, i) * g;
        }

        DenseCholesky.Solve(_schur, nk, _keptRhs);
        for (int v = 0; v < nk; v++) solution[_keptPeers[v]] = _keptRhs[v];
        for (int e = 0; e < _eliminated.Length; e++)
        {
            int u = _eliminated[e];
            double s = rhs[u];
            if (_slotsAscending[e])
            {
                // The run is the peer's pairs of nonzero weight in adjacency order, and solution[other] is
                // _keptRhs[kept index of other]: the terms of the loop below, in its order.
                for (int i = _runStart[e]; i < _runEnd[e]; i++) s += Unsafe.Add(ref weight, i) * Unsafe.Add(ref keptRhs, Unsafe.Add(ref neighbour, i));
            }
            else
            {
                for (int a = net.AdjacencyStart[u]; a < net.AdjacencyStart[u + 1]; a++)
                {
                    int p = net.AdjacentPairs[a];
                    double w = _pairWeight[p];
                    if (w != 0) s += w * solution[Other(p, u)];
                }
            }

            solution[u] = s / _diag[u];
        }
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
