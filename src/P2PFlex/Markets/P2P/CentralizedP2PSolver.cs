using System.Runtime.InteropServices;

namespace P2PFlex.Markets.P2P;

/// <summary>Settings of <see cref="CentralizedP2PSolver"/>.</summary>
/// <param name="BalanceToleranceMw">Stop when every peer's volume matches the sum of its trades within this
/// (max norm). The default 1e-9 MW is about 100× the rounding floor of (ν − μ − c)/ε for prices near
/// 100 €/MWh and ε = 1e-3 (measured: 1–6e-10 MW on the study cases). The floor grows like 1/ε: with
/// ε = 1e-4 and tens of trades per peer it is 1–6e-9 MW, and the solver ends <see cref="SolveStatus.Stalled"/>
/// there (after a few steps without progress) unless the tolerance is loosened in proportion.</param>
/// <param name="MaxIterations">Hard cap on the work, counted in factorisations: active-set Newton steps,
/// interior-point steps and active-set trials all count. The solver never loops beyond it.</param>
/// <param name="RegularizationRelative">γ: the Newton matrix gets γ·(full curvature of each peer) added
/// to its diagonal, so directions along which the dual is locally flat (peer at a bound with no active
/// trade) stay finite. Small enough not to slow the final, fast-converging steps.</param>
/// <param name="ActiveSetIterations">Steps the active-set Newton method may take from the start prices before
/// the solver switches to its interior-point phase (it also switches after three consecutive steps cut below
/// a tenth by the line search). Cold starts of uncapped study cases need 5–7 steps, warm starts 1–3.</param>
public sealed record CentralizedSolverOptions(
    double BalanceToleranceMw = 1e-9,
    int MaxIterations = 200,
    double RegularizationRelative = 1e-10,
    int ActiveSetIterations = 10);

/// <summary>
/// Centralised solver of the P2P market: maximises the concave, piecewise-quadratic dual in one price per
/// peer by a semismooth (generalised) Newton method with an exact line search, with an interior-point
/// phase to find the active set when the Newton method would have to discover it a few trades at a time.
/// </summary>
/// <remarks>
/// <para><b>Dual.</b> For fixed prices (μ_i per seller, ν_j per buyer) the Lagrangian separates: each trade is
/// q_ij = clip((ν_j − μ_i − c_ij − c_ji)/ε, 0, cap_ij), each seller G_i = clip((μ_i − π_i)/a_i, 0, V_i),
/// each buyer D_j = clip((λ_j − ν_j)/b_j, 0, V_j). The dual gradient is each peer's balance mismatch
/// (Σ_j q_ij − G_i for a seller, D_j − Σ_i q_ij for a buyer) and its generalised Hessian is minus a
/// weighted Laplacian of the active trades (weight 1/ε) plus 1/a, 1/b on peers inside their bounds.
/// Sellers only connect to buyers, so one side's block of that matrix is diagonal. Small markets eliminate it
/// and factorise the Schur complement on the smaller side densely (<see cref="BipartiteNormalSystem"/>); larger
/// ones factorise the whole sparse matrix with a minimum-degree ordering computed once per trade graph and reused
/// by every iteration and warm re-solve (<see cref="SparseNormalSystem"/>); <see cref="NormalSystem.Create"/>
/// chooses by the work each needs.</para>
/// <para><b>Phase 1: active-set Newton.</b> From the start prices (warm start, or each peer's marginal value
/// at zero volume, μ_i = π_i and ν_j = λ_j, where every trade that can be profitable at all is active, so
/// the Newton model starts with a superset of the final active set) take Newton steps; a warm start that
/// makes slow progress is replaced by the cold start. The step length is
/// the exact maximiser of the dual along the direction: the directional derivative is monotone and
/// piecewise linear, so its root is found by sorting its breakpoints and bisecting over them. The dual
/// never decreases, and once the active set is right one step solves the problem (finite convergence).</para>
/// <para><b>Phase 2: interior point, only when needed.</b> Because ε is small, a trade goes from 0 to its cap
/// over a price range of ε·cap, so a Newton step only sees trades that are already active, and the exact
/// line search stops where the next trade becomes active. If the Newton method uses its budget
/// (<see cref="CentralizedSolverOptions.ActiveSetIterations"/>) or three consecutive steps are cut below a
/// tenth, a primal–dual interior-point method (Mehrotra predictor–corrector, same linear algebra) runs
/// instead; once its complementarity is small, after each step its active set is guessed and the exact
/// Newton step for that guess is tried. <b>Phase 3</b> continues the active-set Newton method from the best
/// prices found. In the uncapped study cases phase 1 alone converges (5–7 steps); binding caps and
/// heterogeneous preferences typically trigger phase 2 (15–40 steps in all).</para>
/// <para>Convergence means max balance mismatch ≤ <see cref="CentralizedSolverOptions.BalanceToleranceMw"/>;
/// bounds, stationarity and complementarity then hold exactly by construction of the responses. Prices are
/// €/MWh: the problem is solved per hour and Δt only scales the reported welfare.</para>
/// </remarks>
public static class CentralizedP2PSolver
{
    /// <summary>Value of <see cref="P2PMarketResult.Solver"/> when the active-set Newton method sufficed.</summary>
    public const string Name = "centralised-dual-newton";

    /// <summary>Value of <see cref="P2PMarketResult.Solver"/> when the interior-point phase was used.</summary>
    public const string NameWithInteriorPoint = "centralised-dual-newton+interior-point";

    /// <summary>Solves the market.</summary>
    /// <param name="problem">The market; its ε must be &gt; 0.</param>
    /// <param name="options">Tolerances and limits; defaults if null.</param>
    /// <param name="warmStartPricesEurPerMwh">Optional starting price per peer, typically
    /// <see cref="P2PMarketResult.PriceEurPerMwh"/> of a previous solve of a slightly different problem
    /// (e.g. after changing preference costs). It pays off when the change keeps most trades active (a few
    /// pairs changed, or changes below about ε·q): then 1–3 steps suffice. Larger changes of relative
    /// preferences switch trades off at the old prices; the solver detects the resulting slow progress
    /// within a few steps and restarts from the cold start.</param>
    /// <exception cref="ArgumentException">Malformed input; ParamName names the field.</exception>
    public static P2PMarketResult Solve(
        P2PMarketProblem problem,
        CentralizedSolverOptions? options = null,
        IReadOnlyList<double>? warmStartPricesEurPerMwh = null) =>
        Solve(problem, options, warmStartPricesEurPerMwh, NormalSystem.Create);

    /// <summary>Solves the market with a given choice of normal-system implementation (tests compare them), and with
    /// <paramref name="vectorized"/> false the interior-point phase's passes one variable at a time (tests compare
    /// them with the vector passes bit for bit).</summary>
    internal static P2PMarketResult Solve(
        P2PMarketProblem problem,
        CentralizedSolverOptions? options,
        IReadOnlyList<double>? warmStartPricesEurPerMwh,
        Func<P2PNetwork, INormalSystem> normalSystem,
        bool vectorized = true)
    {
        var net = P2PNetwork.Build(problem);
        options ??= new CentralizedSolverOptions();
        ValidateOptions(options);
        if (!(net.Epsilon > 0))
            throw new ArgumentOutOfRangeException(nameof(P2PMarketProblem.EpsilonEurPerMw2h), net.Epsilon,
                "The centralised dual Newton solver needs ε > 0 so that each trade responds uniquely to prices; use AdmmP2PSolver for ε = 0.");

        int n = net.PeerCount;
        var y = new double[n];
        if (warmStartPricesEurPerMwh is not null)
        {
            if (warmStartPricesEurPerMwh.Count != n)
                throw new ArgumentException($"Expected {n} prices (one per peer), got {warmStartPricesEurPerMwh.Count}.",
                    nameof(warmStartPricesEurPerMwh));
            for (int k = 0; k < n; k++)
            {
                y[k] = warmStartPricesEurPerMwh[k];
                if (!double.IsFinite(y[k]))
                    throw new ArgumentOutOfRangeException($"{nameof(warmStartPricesEurPerMwh)}[{k}]", y[k], "Must be finite.");
            }
        }
        else
        {
            ColdStart(net, y);
        }

        var system = normalSystem(net);
        var ws = new DualNewtonWorkspace(net, system, options.RegularizationRelative);
        var run = new RunState(y, ws.Evaluate(y));

        // Phase 1: active-set (semismooth) Newton from the start prices.
        bool crawling = ActiveSetNewton(ws, run, options, options.ActiveSetIterations, stopWhenCrawling: true);
        if (crawling && run.Status is null && warmStartPricesEurPerMwh is not null)
        {
            // With small ε a preference change larger than ε·q switches trades off at the old prices, and
            // the warm start loses what the cold start guarantees (every possibly positive trade active).
            ColdStart(net, run.Prices);
            run.Residual = ws.Evaluate(run.Prices);
            crawling = ActiveSetNewton(ws, run, options, options.ActiveSetIterations, stopWhenCrawling: true);
        }

        // Phase 2: if the active set has to change a lot, let an interior-point method find it.
        bool interiorPointUsed = crawling && run.Status is null;
        if (interiorPointUsed)
            InteriorPointSearch(net, system, ws, run, options, vectorized);

        // Phase 3: finish (or continue) with the active-set method; converges in a step or two from phase 2.
        if (run.Status is null)
            ActiveSetNewton(ws, run, options, int.MaxValue, stopWhenCrawling: false);

        ws.Evaluate(run.Prices); // trades consistent with the returned prices
        var status = run.Status ?? SolveStatus.MaxIterationsReached;
        var result = BuildResult(net, status, run.Prices, ws.Trades, run.Iterations, run.Residual, run.LastStep,
            interiorPointUsed ? NameWithInteriorPoint : Name);
        // The dual residual reported is what an independent check measures on the returned trades (the largest
        // price-condition violation of P2PKktChecker), not the size of the last Newton step, which only bounds it.
        if (!result.TradesMw.All(double.IsFinite)) return result;
        var kkt = P2PKktChecker.Check(problem, result.TradesMw, result.NetPositionMw, 1e-9, problemValidated: true); // validated by P2PNetwork.Build above
        return result with { DualResidualEurPerMwh = Math.Max(kkt.StationarityViolationEurPerMwh, kkt.ComplementarityViolationEurPerMwh) };
    }

    /// <summary>Mutable bookkeeping shared by the phases of one solve.</summary>
    private sealed class RunState(double[] prices, double residual)
    {
        public double[] Prices = prices;
        public double Residual = residual;
        public int Iterations;
        public double LastStep;
        public SolveStatus? Status;
    }

    /// <summary>
    /// Semismooth Newton steps with exact line search until converged, out of iterations, or (if
    /// <paramref name="stopWhenCrawling"/>) the phase budget is used or three consecutive steps were cut
    /// below a tenth by the line search — the sign that trades are entering the active set a few per step.
    /// Returns true if it stopped for that reason. Sets the run status when the solve is over.
    /// </summary>
    private static bool ActiveSetNewton(
        DualNewtonWorkspace ws, RunState run, CentralizedSolverOptions options, int budget, bool stopWhenCrawling)
    {
        var y = run.Prices;
        int steps = 0, damped = 0;
        var recent = new Queue<double>();
        while (true)
        {
            if (!double.IsFinite(run.Residual))
            {
                run.Status = SolveStatus.Diverged;
                return false;
            }

            if (run.Residual <= options.BalanceToleranceMw)
            {
                run.Status = SolveStatus.Converged;
                return false;
            }

            // At the rounding floor of (ν − μ − c)/ε (tiny ε, tight tolerance) the residual stops falling
            // short of the tolerance: report Stalled instead of spinning until the iteration limit.
            recent.Enqueue(run.Residual);
            if (recent.Count > 6)
            {
                double old = recent.Dequeue();
                if (run.Residual > 0.5 * old && run.Residual <= 1e3 * options.BalanceToleranceMw)
                {
                    run.Status = SolveStatus.Stalled;
                    return false;
                }
            }

            if (run.Iterations >= options.MaxIterations)
            {
                run.Status = SolveStatus.MaxIterationsReached;
                return false;
            }

            if (stopWhenCrawling && (steps >= budget || damped >= 3)) return true;

            ws.ComputeNewtonDirection();
            double t = ws.ExactLineSearch(y);
            run.Iterations++;
            steps++;
            if (!double.IsFinite(t))
            {
                run.Status = SolveStatus.Diverged;
                return false;
            }

            damped = t < 0.1 ? damped + 1 : 0;
            bool moved = false;
            double largest = 0;
            for (int k = 0; k < y.Length; k++)
            {
                double next = y[k] + t * ws.Direction[k];
                moved |= next != y[k];
                largest = Math.Max(largest, Math.Abs(next - y[k]));
                y[k] = next;
            }

            run.LastStep = largest;
            run.Residual = ws.Evaluate(y);
            if (!moved && run.Residual > options.BalanceToleranceMw)
            {
                // No change at all: either the rounding floor (near the tolerance) or a dead end.
                if (stopWhenCrawling && run.Residual > 1e3 * options.BalanceToleranceMw) return true;
                run.Status = SolveStatus.Stalled;
                return false;
            }
        }
    }

    /// <summary>
    /// Interior-point steps from a standard starting point. Once the mean complementarity is small, each
    /// step is followed by a trial: guess the active set from the interior point and take the exact
    /// Newton step of that guess. The best prices found (smallest balance mismatch) replace the run's.
    /// </summary>
    private static void InteriorPointSearch(
        P2PNetwork net, INormalSystem system, DualNewtonWorkspace ws, RunState run, CentralizedSolverOptions options, bool vectorized)
    {
        double priceScale = 1, volumeScale = 0;
        for (int k = 0; k < net.PeerCount; k++)
        {
            priceScale = Math.Max(priceScale, Math.Abs(net.Linear[k]));
            volumeScale = Math.Max(volumeScale, net.MaxVolume[k]);
        }

        for (int p = 0; p < net.PairCount; p++) priceScale = Math.Max(priceScale, Math.Abs(net.PairCost[p]));
        double muTry = 1e-7 * priceScale * volumeScale;
        double muFloor = 1e-17 * priceScale * volumeScale;

        var ipm = new InteriorPointPhase(net, system, vectorized);
        int n = net.PeerCount, m = net.PairCount;
        var yIpm = new double[n];
        ColdStart(net, yIpm); // not the phase-1 prices: those can be far off along flat directions
        var yTrial = new double[n];
        var peerWeight = new double[n];
        var pairWeight = new double[m];
        var held = new double[n + m];
        var previousHeld = new double[n + m];
        bool haveGuess = false;
        var best = (double[])run.Prices.Clone();
        double bestResidual = run.Residual;
        ipm.Start(yIpm);
        while (run.Iterations < options.MaxIterations)
        {
            bool ok = ipm.Step(yIpm);
            run.Iterations++;
            if (!ok) break;
            if (ipm.Complementarity <= muTry && run.Iterations < options.MaxIterations)
            {
                ipm.GuessActiveSet(peerWeight, pairWeight, held);
                // The trial lands on the stationary point of the guessed active set's quadratic model,
                // which does not depend on where it starts: an unchanged guess would repeat the last trial.
                if (haveGuess && held.AsSpan().SequenceEqual(previousHeld)) goto next;
                held.CopyTo(previousHeld, 0);
                haveGuess = true;
                Array.Copy(yIpm, yTrial, n);
                ws.ActiveSetStep(yTrial, peerWeight, pairWeight, held);
                run.Iterations++;
                double r = ws.Evaluate(yTrial);
                if (r < bestResidual)
                {
                    bestResidual = r;
                    Array.Copy(yTrial, best, n);
                }

                if (r <= options.BalanceToleranceMw) break;
            }

        next:
            if (ipm.Complementarity <= muFloor) break;
        }

        double ipmResidual = ws.Evaluate(yIpm);
        if (ipmResidual < bestResidual)
        {
            bestResidual = ipmResidual;
            best = yIpm;
        }

        run.Prices = best;
        run.Residual = ws.Evaluate(best);
    }

    private static void ValidateOptions(CentralizedSolverOptions o)
    {
        if (!double.IsFinite(o.BalanceToleranceMw) || o.BalanceToleranceMw <= 0)
            throw new ArgumentOutOfRangeException(nameof(o.BalanceToleranceMw), o.BalanceToleranceMw, "Must be finite and > 0.");
        if (o.MaxIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(o.MaxIterations), o.MaxIterations, "Must be ≥ 0.");
        if (!double.IsFinite(o.RegularizationRelative) || o.RegularizationRelative <= 0 || o.RegularizationRelative >= 1)
            throw new ArgumentOutOfRangeException(nameof(o.RegularizationRelative), o.RegularizationRelative, "Must be in (0, 1).");
        if (o.ActiveSetIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(o.ActiveSetIterations), o.ActiveSetIterations, "Must be ≥ 0.");
    }

    /// <summary>
    /// Cold start: every peer's marginal value at zero volume (π_i, λ_j). A trade can only be positive at the
    /// optimum if λ_j − π_i &gt; c_ij + c_ji (positive trades need G, D &gt; 0, hence μ_i ≥ π_i and ν_j ≤ λ_j),
    /// and exactly those trades are positive here (active, or at their cap), so without binding caps the
    /// Newton model starts with every trade it may need and only has to drop some.
    /// </summary>
    private static void ColdStart(P2PNetwork net, double[] y)
    {
        for (int k = 0; k < net.PeerCount; k++) y[k] = net.Linear[k];
    }

    private static P2PMarketResult BuildResult(
        P2PNetwork net, SolveStatus status, double[] y, double[] trades, int iterations, double residual, double lastStep, string name)
    {
        int m = net.PairCount;
        var q = (double[])trades.Clone();
        var tradePrice = new double[m];
        double traded = 0;
        for (int p = 0; p < m; p++)
        {
            traded += q[p];
            tradePrice[p] = y[net.PairSeller[p]] + net.SellerPreference[p] + 0.5 * net.Epsilon * q[p];
        }

        return new P2PMarketResult(
            status,
            ImmutableCollectionsMarshal.AsImmutableArray(q),
            ImmutableCollectionsMarshal.AsImmutableArray(net.NetPositions(q)),
            ImmutableCollectionsMarshal.AsImmutableArray((double[])y.Clone()),
            ImmutableCollectionsMarshal.AsImmutableArray(tradePrice),
            traded,
            -net.PotentialEur(q),
            iterations,
            residual,
            lastStep,
            name);
    }
}
