namespace P2PFlex.Markets.P2P;

/// <summary>
/// Primal–dual interior-point method (Mehrotra predictor–corrector) for the market QP, used by
/// <see cref="CentralizedP2PSolver"/> when the active-set Newton method on the dual makes slow progress.
/// </summary>
/// <remarks>
/// <para>Why a second method: with small ε every trade switches from 0 to its bound over a price range of
/// only ε·cap, so far from the solution the dual is almost piecewise linear and a Newton step sees only
/// the trades that are already active. When many trades must become active (typically with binding caps),
/// the active-set method adds them a few per step. The interior-point method treats all bounds through
/// barrier terms and needs a number of steps that hardly depends on how many bounds change. Near its end
/// the active set is read off (<see cref="GuessActiveSet"/>) and the exact Newton step for it is tried;
/// once the guess is right that step is the exact solution.</para>
/// <para>Variables are the trades q_p ∈ [0, cap_p] (no upper barrier for an infinite cap) and the peer
/// volumes x_k ∈ [0, V_k]; the equalities are the peers' balances. The bounds are exactly those of the
/// model (not tightened by implied ones), so that the active set found here is one of the dual Newton
/// method's. Each step solves A D⁻¹ Aᵀ Δy = r, which has the same weighted-Laplacian-plus-diagonal form as
/// the dual Newton matrix, with the same <see cref="INormalSystem"/>. Variables whose bound interval is
/// empty (cap 0, V 0) are fixed at 0.</para>
/// </remarks>
internal sealed class InteriorPointPhase
{
    private const double StepFraction = 0.995;

    private readonly P2PNetwork _net;
    private readonly INormalSystem _system;
    private readonly int _m;
    private readonly int _count; // variables: pairs 0..m-1, then peers
    private readonly double[] _h;
    private readonly double[] _c;
    private readonly double[] _upper;
    private readonly bool[] _fixed;
    private readonly double[] _v;
    private readonly double[] _zl;
    private readonly double[] _zu;
    private readonly double[] _rd;
    private readonly double[] _rp;
    private readonly double[] _d;
    private readonly double[] _rho;
    private readonly double[] _dv;
    private readonly double[] _dzl;
    private readonly double[] _dzu;
    private readonly double[] _dvAff;
    private readonly double[] _dzlAff;
    private readonly double[] _dzuAff;
    private readonly double[] _rhs;
    private readonly double[] _dy;
    private readonly double[] _peerWeight;
    private readonly double[] _pairWeight;
    private readonly double[] _shift;
    private readonly double[] _aty;
    private readonly bool[] _hasUpper;
    private readonly int _bounded; // number of complementarity pairs

    public InteriorPointPhase(P2PNetwork net, INormalSystem system)
    {
        _net = net;
        _system = system;
        _m = net.PairCount;
        int n = net.PeerCount;
        _count = _m + n;
        _h = new double[_count];
        _c = new double[_count];
        _upper = new double[_count];
        _fixed = new bool[_count];
        for (int p = 0; p < _m; p++)
        {
            _h[p] = net.Epsilon;
            _c[p] = net.PairCost[p];
            _upper[p] = net.Cap[p];
        }

        for (int k = 0; k < n; k++)
        {
            _h[_m + k] = net.Quadratic[k];
            _c[_m + k] = net.IsSeller[k] ? net.Linear[k] : -net.Linear[k];
            _upper[_m + k] = net.MaxVolume[k];
        }

        _hasUpper = new bool[_count];
        for (int v = 0; v < _count; v++)
        {
            _fixed[v] = !(_upper[v] > 0);
            _hasUpper[v] = !_fixed[v] && double.IsFinite(_upper[v]);
            if (!_fixed[v]) _bounded += _hasUpper[v] ? 2 : 1;
        }

        _v = new double[_count];
        _zl = new double[_count];
        _zu = new double[_count];
        _rd = new double[_count];
        _rp = new double[n];
        _d = new double[_count];
        _rho = new double[_count];
        _dv = new double[_count];
        _dzl = new double[_count];
        _dzu = new double[_count];
        _dvAff = new double[_count];
        _dzlAff = new double[_count];
        _dzuAff = new double[_count];
        _rhs = new double[n];
        _dy = new double[n];
        _peerWeight = new double[n];
        _pairWeight = new double[_m];
        _shift = new double[n];
        _aty = new double[_count];
    }

    /// <summary>Mean complementarity (€/h) at the current point, after <see cref="Start"/> or <see cref="Step"/>.</summary>
    public double Complementarity { get; private set; }

    /// <summary>Max balance violation (MW) of the interior point's own primal variables.</summary>
    public double PrimalResidualMw { get; private set; }

    /// <summary>Sets the standard starting point (volumes mid-range, multipliers at the price scale); y are the prices.</summary>
    public void Start(double[] y)
    {
        InitialPoint();
        Complementarity = Residuals(y, out double primal);
        PrimalResidualMw = primal;
    }

    /// <summary>One predictor–corrector step; updates <paramref name="y"/>. Returns false on non-finite numbers.</summary>
    public bool Step(double[] y)
    {
        double mu = Complementarity;
        if (_bounded == 0 || !(mu > 0)) return true; // nothing left to centre

        // Factorise A D⁻¹ Aᵀ once for predictor and corrector.
        for (int v = 0; v < _count; v++)
        {
            _d[v] = _fixed[v] ? double.PositiveInfinity : _h[v] + _zl[v] / _v[v] + UpperTerm(v, _zu[v] / (_upper[v] - _v[v]));
        }

        for (int p = 0; p < _m; p++) _pairWeight[p] = 1.0 / _d[p];
        for (int k = 0; k < _net.PeerCount; k++)
        {
            _peerWeight[k] = 1.0 / _d[_m + k];
            _shift[k] = 1e-12 / _h[_m + k]; // keeps rows of peers whose variables are all fixed definite
        }

        _system.Factorize(_peerWeight, _pairWeight, _shift);

        // Predictor (affine scaling).
        Direction(sigmaMu: 0, corrector: false, _dvAff, _dzlAff, _dzuAff);
        double alphaAff = MaxStep(_dvAff, _dzlAff, _dzuAff);
        double muAff = 0;
        for (int v = 0; v < _count; v++)
        {
            if (_fixed[v]) continue;
            double x = _v[v] + alphaAff * _dvAff[v];
            muAff += x * (_zl[v] + alphaAff * _dzlAff[v]);
            if (_hasUpper[v]) muAff += (_upper[v] - x) * (_zu[v] + alphaAff * _dzuAff[v]);
        }

        muAff /= _bounded;
        double sigma = Math.Pow(Math.Clamp(muAff / mu, 0, 1), 3);

        // Corrector.
        Direction(sigma * mu, corrector: true, _dv, _dzl, _dzu);
        double alpha = Math.Min(1.0, StepFraction * MaxStep(_dv, _dzl, _dzu));
        for (int v = 0; v < _count; v++)
        {
            if (_fixed[v]) continue;
            _v[v] += alpha * _dv[v];
            _zl[v] += alpha * _dzl[v];
            _zu[v] += alpha * _dzu[v];
        }

        for (int k = 0; k < _net.PeerCount; k++) y[k] += alpha * _dy[k];
        Complementarity = Residuals(y, out double primal);
        PrimalResidualMw = primal;
        return double.IsFinite(Complementarity) && double.IsFinite(primal);
    }

    /// <summary>
    /// Active-set guess from the interior point: a variable counts as held at a bound when the barrier
    /// curvature of that bound, z/(distance to it), exceeds its own curvature h; as μ → 0 this tends to
    /// ∞ for variables at a bound and to 0 for interior ones. Writes the Newton weights of the free
    /// variables (1/h, else 0) and the values of the held ones (NaN for free variables).
    /// </summary>
    public void GuessActiveSet(double[] peerWeight, double[] pairWeight, double[] heldValue)
    {
        for (int v = 0; v < _count; v++)
        {
            double held;
            if (_fixed[v]) held = 0;
            else
            {
                double lower = _zl[v] / _v[v];
                double upper = _hasUpper[v] ? _zu[v] / (_upper[v] - _v[v]) : 0;
                held = lower > _h[v] && lower >= upper ? 0 : upper > _h[v] ? _upper[v] : double.NaN;
            }
            heldValue[v] = held;
            double w = double.IsNaN(held) ? 1.0 / _h[v] : 0;
            if (v < _m) pairWeight[v] = w;
            else peerWeight[v - _m] = w;
        }
    }

    private void InitialPoint()
    {
        double priceScale = 1;
        for (int v = 0; v < _count; v++) priceScale = Math.Max(priceScale, Math.Abs(_c[v]));
        for (int v = 0; v < _count; v++)
        {
            if (_fixed[v])
            {
                _v[v] = _zl[v] = _zu[v] = 0;
                continue;
            }

            _v[v] = _hasUpper[v] ? 0.5 * _upper[v] : 0.5 * TypicalVolume(v);
            _zl[v] = priceScale;
            _zu[v] = _hasUpper[v] ? priceScale : 0;
        }
    }

    /// <summary>Dual residual r_d = h v + c − Aᵀy − z_l + z_u, primal r_p = A v; returns the mean complementarity.</summary>
    private double Residuals(double[] y, out double primalMax)
    {
        var net = _net;
        AT(y, _aty);
        double comp = 0;
        for (int v = 0; v < _count; v++)
        {
            if (_fixed[v])
            {
                _rd[v] = 0;
                continue;
            }

            _rd[v] = _h[v] * _v[v] + _c[v] - _aty[v] - _zl[v] + _zu[v];
            comp += _v[v] * _zl[v];
            if (_hasUpper[v]) comp += (_upper[v] - _v[v]) * _zu[v];
        }

        A(_v, _rp);
        primalMax = 0;
        for (int k = 0; k < net.PeerCount; k++) primalMax = Math.Max(primalMax, Math.Abs(_rp[k]));
        return _bounded == 0 ? 0 : comp / _bounded;
    }

    /// <summary>
    /// Newton direction for complementarity targets σμ (corrector: minus the affine second-order term).
    /// Solves A D⁻¹ Aᵀ Δy = −r_p − A D⁻¹ ρ, then Δv = D⁻¹(ρ + AᵀΔy) and the multiplier steps.
    /// </summary>
    private void Direction(double sigmaMu, bool corrector, double[] dv, double[] dzl, double[] dzu)
    {
        for (int v = 0; v < _count; v++)
        {
            if (_fixed[v])
            {
                _rho[v] = 0;
                continue;
            }

            double s = _upper[v] - _v[v];
            double targetL = sigmaMu - _v[v] * _zl[v];
            double targetU = _hasUpper[v] ? sigmaMu - s * _zu[v] : 0;
            if (corrector)
            {
                targetL -= _dvAff[v] * _dzlAff[v];
                if (_hasUpper[v]) targetU += _dvAff[v] * _dzuAff[v];
            }

            _rho[v] = -_rd[v] + targetL / _v[v] - (_hasUpper[v] ? targetU / s : 0);
            dzl[v] = targetL; // stash targets until Δv is known
            dzu[v] = targetU;
        }

        for (int v = 0; v < _count; v++) _aty[v] = _fixed[v] ? 0 : _rho[v] / _d[v];
        A(_aty, _rhs);
        for (int k = 0; k < _net.PeerCount; k++) _rhs[k] = -_rp[k] - _rhs[k];
        _system.Solve(_rhs, _dy);
        AT(_dy, _aty);
        for (int v = 0; v < _count; v++)
        {
            if (_fixed[v])
            {
                dv[v] = dzl[v] = dzu[v] = 0;
                continue;
            }

            dv[v] = (_rho[v] + _aty[v]) / _d[v];
            dzl[v] = (dzl[v] - _zl[v] * dv[v]) / _v[v];
            dzu[v] = _hasUpper[v] ? (dzu[v] + _zu[v] * dv[v]) / (_upper[v] - _v[v]) : 0;
        }
    }

    private double MaxStep(double[] dv, double[] dzl, double[] dzu)
    {
        double alpha = double.PositiveInfinity;
        for (int v = 0; v < _count; v++)
        {
            if (_fixed[v]) continue;
            if (dv[v] < 0) alpha = Math.Min(alpha, -_v[v] / dv[v]);
            if (dv[v] > 0 && _hasUpper[v]) alpha = Math.Min(alpha, (_upper[v] - _v[v]) / dv[v]);
            if (dzl[v] < 0) alpha = Math.Min(alpha, -_zl[v] / dzl[v]);
            if (dzu[v] < 0) alpha = Math.Min(alpha, -_zu[v] / dzu[v]);
        }

        return Math.Min(alpha, 1.0 / StepFraction);
    }

    private double UpperTerm(int v, double value) => _hasUpper[v] ? value : 0;

    /// <summary>A positive starting value for a variable without upper bound (an uncapped trade).</summary>
    private double TypicalVolume(int v)
    {
        double a = _net.MaxVolume[_net.PairSeller[v]], b = _net.MaxVolume[_net.PairBuyer[v]];
        double typical = Math.Min(a, b);
        if (!(typical > 0)) typical = Math.Max(a, b);
        return typical > 0 ? typical : 1;
    }

    /// <summary>(A w)_k: seller −Σ_out w_q + w_G, buyer Σ_in w_q − w_D.</summary>
    private void A(double[] w, double[] result)
    {
        var net = _net;
        for (int k = 0; k < net.PeerCount; k++) result[k] = net.IsSeller[k] ? w[_m + k] : -w[_m + k];
        for (int p = 0; p < _m; p++)
        {
            result[net.PairSeller[p]] -= w[p];
            result[net.PairBuyer[p]] += w[p];
        }
    }

    /// <summary>(Aᵀ y)_v: pair y_buyer − y_seller, seller +y, buyer −y.</summary>
    private void AT(double[] y, double[] result)
    {
        var net = _net;
        for (int p = 0; p < _m; p++) result[p] = y[net.PairBuyer[p]] - y[net.PairSeller[p]];
        for (int k = 0; k < net.PeerCount; k++) result[_m + k] = net.IsSeller[k] ? y[k] : -y[k];
    }
}
