using System.Collections.Immutable;
using System.Globalization;
using P2PFlex.Grid;

namespace P2PFlex.Markets.Lfm;

/// <summary>Options of the voltage-aware LFM.</summary>
/// <param name="Band">Voltage band every bus must respect in the AC state (default 0.90–1.10 p.u.).</param>
/// <param name="MaxIterations">N: most LP solves (each followed by an AC power flow) before giving up.</param>
/// <param name="VoltageTolerancePu">The AC state may lie this far outside the band and still count as respecting it.</param>
/// <param name="LineToleranceMva">A line may exceed its apparent-power limit by this much and still count as within it.</param>
/// <param name="ActivationToleranceMw">The loop stops only once an LP no longer moves any bid's activation by more than
/// this (MW): a feasible AC state alone is not enough, because the first linearisation may buy more than needed.</param>
public sealed record VoltageAwareLfmOptions(
    VoltageBand Band,
    int MaxIterations = 10,
    double VoltageTolerancePu = 1e-5,
    double LineToleranceMva = 1e-5,
    double ActivationToleranceMw = 1e-6)
{
    /// <summary>The band of EN 50160 and the defaults above.</summary>
    public static VoltageAwareLfmOptions Default { get; } = new(VoltageBand.Default);
}

/// <summary>How the voltage-aware LFM ended.</summary>
public enum VoltageAwareLfmStatus
{
    /// <summary>The AC state after the activation respects line and voltage limits within the tolerances.</summary>
    Converged,
    /// <summary>N iterations were not enough; the residual violations are reported.</summary>
    NotConverged,
    /// <summary>The linearised market has no solution: no activation of the bids removes some violation (named).</summary>
    Infeasible,
    /// <summary>An AC power flow of an iterate did not converge.</summary>
    PowerFlowFailed,
    /// <summary>The LP solver failed.</summary>
    SolverFailure,
}

/// <summary>One pass of the loop: the AC state of the activation so far, and what the next LP cost.</summary>
/// <param name="Iteration">1-based.</param>
/// <param name="MinVmPu">Lowest |V| of the AC state the pass linearised at.</param>
/// <param name="MaxVoltageViolationPu">Largest distance of a bus outside the band in that state.</param>
/// <param name="MaxLineOverloadMva">Largest |S| above a line's limit in that state.</param>
/// <param name="CostEur">Cost of the activation the pass's LP chose (null when it did not clear).</param>
public sealed record VoltageAwareIteration(int Iteration, double MinVmPu, double MaxVoltageViolationPu, double MaxLineOverloadMva, double? CostEur);

/// <summary>Result of <see cref="VoltageAwareLfm.Clear"/>.</summary>
/// <param name="Status">How the loop ended.</param>
/// <param name="Lfm">The last LP's clearing (its activations and cost are the market's outcome; its flows are the
/// linearised AC active flows). Unpriced unless the last LP was optimal.</param>
/// <param name="AcState">The AC state of the final activation (of no activation when the LP never cleared).</param>
/// <param name="Iterations">LP solves done.</param>
/// <param name="History">One entry per pass.</param>
/// <param name="InfeasibleBuses">Bus numbers the bids cannot bring into the band (status Infeasible).</param>
/// <param name="InfeasibleLines">Line case indices the bids cannot bring within their limit (status Infeasible).</param>
/// <param name="Message">A sentence on the outcome.</param>
public sealed record VoltageAwareLfmResult(
    VoltageAwareLfmStatus Status,
    LfmResult Lfm,
    AcGridState AcState,
    int Iterations,
    IReadOnlyList<VoltageAwareIteration> History,
    IReadOnlyList<int> InfeasibleBuses,
    IReadOnlyList<int> InfeasibleLines,
    string Message)
{
    /// <summary>The last LP the loop solved — line rows and voltage rows linearised at <see cref="LinearisedAt"/>, shifted to
    /// zero activation — whose clearing is <see cref="Lfm"/>; null when the loop ended before its first LP. With it the
    /// market's outcome can be re-solved by any LP solver (the scenario export writes it, docs/export.md).</summary>
    public LfmProblem? FinalProblem { get; init; }

    /// <summary>The AC operating point <see cref="FinalProblem"/> was linearised at (the AC state of the activation
    /// before the last LP); null when no LP ran.</summary>
    public AcGridState? LinearisedAt { get; init; }

    /// <summary>The options the loop ran with (band, N, tolerances).</summary>
    public VoltageAwareLfmOptions? Options { get; init; }

    /// <summary>Residual: buses outside the band in the final AC state.</summary>
    public IReadOnlyList<int> ResidualBusesOutsideBand => AcState.BusesOutsideBand;

    /// <summary>Residual: lines above their limit in the final AC state.</summary>
    public IReadOnlyList<int> ResidualCongestedLines => AcState.CongestedLines;
}

/// <summary>
/// The LFM with AC line and voltage limits, solved as a sequence of linear programs (see docs/model.md,
/// "Voltage-aware LFM"). Pass k takes the AC state of the activation x_k chosen so far (x_0 = 0) and clears the LFM
/// LP with every limit linearised at that state:
/// <code>
/// lines:    |S_l(x_k)| + Σ_b G_l,bus(b)·a_b·(x_b − x_k,b) ≤ F_l        (G = ∂|S_l|/∂p at x_k, the end with the larger |S|)
/// voltages: V_min ≤ |V_i(x_k)| + Σ_b S_V[i, bus(b)]·a_b·(x_b − x_k,b) ≤ V_max       (S_V at x_k, a_b = ±1)
/// </code>
/// then runs the AC power flow at the new activation and repeats until the AC state respects every limit within the
/// tolerances and the last LP no longer moved the activation, or N passes are done. The LP is <see cref="LocalFlexibilityMarket"/> with G in place of the PTDF, shifted base
/// flows and <see cref="LinearVoltageLimits"/>; its cost is that of the whole activation, not of a step.
/// </summary>
public static class VoltageAwareLfm
{
    /// <summary>Below this apparent power (MVA) a line's |S| has no useful gradient; it is then far from any limit.</summary>
    private const double MinimumFlowMva = 1e-9;

    /// <summary>Clears the voltage-aware LFM. Never throws for an infeasible market or a failed power flow.</summary>
    /// <param name="network">The feeder (its loads are the base loads the injections are measured from).</param>
    /// <param name="ptdf">Its PTDF (the active-flow sensitivity of the line rows).</param>
    /// <param name="injectionMw">Net injections before the LFM (MW per bus, as the grid check uses them).</param>
    /// <param name="limitMw">Line limits, read as MVA ratings in AC (<see cref="AcGridCheck"/>).</param>
    /// <param name="bids">The LFM's order book (bus = internal bus index).</param>
    /// <param name="requireBalance">Up and down activations must balance.</param>
    /// <param name="intervalHours">Δt.</param>
    /// <param name="options">Band, N, tolerances.</param>
    public static VoltageAwareLfmResult Clear(GridNetwork network, Ptdf ptdf, IReadOnlyList<double> injectionMw, IReadOnlyList<double> limitMw,
        IReadOnlyList<FlexBid> bids, bool requireBalance, double intervalHours, VoltageAwareLfmOptions options)
    {
        options.Band.Validate("voltage-aware LFM");
        if (options.MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxIterations, "MaxIterations must be ≥ 1");
        if (!(options.VoltageTolerancePu >= 0) || !(options.LineToleranceMva >= 0) || !(options.ActivationToleranceMw >= 0)) throw new ArgumentOutOfRangeException(nameof(options), "tolerances must be ≥ 0");
        var h = ptdf.ToArray();
        var tanPhi = AcGridCheck.ReactivePerActive(network);
        var history = new List<VoltageAwareIteration>();
        var activation = new double[bids.Count];
        double lastStepMw = double.PositiveInfinity;
        LfmResult? lfm = null;
        LfmProblem? lastProblem = null;
        AcGridState? lastPoint = null;
        VoltageAwareLfmResult Done(VoltageAwareLfmStatus status, AcGridState state, IReadOnlyList<int> buses, IReadOnlyList<int> lines, string message) =>
            new VoltageAwareLfmResult(status, lfm ?? NotCleared(bids, state, message), state, history.Count, history, buses, lines, message)
            { FinalProblem = lastProblem, LinearisedAt = lastPoint, Options = options };

        for (int pass = 1; ; pass++)
        {
            var injection = Apply(injectionMw, bids, activation);
            var state = AcGridCheck.Evaluate(network, injection, limitMw, options.Band, toleranceMva: options.LineToleranceMva);
            if (!state.Converged)
                return Done(VoltageAwareLfmStatus.PowerFlowFailed, state, [], [],
                    $"the AC power flow of pass {pass} did not converge: {state.PowerFlow.Message}");
            bool holds = state.MaxViolationPu <= options.VoltageTolerancePu && state.MaxOverloadMva <= options.LineToleranceMva;
            if (lfm is not null && holds && lastStepMw <= options.ActivationToleranceMw)
                return Done(VoltageAwareLfmStatus.Converged, state, [], [],
                    Invariant($"AC line and voltage limits hold after {history.Count} LP solve(s); min |V| {state.MinimumVoltage.VmPu:F4} p.u. at bus {state.MinimumVoltage.Bus}"));
            if (history.Count == options.MaxIterations)
                return Done(VoltageAwareLfmStatus.NotConverged, state, [], [],
                    Invariant($"limits still violated after {history.Count} LP solves: largest voltage violation {state.MaxViolationPu:E3} p.u., largest line overload {state.MaxOverloadMva:E3} MVA"));

            var problem = Linearise(network, h, state, tanPhi, limitMw, bids, activation, requireBalance, intervalHours, options);
            lfm = LocalFlexibilityMarket.Clear(problem);
            lastProblem = problem;
            lastPoint = state;
            history.Add(new VoltageAwareIteration(pass, state.MinimumVoltage.VmPu, state.MaxViolationPu, state.MaxOverloadMva, lfm.CostEur));
            switch (lfm.Status)
            {
                case LfmStatus.Optimal:
                    lastStepMw = 0;
                    for (int b = 0; b < bids.Count; b++)
                    {
                        lastStepMw = Math.Max(lastStepMw, Math.Abs(lfm.Activations[b].ActivatedMw - activation[b]));
                        activation[b] = lfm.Activations[b].ActivatedMw;
                    }
                    continue;
                case LfmStatus.Infeasible:
                    {
                        var inf = lfm.Infeasibility!;
                        var buses = (inf.VoltageViolations ?? []).Select(v => network.Buses[v.Row].Number).ToArray();
                        var lines = inf.OverloadedLines.Select(o => network.Branches[o.LineIndex].CaseIndex).ToArray();
                        string what = string.Join("; ", new[]
                        {
                        buses.Length > 0 ? $"no activation of the bids keeps bus{(buses.Length > 1 ? "es" : "")} {string.Join(", ", buses)} within [{F(options.Band.MinPu)}, {F(options.Band.MaxPu)}] p.u." : null,
                        lines.Length > 0 ? $"no activation relieves line{(lines.Length > 1 ? "s" : "")} {string.Join(", ", lines)}" : null,
                    }.Where(x => x is not null));
                        return Done(VoltageAwareLfmStatus.Infeasible, state, buses, lines, $"infeasible at pass {pass}: {what}");
                    }
                default:
                    return Done(VoltageAwareLfmStatus.SolverFailure, state, [], [], lfm.SolverMessage ?? "the LP solver failed");
            }
        }
    }

    /// <summary>The LFM LP linearised at the AC state of <paramref name="activation"/> (see the class remarks).</summary>
    private static LfmProblem Linearise(GridNetwork network, double[,] h, AcGridState state, double[] tanPhi, IReadOnlyList<double> limitMw,
        IReadOnlyList<FlexBid> bids, double[] activation, bool requireBalance, double intervalHours, VoltageAwareLfmOptions options)
    {
        int n = network.Buses.Count, m = network.Branches.Count;
        var delta = new double[n]; // injection change of the activation so far
        for (int b = 0; b < bids.Count; b++) delta[bids[b].BusIndex] += bids[b].Direction == BidDirection.Up ? activation[b] : -activation[b];

        // Line rows: |S_l| of the end with the larger |S|, linearised. At that end (σ = +1 from, −1 to) an injection
        // change Δp_k moves P by σ·H_lk·Δp_k and, at the base power factor, Q by σ·H_lk·tan φ_k·Δp_k (the PTDF of a
        // radial feeder carries reactive injections the same way), so ∂|S|/∂p_k = σ·H_lk·(P + Q·tan φ_k)/|S|.
        var rows = new double[m, n];
        var baseFlow = new double[m];
        var limit = new double[m];
        for (int l = 0; l < m; l++)
        {
            var line = state.Lines[l];
            double sFrom = Math.Sqrt(line.PFromMw * line.PFromMw + line.QFromMvar * line.QFromMvar);
            double sTo = Math.Sqrt(line.PToMw * line.PToMw + line.QToMvar * line.QToMvar);
            bool fromEnd = sFrom >= sTo;
            double sign = fromEnd ? 1 : -1, p = fromEnd ? line.PFromMw : line.PToMw, q = fromEnd ? line.QFromMvar : line.QToMvar;
            double sMva = Math.Max(sFrom, sTo);
            double moved = 0;
            for (int k = 0; k < n; k++)
            {
                // A line without flow is far from its limit: its row is then the plain active-flow sensitivity.
                rows[l, k] = sMva > MinimumFlowMva ? sign * h[l, k] * (p + q * tanPhi[k]) / sMva : h[l, k];
                moved += rows[l, k] * delta[k];
            }
            baseFlow[l] = sMva - moved;
            limit[l] = limitMw[l];
        }

        var sv = VoltageSensitivity.Compute(network, state.PowerFlow, tanPhi);
        var s = new double[n, n];
        var offset = new double[n];
        for (int i = 0; i < n; i++)
        {
            double moved = 0;
            for (int k = 0; k < n; k++)
            {
                s[i, k] = sv[i, k];
                moved += s[i, k] * delta[k];
            }
            offset[i] = state.Buses[i].VmPu - moved;
        }
        // The LP's own tolerance is tighter than the loop's, so a converged LP leaves room for linearisation error only.
        var voltage = new LinearVoltageLimits(s, offset, options.Band.MinPu, options.Band.MaxPu, TolerancePu: 1e-9);
        return new LfmProblem(rows, baseFlow, limit, bids, requireBalance, intervalHours, Voltage: voltage);
    }

    /// <summary>Net injections after an activation: + x at up bids' buses, − x at down bids'.</summary>
    public static double[] Apply(IReadOnlyList<double> injectionMw, IReadOnlyList<FlexBid> bids, IReadOnlyList<double> activationMw)
    {
        var injection = injectionMw.ToArray();
        for (int b = 0; b < bids.Count; b++)
            injection[bids[b].BusIndex] += bids[b].Direction == BidDirection.Up ? activationMw[b] : -activationMw[b];
        return injection;
    }

    /// <summary>An unpriced result for a loop that ended before its first LP (the AC flow of the start failed).</summary>
    private static LfmResult NotCleared(IReadOnlyList<FlexBid> bids, AcGridState state, string message) =>
        new(LfmStatus.SolverFailure, LfmSolvePath.LinearProgram, bids.Select(b => new BidActivation(b.Id, b.Direction, 0.0)).ToImmutableArray(), null,
            state.Lines.Select(l => l.PFromMw).ToImmutableArray(), new double[state.Lines.Count].ToImmutableArray(), 0, 0, null, message);

    private static string F(double x) => x.ToString("0.00##", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
