using P2PFlex.Data;
using P2PFlex.Scenarios;

namespace P2PFlex.MonteCarlo;

/// <summary>What a Monte Carlo run is: feeder, number of draws, master seed and the scenarios run on every draw.</summary>
/// <param name="Feeder">Case name of a shipped feeder.</param>
/// <param name="Draws">Number of draws (0 … Draws − 1).</param>
/// <param name="MasterSeed">Master seed; draw k's seed is <see cref="DrawSeed.Of"/>(MasterSeed, Feeder, k).</param>
/// <param name="Scenarios">Scenario names, in the order rows are written.</param>
public sealed record MonteCarloJob(string Feeder, int Draws, ulong MasterSeed, IReadOnlyList<string> Scenarios)
{
    /// <summary>The default master seed.</summary>
    public const ulong DefaultSeed = 20221201;

    /// <summary>The draws of shard <paramref name="shard"/> of <paramref name="shards"/>: contiguous, sizes differing by at most one.</summary>
    public (int First, int Count) ShardRange(int shard, int shards) => ShardRanges.Of(Draws, shard, shards);
}

/// <summary>How a job of <c>total</c> units (Monte Carlo draws, time-series intervals) is cut into shards: contiguous
/// ranges whose sizes differ by at most one, shard k = [⌊total·k/n⌋, ⌊total·(k+1)/n⌋).</summary>
public static class ShardRanges
{
    /// <summary>The range of shard <paramref name="shard"/> (0-based) of <paramref name="shards"/>.</summary>
    public static (int First, int Count) Of(int total, int shard, int shards)
    {
        if (shards < 1) throw new ArgumentOutOfRangeException(nameof(shards), "the number of shards must be at least 1");
        if (shard < 0 || shard >= shards) throw new ArgumentOutOfRangeException(nameof(shard), $"shard {shard} is not in 0…{shards - 1}");
        int first = (int)((long)total * shard / shards);
        int end = (int)((long)total * (shard + 1) / shards);
        return (first, end - first);
    }
}

/// <summary>
/// One row of a Monte Carlo result: one scenario on one draw, with every KPI column of <see cref="ScenarioKpis"/>
/// (<see cref="MonteCarloRow.KpiTypes"/>, in that order) and the study's pattern checks of the draw (the same on every
/// row of a draw; null where a scenario the check needs was not run or failed). <c>Error</c> says why the scenario
/// could not run on this draw (then every KPI is null), e.g. scenario 1″ finding no up bid behind a base congestion.
/// <c>Timings</c> is how long each stage took (<see cref="StageTimings"/>, null on an error row): the only columns that
/// differ from run to run, left out of the rows' digest and of every identity check.
/// </summary>
public sealed record MonteCarloRow(int Draw, ulong Seed, string Feeder, string Scenario, string? Error,
    IReadOnlyList<object?> Kpis, IReadOnlyList<bool?> Checks, StageTimings? Timings = null)
{
    /// <summary>The KPI columns (name, scalar type) — every group of <see cref="ScenarioKpis"/>, including ones added later.</summary>
    public static IReadOnlyList<(string Name, Type Type)> KpiTypes { get; } = KpiColumns.Types();

    /// <summary>Column name of a pattern check: <c>check_</c> + its id in snake case (<c>check_3_theta80</c>).</summary>
    public static string CheckColumn(string id) => "check_" + id.Replace('-', '_');

    /// <summary>The id columns that come before the KPIs.</summary>
    public static readonly string[] IdColumns = ["draw", "seed", "feeder", "scenario", "error"];

    /// <summary>Every column name, in file order: the deterministic ones, then the timing columns (<see cref="StageTimings.Columns"/>).</summary>
    public static IReadOnlyList<string> ColumnNames { get; } =
        [.. IdColumns, .. KpiTypes.Select(k => k.Name), .. StudyPattern.CheckIds.Select(CheckColumn), .. StageTimings.Columns];

    /// <summary>The row without its timings: what is the same on every run (identity checks compare these).</summary>
    public MonteCarloRow WithoutTimings() => this with { Timings = null };

    /// <summary>A KPI value by column name.</summary>
    public object? Kpi(string name)
    {
        for (int i = 0; i < KpiTypes.Count; i++) if (KpiTypes[i].Name == name) return Kpis[i];
        throw new KeyNotFoundException($"no KPI column '{name}'");
    }
}

/// <summary>
/// Runs Monte Carlo draws: each draw regenerates the orderbook and the P2P subset (<see cref="MonteCarloDraw"/>) and
/// runs every scenario of the job on it, cold (no warm start crosses draws, so a draw's rows depend on nothing but its
/// seed). Draws run in parallel on all cores; rows come back in draw order, so the output is bit-identical to a
/// sequential run and independent of the core count.
/// </summary>
public static class MonteCarloRunner
{
    /// <summary>Runs draws [first, first + count) and returns their rows in (draw, scenario) order, on
    /// <c>maxDegreeOfParallelism</c> cores (null: all); <c>progress</c> is told the number of finished draws after each
    /// draw (from worker threads).</summary>
    public static IReadOnlyList<MonteCarloRow> Run(MonteCarloJob job, StudyContext feeder, IReadOnlyList<ScenarioDefinition> scenarios,
        int first, int count, int? maxDegreeOfParallelism = null, IProgress<int>? progress = null, CancellationToken cancel = default)
    {
        var chosen = Select(job, scenarios);
        var setup = FeederSetup.For(feeder.BaseFeeder.Network, feeder.BaseFeeder.Ptdf);
        var perDraw = new IReadOnlyList<MonteCarloRow>[count];
        int done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount, CancellationToken = cancel };
        Parallel.For(0, count, options, i =>
        {
            perDraw[i] = RunDraw(job, setup, feeder, chosen, first + i);
            progress?.Report(Interlocked.Increment(ref done));
        });
        return perDraw.SelectMany(r => r).ToArray();
    }

    /// <summary>The scenario definitions a job names, in the job's order; unknown names are refused.</summary>
    public static IReadOnlyList<ScenarioDefinition> Select(MonteCarloJob job, IReadOnlyList<ScenarioDefinition> scenarios) =>
        job.Scenarios.Select(n => scenarios.FirstOrDefault(s => s.Name == n)
            ?? throw new ArgumentException($"unknown scenario '{n}' (known: {string.Join(", ", scenarios.Select(s => s.Name))})")).ToArray();

    /// <summary>The rows of one draw.</summary>
    public static IReadOnlyList<MonteCarloRow> RunDraw(MonteCarloJob job, FeederSetup setup, StudyContext feeder, IReadOnlyList<ScenarioDefinition> scenarios, int draw)
    {
        ulong seed = DrawSeed.Of(job.MasterSeed, job.Feeder, draw);
        var context = MonteCarloDraw.Create(setup, feeder, draw, seed).Apply(feeder);
        var results = new Dictionary<string, ScenarioResult>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in scenarios)
        {
            try { results[s.Name] = ScenarioRunner.Run(s, context); }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or NotSupportedException)
            {
                // A draw can make a scenario's rule impossible (no up bid behind a congestion for 1″): record why.
                errors[s.Name] = e.Message;
            }
        }
        var checks = StudyPattern.Evaluate(results)
            .Select(c => c.Measured == StudyPattern.NotComputable ? (bool?)null : c.Holds).ToArray();
        var rows = new MonteCarloRow[scenarios.Count];
        for (int i = 0; i < scenarios.Count; i++)
        {
            string name = scenarios[i].Name;
            IReadOnlyList<object?> kpis = results.TryGetValue(name, out var r)
                ? ScenarioReport.Kpis(r).Columns().Select(c => c.Value).ToArray()
                : new object?[MonteCarloRow.KpiTypes.Count];
            rows[i] = new MonteCarloRow(draw, seed, job.Feeder, name, errors.GetValueOrDefault(name), kpis, checks, r?.Timings);
        }
        return rows;
    }
}
