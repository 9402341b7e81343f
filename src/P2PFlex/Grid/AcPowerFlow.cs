using System.Numerics;
using P2PFlex.Grid.Matpower;
using P2PFlex.Numerics;

namespace P2PFlex.Grid;

/// <summary>Outcome of a Newton–Raphson run.</summary>
public enum PowerFlowStatus
{
    /// <summary>Largest mismatch below the tolerance.</summary>
    Converged,
    /// <summary>The iteration limit was reached first.</summary>
    MaxIterationsReached,
    /// <summary>The Jacobian became singular or the iterates stopped being finite.</summary>
    Diverged,
}

/// <summary>Options of <see cref="AcPowerFlow"/>; the defaults are MATPOWER's (<c>pf.tol</c>, <c>pf.nr.max_it</c>).</summary>
public sealed record AcPowerFlowOptions(double ToleranceMismatchPu = 1e-8, int MaxIterations = 10);

/// <summary>Flow on one branch, both ends measured as power entering the branch (MATPOWER's PF, QF, PT, QT).</summary>
public sealed record AcBranchFlow(int CaseIndex, int FromBus, int ToBus, double PFromMw, double QFromMvar, double PToMw, double QToMvar)
{
    /// <summary>Active loss on the branch (MW).</summary>
    public double LossMw => PFromMw + PToMw;
}

/// <summary>Voltage of one bus.</summary>
public sealed record AcBusVoltage(int Bus, double VmPu, double VaDeg);

/// <summary>
/// Result of an AC power flow. On non-convergence the state of the last iterate is kept, with the iteration count
/// and the final mismatch, so the caller can report it; it is never thrown.
/// </summary>
public sealed record AcPowerFlowResult(
    PowerFlowStatus Status,
    int Iterations,
    double MaxMismatchPu,
    IReadOnlyList<AcBusVoltage> Voltages,
    IReadOnlyList<AcBranchFlow> BranchFlows,
    double LossesMw,
    string Message)
{
    /// <summary>Whether the run converged.</summary>
    public bool Converged => Status == PowerFlowStatus.Converged;

    /// <summary>The bus with the lowest voltage magnitude (first one in file order on ties, as MATPOWER reports it).</summary>
    public AcBusVoltage MinimumVoltage => Voltages.Aggregate((a, b) => b.VmPu < a.VmPu ? b : a);
}

/// <summary>
/// AC power flow by Newton–Raphson in polar coordinates with a sparse Jacobian, following MATPOWER's
/// <c>newtonpf</c>: unknowns are the angles of PV and PQ buses and the magnitudes of PQ buses; the mismatch is
/// checked before each update and the run converges when its infinity norm (p.u. on the system base) is below the
/// tolerance; the iteration count is the number of Newton updates. Generator reactive limits are not enforced.
/// </summary>
public static class AcPowerFlow
{
    /// <summary>Solves the power flow of a network at its own loads (the case's Pd/Qd).</summary>
    public static AcPowerFlowResult Solve(GridNetwork network, AcPowerFlowOptions? options = null)
    {
        var pd = network.Buses.Select(b => b.PdMw).ToArray();
        var qd = network.Buses.Select(b => b.QdMvar).ToArray();
        return Solve(network, pd, qd, options);
    }

    /// <summary>Solves the power flow with the given bus loads (MW, MVAr, internal bus order).</summary>
    public static AcPowerFlowResult Solve(GridNetwork network, IReadOnlyList<double> loadMw, IReadOnlyList<double> loadMvar, AcPowerFlowOptions? options = null)
    {
        options ??= new AcPowerFlowOptions();
        int n = network.Buses.Count;
        if (loadMw.Count != n || loadMvar.Count != n)
            throw new ArgumentException($"load vectors must have {n} entries (one per bus)");
        double baseMva = network.BaseMva;
        var y = AdmittanceMatrix.Build(network);

        // Bus types as MATPOWER's bustypes: a PV bus without an in-service generator is treated as PQ.
        var genBuses = network.Case.Generators.Where(g => g.InService).Select(g => network.IndexOfBus(g.BusNumber)).ToHashSet();
        var v = new Complex[n];
        var sBus = new Complex[n];
        for (int i = 0; i < n; i++)
        {
            var b = network.Buses[i];
            v[i] = Complex.FromPolarCoordinates(b.VmPu, b.VaDeg * Math.PI / 180);
            sBus[i] = new Complex(-loadMw[i], -loadMvar[i]) / baseMva;
        }
        foreach (var g in network.Case.Generators.Where(g => g.InService))
        {
            int i = network.IndexOfBus(g.BusNumber);
            sBus[i] += new Complex(g.PgMw, g.QgMvar) / baseMva;
            // Generator buses start at the generator's voltage set-point.
            v[i] = Complex.FromPolarCoordinates(g.VgPu, v[i].Phase);
        }
        var pv = new List<int>();
        var pq = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (i == network.SlackIndex) continue;
            var type = network.Buses[i].Type;
            if (type == BusType.Isolated) continue;
            if ((type == BusType.PV || type == BusType.Reference) && genBuses.Contains(i)) pv.Add(i); else pq.Add(i);
        }
        var pvpq = pv.Concat(pq).ToArray();
        int nAngles = pvpq.Length, nUnknowns = pvpq.Length + pq.Count;
        var angleVar = Enumerable.Repeat(-1, n).ToArray();
        var magVar = Enumerable.Repeat(-1, n).ToArray();
        for (int k = 0; k < pvpq.Length; k++) angleVar[pvpq[k]] = k;
        for (int k = 0; k < pq.Count; k++) magVar[pq[k]] = nAngles + k;

        var vm = v.Select(c => c.Magnitude).ToArray();
        var va = v.Select(c => c.Phase).ToArray();
        var mismatch = new double[nUnknowns];
        double norm = Mismatch(y, v, sBus, pvpq, pq, mismatch);
        int iteration = 0;
        var status = norm < options.ToleranceMismatchPu ? PowerFlowStatus.Converged : PowerFlowStatus.MaxIterationsReached;
        string message = "";
        while (status != PowerFlowStatus.Converged && iteration < options.MaxIterations)
        {
            iteration++;
            var jacobian = Jacobian(y, v, angleVar, magVar);
            double[] dx;
            try
            {
                dx = SparseLu.Factor(nUnknowns, jacobian).Solve(mismatch);
            }
            catch (SingularMatrixException e)
            {
                status = PowerFlowStatus.Diverged;
                message = $"singular Jacobian at iteration {iteration}: {e.Message}";
                break;
            }
            for (int k = 0; k < pvpq.Length; k++) va[pvpq[k]] -= dx[k];
            for (int k = 0; k < pq.Count; k++) vm[pq[k]] -= dx[nAngles + k];
            for (int i = 0; i < n; i++) v[i] = Complex.FromPolarCoordinates(vm[i], va[i]);
            norm = Mismatch(y, v, sBus, pvpq, pq, mismatch);
            if (!double.IsFinite(norm))
            {
                status = PowerFlowStatus.Diverged;
                message = $"mismatch is not finite at iteration {iteration}";
                break;
            }
            if (norm < options.ToleranceMismatchPu) status = PowerFlowStatus.Converged;
        }
        if (status == PowerFlowStatus.MaxIterationsReached)
            message = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"did not converge in {iteration} iterations; largest mismatch {norm:E3} p.u.");
        if (status == PowerFlowStatus.Converged)
            message = $"converged in {iteration} iterations";

        var voltages = new AcBusVoltage[n];
        for (int i = 0; i < n; i++) voltages[i] = new AcBusVoltage(network.Buses[i].Number, v[i].Magnitude, v[i].Phase * 180 / Math.PI);
        var flows = new AcBranchFlow[network.Branches.Count];
        double losses = 0;
        for (int l = 0; l < network.Branches.Count; l++)
        {
            var br = network.Branches[l];
            var (yff, yft, ytf, ytt) = AdmittanceMatrix.BranchAdmittances(br);
            Complex vf = v[br.From], vt = v[br.To];
            Complex sf = vf * Complex.Conjugate(yff * vf + yft * vt) * baseMva;
            Complex st = vt * Complex.Conjugate(ytf * vf + ytt * vt) * baseMva;
            flows[l] = new AcBranchFlow(br.CaseIndex, br.FromBus, br.ToBus, sf.Real, sf.Imaginary, st.Real, st.Imaginary);
            losses += sf.Real + st.Real;
        }
        return new AcPowerFlowResult(status, iteration, norm, voltages, flows, losses, message);
    }

    // F = [ΔP(pvpq); ΔQ(pq)] of S(V) − Sbus; returns its infinity norm.
    private static double Mismatch(AdmittanceMatrix y, Complex[] v, Complex[] sBus, int[] pvpq, List<int> pq, double[] f)
    {
        var current = y.Multiply(v);
        double norm = 0;
        for (int k = 0; k < pvpq.Length; k++)
        {
            int i = pvpq[k];
            f[k] = (v[i] * Complex.Conjugate(current[i]) - sBus[i]).Real;
            norm = Math.Max(norm, Math.Abs(f[k]));
        }
        for (int k = 0; k < pq.Count; k++)
        {
            int i = pq[k];
            f[pvpq.Length + k] = (v[i] * Complex.Conjugate(current[i]) - sBus[i]).Imaginary;
            norm = Math.Max(norm, Math.Abs(f[pvpq.Length + k]));
        }
        return double.IsNaN(norm) ? double.NaN : norm;
    }

    // Sparse polar Jacobian: dS/dVa = j·diag(V)·conj(diag(I) − Y·diag(V)), dS/dVm = diag(V)·conj(Y·diag(V/|V|)) + conj(diag(I))·diag(V/|V|).
    private static List<(int, int, double)> Jacobian(AdmittanceMatrix y, Complex[] v, int[] angleVar, int[] magVar)
    {
        var current = y.Multiply(v);
        var entries = new List<(int, int, double)>(y.NonZeros * 4);
        for (int i = 0; i < v.Length; i++)
        {
            int rowP = angleVar[i], rowQ = magVar[i];
            if (rowP < 0 && rowQ < 0) continue;
            foreach (var (k, yik) in y.Row(i))
            {
                Complex unit = v[k] / v[k].Magnitude;
                Complex dVa = Complex.ImaginaryOne * v[i] * Complex.Conjugate(-yik * v[k]);
                Complex dVm = v[i] * Complex.Conjugate(yik * unit);
                if (k == i)
                {
                    dVa += Complex.ImaginaryOne * v[i] * Complex.Conjugate(current[i]);
                    dVm += Complex.Conjugate(current[i]) * unit;
                }
                int colA = angleVar[k], colM = magVar[k];
                if (rowP >= 0)
                {
                    if (colA >= 0) entries.Add((rowP, colA, dVa.Real));
                    if (colM >= 0) entries.Add((rowP, colM, dVm.Real));
                }
                if (rowQ >= 0)
                {
                    if (colA >= 0) entries.Add((rowQ, colA, dVa.Imaginary));
                    if (colM >= 0) entries.Add((rowQ, colM, dVm.Imaginary));
                }
            }
        }
        return entries;
    }
}

/// <summary>The sparse bus admittance matrix Ybus (p.u.), with MATPOWER's branch model (series impedance,
/// line charging, off-nominal tap and phase shift at the from end) and bus shunts.</summary>
internal sealed class AdmittanceMatrix
{
    private readonly List<(int Col, Complex Value)>[] _rows;

    private AdmittanceMatrix(List<(int, Complex)>[] rows) => _rows = rows;

    public int NonZeros => _rows.Sum(r => r.Count);

    public IReadOnlyList<(int Col, Complex Value)> Row(int i) => _rows[i];

    public static (Complex Yff, Complex Yft, Complex Ytf, Complex Ytt) BranchAdmittances(GridBranch br)
    {
        Complex ys = 1.0 / new Complex(br.RPu, br.XPu);
        Complex charging = new(0, br.BPu / 2);
        Complex tap = Complex.FromPolarCoordinates(br.TapRatio, br.ShiftDeg * Math.PI / 180);
        Complex ytt = ys + charging;
        Complex yff = ytt / (tap * Complex.Conjugate(tap));
        Complex yft = -ys / Complex.Conjugate(tap);
        Complex ytf = -ys / tap;
        return (yff, yft, ytf, ytt);
    }

    public static AdmittanceMatrix Build(GridNetwork network)
    {
        int n = network.Buses.Count;
        var dict = new Dictionary<int, Complex>[n];
        for (int i = 0; i < n; i++) dict[i] = new Dictionary<int, Complex>();
        void Add(int r, int c, Complex val) => dict[r][c] = dict[r].TryGetValue(c, out var old) ? old + val : val;
        foreach (var br in network.Branches)
        {
            var (yff, yft, ytf, ytt) = BranchAdmittances(br);
            Add(br.From, br.From, yff);
            Add(br.From, br.To, yft);
            Add(br.To, br.From, ytf);
            Add(br.To, br.To, ytt);
        }
        for (int i = 0; i < n; i++)
        {
            var b = network.Buses[i];
            Add(i, i, new Complex(b.GsMw, b.BsMvar) / network.BaseMva);
        }
        var rows = dict.Select(d => d.OrderBy(e => e.Key).Select(e => (e.Key, e.Value)).ToList()).ToArray();
        return new AdmittanceMatrix(rows);
    }

    public Complex[] Multiply(Complex[] v)
    {
        var result = new Complex[_rows.Length];
        for (int i = 0; i < _rows.Length; i++)
        {
            Complex s = Complex.Zero;
            foreach (var (c, val) in _rows[i]) s += val * v[c];
            result[i] = s;
        }
        return result;
    }
}
