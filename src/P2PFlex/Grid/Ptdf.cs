using P2PFlex.Numerics;

namespace P2PFlex.Grid;

/// <summary>
/// Power transfer distribution factors H (lines × buses): the change of the DC flow on each in-service branch
/// (from → to, MW) per MW injected at a bus and withdrawn at the slack. The slack column is zero.
/// On a radial feeder every entry is 0 or −1 when branches point away from the slack: an injection downstream of a
/// line pushes power back up through it.
/// </summary>
public sealed class Ptdf
{
    private readonly double[] _values; // row-major, lines × buses

    private Ptdf(int lines, int buses, double[] values)
    {
        LineCount = lines;
        BusCount = buses;
        _values = values;
    }

    /// <summary>Number of rows (in-service branches, in <see cref="GridNetwork.Branches"/> order).</summary>
    public int LineCount { get; }

    /// <summary>Number of columns (buses, internal index order).</summary>
    public int BusCount { get; }

    /// <summary>H[line, bus] (MW per MW).</summary>
    public double this[int line, int bus] => _values[line * BusCount + bus];

    /// <summary>One row of H.</summary>
    public ReadOnlySpan<double> Row(int line) => new(_values, line * BusCount, BusCount);

    /// <summary>A dense copy (lines × buses).</summary>
    public double[,] ToArray()
    {
        // A 2-D array is stored row-major in one block, as _values is: one copy of the bytes.
        var a = new double[LineCount, BusCount];
        Buffer.BlockCopy(_values, 0, a, 0, _values.Length * sizeof(double));
        return a;
    }

    /// <summary>DC line flows f = H·p for nodal injections p (MW, internal bus order).</summary>
    public double[] Flows(IReadOnlyList<double> injectionMw)
    {
        if (injectionMw.Count != BusCount)
            throw new ArgumentException($"injection vector has {injectionMw.Count} entries, the network has {BusCount} buses", nameof(injectionMw));
        var f = new double[LineCount];
        for (int l = 0; l < LineCount; l++)
        {
            double s = 0;
            int offset = l * BusCount;
            for (int k = 0; k < BusCount; k++) s += _values[offset + k] * injectionMw[k];
            f[l] = s;
        }
        return f;
    }

    /// <summary>
    /// Computes H from the sparse DC susceptance matrix (branch susceptance 1/(x·tap), phase shifts and resistance
    /// ignored, as in MATPOWER's <c>makeBdc</c>/<c>makePTDF</c>). Works for meshed networks: one sparse LU of the
    /// reduced B matrix (ordering and symbolic
    /// factorisation of its fixed pattern, then one numeric factorisation), one solve per bus.
    /// </summary>
    public static Ptdf Compute(GridNetwork network)
    {
        int n = network.Buses.Count, m = network.Branches.Count, slack = network.SlackIndex;
        // Reduced index: every bus but the slack.
        var reduced = new int[n];
        for (int i = 0, r = 0; i < n; i++) reduced[i] = i == slack ? -1 : r++;
        // One entry per branch end and per branch coupling: a fixed pattern, analysed once (ordering + symbolic LU).
        var rows = new List<int>(4 * m + n);
        var cols = new List<int>(4 * m + n);
        var values = new List<double>(4 * m + n);
        void Add(int r, int c, double v) { rows.Add(r); cols.Add(c); values.Add(v); }
        for (int r = 0; r < n - 1; r++) Add(r, r, 0); // every diagonal position, even for a bus without branches
        var susceptance = new double[m];
        for (int l = 0; l < m; l++)
        {
            var br = network.Branches[l];
            if (br.XPu == 0)
                throw new ArgumentException($"branch {br.CaseIndex} ({br.Label}) has zero reactance: the DC model needs x ≠ 0", nameof(network));
            double b = 1.0 / (br.XPu * br.TapRatio);
            susceptance[l] = b;
            int f = reduced[br.From], t = reduced[br.To];
            if (f >= 0) Add(f, f, b);
            if (t >= 0) Add(t, t, b);
            if (f >= 0 && t >= 0) { Add(f, t, -b); Add(t, f, -b); }
        }
        var symbolic = SparseSymbolicFactor.Analyze(n - 1, rows.ToArray(), cols.ToArray());
        var lu = new StaticPivotLu(symbolic);
        var valueArray = values.ToArray();
        Action<double[], double[]> solve;
        if (lu.TryFactorize(valueArray))
        {
            solve = (b, x) => lu.Solve(b, x);
        }
        else
        {
            SparseLu pivoting;
            try
            {
                pivoting = SparseLu.Factor(n - 1, Enumerable.Range(0, valueArray.Length).Select(t => (rows[t], cols[t], valueArray[t])));
            }
            catch (SingularMatrixException e)
            {
                throw new InvalidOperationException($"{network.Name}: the network is not connected to its slack bus ({e.Message})", e);
            }
            solve = (b, x) => pivoting.Solve(b).CopyTo(x, 0);
        }
        var h = new double[m * n];
        var rhs = new double[n - 1];
        var theta = new double[n - 1];
        for (int k = 0; k < n; k++)
        {
            if (k == slack) continue;
            Array.Clear(rhs);
            rhs[reduced[k]] = 1.0;
            solve(rhs, theta);
            for (int l = 0; l < m; l++)
            {
                var br = network.Branches[l];
                double tf = reduced[br.From] >= 0 ? theta[reduced[br.From]] : 0;
                double tt = reduced[br.To] >= 0 ? theta[reduced[br.To]] : 0;
                h[l * n + k] = susceptance[l] * (tf - tt);
            }
        }
        return new Ptdf(m, n, h);
    }
}
