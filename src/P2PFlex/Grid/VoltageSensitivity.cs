using System.Numerics;
using P2PFlex.Grid.Matpower;
using P2PFlex.Numerics;

namespace P2PFlex.Grid;

/// <summary>
/// S_V = ∂|V|/∂p: how much each bus voltage magnitude moves per MW of extra active injection at each bus (withdrawn
/// at the slack), at a given AC operating point. Taken from the polar Newton–Raphson Jacobian J of that point: the
/// power-flow equations F(θ, |V|) − S_spec = 0 stay satisfied under a change of the specified injections, so
/// J·[dθ; d|V|] = [dP_spec; dQ_spec] and one column of J⁻¹ per injection bus gives the sensitivities.
/// An injection change may carry reactive power along: with <c>reactivePerActive[k]</c> = tan φ_k, a change dp at
/// bus k also changes the reactive injection by tan φ_k·dp (a load kept at its power factor, see
/// <see cref="AcGridCheck"/>). PV and slack voltages are held by their generators, so their rows are zero; the slack's
/// column is zero (an injection there is absorbed by the slack itself).
/// </summary>
public sealed class VoltageSensitivity
{
    private readonly double[] _values; // row-major, buses × buses, p.u. per MW

    private VoltageSensitivity(int buses, double[] values)
    {
        BusCount = buses;
        _values = values;
    }

    /// <summary>Number of buses (rows and columns, internal index order).</summary>
    public int BusCount { get; }

    /// <summary>∂|V_bus|/∂p_injectionBus in p.u. per MW.</summary>
    public double this[int bus, int injectionBus] => _values[bus * BusCount + injectionBus];

    /// <summary>
    /// Computes S_V at the operating point <paramref name="state"/> (a converged power flow of <paramref name="network"/>).
    /// </summary>
    /// <param name="network">The network the state belongs to.</param>
    /// <param name="state">A converged AC power flow; its voltages are the linearisation point.</param>
    /// <param name="reactivePerActive">Per bus, MVAr of reactive injection change per MW of active change (tan φ);
    /// null for pure active injections.</param>
    /// <exception cref="ArgumentException">The state did not converge, or the vectors do not fit the network.</exception>
    /// <exception cref="SingularMatrixException">The Jacobian at the state is singular (a voltage-collapse point).</exception>
    public static VoltageSensitivity Compute(GridNetwork network, AcPowerFlowResult state, IReadOnlyList<double>? reactivePerActive = null)
    {
        int n = network.Buses.Count;
        if (!state.Converged) throw new ArgumentException($"voltage sensitivities need a converged power flow; this one says: {state.Message}", nameof(state));
        if (state.Voltages.Count != n) throw new ArgumentException($"the state has {state.Voltages.Count} buses, the network {n}", nameof(state));
        if (reactivePerActive is not null && reactivePerActive.Count != n)
            throw new ArgumentException($"reactivePerActive must have {n} entries (one per bus)", nameof(reactivePerActive));

        var v = new Complex[n];
        for (int i = 0; i < n; i++) v[i] = Complex.FromPolarCoordinates(state.Voltages[i].VmPu, state.Voltages[i].VaDeg * Math.PI / 180);

        // Unknowns as in AcPowerFlow: angles of PV and PQ buses, then magnitudes of PQ buses (MATPOWER's bustypes).
        var genBuses = network.Case.Generators.Where(g => g.InService).Select(g => network.IndexOfBus(g.BusNumber)).ToHashSet();
        var angleVar = Enumerable.Repeat(-1, n).ToArray();
        var magVar = Enumerable.Repeat(-1, n).ToArray();
        var pv = new List<int>();
        var pq = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (i == network.SlackIndex) continue;
            var type = network.Buses[i].Type;
            if (type == BusType.Isolated) continue;
            if ((type == BusType.PV || type == BusType.Reference) && genBuses.Contains(i)) pv.Add(i); else pq.Add(i);
        }
        int k0 = 0;
        foreach (int i in pv.Concat(pq)) angleVar[i] = k0++;
        foreach (int i in pq) magVar[i] = k0++;
        int unknowns = k0;

        var y = AdmittanceMatrix.Build(network);
        var lu = SparseLu.Factor(unknowns, Jacobian(y, v, angleVar, magVar));

        var values = new double[n * n];
        var rhs = new double[unknowns];
        for (int k = 0; k < n; k++)
        {
            if (angleVar[k] < 0) continue; // slack or isolated: no free injection
            Array.Clear(rhs);
            // Specified injections are in p.u. on the system base: 1 MW is 1/baseMVA p.u.
            rhs[angleVar[k]] = 1.0 / network.BaseMva;
            if (magVar[k] >= 0 && reactivePerActive is not null) rhs[magVar[k]] = reactivePerActive[k] / network.BaseMva;
            var dx = lu.Solve(rhs);
            for (int i = 0; i < n; i++)
                if (magVar[i] >= 0) values[i * n + k] = dx[magVar[i]];
        }
        return new VoltageSensitivity(n, values);
    }

    // ∂[P; Q]/∂[θ; |V|] in polar form: dS/dθ = j·diag(V)·conj(diag(I) − Y·diag(V)),
    // dS/d|V| = diag(V)·conj(Y·diag(V/|V|)) + conj(diag(I))·diag(V/|V|); rows P of PV/PQ buses, Q of PQ buses.
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
