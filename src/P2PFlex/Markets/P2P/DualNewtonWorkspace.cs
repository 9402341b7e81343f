using System.Runtime.Intrinsics;

namespace P2PFlex.Markets.P2P;

/// <summary>
/// The dual of the P2P market in one price per peer, for <see cref="CentralizedP2PSolver"/>: primal
/// responses (clips), gradient (balance mismatches), generalised Hessian weights, Newton direction and
/// exact line search. Arrays are allocated once and reused across iterations.
/// </summary>
internal sealed class DualNewtonWorkspace
{
    private readonly P2PNetwork _net;
    private readonly INormalSystem _system;
    private readonly double _invEps;
    private readonly double[] _grad;
    private readonly double[] _peerWeight;
    private readonly double[] _pairWeight;
    private readonly double[] _baseShift;
    private readonly double[] _shift;
    private readonly double _priceScale;
    private readonly double[] _breaks;
    // Line search: the terms w·clip(u0 + u1 t, 0, upper) of φ' that have a breakpoint in (0, ∞), and the affine sum
    // a0 + a1 t of those that have none.
    private readonly double[] _termWeight, _termU0, _termU1, _termUpper;
    private double _foldedU0, _foldedU1;

    public DualNewtonWorkspace(P2PNetwork net, INormalSystem system, double gamma)
    {
        _net = net;
        _system = system;
        _invEps = 1.0 / net.Epsilon;
        int n = net.PeerCount;
        _grad = new double[n];
        _peerWeight = new double[n];
        _pairWeight = new double[net.PairCount];
        _shift = new double[n];
        _baseShift = new double[n];
        for (int k = 0; k < n; k++) _baseShift[k] = gamma * (1.0 / net.Quadratic[k] + net.Degree(k) * _invEps);
        double priceScale = 1;
        for (int k = 0; k < n; k++) priceScale = Math.Max(priceScale, Math.Abs(net.Linear[k]));
        for (int p = 0; p < net.PairCount; p++) priceScale = Math.Max(priceScale, Math.Abs(net.PairCost[p]));
        _priceScale = priceScale;
        Trades = new double[net.PairCount];
        Direction = new double[n];
        _breaks = new double[2 * (n + net.PairCount)];
        int terms = n + net.PairCount;
        _termWeight = new double[terms];
        _termU0 = new double[terms];
        _termU1 = new double[terms];
        _termUpper = new double[terms];
    }

    /// <summary>Trades of the last <see cref="Evaluate"/>.</summary>
    public double[] Trades { get; }

    /// <summary>Newton direction of the last <see cref="ComputeNewtonDirection"/>.</summary>
    public double[] Direction { get; }

    /// <summary>Peer volume response at price y_k, unclipped, in MW (seller: (y−π)/a, buyer: (λ−y)/b).</summary>
    private double PeerArgument(int k, double price) => _net.IsSeller[k]
        ? (price - _net.Linear[k]) / _net.Quadratic[k]
        : (_net.Linear[k] - price) / _net.Quadratic[k];

    /// <summary>
    /// Responses, gradient and generalised Hessian weights at prices y. Returns the max balance mismatch
    /// (MW); NaN if any price is not finite.
    /// </summary>
    public double Evaluate(double[] y)
    {
        var net = _net;
        for (int k = 0; k < net.PeerCount; k++)
        {
            double u = PeerArgument(k, y[k]);
            double x = Response(u, net.MaxVolume[k], out double dx);
            _peerWeight[k] = dx / net.Quadratic[k];
            _grad[k] = x; // the volume, until the sums below
        }

        for (int p = 0; p < net.PairCount; p++)
        {
            int i = net.PairSeller[p], j = net.PairBuyer[p];
            double u = (y[j] - y[i] - net.PairCost[p]) * _invEps;
            double q = Response(u, net.Cap[p], out double dq);
            _pairWeight[p] = dq * _invEps;
            Trades[p] = q;
        }

        // ∇g_k: seller −x + Σ_out q, buyer x − Σ_in q, each in pair order.
        net.SignedPairSums(_grad, Trades, 1.0, _grad);

        double max = 0;
        for (int k = 0; k < net.PeerCount; k++)
        {
            double a = Math.Abs(_grad[k]);
            if (!(a <= max)) max = a; // NaN sticks
        }

        return max;
    }

    /// <summary>
    /// Solves (M + γW + R) d = ∇g: M = −(generalised) Hessian of the dual from the last evaluation,
    /// W = diagonal of each peer's curvature if all its pieces were active. The γW term keeps the matrix
    /// definite when a peer has no active piece; for such peers R adds |∇g_k|/P (P = price scale, the
    /// largest |π|, |λ|, |c_ij + c_ji|; Levenberg–Marquardt style) so that their step stays near the price
    /// scale instead of dwarfing all others. R vanishes at the solution (there such peers have ∇g_k = 0).
    /// </summary>
    public void ComputeNewtonDirection()
    {
        // For a peer without any active piece (e.g. every trade at its cap) |∇g_k|/price scale keeps its
        // step near the price scale; it vanishes with the gradient, so the final steps stay Newton.
        var net = _net;
        for (int k = 0; k < _shift.Length; k++)
        {
            bool curved = _peerWeight[k] > 0;
            for (int a = net.AdjacencyStart[k]; a < net.AdjacencyStart[k + 1] && !curved; a++)
                curved = _pairWeight[net.AdjacentPairs[a]] > 0;
            _shift[k] = curved ? _baseShift[k] : _baseShift[k] + Math.Abs(_grad[k]) / _priceScale;
        }

        _system.Factorize(_peerWeight, _pairWeight, _shift);
        _system.Solve(_grad, Direction);
    }

    /// <summary>
    /// One Newton step on the quadratic model defined by a guessed active set (free variables follow their
    /// unclipped linear response, held ones keep <paramref name="heldValue"/>; index m + k for peer k):
    /// lands on the model's stationary point, which is the solution when the guess is right.
    /// </summary>
    public void ActiveSetStep(double[] y, double[] peerWeight, double[] pairWeight, double[] heldValue)
    {
        var net = _net;
        int m = net.PairCount;
        for (int k = 0; k < net.PeerCount; k++)
        {
            double h = heldValue[m + k];
            double x = double.IsNaN(h) ? PeerArgument(k, y[k]) : h;
            _grad[k] = net.IsSeller[k] ? -x : x;
        }

        for (int p = 0; p < m; p++)
        {
            double h = heldValue[p];
            double q = double.IsNaN(h) ? (y[net.PairBuyer[p]] - y[net.PairSeller[p]] - net.PairCost[p]) * _invEps : h;
            _grad[net.PairSeller[p]] += q;
            _grad[net.PairBuyer[p]] -= q;
        }

        _system.Factorize(peerWeight, pairWeight, _baseShift);
        _system.Solve(_grad, Direction);
        for (int k = 0; k < net.PeerCount; k++) y[k] += Direction[k];
    }

    /// <summary>
    /// Exact maximiser t &gt; 0 of the exact dual along the direction: the root of the nonincreasing,
    /// piecewise-linear φ'(t) = Σ terms w·clip(u₀ + u₁t, 0, U) (one per peer and pair that the direction moves).
    /// Terms with no breakpoint in (0, ∞) are affine for every t &gt; 0 and are summed into one affine function as they
    /// are built. The bracket between consecutive breakpoints that holds the root is found by selection rather than
    /// sorting: test a pivot breakpoint (median of three), keep the breakpoints on the root's side, repeat — O(log m)
    /// tests. Each test evaluates the remaining terms in one branch-free pass, four at a time (Vector256: fixed lane
    /// count and summation order, so the result is the same on every machine); partitioning the breakpoints is branch
    /// free too. Branches on data were what made the earlier version slow: half of them were mispredicted. In the final
    /// bracket φ' is exactly affine: its root is the step. Returns +∞ if the dual is unbounded along the direction.
    /// </summary>
    public double ExactLineSearch(double[] y)
    {
        var net = _net;
        var d = Direction;
        int count = 0, items = 0;
        _foldedU0 = _foldedU1 = 0;
        int n = net.PeerCount;
        double slopeAtZero = 0;
        for (int k = 0; k < n; k++)
        {
            if (d[k] == 0) continue;
            double q = net.Quadratic[k];
            double span = q * net.MaxVolume[k];
            double lo = net.IsSeller[k] ? net.Linear[k] : net.Linear[k] - span;
            double hi = net.IsSeller[k] ? net.Linear[k] + span : net.Linear[k];
            // Seller: −d·clip((y + t d − π)/a); buyer: d·clip((λ − y − t d)/b).
            slopeAtZero += net.IsSeller[k]
                ? AddTerm(ref items, ref count, -d[k], (y[k] - net.Linear[k]) / q, d[k] / q, net.MaxVolume[k], (lo - y[k]) / d[k], (hi - y[k]) / d[k])
                : AddTerm(ref items, ref count, d[k], (net.Linear[k] - y[k]) / q, -d[k] / q, net.MaxVolume[k], (lo - y[k]) / d[k], (hi - y[k]) / d[k]);
        }

        for (int p = 0; p < net.PairCount; p++)
        {
            double delta = d[net.PairBuyer[p]] - d[net.PairSeller[p]];
            if (delta == 0) continue;
            double z = y[net.PairBuyer[p]] - y[net.PairSeller[p]] - net.PairCost[p];
            double top = net.Epsilon * net.Cap[p];
            // −(d_j − d_i)·clip((z + t δ)/ε, 0, cap).
            slopeAtZero += AddTerm(ref items, ref count, -delta, z * _invEps, delta * _invEps, net.Cap[p],
                -z / delta, double.IsFinite(top) ? (top - z) / delta : double.NaN);
        }

        if (!(slopeAtZero > 0)) return 0; // not an ascent direction: only by rounding at the optimum

        double lower = 0, upper = double.PositiveInfinity; // the root lies in [lower, upper]
        int candidates = count; // breakpoints strictly inside the bracket: _breaks[0..candidates)
        while (candidates > 0)
        {
            double pivot = MedianOfThree(_breaks[0], _breaks[candidates >>> 1], _breaks[candidates - 1]);
            double slope = _foldedU0 + _foldedU1 * pivot + SlopeOfTerms(items, pivot);
            bool rootAbove = slope > 0;
            if (rootAbove) lower = pivot;
            else upper = pivot;

            // Keep the breakpoints strictly inside the new bracket, without branching on them.
            int w = 0;
            for (int r = 0; r < candidates; r++)
            {
                double b = _breaks[r];
                _breaks[w] = b;
                w += (rootAbove ? b > pivot : b < pivot) ? 1 : 0;
            }

            candidates = w;
        }

        // No breakpoint inside the bracket: every term keeps one piece there, read at its middle, and
        // φ'(t) = a0 + a1 t on [lower, upper], nonincreasing, positive at lower (or lower = 0) and ≤ 0 at upper.
        double probe = double.IsFinite(upper) ? 0.5 * (lower + upper) : lower + Math.Max(1.0, lower);
        var (a0, a1) = AffinePieceOfTerms(items, probe);
        a0 += _foldedU0;
        a1 += _foldedU1;
        if (!(a1 < 0)) return double.IsFinite(upper) ? upper : double.PositiveInfinity; // flat piece: its end (tail: unbounded)
        double t = -a0 / a1;
        return Math.Clamp(t, lower, upper);
    }

    /// <summary>Σ_i w_i·clip(u0_i + u1_i t, 0, U_i) over the stored terms: four lanes, then the lanes in a fixed order,
    /// then the remainder.</summary>
    private double SlopeOfTerms(int items, double t)
    {
        var tv = Vector256.Create(t);
        var acc = Vector256<double>.Zero;
        int i = 0;
        for (; i <= items - 4; i += 4)
        {
            var u = Vector256.Create(_termU0.AsSpan(i, 4)) + Vector256.Create(_termU1.AsSpan(i, 4)) * tv;
            var clipped = Vector256.Min(Vector256.Max(u, Vector256<double>.Zero), Vector256.Create(_termUpper.AsSpan(i, 4)));
            acc += Vector256.Create(_termWeight.AsSpan(i, 4)) * clipped;
        }

        double sum = ((acc[0] + acc[1]) + acc[2]) + acc[3];
        for (; i < items; i++)
        {
            double u = _termU0[i] + _termU1[i] * t;
            sum += _termWeight[i] * Math.Min(Math.Max(u, 0.0), _termUpper[i]);
        }

        return sum;
    }

    /// <summary>
    /// The affine function Σ_i (piece of term i at <paramref name="probe"/>) = a0 + a1 t: nothing where the term is at 0,
    /// w·U at its cap, w·(u0 + u1 t) in between. Selections are blends, so an infinite U in a lane not selected is harmless.
    /// </summary>
    private (double A0, double A1) AffinePieceOfTerms(int items, double probe)
    {
        var tv = Vector256.Create(probe);
        var zero = Vector256<double>.Zero;
        Vector256<double> acc0 = zero, acc1 = zero;
        int i = 0;
        for (; i <= items - 4; i += 4)
        {
            var w = Vector256.Create(_termWeight.AsSpan(i, 4));
            var u0 = Vector256.Create(_termU0.AsSpan(i, 4));
            var u1 = Vector256.Create(_termU1.AsSpan(i, 4));
            var top = Vector256.Create(_termUpper.AsSpan(i, 4));
            var u = u0 + u1 * tv;
            var positive = Vector256.GreaterThan(u, zero);
            var atTop = Vector256.GreaterThanOrEqual(u, top);
            acc0 += Vector256.ConditionalSelect(positive, Vector256.ConditionalSelect(atTop, w * top, w * u0), zero);
            acc1 += Vector256.ConditionalSelect(positive & ~atTop, w * u1, zero);
        }

        double a0 = ((acc0[0] + acc0[1]) + acc0[2]) + acc0[3];
        double a1 = ((acc1[0] + acc1[1]) + acc1[2]) + acc1[3];
        for (; i < items; i++) AddPiece(i, probe, ref a0, ref a1);
        return (a0, a1);
    }

    /// <summary>Adds term i's piece at <paramref name="probe"/> to a0 + a1 t.</summary>
    private void AddPiece(int i, double probe, ref double a0, ref double a1)
    {
        double u = _termU0[i] + _termU1[i] * probe;
        if (u <= 0) return;
        if (u >= _termUpper[i]) a0 += _termWeight[i] * _termUpper[i];
        else
        {
            a0 += _termWeight[i] * _termU0[i];
            a1 += _termWeight[i] * _termU1[i];
        }
    }

    private static double MedianOfThree(double a, double b, double c) =>
        a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);

    /// <summary>Registers the term w·clip(u0 + u1 t, 0, upper) of φ' with its breakpoints (positive finite ones become
    /// candidates); a term with none keeps one piece for all t &gt; 0 and is added to the folded affine part instead of
    /// being stored. Returns its value at t = 0.</summary>
    private double AddTerm(ref int items, ref int count, double weight, double u0, double u1, double upper, double break1, double break2)
    {
        bool first = break1 > 0 && double.IsFinite(break1), second = break2 > 0 && double.IsFinite(break2);
        if (first) _breaks[count++] = break1;
        if (second) _breaks[count++] = break2;
        if (first || second)
        {
            _termWeight[items] = weight;
            _termU0[items] = u0;
            _termU1[items] = u1;
            _termUpper[items++] = upper;
        }
        else
        {
            // One piece on (0, ∞): read it at t = 1.
            double u = u0 + u1;
            if (u >= upper) _foldedU0 += weight * upper;
            else if (u > 0)
            {
                _foldedU0 += weight * u0;
                _foldedU1 += weight * u1;
            }
        }

        return weight * (u0 <= 0 ? 0 : u0 >= upper ? upper : u0);
    }

    /// <summary>clip(u, 0, upper) and its generalised derivative (1 strictly inside, 0 outside).</summary>
    private static double Response(double u, double upper, out double derivative)
    {
        if (u <= 0)
        {
            derivative = 0;
            return 0;
        }

        if (u >= upper)
        {
            derivative = 0;
            return upper;
        }

        derivative = 1;
        return u;
    }
}
