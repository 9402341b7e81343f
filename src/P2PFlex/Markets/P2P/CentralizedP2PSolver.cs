using System.Runtime.InteropServices;

namespace P2PFlex.Markets.P2P;

/// <summary>Settings of <see cref="CentralizedP2PSolver"/>.</summary>
/// <param name="BalanceToleranceMw">Stop when every peer's volume matches the sum of its trades within this
/// (max norm). The default 1e-9 MW is about 100× the rounding floor of (ν − μ − c)/ε for prices near
/// 100 €/MWh and ε = 1e-3; much smaller ε needs a proportionally looser tolerance.</param>
/// <param name="MaxIterations">Hard cap on Newton steps; the solver never loops beyond it.</param>
/// <param name="RegularizationRelative">γ: the Newton matrix gets γ·(full curvature of each peer) added
/// to its diagonal, so directions along which the dual is locally flat (peer at a bound with no active
/// trade) stay finite. Small enough not to slow the final, fast-converging steps.</param>
public sealed record CentralizedSolverOptions(
    double BalanceToleranceMw = 1e-9,
    int MaxIterations = 200,
    double RegularizationRelative = 1e-10);

/// <summary>
/// Centralised solver of the P2P market: maximises the concave, piecewise-quadratic dual in one price per
/// peer by a semismooth (generalised) Newton method with an exact line search.
/// </summary>
/// <remarks>
/// <para>For fixed prices (μ_i per seller, ν_j per buyer) the Lagrangian separates: each trade is
/// q_ij = clip((ν_j − μ_i − c_ij − c_ji)/ε, 0, cap_ij), each seller G_i = clip((μ_i − π_i)/a_i, 0, V_i),
/// each buyer D_j = clip((λ_j − ν_j)/b_j, 0, V_j). The dual gradient is each peer's balance mismatch
/// (Σ_j q_ij − G_i for a seller, D_j − Σ_i q_ij for a buyer) and its generalised Hessian is minus a
/// weighted Laplacian of the active trades (weight 1/ε) plus 1/a, 1/b on peers inside their bounds.</para>
/// <para>Sellers only connect to buyers, so one side's block of that matrix is diagonal; it is eliminated
/// and the Schur complement on the smaller side is factorised densely (Cholesky). The step length is the
/// exact maximiser of the dual along the Newton direction: the directional derivative is monotone and
/// piecewise linear, so its root is found by sorting the breakpoints and bisecting over them. With an exact
/// line search the dual value never decreases, and once the active set is right one step solves the
/// remaining quadratic problem, so convergence is finite in exact arithmetic.</para>
/// <para>Prices are €/MWh: the problem is solved per hour and Δt only scales the reported welfare.</para>
/// </remarks>
public static class CentralizedP2PSolver
{
    /// <summary>Value of <see cref="P2PMarketResult.Solver"/>.</summary>
    public const string Name = "centralised-dual-newton";

    /// <summary>Solves the market.</summary>
    /// <param name="problem">The market; its ε must be &gt; 0.</param>
    /// <param name="options">Tolerances and limits; defaults if null.</param>
    /// <param name="warmStartPricesEurPerMwh">Optional starting price per peer, typically
    /// <see cref="P2PMarketResult.PriceEurPerMwh"/> of a previous solve of a slightly different problem
    /// (e.g. after changing preference costs); it usually saves most Newton steps.</param>
    /// <exception cref="ArgumentException">Malformed input; ParamName names the field.</exception>
    public static P2PMarketResult Solve(
        P2PMarketProblem problem,
        CentralizedSolverOptions? options = null,
        IReadOnlyList<double>? warmStartPricesEurPerMwh = null)
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

        var ws = new DualNewtonWorkspace(net, options.RegularizationRelative);
        var status = SolveStatus.MaxIterationsReached;
        int iterations = 0;
        double lastStep = 0;
        string policy = Environment.GetEnvironmentVariable("P2PPOL") ?? "smooth";
        int exactBudget = int.Parse(Environment.GetEnvironmentVariable("P2PK") ?? "8");
        double factor = double.Parse(Environment.GetEnvironmentVariable("P2PF") ?? "0.1");
        double tau0 = double.Parse(Environment.GetEnvironmentVariable("P2PT0") ?? "10");
        double tauMin = double.Parse(Environment.GetEnvironmentVariable("P2PTMIN") ?? "1e-12");
        bool smoothingUsed = false;
        double tau = 0;
        if (policy == "smooth" && warmStartPricesEurPerMwh is null) { tau = tau0; smoothingUsed = true; }
        int exactSinceSwitch = 0;
        double residual = ws.Evaluate(y, 0);
        while (true)
        {
            if (!double.IsFinite(residual)) { status = SolveStatus.Diverged; break; }
            if (residual <= options.BalanceToleranceMw) { status = SolveStatus.Converged; break; }
            if (iterations >= options.MaxIterations) { status = SolveStatus.MaxIterationsReached; break; }

            if (tau > 0) ws.Evaluate(y, tau);
            ws.ComputeNewtonDirection();
            double t = tau > 0 ? ws.SmoothLineSearch(y, tau) : ws.ExactLineSearch(y);
            iterations++;
            if (!double.IsFinite(t)) { status = SolveStatus.Diverged; break; }

            bool moved = false;
            lastStep = 0;
            for (int k = 0; k < n; k++)
            {
                double next = y[k] + t * ws.Direction[k];
                moved |= next != y[k];
                lastStep = Math.Max(lastStep, Math.Abs(next - y[k]));
                y[k] = next;
            }

            residual = ws.Evaluate(y, 0);
            if (Environment.GetEnvironmentVariable("P2PDBG") is not null) Console.Error.WriteLine($"it {iterations} tau={tau:E2} t={t:E3} step={lastStep:E3} res={residual:E3}");
            if (tau > 0)
            {
                tau *= factor;
                if (tau < tauMin) tau = 0;
                continue;
            }

            exactSinceSwitch++;
            if (!smoothingUsed && exactSinceSwitch >= exactBudget)
            {
                smoothingUsed = true;
                tau = Math.Min(tau0, residual);
                continue;
            }

            if (!moved) { status = SolveStatus.Stalled; break; }
        }

        return BuildResult(net, status, y, ws.Trades, iterations, residual, lastStep);
    }

    private static void ValidateOptions(CentralizedSolverOptions o)
    {
        if (!double.IsFinite(o.BalanceToleranceMw) || o.BalanceToleranceMw <= 0)
            throw new ArgumentOutOfRangeException(nameof(o.BalanceToleranceMw), o.BalanceToleranceMw, "Must be finite and > 0.");
        if (o.MaxIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(o.MaxIterations), o.MaxIterations, "Must be ≥ 0.");
        if (!double.IsFinite(o.RegularizationRelative) || o.RegularizationRelative <= 0 || o.RegularizationRelative >= 1)
            throw new ArgumentOutOfRangeException(nameof(o.RegularizationRelative), o.RegularizationRelative, "Must be in (0, 1).");
    }

    /// <summary>
    /// Cold start: each peer's marginal value at half its volume. Far from exact, but it puts every
    /// peer's own response inside its bounds so the first Newton matrix is well posed.
    /// </summary>
    private static void ColdStart(P2PNetwork net, double[] y)
    {
        for (int k = 0; k < net.PeerCount; k++)
        {
            y[k] = net.Linear[k];
        }
    }

    private static P2PMarketResult BuildResult(
        P2PNetwork net, SolveStatus status, double[] y, double[] trades, int iterations, double residual, double lastStep)
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
            Name);
    }

}
