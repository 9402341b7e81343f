namespace P2PFlex.Markets.P2P;

/// <summary>
/// Dual of the P2P market in one price per peer, for <see cref="CentralizedP2PSolver"/>: primal responses,
/// gradient, (generalised) Hessian weights, Newton direction and line searches. Works both on the exact,
/// piecewise-quadratic dual (responses are clips) and on a smoothed dual in which every clip is replaced by
/// the Chen–Harker–Kanzow–Smale smoothing with width τ (MW); the smoothed dual is C² and concave, and its
/// responses tend to the clips as τ → 0. Arrays are allocated once and reused across iterations.
/// </summary>
internal sealed class DualNewtonWorkspace
{
    private readonly P2PNetwork _net;
    private readonly double _gamma;
    private readonly double _invEps;
    private readonly int[] _sideIndex;
    private readonly int[] _keptPeers;
    private readonly double[] _schur;
    private readonly double[] _rhs;
    private readonly double[] _diag;
    private readonly double[] _grad;
    private readonly double[] _peerWeight;
    private readonly double[] _pairWeight;
    private readonly double[] _breaks;
    private readonly int[] _neighbours;
    private readonly double[] _neighbourWeights;

    public DualNewtonWorkspace(P2PNetwork net, double gamma)
    {
        _net = net;
        _gamma = gamma;
        _invEps = 1.0 / net.Epsilon;
        int n = net.PeerCount;
        int sellers = 0;
        for (int k = 0; k < n; k++) if (net.IsSeller[k]) sellers++;

        // Sellers only trade with buyers, so each side's block of the Newton matrix is diagonal:
        // eliminate the larger side, factorise the Schur complement on the smaller one.
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
        _rhs = new double[_keptPeers.Length];
        _diag = new double[n];
        _grad = new double[n];
        _peerWeight = new double[n];
        _pairWeight = new double[net.PairCount];
        Trades = new double[net.PairCount];
        Direction = new double[n];
        _breaks = new double[2 * (n + net.PairCount)];
        int maxDegree = 0;
        for (int k = 0; k < n; k++) maxDegree = Math.Max(maxDegree, net.Degree(k));
        _neighbours = new int[maxDegree];
        _neighbourWeights = new double[maxDegree];
    }

    /// <summary>Trades of the last evaluation (exact or smoothed).</summary>
    public double[] Trades { get; }

    /// <summary>Newton direction of the last <see cref="ComputeNewtonDirection"/>.</summary>
    public double[] Direction { get; }

    /// <summary>Peer volume response at price y_k, unclipped, in MW (seller: (y−π)/a, buyer: (λ−y)/b).</summary>
    private double PeerArgument(int k, double price) => _net.IsSeller[k]
        ? (price - _net.Linear[k]) / _net.Quadratic[k]
        : (_net.Linear[k] - price) / _net.Quadratic[k];

    /// <summary>
    /// Exact responses, gradient and generalised Hessian weights at prices y (smoothing width τ = 0), or
    /// their smoothed counterparts for τ &gt; 0. Returns the max balance mismatch (MW), NaN-propagating.
    /// </summary>
    public double Evaluate(double[] y, double tau)
    {
        var net = _net;
        for (int k = 0; k < net.PeerCount; k++)
        {
            double u = PeerArgument(k, y[k]);
            double x = Response(u, net.MaxVolume[k], tau / net.Quadratic[k], out double dx);
            _peerWeight[k] = dx / net.Quadratic[k];
            _grad[k] = net.IsSeller[k] ? -x : x;
        }

        for (int p = 0; p < net.PairCount; p++)
        {
            int i = net.PairSeller[p], j = net.PairBuyer[p];
            double u = (y[j] - y[i] - net.PairCost[p]) * _invEps;
            double q = Response(u, net.Cap[p], tau * _invEps, out double dq);
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
    /// Solves (M + γW) d = ∇g, M = −(generalised) Hessian of the dual from the last evaluation,
    /// W = diagonal of each peer's curvature if all its pieces were active. The γW term keeps the
    /// matrix definite when a peer has no active piece; the line search absorbs the resulting long steps.
    /// </summary>
    public void ComputeNewtonDirection()
    {
        var net = _net;
        int n = net.PeerCount;
        for (int k = 0; k < n; k++)
        {
            double d = _peerWeight[k];
            for (int a = net.AdjacencyStart[k]; a < net.AdjacencyStart[k + 1]; a++)
                d += _pairWeight[net.AdjacentPairs[a]];
            _diag[k] = d + _gamma * (1.0 / net.Quadratic[k] + net.Degree(k) * _invEps);
        }

        int nk = _keptPeers.Length;
        Array.Clear(_schur);
        for (int v = 0; v < nk; v++)
        {
            int k = _keptPeers[v];
            _schur[v * nk + v] = _diag[k];
            _rhs[v] = _grad[k];
        }

        var local = _neighbours;
        var weight = _neighbourWeights;
        for (int u = 0; u < n; u++)
        {
            if (_sideIndex[u] >= 0) continue;
            int count = 0;
            for (int a = net.AdjacencyStart[u]; a < net.AdjacencyStart[u + 1]; a++)
            {
                int p = net.AdjacentPairs[a];
                if (_pairWeight[p] == 0) continue;
                local[count] = _sideIndex[Other(p, u)];
                weight[count++] = _pairWeight[p];
            }

            if (count == 0) continue;
            double inv = 1.0 / _diag[u];
            double g = _grad[u] * inv;
            for (int i = 0; i < count; i++)
            {
                int vi = local[i];
                double wi = weight[i] * inv;
                _rhs[vi] += weight[i] * g;
                for (int j = 0; j < count; j++)
                {
                    int vj = local[j];
                    if (vj <= vi) _schur[vi * nk + vj] -= wi * weight[j];
                }
            }
        }

        DenseCholesky.Factorize(_schur, nk);
        DenseCholesky.Solve(_schur, nk, _rhs);
        for (int v = 0; v < nk; v++) Direction[_keptPeers[v]] = _rhs[v];
        for (int u = 0; u < n; u++)
        {
            if (_sideIndex[u] >= 0) continue;
            double s = _grad[u];
            for (int a = net.AdjacencyStart[u]; a < net.AdjacencyStart[u + 1]; a++)
            {
                int p = net.AdjacentPairs[a];
                if (_pairWeight[p] != 0) s += _pairWeight[p] * Direction[Other(p, u)];
            }

            Direction[u] = s / _diag[u];
        }
    }

    private int Other(int pair, int peer) =>
        _net.PairSeller[pair] == peer ? _net.PairBuyer[pair] : _net.PairSeller[pair];

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
        double fLeft = Slope(y, 0, 0, out _);
        if (!(fLeft > 0)) return 0; // not an ascent direction: only by rounding at the optimum

        int first = 0, last = count; // smallest breakpoint index with φ' ≤ 0
        while (first < last)
        {
            int mid = (first + last) >>> 1;
            if (Slope(y, breaks[mid], 0, out _) > 0) first = mid + 1;
            else last = mid;
        }

        if (first > 0)
        {
            left = breaks[first - 1];
            fLeft = Slope(y, left, 0, out _);
        }

        double right = first < count ? breaks[first] : left + Math.Max(1.0, left);
        double fRight = Slope(y, right, 0, out _);
        if (first == count && !(fRight < fLeft)) return double.PositiveInfinity; // affine tail not decreasing
        if (fRight == 0) return right;
        return left + fLeft * (right - left) / (fLeft - fRight);
    }

    /// <summary>
    /// Maximiser t &gt; 0 of the smoothed dual along the direction: root of the smooth, decreasing φ'_τ(t)
    /// by Newton's method safeguarded with a bracket. Returns +∞ if no sign change is found.
    /// </summary>
    public double SmoothLineSearch(double[] y, double tau)
    {
        double f0 = Slope(y, 0, tau, out _);
        if (!(f0 > 0)) return 0;
        double lo = 0, hi = double.PositiveInfinity;
        double t = 1;
        for (int iter = 0; iter < 100; iter++)
        {
            double f = Slope(y, t, tau, out double curvature);
            if (!double.IsFinite(f)) return double.NaN;
            if (f > 0) lo = t;
            else hi = t;
            if (Math.Abs(f) <= 1e-12 * f0 || hi - lo <= 1e-14 * hi) return t;
            double next = curvature < 0 ? t - f / curvature : double.NaN;
            if (double.IsPositiveInfinity(hi))
            {
                if (!(next > t)) next = 2 * t;
                next = Math.Min(next, 1e3 * t);
            }
            else if (!(next > lo && next < hi))
            {
                next = 0.5 * (lo + hi);
            }

            t = next;
        }

        return double.IsPositiveInfinity(hi) ? double.PositiveInfinity : t;
    }

    private void AddBreak(ref int count, double t)
    {
        if (t > 0 && double.IsFinite(t)) _breaks[count++] = t;
    }

    /// <summary>φ'(t) = ∇g(y + t d)·d and (out) φ''(t), exact (τ = 0) or smoothed.</summary>
    private double Slope(double[] y, double t, double tau, out double curvature)
    {
        var net = _net;
        var d = Direction;
        double s = 0, c = 0;
        for (int k = 0; k < net.PeerCount; k++)
        {
            if (d[k] == 0) continue;
            double x = Response(PeerArgument(k, y[k] + t * d[k]), net.MaxVolume[k], tau / net.Quadratic[k], out double dx);
            s += net.IsSeller[k] ? -d[k] * x : d[k] * x;
            c -= d[k] * d[k] * dx / net.Quadratic[k];
        }

        for (int p = 0; p < net.PairCount; p++)
        {
            int i = net.PairSeller[p], j = net.PairBuyer[p];
            double delta = d[j] - d[i];
            if (delta == 0) continue;
            double u = ((y[j] + t * d[j]) - (y[i] + t * d[i]) - net.PairCost[p]) * _invEps;
            double q = Response(u, net.Cap[p], tau * _invEps, out double dq);
            s -= delta * q;
            c -= delta * delta * dq * _invEps;
        }

        curvature = c;
        return s;
    }

    /// <summary>
    /// clip(u, 0, upper) for τ = 0 (derivative 1 strictly inside, 0 outside), else its CHKS smoothing
    /// φ(u) − φ(u − upper) with φ(u) = (u + √(u² + 4τ²))/2, evaluated without cancellation.
    /// </summary>
    internal static double Response(double u, double upper, double tau, out double derivative)
    {
        if (tau == 0)
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

        double x = Phi(u, tau, out double below, out double above);
        if (double.IsPositiveInfinity(upper))
        {
            derivative = u >= 0 ? 1 - above : below;
            return x;
        }

        double v = u - upper;
        double xv = Phi(v, tau, out double belowV, out double aboveV);
        // φ'(w) = below(w) for w < 0 and 1 − above(w) for w ≥ 0, both terms small and accurate.
        if (v >= 0) derivative = aboveV - above;
        else if (u < 0) derivative = below - belowV;
        else derivative = 1 - above - belowV;
        if (derivative < 0) derivative = 0;
        double r = x - xv;
        return r < 0 ? 0 : r > upper ? upper : r;
    }

    /// <summary>φ(w) with (out) φ'(w) for w &lt; 0 and 1 − φ'(w) for w ≥ 0 (the other one is 0).</summary>
    private static double Phi(double w, double tau, out double below, out double above)
    {
        double t2 = 2 * tau * tau;
        double s = Math.Sqrt(w * w + 2 * t2);
        if (w >= 0)
        {
            below = 0;
            above = t2 / (s * (s + w));
            return 0.5 * (w + s);
        }

        above = 0;
        below = t2 / (s * (s - w));
        return t2 / (s - w);
    }
}
