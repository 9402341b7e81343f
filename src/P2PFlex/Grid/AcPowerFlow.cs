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

    /// <summary>
    /// The bus with the lowest voltage magnitude (first one in file order on ties, as MATPOWER reports it). Only a
    /// converged run has one: the last iterate of any other run is not a voltage profile, so asking it is an error.
    /// </summary>
    public AcBusVoltage MinimumVoltage => Converged
        ? Voltages.Aggregate((a, b) => b.VmPu < a.VmPu ? b : a)
        : throw new InvalidOperationException($"the power flow did not converge ({Status}: {Message}); it has no minimum voltage");
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
    /// <remarks>
    /// The network's Newton structure (Ybus, bus types, Jacobian pattern, fill-reducing ordering and symbolic LU;
    /// <see cref="AcNewtonStructure"/>) is built on the first solve of a <see cref="GridNetwork"/> and reused by
    /// later ones; each Newton iteration refills the Jacobian's values in place and refactorises numerically, without
    /// allocating. Thread-safe: concurrent solves share only the immutable structure.
    /// </remarks>
    public static AcPowerFlowResult Solve(GridNetwork network, IReadOnlyList<double> loadMw, IReadOnlyList<double> loadMvar, AcPowerFlowOptions? options = null)
    {
        options ??= new AcPowerFlowOptions();
        int n = network.Buses.Count;
        if (loadMw.Count != n || loadMvar.Count != n)
            throw new ArgumentException($"load vectors must have {n} entries (one per bus)");
        double baseMva = network.BaseMva;
        var structure = AcNewtonStructure.Of(network);
        var y = structure.Admittance;
        var work = NewtonWorkspace.For(structure, n);

        var v = work.V;
        var sBus = work.SBus;
        for (int i = 0; i < n; i++)
        {
            var b = network.Buses[i];
            v[i] = Complex.FromPolarCoordinates(b.VmPu, b.VaDeg * Math.PI / 180);
            sBus[i] = new Complex(-loadMw[i], -loadMvar[i]) / baseMva;
        }
        foreach (var g in network.Case.Generators)
        {
            if (!g.InService) continue;
            int i = network.IndexOfBus(g.BusNumber);
            sBus[i] += new Complex(g.PgMw, g.QgMvar) / baseMva;
            // Generator buses start at the generator's voltage set-point.
            v[i] = Complex.FromPolarCoordinates(g.VgPu, v[i].Phase);
        }
        var pvpq = structure.AngleBuses;
        var pq = structure.MagnitudeBuses;
        int nAngles = pvpq.Length, nUnknowns = structure.UnknownCount;

        var vm = work.Vm;
        var va = work.Va;
        for (int i = 0; i < n; i++)
        {
            vm[i] = v[i].Magnitude;
            va[i] = v[i].Phase;
        }
        var current = work.Current;
        var mismatch = work.Mismatch;
        var dx = work.Dx;
        var jacobian = work.Jacobian;
        var lu = work.Lu;
        double norm = Mismatch(y, v, current, sBus, pvpq, pq, mismatch);
        int iteration = 0;
        var status = norm < options.ToleranceMismatchPu ? PowerFlowStatus.Converged : PowerFlowStatus.MaxIterationsReached;
        string message = "";
        while (status != PowerFlowStatus.Converged && iteration < options.MaxIterations)
        {
            iteration++;
            structure.FillJacobian(v, current, jacobian, work.Unit);
            try
            {
                if (lu.TryFactorize(jacobian)) lu.Solve(mismatch, dx);
                else SparseLu.Factor(nUnknowns, structure.Triplets(jacobian)).Solve(mismatch).CopyTo(dx, 0); // needs row exchanges: rare
            }
            catch (SingularMatrixException e)
            {
                status = PowerFlowStatus.Diverged;
                message = $"singular Jacobian at iteration {iteration}: {e.Message}";
                break;
            }
            for (int k = 0; k < pvpq.Length; k++) va[pvpq[k]] -= dx[k];
            for (int k = 0; k < pq.Length; k++) vm[pq[k]] -= dx[nAngles + k];
            for (int i = 0; i < n; i++) v[i] = Complex.FromPolarCoordinates(vm[i], va[i]);
            norm = Mismatch(y, v, current, sBus, pvpq, pq, mismatch);
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
        var branchAdmittances = structure.BranchAdmittances;
        for (int l = 0; l < network.Branches.Count; l++)
        {
            var br = network.Branches[l];
            var (yff, yft, ytf, ytt) = branchAdmittances[l];
            Complex vf = v[br.From], vt = v[br.To];
            Complex sf = vf * Complex.Conjugate(yff * vf + yft * vt) * baseMva;
            Complex st = vt * Complex.Conjugate(ytf * vf + ytt * vt) * baseMva;
            flows[l] = new AcBranchFlow(br.CaseIndex, br.FromBus, br.ToBus, sf.Real, sf.Imaginary, st.Real, st.Imaginary);
            losses += sf.Real + st.Real;
        }
        return new AcPowerFlowResult(status, iteration, norm, voltages, flows, losses, message);
    }

    /// <summary>
    /// A thread's arrays for the Newton iterations of one network (the last one it solved), so repeated solves of a
    /// network allocate only their result. Every array is overwritten before it is read in each solve, and the LU's
    /// accumulators are zero again after every factorisation, so no state carries over from one solve to the next.
    /// </summary>
    private sealed class NewtonWorkspace
    {
        [ThreadStatic] private static NewtonWorkspace? t_last;

        private NewtonWorkspace(AcNewtonStructure structure, int n)
        {
            Structure = structure;
            V = new Complex[n];
            SBus = new Complex[n];
            Current = new Complex[n];
            Unit = new Complex[n];
            Vm = new double[n];
            Va = new double[n];
            Mismatch = new double[structure.UnknownCount];
            Dx = new double[structure.UnknownCount];
            Jacobian = new double[structure.Symbolic.EntryCount];
            Lu = new StaticPivotLu(structure.Symbolic);
        }

        public AcNewtonStructure Structure { get; }
        public Complex[] V { get; }
        public Complex[] SBus { get; }
        public Complex[] Current { get; }
        public Complex[] Unit { get; }
        public double[] Vm { get; }
        public double[] Va { get; }
        public double[] Mismatch { get; }
        public double[] Dx { get; }
        public double[] Jacobian { get; }
        public StaticPivotLu Lu { get; }

        public static NewtonWorkspace For(AcNewtonStructure structure, int n)
        {
            var last = t_last;
            if (last is not null && ReferenceEquals(last.Structure, structure)) return last;
            return t_last = new NewtonWorkspace(structure, n);
        }
    }

    // F = [ΔP(pvpq); ΔQ(pq)] of S(V) − Sbus; also leaves I = Y·V in current. Returns the infinity norm of F.
    private static double Mismatch(AdmittanceMatrix y, Complex[] v, Complex[] current, Complex[] sBus, int[] pvpq, int[] pq, double[] f)
    {
        y.Multiply(v, current);
        double norm = 0;
        for (int k = 0; k < pvpq.Length; k++)
        {
            int i = pvpq[k];
            f[k] = (v[i] * Complex.Conjugate(current[i]) - sBus[i]).Real;
            norm = Math.Max(norm, Math.Abs(f[k]));
        }
        for (int k = 0; k < pq.Length; k++)
        {
            int i = pq[k];
            f[pvpq.Length + k] = (v[i] * Complex.Conjugate(current[i]) - sBus[i]).Imaginary;
            norm = Math.Max(norm, Math.Abs(f[pvpq.Length + k]));
        }
        return double.IsNaN(norm) ? double.NaN : norm;
    }
}

/// <summary>
/// Everything of a network's Newton–Raphson power flow that does not change between iterations or solves: Ybus,
/// the bus types (MATPOWER's <c>bustypes</c>: a PV bus without an in-service generator is treated as PQ), the
/// unknowns [Va(pv, pq); Vm(pq)], the Jacobian's sparsity pattern with a slot per (Ybus entry, block) and its
/// fill-reducing ordering and symbolic LU factorisation. Built once per <see cref="GridNetwork"/> (cached weakly
/// by instance) and immutable, so concurrent solves can share it.
/// </summary>
/// <remarks>
/// Reuse for other Jacobian-based computations (e.g. voltage sensitivities at a solved point): compute I = Y·V,
/// call <see cref="FillJacobian(Complex[], Complex[], double[])"/> into an array of <c>Symbolic.EntryCount</c> values, and factorise with a
/// <see cref="StaticPivotLu"/> on <see cref="Symbolic"/> (falling back to <see cref="SparseLu"/> with
/// <see cref="Triplets"/> when it reports an unusable pivot). Rows and columns follow the unknowns: row/column k &lt;
/// AngleBuses.Length is P/Va of bus AngleBuses[k], the rest Q/Vm of MagnitudeBuses.
/// </remarks>
internal sealed class AcNewtonStructure
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<GridNetwork, AcNewtonStructure> Cache = new();

    private readonly int[] _rows;
    private readonly int[] _cols;
    // Per Ybus entry (CSR order): Jacobian slots of dP/dVa, dP/dVm, dQ/dVa, dQ/dVm, or −1.
    private readonly int[] _slotPa, _slotPm, _slotQa, _slotQm;

    private AcNewtonStructure(GridNetwork network)
    {
        int n = network.Buses.Count;
        Admittance = AdmittanceMatrix.Build(network);
        var genBuses = network.Case.Generators.Where(g => g.InService).Select(g => network.IndexOfBus(g.BusNumber)).ToHashSet();
        var pv = new List<int>();
        var pq = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (i == network.SlackIndex) continue;
            var type = network.Buses[i].Type;
            if (type == BusType.Isolated) continue;
            if ((type == BusType.PV || type == BusType.Reference) && genBuses.Contains(i)) pv.Add(i); else pq.Add(i);
        }
        AngleBuses = pv.Concat(pq).ToArray();
        MagnitudeBuses = pq.ToArray();
        UnknownCount = AngleBuses.Length + MagnitudeBuses.Length;
        AngleVariable = Enumerable.Repeat(-1, n).ToArray();
        MagnitudeVariable = Enumerable.Repeat(-1, n).ToArray();
        for (int k = 0; k < AngleBuses.Length; k++) AngleVariable[AngleBuses[k]] = k;
        for (int k = 0; k < MagnitudeBuses.Length; k++) MagnitudeVariable[MagnitudeBuses[k]] = AngleBuses.Length + k;

        var rows = new List<int>();
        var cols = new List<int>();
        int nnz = Admittance.NonZeros;
        _slotPa = new int[nnz];
        _slotPm = new int[nnz];
        _slotQa = new int[nnz];
        _slotQm = new int[nnz];
        int Slot(int r, int c)
        {
            if (r < 0 || c < 0) return -1;
            rows.Add(r);
            cols.Add(c);
            return rows.Count - 1;
        }
        for (int i = 0; i < n; i++)
            for (int a = Admittance.RowStart[i]; a < Admittance.RowStart[i + 1]; a++)
            {
                int k = Admittance.Column[a];
                int rowP = AngleVariable[i], rowQ = MagnitudeVariable[i], colA = AngleVariable[k], colM = MagnitudeVariable[k];
                _slotPa[a] = Slot(rowP, colA);
                _slotPm[a] = Slot(rowP, colM);
                _slotQa[a] = Slot(rowQ, colA);
                _slotQm[a] = Slot(rowQ, colM);
            }
        _rows = rows.ToArray();
        _cols = cols.ToArray();
        Symbolic = SparseSymbolicFactor.Analyze(UnknownCount, _rows, _cols);
        BranchAdmittances = network.Branches.Select(AdmittanceMatrix.BranchAdmittances).ToArray();
    }

    /// <summary>The structure of <paramref name="network"/>, built on first use.</summary>
    public static AcNewtonStructure Of(GridNetwork network) => Cache.GetValue(network, static n => new AcNewtonStructure(n));

    public AdmittanceMatrix Admittance { get; }

    /// <summary>Buses with an angle unknown (PV then PQ, internal order); unknown k is the angle of AngleBuses[k].</summary>
    public int[] AngleBuses { get; }

    /// <summary>PQ buses; unknown AngleBuses.Length + k is the magnitude of MagnitudeBuses[k].</summary>
    public int[] MagnitudeBuses { get; }

    /// <summary>Unknown of each bus's angle / magnitude, −1 if none.</summary>
    public int[] AngleVariable { get; }

    public int[] MagnitudeVariable { get; }

    public int UnknownCount { get; }

    /// <summary>Each branch's (Yff, Yft, Ytf, Ytt), in the network's branch order (for the branch flows).</summary>
    public (Complex Yff, Complex Yft, Complex Ytf, Complex Ytt)[] BranchAdmittances { get; }

    /// <summary>Ordering and symbolic LU of the Jacobian pattern.</summary>
    public SparseSymbolicFactor Symbolic { get; }

    /// <summary>
    /// Polar Jacobian values at V (with I = Y·V), one per symbolic entry: dS/dVa = j·diag(V)·conj(diag(I) − Y·diag(V)),
    /// dS/dVm = diag(V)·conj(Y·diag(V/|V|)) + conj(diag(I))·diag(V/|V|). Allocates nothing.
    /// </summary>
    public void FillJacobian(Complex[] v, Complex[] current, double[] values) => FillJacobian(v, current, values, new Complex[v.Length]);

    /// <summary><see cref="FillJacobian(Complex[], Complex[], double[])"/> with a scratch array of one entry per bus
    /// (overwritten with V/|V|), for a caller that iterates.</summary>
    public void FillJacobian(Complex[] v, Complex[] current, double[] values, Complex[] unit)
    {
        var y = Admittance;
        // V/|V| of a bus is the same in every entry of its column: once per bus, as are j·V_i and conj(I_i) per row.
        for (int k = 0; k < v.Length; k++) unit[k] = v[k] / v[k].Magnitude;
        var rowStart = y.RowStart;
        var column = y.Column;
        var value = y.Value;
        for (int i = 0; i < v.Length; i++)
        {
            if (AngleVariable[i] < 0 && MagnitudeVariable[i] < 0) continue;
            Complex vi = v[i];
            Complex jvi = Complex.ImaginaryOne * vi;
            for (int a = rowStart[i]; a < rowStart[i + 1]; a++)
            {
                int k = column[a];
                Complex yik = value[a];
                Complex dVa = jvi * Complex.Conjugate(-yik * v[k]);
                Complex dVm = vi * Complex.Conjugate(yik * unit[k]);
                if (k == i)
                {
                    dVa += jvi * Complex.Conjugate(current[i]);
                    dVm += Complex.Conjugate(current[i]) * unit[k];
                }
                int slot = _slotPa[a];
                if (slot >= 0) values[slot] = dVa.Real;
                slot = _slotPm[a];
                if (slot >= 0) values[slot] = dVm.Real;
                slot = _slotQa[a];
                if (slot >= 0) values[slot] = dVa.Imaginary;
                slot = _slotQm[a];
                if (slot >= 0) values[slot] = dVm.Imaginary;
            }
        }
    }

    /// <summary>The Jacobian as (row, column, value) triplets, for the pivoting fallback.</summary>
    public IEnumerable<(int Row, int Col, double Value)> Triplets(double[] values)
    {
        for (int t = 0; t < _rows.Length; t++) yield return (_rows[t], _cols[t], values[t]);
    }
}

/// <summary>The sparse bus admittance matrix Ybus (p.u.) in compressed rows (columns ascending), with MATPOWER's branch
/// model (series impedance, line charging, off-nominal tap and phase shift at the from end) and bus shunts. Every
/// diagonal entry is stored (possibly 0).</summary>
internal sealed class AdmittanceMatrix
{
    private AdmittanceMatrix(int[] rowStart, int[] column, Complex[] value)
    {
        RowStart = rowStart;
        Column = column;
        Value = value;
    }

    public int[] RowStart { get; }

    public int[] Column { get; }

    public Complex[] Value { get; }

    public int NonZeros => Column.Length;

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
        var rowStart = new int[n + 1];
        for (int i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + dict[i].Count;
        var column = new int[rowStart[n]];
        var value = new Complex[rowStart[n]];
        for (int i = 0; i < n; i++)
        {
            int a = rowStart[i];
            foreach (var (c, val) in dict[i].OrderBy(e => e.Key))
            {
                column[a] = c;
                value[a++] = val;
            }
        }
        return new AdmittanceMatrix(rowStart, column, value);
    }

    /// <summary>result = Y·v.</summary>
    public void Multiply(Complex[] v, Complex[] result)
    {
        for (int i = 0; i < result.Length; i++)
        {
            Complex s = Complex.Zero;
            for (int a = RowStart[i]; a < RowStart[i + 1]; a++) s += Value[a] * v[Column[a]];
            result[i] = s;
        }
    }
}
