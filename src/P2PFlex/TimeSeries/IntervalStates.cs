using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Scenarios;

namespace P2PFlex.TimeSeries;

/// <summary>
/// The study's inputs in each interval of a feeder's profiles: both loading states with every bound load × its
/// profile factor (base state: snapshot factor × profile factor; extreme state 0′: its factor × profile factor), and
/// the orderbook of the interval — the feeder's generator with its own seed (same buses, directions, volume factors
/// and prices as the shipped orderbook) applied to the interval's loads (volume = U[1, 3) × the bus's load now). The
/// P2P subset's bid ids stay. With every factor 1 an interval is exactly the snapshot: the same networks, orderbook
/// and subset, bit for bit.
/// </summary>
public sealed class IntervalStates : IFeederIntervals
{
    private readonly StudyContext _snapshot;
    private readonly GridNetwork _case;
    private readonly OrderbookGenerator _generator;
    private readonly (int Bus, double[] Factors)[] _loads;
    private readonly double[] _boundLoadMw;

    /// <param name="snapshot">The feeder's study context (states, limits, orderbook, subset).</param>
    /// <param name="caseNetwork">The feeder as in its case file (no loading state applied).</param>
    /// <param name="profiles">Which profile drives which load; loads without a binding keep their snapshot value.</param>
    /// <param name="generator">The feeder's orderbook generator (its seed made the shipped orderbook).</param>
    public IntervalStates(StudyContext snapshot, GridNetwork caseNetwork, FeederProfiles profiles, OrderbookGenerator generator)
    {
        foreach (var b in profiles.Bindings)
        {
            if (b.Kind != ProfileElementKind.Load)
                throw new NotSupportedException($"{b.Kind} '{b.Element}': a MATPOWER feeder's loading state scales loads only; generator profiles need a grid with generator elements");
            if (b.QProfile is not null && b.QProfile != b.PProfile)
                throw new NotSupportedException($"load '{b.Element}' has its own Q profile '{b.QProfile}': a MATPOWER feeder's loading state scales P and Q of a bus by one factor");
            if (!caseNetwork.HasBus(b.BusNumber)) throw new ArgumentException($"load '{b.Element}' is bound to bus {b.BusNumber}, which {caseNetwork.Name} does not have");
        }
        var twice = profiles.Bindings.GroupBy(b => b.BusNumber).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"bus {twice.Key} of {caseNetwork.Name} is bound to more than one load profile");
        _snapshot = snapshot;
        _case = caseNetwork;
        _generator = generator;
        Profiles = profiles;
        _loads = profiles.Bindings.Select(b => (b.BusNumber, profiles.Set[b.PProfile].Factors.ToArray())).ToArray();
        var network = snapshot.BaseFeeder.Network;
        _boundLoadMw = profiles.Bindings.Select(b => network.Buses[network.IndexOfBus(b.BusNumber)].PdMw).ToArray();
    }

    /// <summary>The states of a feeder with data files in the data folder (case69 unless named; any feeder that
    /// <see cref="FeederResolver"/> resolved) under its profiles.</summary>
    public static IntervalStates ForFeeder(FeederProfiles profiles, string feeder = FeederSetup.StudyFeederName, string? dataRoot = null)
    {
        var snapshot = StudyContext.Load(dataRoot, feeder);
        var caseNetwork = GridNetwork.Load(FeederSetup.CasePath(feeder, dataRoot));
        return new IntervalStates(snapshot, caseNetwork, profiles, FeederSetup.For(feeder, dataRoot).Orderbook);
    }

    public FeederProfiles Profiles { get; }
    public TimeAxis Axis => Profiles.Axis;
    public StudyContext Snapshot => _snapshot;
    public string FeederName => _snapshot.FeederName;

    /// <summary>The profile factor of every bound bus in an interval, in binding order (the interval's state key).</summary>
    public double[] FactorsAt(int interval)
    {
        var f = new double[_loads.Length];
        for (int k = 0; k < _loads.Length; k++) f[k] = _loads[k].Factors[interval];
        return f;
    }

    /// <summary>Total load of the bound buses in an interval, MW: each bound bus's base-state load × its factor (buses
    /// without a profile keep their load in every interval, so they do not move the peak).</summary>
    public double TotalLoadMwAt(int interval)
    {
        double total = 0;
        for (int k = 0; k < _loads.Length; k++) total += _boundLoadMw[k] * _loads[k].Factors[interval];
        return total;
    }

    /// <summary>The study context of an interval (see the class summary).</summary>
    public StudyContext At(int interval)
    {
        var factor = new Dictionary<int, double>(_loads.Length);
        foreach (var (bus, series) in _loads) factor[bus] = series[interval];
        StudyFeeder Scaled(StudyFeeder snapshot)
        {
            var state = new LoadingState($"{snapshot.Loading.Name}@{interval}",
                _case.Buses.ToDictionary(b => b.Number, b => snapshot.Loading.FactorOf(b.Number) * factor.GetValueOrDefault(b.Number, 1.0)),
                snapshot.Loading.Description);
            return snapshot with { Loading = state, Network = state.Apply(_case) };
        }
        var baseFeeder = Scaled(_snapshot.BaseFeeder);
        var orderbook = _generator.Generate(_snapshot.BaseFeeder.Network, baseFeeder.Network);
        return _snapshot with { BaseFeeder = baseFeeder, ExtremeFeeder = Scaled(_snapshot.ExtremeFeeder), Orderbook = orderbook with { Source = $"{_snapshot.Orderbook.Source} @ interval {interval}" } };
    }
}
