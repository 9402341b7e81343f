using System.Collections.Concurrent;
using P2PFlex.Interventions;
using P2PFlex.MonteCarlo;
using P2PFlex.Scenarios;

namespace P2PFlex.TimeSeries;

/// <summary>What a time-series run is: a feeder's profiles, a window of their axis and the scenarios run in every interval.</summary>
/// <param name="Feeder">Case name of a shipped feeder.</param>
/// <param name="Profiles">What drives the loads (for the header: <see cref="FeederProfiles.Source"/>).</param>
/// <param name="ProfileDigest">SHA-256 of the profiles' factors and bindings (<see cref="TimeSeriesRunner.Digest"/>):
/// shards of one run must agree on it.</param>
/// <param name="First">First interval of the window on the profiles' axis.</param>
/// <param name="Count">Number of intervals.</param>
/// <param name="Scenarios">Scenario names, in the order rows are written within an interval.</param>
public sealed record TimeSeriesJob(string Feeder, string Profiles, string ProfileDigest, int First, int Count, IReadOnlyList<string> Scenarios)
{
    /// <summary>The intervals of shard <paramref name="shard"/> of <paramref name="shards"/> (absolute on the axis).</summary>
    public (int First, int Count) ShardRange(int shard, int shards)
    {
        var (first, count) = ShardRanges.Of(Count, shard, shards);
        return (First + first, count);
    }
}

/// <summary>
/// One row of a time series: one scenario in one interval, with every <see cref="ScenarioKpis"/> column (as the
/// scenario file prices them, for its <c>interval_hours</c>) and what the DSO's intervention did in the peers' market:
/// pairs blocked (scenario 2) and pairs steered by an incentive or penalty (scenario 3); null for designs without a
/// bilateral P2P market. <c>Timings</c> is how long each stage took (<see cref="StageTimings"/>): null on an error row and
/// on a row that reused an equal interval's outcome (nothing was solved for it); the only columns that differ from run to
/// run, left out of the rows' digest and of every identity check.
/// </summary>
public sealed record TimeSeriesRow(int Interval, DateTime Time, string Scenario, string? Error, IReadOnlyList<object?> Kpis,
    int? BlockedPairs, int? SteeredPairs, StageTimings? Timings = null)
{
    /// <summary>The row without its timings: what is the same on every run (identity checks compare these).</summary>
    public TimeSeriesRow WithoutTimings() => this with { Timings = null };

    public object? Kpi(string name)
    {
        for (int i = 0; i < MonteCarloRow.KpiTypes.Count; i++) if (MonteCarloRow.KpiTypes[i].Name == name) return Kpis[i];
        throw new KeyNotFoundException($"no KPI column '{name}'");
    }
}

/// <summary>
/// Runs scenarios over intervals of a feeder's profiles. Each interval is independent of every other: its rows are a
/// pure function of the interval's factors, so they are bit-identical however a window is cut into shards and on any
/// number of cores. No solver state crosses intervals (a P2P warm start from the previous interval would make an
/// interval's last bits depend on where its shard starts); instead intervals whose load factors equal an earlier
/// interval's exactly (a BDEW profile repeats each day type within a month) reuse that interval's outcome, which is the
/// same computation's result by purity.
/// </summary>
public sealed class TimeSeriesRunner
{
    private readonly IFeederIntervals _states;
    private readonly IReadOnlyList<ScenarioDefinition> _scenarios;
    private readonly ConcurrentDictionary<FactorKey, Outcome[]> _cache = new();

    /// <summary>Most interval outcomes remembered (an outcome is a few kB; beyond this the cache starts afresh, which
    /// keeps memory flat in the window's length whatever the profiles).</summary>
    public const int CacheCapacity = 8192;

    private sealed record Outcome(string? Error, object?[] Kpis, int? Blocked, int? Steered, StageTimings? Timings);

    /// <param name="states">The feeder's intervals.</param>
    /// <param name="scenarios">The scenarios run in every interval, in row order.</param>
    /// <param name="reuseEqualIntervals">Reuse the outcome of an earlier interval with bit-equal factors (on by default;
    /// off only to check that reuse changes nothing).</param>
    public TimeSeriesRunner(IFeederIntervals states, IReadOnlyList<ScenarioDefinition> scenarios, bool reuseEqualIntervals = true)
    {
        _states = states;
        _scenarios = scenarios;
        _reuse = reuseEqualIntervals;
    }

    private readonly bool _reuse;

    public IFeederIntervals States => _states;
    public IReadOnlyList<ScenarioDefinition> Scenarios => _scenarios;

    /// <summary>SHA-256 (hex) of the profiles: axis, bindings and every factor's bits.</summary>
    public static string Digest(FeederProfiles profiles)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        void Text(string s) => sha.AppendData(System.Text.Encoding.UTF8.GetBytes(s + "\n"));
        Text(profiles.Axis.ToString());
        foreach (var b in profiles.Bindings) Text($"{b.Kind} {b.Element} {b.BusNumber} {b.PProfile} {b.QProfile}");
        foreach (var p in profiles.Set.Profiles)
        {
            Text(p.Name);
            var bytes = new byte[p.Count * sizeof(double)];
            Buffer.BlockCopy(p.Factors.ToArray(), 0, bytes, 0, bytes.Length);
            sha.AppendData(bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The rows of intervals [first, first + count), in (interval, scenario) order, computed on
    /// <paramref name="maxDegreeOfParallelism"/> cores; <paramref name="progress"/> hears the number of finished intervals.</summary>
    public IReadOnlyList<TimeSeriesRow> Run(int first, int count, int? maxDegreeOfParallelism = null, IProgress<int>? progress = null, CancellationToken cancel = default)
    {
        var perInterval = new Outcome[count][];
        int done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount, CancellationToken = cancel };
        Parallel.For(0, count, options, i =>
        {
            perInterval[i] = Interval(first + i);
            progress?.Report(Interlocked.Increment(ref done));
        });
        var rows = new TimeSeriesRow[count * _scenarios.Count];
        for (int i = 0; i < count; i++)
        {
            var time = _states.Axis.TimeAt(first + i);
            for (int s = 0; s < _scenarios.Count; s++)
            {
                var o = perInterval[i][s];
                rows[i * _scenarios.Count + s] = new TimeSeriesRow(first + i, time, _scenarios[s].Name, o.Error, o.Kpis, o.Blocked, o.Steered, o.Timings);
            }
        }
        return rows;
    }

    private Outcome[] Interval(int interval)
    {
        var key = new FactorKey(_states.FactorsAt(interval));
        // A reused outcome was not solved for this interval: its rows carry no timings.
        if (_reuse && _cache.TryGetValue(key, out var known)) return known.Select(o => o with { Timings = null }).ToArray();
        var context = _states.At(interval);
        var outcomes = new Outcome[_scenarios.Count];
        for (int s = 0; s < _scenarios.Count; s++) outcomes[s] = RunOne(_scenarios[s], context);
        if (!_reuse) return outcomes;
        if (_cache.Count >= CacheCapacity) _cache.Clear();
        _cache.TryAdd(key, outcomes);
        return outcomes;
    }

    /// <summary>One scenario in one interval's context: its KPI columns and what the intervention did.</summary>
    public static (ScenarioResult? Result, string? Error) RunScenario(ScenarioDefinition scenario, StudyContext context)
    {
        try { return (ScenarioRunner.Run(scenario, context), null); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NotSupportedException)
        {
            // An interval can make a scenario's rule impossible (e.g. no up bid behind a congestion): record why.
            return (null, e.Message);
        }
    }

    private static Outcome RunOne(ScenarioDefinition scenario, StudyContext context)
    {
        var (r, error) = RunScenario(scenario, context);
        if (r is null) return new Outcome(error, new object?[MonteCarloRow.KpiTypes.Count], null, null, null);
        var kpis = ScenarioReport.Kpis(r).Columns().Select(c => c.Value).ToArray();
        var (blocked, steered) = Intervention(r);
        return new Outcome(null, kpis, blocked, steered, r.Timings);
    }

    /// <summary>Pairs blocked and pairs steered (preference factor changed by an incentive or a penalty) in the P2P market.</summary>
    public static (int? Blocked, int? Steered) Intervention(ScenarioResult r)
    {
        if (r.P2P is not { } p2p) return (null, null);
        int steered = r.Definition.Intervention is DsoIntervention.Incentive ? p2p.PreferenceFactor.Count(f => f != 1.0) : 0;
        return (p2p.BlockedPairs, steered);
    }

    /// <summary>Equality of factor vectors by their bits (a dictionary key).</summary>
    private sealed class FactorKey(double[] factors) : IEquatable<FactorKey>
    {
        private readonly double[] _f = factors;
        private readonly int _hash = Hash(factors);

        private static int Hash(double[] f)
        {
            var h = new HashCode();
            foreach (double v in f) h.Add(BitConverter.DoubleToInt64Bits(v));
            return h.ToHashCode();
        }

        public bool Equals(FactorKey? other)
        {
            if (other is null || other._hash != _hash || other._f.Length != _f.Length) return false;
            for (int i = 0; i < _f.Length; i++)
                if (BitConverter.DoubleToInt64Bits(_f[i]) != BitConverter.DoubleToInt64Bits(other._f[i])) return false;
            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as FactorKey);
        public override int GetHashCode() => _hash;
    }
}
