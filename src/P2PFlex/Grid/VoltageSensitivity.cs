using System.Numerics;
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

        // The Newton–Raphson Jacobian of AcPowerFlow at this point (same unknowns: angles of PV and PQ buses, then
        // magnitudes of PQ buses), factorised once.
        var structure = AcNewtonStructure.Of(network);
        var angleVar = structure.AngleVariable;
        var magVar = structure.MagnitudeVariable;
        int unknowns = structure.UnknownCount;
        var current = new Complex[n];
        structure.Admittance.Multiply(v, current);
        var jacobian = new double[structure.Symbolic.EntryCount];
        structure.FillJacobian(v, current, jacobian);
        var staticLu = new StaticPivotLu(structure.Symbolic);
        SparseLu? pivotingLu = staticLu.TryFactorize(jacobian) ? null : SparseLu.Factor(unknowns, structure.Triplets(jacobian));

        // Columns are solved Block at a time and then written row by row, so that a row's Block entries share cache
        // lines (one column at a time wrote n entries n·8 bytes apart, a cache miss each on a large feeder).
        const int Block = 8;
        var values = new double[n * n];
        var rhs = new double[unknowns];
        var dx = new double[Block * unknowns];
        for (int k0 = 0; k0 < n; k0 += Block)
        {
            int width = Math.Min(Block, n - k0);
            for (int c = 0; c < width; c++)
            {
                int k = k0 + c;
                if (angleVar[k] < 0) continue; // slack or isolated: no free injection
                Array.Clear(rhs);
                // Specified injections are in p.u. on the system base: 1 MW is 1/baseMVA p.u.
                rhs[angleVar[k]] = 1.0 / network.BaseMva;
                if (magVar[k] >= 0 && reactivePerActive is not null) rhs[magVar[k]] = reactivePerActive[k] / network.BaseMva;
                var column = dx.AsSpan(c * unknowns, unknowns);
                if (pivotingLu is null) staticLu.Solve(rhs, column); else pivotingLu.Solve(rhs).CopyTo(column);
            }
            for (int i = 0; i < n; i++)
            {
                if (magVar[i] < 0) continue;
                for (int c = 0; c < width; c++)
                    if (angleVar[k0 + c] >= 0) values[i * n + k0 + c] = dx[c * unknowns + magVar[i]];
            }
        }
        return new VoltageSensitivity(n, values);
    }
}
