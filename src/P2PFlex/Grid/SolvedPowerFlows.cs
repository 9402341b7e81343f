using P2PFlex.Numerics;
using static P2PFlex.Numerics.BitEquality;

namespace P2PFlex.Grid;

/// <summary>
/// The last AC power flows solved for an <see cref="AcGridCheck"/> on this thread (<see cref="RecentSolves{TProblem, TResult}"/>),
/// reused when the identical flow is asked for again. The scenario files of one interval or draw ask for many of the same
/// flows: the state before the LFM is the same for every scenario without peers (0, 0′, 0-voltage) and for every one
/// whose peers trade alike (1, 1′, 1-voltage; CM3 variations 1 and 2), the voltage-aware LFM's first pass is that state
/// and its last pass is the AC check after the LFM, and an LFM that activates nothing leaves the state as it was.
/// <see cref="AcPowerFlow.Solve(GridNetwork, IReadOnlyList{double}, IReadOnlyList{double}, AcPowerFlowOptions?)"/> is a
/// pure function of the network and the loads, and its result is immutable.
/// </summary>
internal static class SolvedPowerFlows
{
    // An interval's run of the 18 scenario files solves ~50 flows; a reuse comes at most ~20 flows after the first solve.
    private const int Capacity = 32;

    private static readonly RecentSolves<PowerFlowInput, AcPowerFlowResult> Recent = new(Capacity, Identical);

    /// <summary>What a power flow is solved for: the network (by instance: a <see cref="GridNetwork"/> is immutable), the
    /// loads per bus and the options. The loads are copied: the input is kept as the stored flow's key, and a caller that
    /// reuses its arrays for the next state must not change the key of a flow already stored.</summary>
    internal sealed class PowerFlowInput(GridNetwork network, double[] loadMw, double[] loadMvar, AcPowerFlowOptions options)
    {
        public GridNetwork Network { get; } = network;
        public double[] LoadMw { get; } = (double[])loadMw.Clone();
        public double[] LoadMvar { get; } = (double[])loadMvar.Clone();
        public AcPowerFlowOptions Options { get; } = options;

        /// <summary>A hash of the loads' bits: most stored flows differ from a new one here already.</summary>
        public int LoadHash { get; } = Hash(loadMw, loadMvar);

        private static int Hash(double[] p, double[] q)
        {
            var h = new HashCode();
            foreach (double v in p) h.Add(BitConverter.DoubleToInt64Bits(v));
            foreach (double v in q) h.Add(BitConverter.DoubleToInt64Bits(v));
            return h.ToHashCode();
        }
    }

    /// <summary>The power flow of <paramref name="network"/> at these loads, from the store when the identical flow was
    /// solved recently on this thread.</summary>
    public static AcPowerFlowResult Solve(GridNetwork network, double[] loadMw, double[] loadMvar, AcPowerFlowOptions? options) =>
        Recent.Solve(new PowerFlowInput(network, loadMw, loadMvar, options ?? new AcPowerFlowOptions()),
            static i => AcPowerFlow.Solve(i.Network, i.LoadMw, i.LoadMvar, i.Options));

    /// <summary>The same network instance, the same loads by bits and the same options.</summary>
    public static bool Identical(PowerFlowInput a, PowerFlowInput b) =>
        ReferenceEquals(a, b)
        || (ReferenceEquals(a.Network, b.Network) && a.LoadHash == b.LoadHash
            && Same(a.Options.ToleranceMismatchPu, b.Options.ToleranceMismatchPu) && a.Options.MaxIterations == b.Options.MaxIterations
            && Same(a.LoadMw, b.LoadMw) && Same(a.LoadMvar, b.LoadMvar));
}
