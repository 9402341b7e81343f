using P2PFlex.Scenarios;
using System.Diagnostics;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Cli.Bench;

/// <summary>One market size of <c>p2pflex bench --scaling</c>.</summary>
/// <param name="Peers">Peers of the synthetic market (case533mt_hi, 20 nearest counterparts).</param>
/// <param name="Pairs">Trade pairs.</param>
/// <param name="Time">Centralised solve, cold start (ms).</param>
/// <param name="Iterations">Factorisations of the centralised solve.</param>
/// <param name="AllocatedBytes">Bytes the solve allocates (GC.GetAllocatedBytesForCurrentThread): its working memory,
/// since the solver keeps nothing between calls but the cached symbolic analysis.</param>
/// <param name="Solver">Which phases the solve used.</param>
public sealed record ScalingRow(int Peers, int Pairs, BenchMeasurement Time, int Iterations, long AllocatedBytes, string Solver)
{
    /// <summary>ADMM (Anderson memory 5) on the same market, when asked for: one run, rounds and time.</summary>
    public int? AdmmRounds { get; init; }

    public double? AdmmMs { get; init; }
}

/// <summary>Power-law fits y ≈ c·xᵏ (least squares in log–log) over the scaling table.</summary>
/// <param name="TimeExponent">Time against peers, over all sizes.</param>
/// <param name="TimeExponentLarge">Time against peers, over sizes ≥ 1 000 peers (null with fewer than two).</param>
/// <param name="IterationsExponent">Iterations against peers.</param>
/// <param name="MemoryExponent">Allocated bytes against pairs (1 = linear in pairs).</param>
/// <param name="AdmmRoundsExponent">ADMM rounds against peers, when measured.</param>
public sealed record ScalingFit(double TimeExponent, double? TimeExponentLarge, double IterationsExponent, double MemoryExponent, double? AdmmRoundsExponent);

/// <summary>
/// The scaling study of <c>p2pflex bench --scaling</c>: the centralised solver on synthetic markets of growing size
/// (<see cref="BenchFixtures.Synthetic"/>), with time (median and range of cold solves at steady state), iterations
/// and working memory per size, and fitted exponents.
/// </summary>
public static class ScalingStudy
{
    /// <summary>Default market sizes (peers).</summary>
    public static readonly int[] DefaultPeers = [100, 300, 1000, 3000, 10000];

    /// <summary>ADMM is run only up to this size: its rounds grow about like peers^0.6 and each round like peers.</summary>
    public const int AdmmMaxPeers = 1000;

    /// <summary>Default timed runs for a size: more for small markets, 3 for the largest.</summary>
    public static int DefaultRuns(int peers) => peers <= 300 ? 20 : peers <= 1000 ? 10 : 3;

    public static IReadOnlyList<ScalingRow> Run(BenchFixtures fixtures, IReadOnlyList<int> peers, int? runs, int? warmupCalls, bool admm, TextWriter progress)
    {
        var rows = new List<ScalingRow>();
        foreach (int n in peers)
        {
            progress.Write($"bench --scaling: {n} peers … ");
            var problem = fixtures.Synthetic(n).Problem;
            P2PMarketResult? last = null;
            var time = SteadyStateTimer.Time($"p2p-synthetic-{n}", runs ?? DefaultRuns(n), () =>
            {
                last = CentralizedP2PSolver.Solve(problem);
                BenchSuite.RequireConverged(last, $"{n}-peer synthetic");
            }, warmupCalls);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var result = CentralizedP2PSolver.Solve(problem);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            var row = new ScalingRow(n, problem.Pairs.Count, time, result.Iterations, allocated, result.Solver);
            if (admm && n <= AdmmMaxPeers)
            {
                long t0 = Stopwatch.GetTimestamp();
                var a = AdmmP2PSolver.Solve(problem, new AdmmSolverOptions(AndersonMemory: 5, MaxIterations: 200_000));
                row = row with { AdmmRounds = a.Iterations, AdmmMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds };
                BenchSuite.RequireConverged(a, $"ADMM {n}-peer synthetic");
            }
            rows.Add(row);
            progress.WriteLine(SteadyStateTimer.Invariant($"{time.MedianMs:F1} ms, {result.Iterations} iterations"));
        }
        return rows;
    }

    public static ScalingFit Fit(IReadOnlyList<ScalingRow> rows)
    {
        var large = rows.Where(r => r.Peers >= 1000).ToArray();
        var withAdmm = rows.Where(r => r.AdmmRounds is not null).ToArray();
        return new ScalingFit(
            Exponent(rows.Select(r => ((double)r.Peers, r.Time.MedianMs))),
            large.Length >= 2 ? Exponent(large.Select(r => ((double)r.Peers, r.Time.MedianMs))) : null,
            Exponent(rows.Select(r => ((double)r.Peers, (double)r.Iterations))),
            Exponent(rows.Select(r => ((double)r.Pairs, (double)r.AllocatedBytes))),
            withAdmm.Length >= 2 ? Exponent(withAdmm.Select(r => ((double)r.Peers, (double)r.AdmmRounds!.Value))) : null);
    }

    /// <summary>Least-squares slope of ln y against ln x (NaN with fewer than two distinct x).</summary>
    public static double Exponent(IEnumerable<(double X, double Y)> points)
    {
        var p = points.Where(q => q.X > 0 && q.Y > 0).Select(q => (Math.Log(q.X), Math.Log(q.Y))).ToArray();
        if (p.Length < 2) return double.NaN;
        double mx = p.Average(q => q.Item1), my = p.Average(q => q.Item2);
        double sxy = p.Sum(q => (q.Item1 - mx) * (q.Item2 - my)), sxx = p.Sum(q => (q.Item1 - mx) * (q.Item1 - mx));
        return sxx > 0 ? sxy / sxx : double.NaN;
    }

    /// <summary>The table as text.</summary>
    public static void Print(IReadOnlyList<ScalingRow> rows, TextWriter output)
    {
        bool admm = rows.Any(r => r.AdmmRounds is not null);
        output.WriteLine("centralised solver on synthetic markets (case533mt_hi, 20 nearest counterparts), cold start");
        output.WriteLine();
        var table = new TextTable("P2P scaling",
            ["peers", "pairs", "median ms", "min–max ms", "runs", "iterations", "allocated MiB", .. (admm ? new[] { "ADMM rounds", "ADMM ms" } : [])],
            rows.Select(r => (IReadOnlyList<string>)[
                SteadyStateTimer.Invariant($"{r.Peers}"), SteadyStateTimer.Invariant($"{r.Pairs}"), SteadyStateTimer.Invariant($"{r.Time.MedianMs:F1}"),
                SteadyStateTimer.Invariant($"{r.Time.MinMs:F1}–{r.Time.MaxMs:F1}"), SteadyStateTimer.Invariant($"{r.Time.Runs}"),
                SteadyStateTimer.Invariant($"{r.Iterations}"), SteadyStateTimer.Invariant($"{r.AllocatedBytes / 1048576.0:F1}"),
                .. (!admm ? [] : r.AdmmRounds is int a ? new[] { SteadyStateTimer.Invariant($"{a}"), SteadyStateTimer.Invariant($"{r.AdmmMs:F0}") } : ["-", "-"])]).ToArray());
        TerminalTables.Write(output, table, () =>
        {
            output.WriteLine("  peers    pairs   median ms        min–max ms   runs  iterations  allocated MiB" + (admm ? "  ADMM rounds    ADMM ms" : ""));
            output.WriteLine(new string('-', admm ? 107 : 82));
            foreach (var r in rows)
            {
                string range = SteadyStateTimer.Invariant($"{r.Time.MinMs:F1}–{r.Time.MaxMs:F1}");
                string line = SteadyStateTimer.Invariant($"{r.Peers,7} {r.Pairs,8} {r.Time.MedianMs,11:F1} {range,17} {r.Time.Runs,6} {r.Iterations,11} {r.AllocatedBytes / 1048576.0,14:F1}");
                if (admm) line += r.AdmmRounds is int a ? SteadyStateTimer.Invariant($" {a,12} {r.AdmmMs,10:F0}") : $" {"-",12} {"-",10}";
                output.WriteLine(line);
            }
        });
        var fit = Fit(rows);
        output.WriteLine();
        output.WriteLine(SteadyStateTimer.Invariant($"fitted exponents (least squares in log–log): time ∝ peers^{fit.TimeExponent:F2}")
            + (fit.TimeExponentLarge is double l ? SteadyStateTimer.Invariant($" (≥ 1000 peers: ^{l:F2})") : "")
            + SteadyStateTimer.Invariant($", iterations ∝ peers^{fit.IterationsExponent:F2}, allocated memory ∝ pairs^{fit.MemoryExponent:F2}")
            + (fit.AdmmRoundsExponent is double ar ? SteadyStateTimer.Invariant($", ADMM rounds ∝ peers^{ar:F2}") : ""));
    }
}
