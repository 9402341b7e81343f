using System.Runtime.InteropServices;

namespace P2PFlex.Markets.P2P;

/// <summary>Settings of <see cref="AdmmP2PSolver"/>.</summary>
/// <param name="PrimalToleranceMw">Stop only when every trade's seller copy and buyer copy differ by at most
/// this (max norm).</param>
/// <param name="DualToleranceEurPerMwh">… and ρ·(change of every buyer copy in the last round) is at most this.
/// With small ε the split of a peer's volume among equally priced partners is the slowest part to settle;
/// this tolerance bounds the resulting error in the equilibrium conditions (≈ ε × split error).</param>
/// <param name="MaxIterations">Hard cap on negotiation rounds.</param>
/// <param name="InitialRhoEurPerMw2h">ρ₀ of the augmented Lagrangian; null picks the median of the peers'
/// cost/utility slopes (a, b), the curvature a trade sees through its peers, so that ρ starts on the
/// scale of the problem rather than of ε.</param>
/// <param name="BalancingThreshold">μ of residual balancing: ρ is changed when one residual (relative to its
/// tolerance) exceeds the other by more than this factor.</param>
/// <param name="BalancingFactor">τ of residual balancing: ρ is multiplied or divided by this.</param>
/// <param name="MaxRhoReversals">Residual balancing stops (ρ is frozen) after ρ has changed direction this
/// many times: unbounded switching made ADMM cycle on 10 of 400 random markets, while ADMM with a fixed ρ
/// always converges. The study cases need about 10 monotone updates (ρ from ~400 down to ~1) before the
/// first reversal; 24 reversals kept all 400 random markets convergent while freezing earlier (8) cost some
/// markets twice the rounds. Use +∞ as <paramref name="BalancingThreshold"/> to disable balancing altogether.</param>
/// <param name="RelaxationFactor">α of over-relaxed ADMM, in (0, 2): the buyers' update and the price update use
/// α·s + (1 − α)·t_previous instead of the sellers' new offers s. 1 (the default) is plain ADMM. Measured on the
/// synthetic markets (docs/performance.md, "ADMM"): α = 1.2 saved 15–18 % of the rounds at 300 and 1 000 peers,
/// α = 1.5–1.8 helped or hurt by up to 2× depending on the size, and with ε = 1e-3 relaxed ADMM (α = 0.8–1.8) did
/// not converge in 50 000 rounds on a 40 × 30 market that plain ADMM solves: hence off by default.</param>
/// <param name="AndersonMemory">Opt-in: number of past rounds that safeguarded Anderson acceleration combines
/// (0 = plain ADMM; 5 is a good value). It removes much of the slow linear tail that spread preference
/// costs cause (random markets: −40 % rounds in total, worst case 22 000 → 5 000) but is erratic on the
/// uniform-preference study markets (1000 peers: 2 600 → 5 100 rounds), hence off by default.</param>
public sealed record AdmmSolverOptions(
    double PrimalToleranceMw = 1e-8,
    double DualToleranceEurPerMwh = 1e-6,
    int MaxIterations = 20000,
    double? InitialRhoEurPerMw2h = null,
    double BalancingThreshold = 10,
    double BalancingFactor = 2,
    int MaxRhoReversals = 24,
    int AndersonMemory = 0,
    double RelaxationFactor = 1.0);

/// <summary>
/// Distributed solver of the P2P market by consensus ADMM, mirroring bilateral negotiation.
/// </summary>
/// <remarks>
/// <para>Each trade has two copies: the seller's s_p and the buyer's t_p, with the reciprocity constraint
/// s_p = t_p and a trade price P_p (its multiplier). The quadratic trade term is split evenly (ε/4 each).
/// A round is: every seller, in index order, solves
/// min π G + ½ a G² + Σ_p [(c_ij − P_p) s_p + ε/4 s_p² + ρ/2 (s_p − t_p)²], G = Σ s_p ∈ [0, V], s_p ∈ [0, cap];
/// then every buyer solves min −(λ D − ½ b D²) + Σ_p [(c_ji + P_p) t_p + ε/4 t_p² + ρ/2 (t_p − s_p)²] with its
/// bounds, using the sellers' new offers; then P_p ← P_p + ρ (t_p − s_p): the price rises where buyers ask
/// more than sellers offer. This is two-block ADMM (sellers, buyers), which converges for any ρ &gt; 0 and
/// any ε ≥ 0 because each local problem is strictly convex in its trades (ρ &gt; 0).</para>
/// <para>Each local problem is solved exactly by <see cref="PeerSubproblem"/> (breakpoint search on the
/// peer's own multiplier). Residuals: primal r = max |t_p − s_p| (MW), dual d = ρ·max |Δt_p| (€/MWh).
/// Residual balancing compares r/PrimalTolerance with d/DualTolerance (unit-free) and scales ρ by τ when
/// they differ by more than μ, until ρ has reversed direction <see cref="AdmmSolverOptions.MaxRhoReversals"/>
/// times. Stopping: r ≤ PrimalTolerance and d ≤ DualTolerance. Everything runs in a fixed order without
/// randomness, so results are bit-identical between runs on the same machine.</para>
/// <para>With small ε the slowest part is the split of each peer's volume among partners of almost equal
/// price (it moves by about ε/ρ per round), so trades agree with the centralised solution only to about
/// DualTolerance/ε MW while net positions and prices converge much earlier (study cases: net positions
/// within 1e-7 MW of the centralised solver's at the default tolerances).</para>
/// <para>Optional Anderson acceleration (<see cref="AdmmSolverOptions.AndersonMemory"/>) treats a round as a
/// fixed-point map of (t, P/ρ) and extrapolates from the last rounds; a proposal whose residual exceeds the
/// last accepted one is rejected (back to the plain iterate, history cleared, 20 plain rounds), and the
/// history is cleared whenever ρ changes.</para>
/// <para>Reported trades are min(s_p, t_p), the volume both sides agreed to: unlike the average it keeps
/// every bound of both sides exactly (Σ min ≤ Σ s ≤ V_seller, Σ min ≤ Σ t ≤ V_buyer) and differs from
/// either copy by at most the primal residual. Net positions are their sums (so the market balances
/// exactly), prices each peer's local multiplier from the last round, trade prices the final P.</para>
/// </remarks>
public static class AdmmP2PSolver
{
    /// <summary>Value of <see cref="P2PMarketResult.Solver"/>.</summary>
    public const string Name = "admm-consensus";

    /// <summary>Hard cap on ρ updates, in case ρ drifts one way without ever reversing.</summary>
    private const int MaxRhoUpdates = 100;

    /// <summary>Plain rounds after a rejected Anderson step before accelerating again.</summary>
    private const int AndersonCoolDown = 20;

    /// <summary>Solves the market.</summary>
    /// <param name="problem">The market; ε = 0 is allowed.</param>
    /// <param name="options">Tolerances and limits; defaults if null.</param>
    /// <param name="warmStart">Optional previous result of the same market layout (same pairs): its trades
    /// start both copies and its trade prices start P.</param>
    /// <exception cref="ArgumentException">Malformed input; ParamName names the field.</exception>
    public static P2PMarketResult Solve(
        P2PMarketProblem problem,
        AdmmSolverOptions? options = null,
        P2PMarketResult? warmStart = null)
    {
        var net = P2PNetwork.Build(problem);
        options ??= new AdmmSolverOptions();
        ValidateOptions(options);
        int n = net.PeerCount, m = net.PairCount;

        var s = new double[m];
        var t = new double[m];
        var price = new double[m];
        if (warmStart is not null)
        {
            if (warmStart.TradesMw.IsDefault || warmStart.TradesMw.Length != m)
                throw new ArgumentException($"The warm start must have {m} trades (one per pair).", nameof(warmStart));
            if (warmStart.TradePriceEurPerMwh.IsDefault || warmStart.TradePriceEurPerMwh.Length != m)
                throw new ArgumentException($"The warm start must have {m} trade prices (one per pair).", nameof(warmStart));
            for (int p = 0; p < m; p++)
            {
                double start = warmStart.TradesMw[p];
                double pr = warmStart.TradePriceEurPerMwh[p];
                if (!double.IsFinite(start) || !double.IsFinite(pr))
                    throw new ArgumentException($"Trade {p} of the warm start is not finite.", nameof(warmStart));
                s[p] = t[p] = Math.Clamp(start, 0, net.Cap[p]);
                price[p] = pr;
            }
        }
        else
        {
            for (int p = 0; p < m; p++)
            {
                // Midway between the seller's and the buyer's indifference prices at zero volume.
                int i = net.PairSeller[p], j = net.PairBuyer[p];
                price[p] = 0.5 * ((net.Linear[i] + net.SellerPreference[p]) + (net.Linear[j] - net.BuyerPreference[p]));
            }
        }

        double rho = options.InitialRhoEurPerMw2h ?? DefaultRho(net);
        double alpha = options.RelaxationFactor;
        bool relaxed = alpha != 1.0;
        var sHat = relaxed ? new double[m] : [];
        // Each peer's multiplier from the previous round seeds its local Newton search; NaN (no previous
        // round) makes the first round use the breakpoint search.
        var peerPrice = new double[n];
        Array.Fill(peerPrice, double.NaN);
        if (warmStart is not null && !warmStart.PriceEurPerMwh.IsDefault && warmStart.PriceEurPerMwh.Length == n)
            warmStart.PriceEurPerMwh.CopyTo(peerPrice);
        int maxDegree = 0;
        for (int k = 0; k < n; k++) maxDegree = Math.Max(maxDegree, net.Degree(k));
        var e = new double[maxDegree];
        var cap = new double[maxDegree];
        var local = new double[maxDegree];
        var scratch = new double[2 * maxDegree + 2];

        // Anderson acceleration on the ADMM state x = (t, P/ρ), safeguarded.
        var anderson = options.AndersonMemory > 0 && m > 0 ? new AndersonAccelerator(2 * m, options.AndersonMemory) : null;
        var x = anderson is null ? [] : new double[2 * m];
        var g = anderson is null ? [] : new double[2 * m];
        var proposal = anderson is null ? [] : new double[2 * m];
        var fallback = anderson is null ? [] : new double[2 * m];
        double acceptedNorm = double.PositiveInfinity;
        bool accelerated = false;
        int coolDown = 0;

        var status = SolveStatus.MaxIterationsReached;
        int iterations = 0;
        int updates = 0, reversals = 0, lastDirection = 0;
        bool balancing = options.BalancingThreshold < double.PositiveInfinity;
        double primal = double.PositiveInfinity, dual = double.PositiveInfinity;
        while (iterations < options.MaxIterations)
        {
            iterations++;
            double h = 0.5 * net.Epsilon + rho; // ε/4 · s² has curvature ε/2
            double rhoOfRound = rho;
            if (anderson is not null)
            {
                for (int p = 0; p < m; p++)
                {
                    x[p] = t[p];
                    x[m + p] = price[p] / rho;
                }
            }

            // Sellers: α = −π, β = a, e_p = c_ij − P_p − ρ t_p; the multiplier is minus the marginal cost.
            for (int k = 0; k < n; k++)
            {
                if (!net.IsSeller[k]) continue;
                int deg = Gather(net, k, out int start);
                for (int a = 0; a < deg; a++)
                {
                    int p = net.AdjacentPairs[start + a];
                    e[a] = net.SellerPreference[p] - price[p] - rho * t[p];
                    cap[a] = net.Cap[p];
                }

                double w = PeerSubproblem.Solve(-net.Linear[k], net.Quadratic[k], net.MaxVolume[k],
                    e.AsSpan(0, deg), cap.AsSpan(0, deg), h, local.AsSpan(0, deg), scratch, -peerPrice[k]);
                peerPrice[k] = -w;
                for (int a = 0; a < deg; a++) s[net.AdjacentPairs[start + a]] = local[a];
            }

            // Buyers: α = λ, β = b, e_p = c_ji + P_p − ρ s_p; the multiplier is the marginal utility.
            dual = 0;
            for (int k = 0; k < n; k++)
            {
                if (net.IsSeller[k]) continue;
                int deg = Gather(net, k, out int start);
                for (int a = 0; a < deg; a++)
                {
                    int p = net.AdjacentPairs[start + a];
                    e[a] = net.BuyerPreference[p] + price[p] - rho * (relaxed ? alpha * s[p] + (1 - alpha) * t[p] : s[p]);
                    cap[a] = net.Cap[p];
                }

                double w = PeerSubproblem.Solve(net.Linear[k], net.Quadratic[k], net.MaxVolume[k],
                    e.AsSpan(0, deg), cap.AsSpan(0, deg), h, local.AsSpan(0, deg), scratch, peerPrice[k]);
                peerPrice[k] = w;
                for (int a = 0; a < deg; a++)
                {
                    int p = net.AdjacentPairs[start + a];
                    dual = Math.Max(dual, Math.Abs(local[a] - t[p]));
                    if (relaxed) sHat[p] = alpha * s[p] + (1 - alpha) * t[p]; // with the previous t
                    t[p] = local[a];
                }
            }

            dual *= rho;
            primal = 0;
            for (int p = 0; p < m; p++)
            {
                double r = t[p] - s[p];
                price[p] += rho * (relaxed ? t[p] - sHat[p] : r);
                primal = Math.Max(primal, Math.Abs(r));
            }

            if (!double.IsFinite(primal) || !double.IsFinite(dual))
            {
                status = SolveStatus.Diverged;
                break;
            }

            if (primal <= options.PrimalToleranceMw && dual <= options.DualToleranceEurPerMwh)
            {
                status = SolveStatus.Converged;
                break;
            }

            if (balancing)
            {
                // Residual balancing, unit-free: each residual relative to its own tolerance.
                double rp = primal / options.PrimalToleranceMw, rd = dual / options.DualToleranceEurPerMwh;
                int direction = rp > options.BalancingThreshold * rd ? 1 : rd > options.BalancingThreshold * rp ? -1 : 0;
                if (direction != 0)
                {
                    rho = direction > 0 ? rho * options.BalancingFactor : rho / options.BalancingFactor;
                    updates++;
                    if (lastDirection != 0 && direction != lastDirection) reversals++;
                    lastDirection = direction;
                    // Once ρ has turned back MaxRhoReversals times the good value is bracketed; freezing it
                    // restores the convergence guarantee of fixed-ρ ADMM, which unbounded switching loses.
                    if (reversals >= options.MaxRhoReversals || updates >= MaxRhoUpdates) balancing = false;
                }
            }

            if (anderson is not null)
            {
                double norm = 0;
                for (int p = 0; p < m; p++)
                {
                    g[p] = t[p];
                    g[m + p] = price[p] / rhoOfRound;
                    double df = g[p] - x[p], dp = g[m + p] - x[m + p];
                    norm += df * df + dp * dp;
                }

                if (accelerated && norm > acceptedNorm)
                {
                    // The accelerated point did worse than the last accepted one: go back to the plain
                    // ADMM iterate it was extrapolated from and start the history afresh.
                    for (int p = 0; p < m; p++)
                    {
                        t[p] = fallback[p];
                        price[p] = fallback[m + p] * rhoOfRound;
                    }

                    anderson.Reset();
                    accelerated = false;
                    coolDown = AndersonCoolDown;
                    continue;
                }

                acceptedNorm = norm;
                if (coolDown > 0)
                {
                    coolDown--;
                    continue;
                }

                if (rho != rhoOfRound)
                {
                    anderson.Reset(); // a new ρ is a new fixed-point map
                    accelerated = false;
                    continue;
                }

                Array.Copy(g, fallback, 2 * m);
                accelerated = anderson.Next(x, g, proposal);
                for (int p = 0; p < m; p++)
                {
                    t[p] = proposal[p];
                    price[p] = proposal[m + p] * rho;
                }
            }
        }

        for (int k = 0; k < n; k++)
            if (!double.IsFinite(peerPrice[k])) peerPrice[k] = net.Linear[k]; // no round was run

        var q = new double[m];
        double traded = 0;
        for (int p = 0; p < m; p++)
        {
            q[p] = Math.Min(s[p], t[p]); // what both sides agreed to: keeps every bound of both sides
            traded += q[p];
        }

        return new P2PMarketResult(
            status,
            ImmutableCollectionsMarshal.AsImmutableArray(q),
            ImmutableCollectionsMarshal.AsImmutableArray(net.NetPositions(q)),
            ImmutableCollectionsMarshal.AsImmutableArray(peerPrice),
            ImmutableCollectionsMarshal.AsImmutableArray(price),
            traded,
            -net.PotentialEur(q),
            iterations,
            primal,
            dual,
            Name);
    }

    private static int Gather(P2PNetwork net, int peer, out int start)
    {
        start = net.AdjacencyStart[peer];
        return net.AdjacencyStart[peer + 1] - start;
    }

    /// <summary>Median of the peers' slopes a, b (€/MW²h): the curvature a trade feels through its peers.</summary>
    private static double DefaultRho(P2PNetwork net)
    {
        if (net.PeerCount == 0) return 1;
        var slopes = (double[])net.Quadratic.Clone();
        Array.Sort(slopes);
        return slopes[slopes.Length / 2];
    }

    private static void ValidateOptions(AdmmSolverOptions o)
    {
        if (!double.IsFinite(o.PrimalToleranceMw) || o.PrimalToleranceMw <= 0)
            throw new ArgumentOutOfRangeException(nameof(o.PrimalToleranceMw), o.PrimalToleranceMw, "Must be finite and > 0.");
        if (!double.IsFinite(o.DualToleranceEurPerMwh) || o.DualToleranceEurPerMwh <= 0)
            throw new ArgumentOutOfRangeException(nameof(o.DualToleranceEurPerMwh), o.DualToleranceEurPerMwh, "Must be finite and > 0.");
        if (o.MaxIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(o.MaxIterations), o.MaxIterations, "Must be ≥ 0.");
        if (o.InitialRhoEurPerMw2h is { } rho && (!double.IsFinite(rho) || rho <= 0))
            throw new ArgumentOutOfRangeException(nameof(o.InitialRhoEurPerMw2h), rho, "Must be finite and > 0.");
        if (double.IsNaN(o.BalancingThreshold) || o.BalancingThreshold < 1)
            throw new ArgumentOutOfRangeException(nameof(o.BalancingThreshold), o.BalancingThreshold, "Must be ≥ 1 (+∞ disables balancing).");
        if (o.MaxRhoReversals < 0)
            throw new ArgumentOutOfRangeException(nameof(o.MaxRhoReversals), o.MaxRhoReversals, "Must be ≥ 0.");
        if (o.AndersonMemory < 0 || o.AndersonMemory > 100)
            throw new ArgumentOutOfRangeException(nameof(o.AndersonMemory), o.AndersonMemory, "Must be in [0, 100].");
        if (!(o.RelaxationFactor > 0 && o.RelaxationFactor < 2))
            throw new ArgumentOutOfRangeException(nameof(o.RelaxationFactor), o.RelaxationFactor, "Must be in (0, 2).");
        if (!double.IsFinite(o.BalancingFactor) || o.BalancingFactor < 1)
            throw new ArgumentOutOfRangeException(nameof(o.BalancingFactor), o.BalancingFactor, "Must be finite and ≥ 1.");
    }
}
