using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
/// <para><b>Speed, the same bits.</b> Every pass over the variables (about 10⁵ on case533mt_hi's complete market) runs
/// four variables at a time (<c>Vector256</c>: divisions and products are exact IEEE operations, so a lane computes what
/// the scalar code computes), with masks instead of the branches on fixed variables and upper bounds (a lane's masked-off
/// value is never used), and passes are fused where nothing in between reads their results (the multipliers' step
/// bound is taken while the direction is formed: a minimum is the same in any order). The sums over the variables
/// (complementarity) stay one scalar chain in the original order. Without hardware vectors, or with
/// <c>vectorized: false</c> (tests), the same loops run one variable at a time.</para>
/// <para><b>Plain blocks.</b> Where four consecutive variables (from a multiple of four) are all free and without an upper
/// bound — every uncapped trade of the study's markets, ~10⁵ per step on case533mt_hi — the passes read neither the masks
/// nor U, z_u, Δz_u: those lanes' upper terms are the +0 the general lanes add (z_u is +0 from the starting point on,
/// as its step is +0), their ratios the +∞ the general lanes take the minimum with, and Δz_u is neither stored nor read
/// there. The passes are memory-bound, so reading 3–6 arrays instead of 7–11 is what they gain; every lane still gets
/// the general lanes' operations (<c>SolverKernelTests</c> compares the solves with one variable at a time).</para>
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
    // All bits set where the variable is free (not fixed) / has a finite upper bound: the vector loops' masks.
    private readonly double[] _freeMask;
    private readonly double[] _upperMask;
    // Per block of four variables starting at a multiple of four: all four free and without an upper bound (the study's
    // uncapped trades). The vector passes skip the masks and the upper-bound arrays there (see Plain blocks below).
    private readonly bool[] _plainBlock;
    private readonly bool _vectorized;
    private readonly int _bounded; // number of complementarity pairs

    public InteriorPointPhase(P2PNetwork net, INormalSystem system) : this(net, system, Vector256.IsHardwareAccelerated) { }

    /// <summary>With the passes' width forced: <paramref name="vectorized"/> false runs every pass one variable at a
    /// time (tests compare the two bit for bit).</summary>
    internal InteriorPointPhase(P2PNetwork net, INormalSystem system, bool vectorized)
    {
        _vectorized = vectorized && Vector256.IsHardwareAccelerated;
        _net = net;
        _system = system;
        _m = net.PairCount;
        int n = net.PeerCount;
        _count = _m + n;
        var arrays = Arrays.For(_count, n, _m);
        _h = arrays.Doubles(_count);
        _c = arrays.Doubles(_count);
        _upper = arrays.Doubles(_count);
        _fixed = arrays.Bools(_count);
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

        _hasUpper = arrays.Bools(_count);
        _freeMask = arrays.Doubles(_count);
        _upperMask = arrays.Doubles(_count);
        double allBits = BitConverter.Int64BitsToDouble(-1);
        for (int v = 0; v < _count; v++)
        {
            _fixed[v] = !(_upper[v] > 0);
            _hasUpper[v] = !_fixed[v] && double.IsFinite(_upper[v]);
            if (!_fixed[v]) _bounded += _hasUpper[v] ? 2 : 1;
            _freeMask[v] = _fixed[v] ? 0 : allBits;
            _upperMask[v] = _hasUpper[v] ? allBits : 0;
        }

        _plainBlock = arrays.Bools(_count >> 2);
        for (int b = 0; b < _plainBlock.Length; b++)
        {
            bool plain = true;
            for (int v = 4 * b; v < 4 * b + 4; v++) plain &= !_fixed[v] && !_hasUpper[v];
            _plainBlock[b] = plain;
        }

        _v = arrays.Doubles(_count);
        _zl = arrays.Doubles(_count);
        _zu = arrays.Doubles(_count);
        _rd = arrays.Doubles(_count);
        _rp = arrays.Doubles(n);
        _d = arrays.Doubles(_count);
        _rho = arrays.Doubles(_count);
        _dv = arrays.Doubles(_count);
        _dzl = arrays.Doubles(_count);
        _dzu = arrays.Doubles(_count);
        _dvAff = arrays.Doubles(_count);
        _dzlAff = arrays.Doubles(_count);
        _dzuAff = arrays.Doubles(_count);
        _rhs = arrays.Doubles(n);
        _dy = arrays.Doubles(n);
        _peerWeight = arrays.Doubles(n);
        _pairWeight = arrays.Doubles(_m);
        _shift = arrays.Doubles(n);
        // Keeps rows of peers whose variables are all fixed definite; the same every step.
        for (int k = 0; k < n; k++) _shift[k] = 1e-12 / _h[_m + k];
        _aty = arrays.Doubles(_count);
    }

    /// <summary>
    /// The phase's arrays, kept per thread for the next markets of the same shape (variables, peers, pairs): the cold
    /// solves of one market in a Monte Carlo draw (scenario files with other preferences or caps) then allocate them
    /// once instead of some 20 large arrays each. The constructor takes them in a fixed sequence, so the i-th array
    /// has the same length every time; every array is written before it is read (the constructor, the starting
    /// point, the residuals, the direction; Δz_u and the affine Δz_u of plain blocks are neither written nor read), so nothing
    /// of an earlier market shows. One phase at a time per thread:
    /// the solver's interior-point search creates one per solve and drops it before the solve returns.
    /// </summary>
    private sealed class Arrays
    {
        private const int Shapes = 2; // a draw alternates between a complete market and one with blocked pairs
        [ThreadStatic] private static List<Arrays>? t_recent;
        private readonly (int Count, int Peers, int Pairs) _shape;
        private readonly List<double[]> _doubles = [];
        private readonly List<bool[]> _bools = [];
        private int _nextDouble, _nextBool;

        private Arrays((int, int, int) shape) => _shape = shape;

        public static Arrays For(int count, int peers, int pairs)
        {
            var recent = t_recent ??= [];
            var shape = (count, peers, pairs);
            int at = recent.FindIndex(a => a._shape == shape);
            Arrays arrays;
            if (at >= 0)
            {
                arrays = recent[at];
                recent.RemoveAt(at);
            }
            else
            {
                arrays = new Arrays(shape);
                if (recent.Count == Shapes) recent.RemoveAt(0);
            }

            recent.Add(arrays); // most recently used last
            arrays._nextDouble = arrays._nextBool = 0;
            return arrays;
        }

        public double[] Doubles(int length) => Next(_doubles, ref _nextDouble, length);

        public bool[] Bools(int length) => Next(_bools, ref _nextBool, length);

        private static T[] Next<T>(List<T[]> list, ref int next, int length)
        {
            if (next == list.Count) list.Add(new T[length]);
            var array = list[next++];
            if (array.Length != length) throw new InvalidOperationException("The interior-point arrays were taken in another order.");
            return array;
        }
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
        Weights(0, _m, _pairWeight, 0);
        Weights(_m, _count, _peerWeight, _m);
        _system.Factorize(_peerWeight, _pairWeight, _shift);

        // Predictor (affine scaling).
        double alphaAff = Direction(sigmaMu: 0, corrector: false, _dvAff, _dzlAff, _dzuAff);
        double muAff = AffineComplementarity(alphaAff);
        muAff /= _bounded;
        double sigma = Math.Pow(Math.Clamp(muAff / mu, 0, 1), 3);

        // Corrector.
        double alpha = Math.Min(1.0, StepFraction * Direction(sigma * mu, corrector: true, _dv, _dzl, _dzu));
        Move(alpha);
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

    /// <summary>The diagonal D of the variables from <paramref name="from"/> to <paramref name="to"/> (h + z_l/v +
    /// z_u/(U − v), ∞ for fixed ones) and the normal system's weights 1/D, written at index v − <paramref name="offset"/>
    /// of <paramref name="weight"/>.</summary>
    private void Weights(int from, int to, double[] weight, int offset)
    {
        ref double h = ref MemoryMarshal.GetArrayDataReference(_h);
        ref double zl = ref MemoryMarshal.GetArrayDataReference(_zl);
        ref double zu = ref MemoryMarshal.GetArrayDataReference(_zu);
        ref double x = ref MemoryMarshal.GetArrayDataReference(_v);
        ref double upper = ref MemoryMarshal.GetArrayDataReference(_upper);
        ref double free = ref MemoryMarshal.GetArrayDataReference(_freeMask);
        ref double hasUpper = ref MemoryMarshal.GetArrayDataReference(_upperMask);
        ref double d = ref MemoryMarshal.GetArrayDataReference(_d);
        ref double w = ref MemoryMarshal.GetArrayDataReference(weight);
        int v = from;
        if (_vectorized)
        {
            var infinity = Vector256.Create(double.PositiveInfinity);
            var one = Vector256.Create(1.0);
            for (; v + 4 <= to; v += 4)
            {
                nuint i = (nuint)v;
                var xv = Vector256.LoadUnsafe(ref x, i);
                var term = Vector256.LoadUnsafe(ref h, i) + Vector256.LoadUnsafe(ref zl, i) / xv;
                if ((v & 3) == 0 && _plainBlock[v >> 2])
                {
                    // No upper term (+0, added as the general lanes add it) and every lane free.
                    term += Vector256<double>.Zero;
                    term.StoreUnsafe(ref d, i);
                    (one / term).StoreUnsafe(ref w, (nuint)(v - offset));
                    continue;
                }

                var upperTerm = Vector256.LoadUnsafe(ref zu, i) / (Vector256.LoadUnsafe(ref upper, i) - xv);
                term += Vector256.ConditionalSelect(Vector256.LoadUnsafe(ref hasUpper, i), upperTerm, Vector256<double>.Zero);
                var dv = Vector256.ConditionalSelect(Vector256.LoadUnsafe(ref free, i), term, infinity);
                dv.StoreUnsafe(ref d, i);
                (one / dv).StoreUnsafe(ref w, (nuint)(v - offset));
            }
        }

        for (; v < to; v++)
        {
            _d[v] = _fixed[v] ? double.PositiveInfinity : _h[v] + _zl[v] / _v[v] + UpperTerm(v, _zu[v] / (_upper[v] - _v[v]));
            weight[v - offset] = 1.0 / _d[v];
        }
    }

    /// <summary>Σ over free variables, in order, of x (z_l + α Δz_l) and (for an upper bound) (U − x)(z_u + α Δz_u),
    /// x = v + α Δv: the complementarity after the affine step.</summary>
    private double AffineComplementarity(double alphaAff)
    {
        double muAff = 0;
        int v = 0;
        if (_vectorized)
        {
            ref double x = ref MemoryMarshal.GetArrayDataReference(_v);
            ref double zl = ref MemoryMarshal.GetArrayDataReference(_zl);
            ref double zu = ref MemoryMarshal.GetArrayDataReference(_zu);
            ref double upper = ref MemoryMarshal.GetArrayDataReference(_upper);
            ref double dvAff = ref MemoryMarshal.GetArrayDataReference(_dvAff);
            ref double dzlAff = ref MemoryMarshal.GetArrayDataReference(_dzlAff);
            ref double dzuAff = ref MemoryMarshal.GetArrayDataReference(_dzuAff);
            var a = Vector256.Create(alphaAff);
            Span<double> terms = stackalloc double[8];
            for (; v + 4 <= _count; v += 4)
            {
                nuint i = (nuint)v;
                var xv = Vector256.LoadUnsafe(ref x, i) + a * Vector256.LoadUnsafe(ref dvAff, i);
                var lowerTerms = xv * (Vector256.LoadUnsafe(ref zl, i) + a * Vector256.LoadUnsafe(ref dzlAff, i));
                if (_plainBlock[v >> 2])
                {
                    // Four free lanes without upper bounds: their lower terms in order, as AddTerms adds them.
                    muAff += lowerTerms.GetElement(0);
                    muAff += lowerTerms.GetElement(1);
                    muAff += lowerTerms.GetElement(2);
                    muAff += lowerTerms.GetElement(3);
                    continue;
                }

                lowerTerms.CopyTo(terms);
                ((Vector256.LoadUnsafe(ref upper, i) - xv) * (Vector256.LoadUnsafe(ref zu, i) + a * Vector256.LoadUnsafe(ref dzuAff, i))).CopyTo(terms[4..]);
                muAff = AddTerms(muAff, v, terms);
            }
        }

        for (; v < _count; v++)
        {
            if (_fixed[v]) continue;
            double x = _v[v] + alphaAff * _dvAff[v];
            muAff += x * (_zl[v] + alphaAff * _dzlAff[v]);
            if (_hasUpper[v]) muAff += (_upper[v] - x) * (_zu[v] + alphaAff * _dzuAff[v]);
        }

        return muAff;
    }

    /// <summary>Adds the lower-bound terms terms[0..4) and upper-bound terms terms[4..8) of variables v … v + 3 to
    /// <paramref name="sum"/> one after another, as the scalar loop does (fixed variables and absent upper bounds
    /// skipped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double AddTerms(double sum, int v, Span<double> terms)
    {
        for (int l = 0; l < 4; l++)
        {
            if (_fixed[v + l]) continue;
            sum += terms[l];
            if (_hasUpper[v + l]) sum += terms[4 + l];
        }

        return sum;
    }

    /// <summary>The step: v, z_l, z_u += α (Δv, Δz_l, Δz_u) for free variables.</summary>
    private void Move(double alpha)
    {
        int v = 0;
        if (_vectorized)
        {
            ref double free = ref MemoryMarshal.GetArrayDataReference(_freeMask);
            var a = Vector256.Create(alpha);
            for (; v + 4 <= _count; v += 4)
            {
                nuint i = (nuint)v;
                if (_plainBlock[v >> 2])
                {
                    // Every lane free; z_u stays the +0 of the starting point (its step is +0 there).
                    MoveLanes(_v, _dv, i, a);
                    MoveLanes(_zl, _dzl, i, a);
                    continue;
                }

                var mask = Vector256.LoadUnsafe(ref free, i);
                MoveLanes(_v, _dv, i, a, mask);
                MoveLanes(_zl, _dzl, i, a, mask);
                MoveLanes(_zu, _dzu, i, a, mask);
            }
        }

        for (; v < _count; v++)
        {
            if (_fixed[v]) continue;
            _v[v] += alpha * _dv[v];
            _zl[v] += alpha * _dzl[v];
            _zu[v] += alpha * _dzu[v];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MoveLanes(double[] value, double[] step, nuint i, Vector256<double> alpha)
    {
        ref double x = ref MemoryMarshal.GetArrayDataReference(value);
        (Vector256.LoadUnsafe(ref x, i) + alpha * Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(step), i)).StoreUnsafe(ref x, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MoveLanes(double[] value, double[] step, nuint i, Vector256<double> alpha, Vector256<double> mask)
    {
        ref double x = ref MemoryMarshal.GetArrayDataReference(value);
        var old = Vector256.LoadUnsafe(ref x, i);
        var moved = old + alpha * Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(step), i);
        Vector256.ConditionalSelect(mask, moved, old).StoreUnsafe(ref x, i);
    }

    /// <summary>Dual residual r_d = h v + c − Aᵀy − z_l + z_u, primal r_p = A v; returns the mean complementarity.</summary>
    private double Residuals(double[] y, out double primalMax)
    {
        var net = _net;
        AT(y, _aty);
        double comp = 0;
        int v = 0;
        if (_vectorized)
        {
            ref double h = ref MemoryMarshal.GetArrayDataReference(_h);
            ref double x = ref MemoryMarshal.GetArrayDataReference(_v);
            ref double c = ref MemoryMarshal.GetArrayDataReference(_c);
            ref double aty = ref MemoryMarshal.GetArrayDataReference(_aty);
            ref double zl = ref MemoryMarshal.GetArrayDataReference(_zl);
            ref double zu = ref MemoryMarshal.GetArrayDataReference(_zu);
            ref double upper = ref MemoryMarshal.GetArrayDataReference(_upper);
            ref double free = ref MemoryMarshal.GetArrayDataReference(_freeMask);
            ref double rd = ref MemoryMarshal.GetArrayDataReference(_rd);
            Span<double> terms = stackalloc double[8];
            for (; v + 4 <= _count; v += 4)
            {
                nuint i = (nuint)v;
                var xv = Vector256.LoadUnsafe(ref x, i);
                var zlv = Vector256.LoadUnsafe(ref zl, i);
                if (_plainBlock[v >> 2])
                {
                    // z_u is +0 on these lanes (never moved), so adding it is adding +0; complementarity: lower terms only.
                    (Vector256.LoadUnsafe(ref h, i) * xv + Vector256.LoadUnsafe(ref c, i) - Vector256.LoadUnsafe(ref aty, i) - zlv + Vector256<double>.Zero).StoreUnsafe(ref rd, i);
                    var lowerTerms = xv * zlv;
                    comp += lowerTerms.GetElement(0);
                    comp += lowerTerms.GetElement(1);
                    comp += lowerTerms.GetElement(2);
                    comp += lowerTerms.GetElement(3);
                    continue;
                }

                var zuv = Vector256.LoadUnsafe(ref zu, i);
                var r = Vector256.LoadUnsafe(ref h, i) * xv + Vector256.LoadUnsafe(ref c, i) - Vector256.LoadUnsafe(ref aty, i) - zlv + zuv;
                Vector256.ConditionalSelect(Vector256.LoadUnsafe(ref free, i), r, Vector256<double>.Zero).StoreUnsafe(ref rd, i);
                (xv * zlv).CopyTo(terms);
                ((Vector256.LoadUnsafe(ref upper, i) - xv) * zuv).CopyTo(terms[4..]);
                comp = AddTerms(comp, v, terms);
            }
        }

        for (; v < _count; v++)
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
    /// Solves A D⁻¹ Aᵀ Δy = −r_p − A D⁻¹ ρ, then Δv = D⁻¹(ρ + AᵀΔy) and the multiplier steps. Returns the largest
    /// step that keeps every bounded variable and multiplier feasible (capped at 1/<see cref="StepFraction"/>).
    /// </summary>
    private double Direction(double sigmaMu, bool corrector, double[] dv, double[] dzl, double[] dzu)
    {
        Targets(sigmaMu, corrector, dzl, dzu);
        A(_aty, _rhs);
        for (int k = 0; k < _net.PeerCount; k++) _rhs[k] = -_rp[k] - _rhs[k];
        _system.Solve(_rhs, _dy);
        AT(_dy, _aty);
        return Steps(dv, dzl, dzu);
    }

    /// <summary>ρ = −r_d + t_l/v − t_u/(U − v) with the complementarity targets t_l, t_u (stashed in
    /// <paramref name="dzl"/>, <paramref name="dzu"/> until Δv is known), and D⁻¹ρ into the Aᵀ work array.</summary>
    private void Targets(double sigmaMu, bool corrector, double[] dzl, double[] dzu)
    {
        int v = 0;
        if (_vectorized)
        {
            ref double x = ref MemoryMarshal.GetArrayDataReference(_v);
            ref double zl = ref MemoryMarshal.GetArrayDataReference(_zl);
            ref double zu = ref MemoryMarshal.GetArrayDataReference(_zu);
            ref double upper = ref MemoryMarshal.GetArrayDataReference(_upper);
            ref double free = ref MemoryMarshal.GetArrayDataReference(_freeMask);
            ref double hasUpper = ref MemoryMarshal.GetArrayDataReference(_upperMask);
            ref double rd = ref MemoryMarshal.GetArrayDataReference(_rd);
            ref double d = ref MemoryMarshal.GetArrayDataReference(_d);
            ref double rho = ref MemoryMarshal.GetArrayDataReference(_rho);
            ref double aty = ref MemoryMarshal.GetArrayDataReference(_aty);
            ref double dvAff = ref MemoryMarshal.GetArrayDataReference(_dvAff);
            ref double dzlAff = ref MemoryMarshal.GetArrayDataReference(_dzlAff);
            ref double dzuAff = ref MemoryMarshal.GetArrayDataReference(_dzuAff);
            ref double targetLower = ref MemoryMarshal.GetArrayDataReference(dzl);
            ref double targetUpper = ref MemoryMarshal.GetArrayDataReference(dzu);
            var sm = Vector256.Create(sigmaMu);
            var zero = Vector256<double>.Zero;
            for (; v + 4 <= _count; v += 4)
            {
                nuint i = (nuint)v;
                if (_plainBlock[v >> 2])
                {
                    // Every lane free, no upper bound: t_u = 0 (its stash never read here) and ρ subtracts +0 for it.
                    var xp = Vector256.LoadUnsafe(ref x, i);
                    var targetLp = sm - xp * Vector256.LoadUnsafe(ref zl, i);
                    if (corrector) targetLp -= Vector256.LoadUnsafe(ref dvAff, i) * Vector256.LoadUnsafe(ref dzlAff, i);
                    var rp = -Vector256.LoadUnsafe(ref rd, i) + targetLp / xp - zero;
                    rp.StoreUnsafe(ref rho, i);
                    targetLp.StoreUnsafe(ref targetLower, i);
                    (rp / Vector256.LoadUnsafe(ref d, i)).StoreUnsafe(ref aty, i);
                    continue;
                }

                var freeLanes = Vector256.LoadUnsafe(ref free, i);
                var upperLanes = Vector256.LoadUnsafe(ref hasUpper, i);
                var xv = Vector256.LoadUnsafe(ref x, i);
                var s = Vector256.LoadUnsafe(ref upper, i) - xv;
                var targetL = sm - xv * Vector256.LoadUnsafe(ref zl, i);
                var targetU = Vector256.ConditionalSelect(upperLanes, sm - s * Vector256.LoadUnsafe(ref zu, i), zero);
                if (corrector)
                {
                    var dvA = Vector256.LoadUnsafe(ref dvAff, i);
                    targetL -= dvA * Vector256.LoadUnsafe(ref dzlAff, i);
                    targetU = Vector256.ConditionalSelect(upperLanes, targetU + dvA * Vector256.LoadUnsafe(ref dzuAff, i), targetU);
                }

                var r = -Vector256.LoadUnsafe(ref rd, i) + targetL / xv - Vector256.ConditionalSelect(upperLanes, targetU / s, zero);
                r = Vector256.ConditionalSelect(freeLanes, r, zero);
                r.StoreUnsafe(ref rho, i);
                targetL.StoreUnsafe(ref targetLower, i);
                targetU.StoreUnsafe(ref targetUpper, i);
                Vector256.ConditionalSelect(freeLanes, r / Vector256.LoadUnsafe(ref d, i), zero).StoreUnsafe(ref aty, i);
            }
        }

        for (; v < _count; v++)
        {
            if (_fixed[v])
            {
                _rho[v] = 0;
                _aty[v] = 0;
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
            _aty[v] = _rho[v] / _d[v];
        }
    }

    /// <summary>Δv = D⁻¹(ρ + AᵀΔy) and the multiplier steps from the stashed targets; returns the largest feasible
    /// step (the minimum over all ratios, the same in any order).</summary>
    private double Steps(double[] dv, double[] dzl, double[] dzu)
    {
        double alpha = double.PositiveInfinity;
        int v = 0;
        if (_vectorized)
        {
            ref double x = ref MemoryMarshal.GetArrayDataReference(_v);
            ref double zl = ref MemoryMarshal.GetArrayDataReference(_zl);
            ref double zu = ref MemoryMarshal.GetArrayDataReference(_zu);
            ref double upper = ref MemoryMarshal.GetArrayDataReference(_upper);
            ref double free = ref MemoryMarshal.GetArrayDataReference(_freeMask);
            ref double hasUpper = ref MemoryMarshal.GetArrayDataReference(_upperMask);
            ref double d = ref MemoryMarshal.GetArrayDataReference(_d);
            ref double rho = ref MemoryMarshal.GetArrayDataReference(_rho);
            ref double aty = ref MemoryMarshal.GetArrayDataReference(_aty);
            ref double stepV = ref MemoryMarshal.GetArrayDataReference(dv);
            ref double stepL = ref MemoryMarshal.GetArrayDataReference(dzl);
            ref double stepU = ref MemoryMarshal.GetArrayDataReference(dzu);
            var zero = Vector256<double>.Zero;
            var infinity = Vector256.Create(double.PositiveInfinity);
            var least = infinity;
            for (; v + 4 <= _count; v += 4)
            {
                nuint i = (nuint)v;
                if (_plainBlock[v >> 2])
                {
                    // Every lane free, no upper bound: Δz_u = 0 (not stored: nothing reads it on these lanes), and the
                    // upper-bound ratios are +∞, kept in the minimum as the general lanes have them.
                    var xp = Vector256.LoadUnsafe(ref x, i);
                    var zlp = Vector256.LoadUnsafe(ref zl, i);
                    var dvp = (Vector256.LoadUnsafe(ref rho, i) + Vector256.LoadUnsafe(ref aty, i)) / Vector256.LoadUnsafe(ref d, i);
                    var dzlp = (Vector256.LoadUnsafe(ref stepL, i) - zlp * dvp) / xp;
                    dvp.StoreUnsafe(ref stepV, i);
                    dzlp.StoreUnsafe(ref stepL, i);
                    var toLowerP = Vector256.ConditionalSelect(Vector256.LessThan(dvp, zero), -xp / dvp, infinity);
                    var lowerMultiplierP = Vector256.ConditionalSelect(Vector256.LessThan(dzlp, zero), -zlp / dzlp, infinity);
                    least = Vector256.Min(least, Vector256.Min(Vector256.Min(toLowerP, infinity), Vector256.Min(lowerMultiplierP, infinity)));
                    continue;
                }

                var freeLanes = Vector256.LoadUnsafe(ref free, i);
                var upperLanes = Vector256.LoadUnsafe(ref hasUpper, i);
                var xv = Vector256.LoadUnsafe(ref x, i);
                var zlv = Vector256.LoadUnsafe(ref zl, i);
                var zuv = Vector256.LoadUnsafe(ref zu, i);
                var room = Vector256.LoadUnsafe(ref upper, i) - xv;
                var dvv = (Vector256.LoadUnsafe(ref rho, i) + Vector256.LoadUnsafe(ref aty, i)) / Vector256.LoadUnsafe(ref d, i);
                var dzlv = (Vector256.LoadUnsafe(ref stepL, i) - zlv * dvv) / xv;
                var dzuv = Vector256.ConditionalSelect(upperLanes, (Vector256.LoadUnsafe(ref stepU, i) + zuv * dvv) / room, zero);
                dvv = Vector256.ConditionalSelect(freeLanes, dvv, zero);
                dzlv = Vector256.ConditionalSelect(freeLanes, dzlv, zero);
                dzuv = Vector256.ConditionalSelect(freeLanes, dzuv, zero);
                dvv.StoreUnsafe(ref stepV, i);
                dzlv.StoreUnsafe(ref stepL, i);
                dzuv.StoreUnsafe(ref stepU, i);
                // Fixed lanes have zero steps and so no ratio.
                var toLower = Vector256.ConditionalSelect(Vector256.LessThan(dvv, zero), -xv / dvv, infinity);
                var toUpper = Vector256.ConditionalSelect(Vector256.GreaterThan(dvv, zero) & upperLanes, room / dvv, infinity);
                var lowerMultiplier = Vector256.ConditionalSelect(Vector256.LessThan(dzlv, zero), -zlv / dzlv, infinity);
                var upperMultiplier = Vector256.ConditionalSelect(Vector256.LessThan(dzuv, zero), -zuv / dzuv, infinity);
                least = Vector256.Min(least, Vector256.Min(Vector256.Min(toLower, toUpper), Vector256.Min(lowerMultiplier, upperMultiplier)));
            }

            for (int l = 0; l < 4; l++) alpha = Math.Min(alpha, least.GetElement(l));
        }

        for (; v < _count; v++)
        {
            if (_fixed[v])
            {
                dv[v] = dzl[v] = dzu[v] = 0;
                continue;
            }

            dv[v] = (_rho[v] + _aty[v]) / _d[v];
            dzl[v] = (dzl[v] - _zl[v] * dv[v]) / _v[v];
            dzu[v] = _hasUpper[v] ? (dzu[v] + _zu[v] * dv[v]) / (_upper[v] - _v[v]) : 0;
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

    /// <summary>(A w)_k: seller −Σ_out w_q + w_G, buyer Σ_in w_q − w_D; one sum per peer in pair order
    /// (<see cref="P2PNetwork.SignedPairSums"/>).</summary>
    private void A(double[] w, double[] result) => _net.SignedPairSums(w.AsSpan(_m, _net.PeerCount), w, -1.0, result);

    /// <summary>(Aᵀ y)_v: pair y_buyer − y_seller, seller +y, buyer −y.</summary>
    private void AT(double[] y, double[] result)
    {
        var net = _net;
        ref double r = ref MemoryMarshal.GetArrayDataReference(result);
        ref double yr = ref MemoryMarshal.GetArrayDataReference(y);
        ref int seller = ref MemoryMarshal.GetArrayDataReference(net.PairSeller);
        ref int buyer = ref MemoryMarshal.GetArrayDataReference(net.PairBuyer);
        for (int p = 0; p < _m; p++)
            Unsafe.Add(ref r, p) = Unsafe.Add(ref yr, Unsafe.Add(ref buyer, p)) - Unsafe.Add(ref yr, Unsafe.Add(ref seller, p));
        for (int k = 0; k < net.PeerCount; k++) result[_m + k] = net.IsSeller[k] ? y[k] : -y[k];
    }
}
