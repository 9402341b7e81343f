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
            _grad[k] = net.IsSeller[k] ? -x : x;
        }

        for (int p = 0; p < net.PairCount; p++)
        {
            int i = net.PairSeller[p], j = net.PairBuyer[p];
            double u = (y[j] - y[i] - net.PairCost[p]) * _invEps;
            double q = Response(u, net.Cap[p], out double dq);
            _pairWeight[p] = dq * _invEps;
            Trades[p] = q;
            _grad[i] += q;
            _grad[j] -= q;
        }

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
    /// piecewise-linear φ'(t), found by sorting its breakpoints, bisecting over them and interpolating
    /// linearly in the bracketing piece. Returns +∞ if the dual is unbounded along the direction.
    /// </summary>
    public double ExactLineSearch(double[] y)
    {
        var net = _net;
        var d = Direction;
        int count = 0;
        for (int k = 0; k < net.PeerCount; k++)
        {
            if (d[k] == 0) continue;
            double span = net.Quadratic[k] * net.MaxVolume[k];
            double lo = net.IsSeller[k] ? net.Linear[k] : net.Linear[k] - span;
            double hi = net.IsSeller[k] ? net.Linear[k] + span : net.Linear[k];
            AddBreak(ref count, (lo - y[k]) / d[k]);
            AddBreak(ref count, (hi - y[k]) / d[k]);
        }

        for (int p = 0; p < net.PairCount; p++)
        {
            double delta = d[net.PairBuyer[p]] - d[net.PairSeller[p]];
            if (delta == 0) continue;
            double z = y[net.PairBuyer[p]] - y[net.PairSeller[p]] - net.PairCost[p];
            AddBreak(ref count, -z / delta);
            double top = net.Epsilon * net.Cap[p];
            if (double.IsFinite(top)) AddBreak(ref count, (top - z) / delta);
        }

        var breaks = _breaks.AsSpan(0, count);
        breaks.Sort();

        double left = 0;
        double fLeft = Slope(y, 0);
        if (!(fLeft > 0)) return 0; // not an ascent direction: only by rounding at the optimum

        int first = 0, last = count; // smallest breakpoint index with φ' ≤ 0
        while (first < last)
        {
            int mid = (first + last) >>> 1;
            if (Slope(y, breaks[mid]) > 0) first = mid + 1;
            else last = mid;
        }

        if (first > 0)
        {
            left = breaks[first - 1];
            fLeft = Slope(y, left);
        }

        double right = first < count ? breaks[first] : left + Math.Max(1.0, left);
        double fRight = Slope(y, right);
        if (first == count && !(fRight < fLeft)) return double.PositiveInfinity; // affine tail not decreasing
        if (fRight == 0) return right;
        return left + fLeft * (right - left) / (fLeft - fRight);
    }

    private void AddBreak(ref int count, double t)
    {
        if (t > 0 && double.IsFinite(t)) _breaks[count++] = t;
    }

    /// <summary>φ'(t) = ∇g(y + t d)·d, the slope of the dual along the direction.</summary>
    private double Slope(double[] y, double t)
    {
        var net = _net;
        var d = Direction;
        double s = 0;
        for (int k = 0; k < net.PeerCount; k++)
        {
            if (d[k] == 0) continue;
            double x = Response(PeerArgument(k, y[k] + t * d[k]), net.MaxVolume[k], out _);
            s += net.IsSeller[k] ? -d[k] * x : d[k] * x;
        }

        for (int p = 0; p < net.PairCount; p++)
        {
            int i = net.PairSeller[p], j = net.PairBuyer[p];
            double delta = d[j] - d[i];
            if (delta == 0) continue;
            double u = ((y[j] + t * d[j]) - (y[i] + t * d[i]) - net.PairCost[p]) * _invEps;
            double q = Response(u, net.Cap[p], out _);
            s -= delta * q;
        }

        return s;
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
