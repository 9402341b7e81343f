namespace P2PFlex.Markets.P2P;

/// <summary>
/// Type-II Anderson acceleration of a fixed-point iteration x ← G(x), used by <see cref="AdmmP2PSolver"/>.
/// </summary>
/// <remarks>
/// With small ε, ADMM's slowest mode (how each peer's volume is split among partners of almost equal price)
/// contracts by only about ε/ρ per round, a linear rate that Anderson acceleration removes well: it
/// combines the last few iterates so as to minimise the linearised residual (like GMRES on the iteration).
/// Given x_k and g_k = G(x_k), with f = g − x, it keeps the last <c>memory</c> differences ΔF, ΔG and
/// proposes x_{k+1} = g_k − ΔG γ with γ = argmin ‖f_k − ΔF γ‖₂ (regularised normal equations).
/// The caller safeguards: it rejects a proposal whose residual is larger than the last accepted one.
/// </remarks>
internal sealed class AndersonAccelerator
{
    private readonly int _dimension;
    private readonly int _memory;
    private readonly double[][] _deltaF;
    private readonly double[][] _deltaG;
    private readonly double[] _lastF;
    private readonly double[] _lastG;
    private readonly double[] _f;
    private readonly double[] _normal;
    private readonly double[] _rhs;
    /// <summary>Tikhonov term relative to the largest diagonal entry: strong enough to keep the
    /// extrapolation tame when ΔF is nearly rank-deficient (measured best among 1e-10 … 1e-1).</summary>
    private const double Regularization = 1e-3;

    private bool _hasLast;
    private int _count;
    private int _head;

    public AndersonAccelerator(int dimension, int memory)
    {
        _dimension = dimension;
        _memory = memory;
        _deltaF = new double[memory][];
        _deltaG = new double[memory][];
        for (int c = 0; c < memory; c++)
        {
            _deltaF[c] = new double[dimension];
            _deltaG[c] = new double[dimension];
        }

        _lastF = new double[dimension];
        _lastG = new double[dimension];
        _f = new double[dimension];
        _normal = new double[memory * memory];
        _rhs = new double[memory];
    }

    /// <summary>Forgets the history (after the map changed, e.g. a new ρ, or a rejected proposal).</summary>
    public void Reset()
    {
        _hasLast = false;
        _count = 0;
        _head = 0;
    }

    /// <summary>
    /// Records (x, g = G(x)) and writes the next iterate into <paramref name="next"/>: the accelerated one
    /// if there is history (returns true), else g itself (returns false).
    /// </summary>
    public bool Next(double[] x, double[] g, double[] next)
    {
        int d = _dimension;
        for (int i = 0; i < d; i++) _f[i] = g[i] - x[i];
        if (_hasLast)
        {
            var df = _deltaF[_head];
            var dg = _deltaG[_head];
            for (int i = 0; i < d; i++)
            {
                df[i] = _f[i] - _lastF[i];
                dg[i] = g[i] - _lastG[i];
            }

            _head = (_head + 1) % _memory;
            _count = Math.Min(_count + 1, _memory);
        }

        Array.Copy(_f, _lastF, d);
        Array.Copy(g, _lastG, d);
        _hasLast = true;
        if (_count == 0 || !TrySolve(out int columns))
        {
            Array.Copy(g, next, d);
            return false;
        }

        Array.Copy(g, next, d);
        for (int c = 0; c < columns; c++)
        {
            double gamma = _rhs[c];
            var dg = _deltaG[c];
            for (int i = 0; i < d; i++) next[i] -= gamma * dg[i];
        }

        return true;
    }

    /// <summary>γ into _rhs from (ΔFᵀΔF + δI) γ = ΔFᵀ f by Cholesky; false if not solvable or not finite.</summary>
    private bool TrySolve(out int columns)
    {
        columns = _count;
        int k = columns;
        double largest = 0;
        for (int a = 0; a < k; a++)
        {
            for (int b = 0; b <= a; b++)
            {
                double dot = Dot(_deltaF[a], _deltaF[b]);
                _normal[a * k + b] = dot;
                _normal[b * k + a] = dot;
            }

            _rhs[a] = Dot(_deltaF[a], _f);
            largest = Math.Max(largest, _normal[a * k + a]);
        }

        if (!(largest > 0)) return false;
        for (int a = 0; a < k; a++) _normal[a * k + a] += Regularization * largest;

        // In-place Cholesky of the small k×k system.
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = _normal[i * k + j];
                for (int l = 0; l < j; l++) s -= _normal[i * k + l] * _normal[j * k + l];
                if (i == j)
                {
                    if (!(s > 0)) return false;
                    _normal[i * k + i] = Math.Sqrt(s);
                }
                else
                {
                    _normal[i * k + j] = s / _normal[j * k + j];
                }
            }
        }

        for (int i = 0; i < k; i++)
        {
            double s = _rhs[i];
            for (int l = 0; l < i; l++) s -= _normal[i * k + l] * _rhs[l];
            _rhs[i] = s / _normal[i * k + i];
        }

        for (int i = k - 1; i >= 0; i--)
        {
            double s = _rhs[i];
            for (int l = i + 1; l < k; l++) s -= _normal[l * k + i] * _rhs[l];
            _rhs[i] = s / _normal[i * k + i];
        }

        for (int i = 0; i < k; i++) if (!double.IsFinite(_rhs[i])) return false;
        return true;
    }

    private static double Dot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }
}
