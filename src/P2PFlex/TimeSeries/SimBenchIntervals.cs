using P2PFlex.Scenarios;

namespace P2PFlex.TimeSeries;

/// <summary>
/// A SimBench grid's intervals: each interval's operating point from the grid's own load and generation profiles
/// (<see cref="SimBenchStudy.OperatingPointAt"/>), with the grid's real ratings and the study's orderbook rule applied
/// to the interval's loads. The state key is every load's P and Q factor and every unit's P factor.
/// </summary>
public sealed class SimBenchIntervals : IFeederIntervals
{
    private readonly SimBenchStudy _study;
    private readonly double[] _loadPMw;

    public SimBenchIntervals(SimBenchStudy study)
    {
        Profiles = study.Profiles ?? throw new ArgumentException($"{study.Grid.Folder} has no profiles (LoadProfile.csv): a time series needs them");
        _study = study;
        _loadPMw = study.Grid.Loads.Select(l => l.PMw).ToArray();
    }

    public string FeederName => _study.Name;
    public TimeAxis Axis => Profiles.Axis;
    public FeederProfiles Profiles { get; }

    public double[] FactorsAt(int interval)
    {
        var set = Profiles.Set;
        var factors = new double[Profiles.Bindings.Count + _loadPMw.Length];
        int k = 0;
        foreach (var b in Profiles.Bindings) factors[k++] = set[b.PProfile][interval];
        // Q factors of the loads (units have none): a load's Q profile is its own, so it is part of the key.
        for (int l = 0; l < _loadPMw.Length; l++) factors[k++] = set[Profiles.Bindings[l].QProfile!][interval];
        return factors;
    }

    public StudyContext At(int interval) => _study.At(interval);

    public double TotalLoadMwAt(int interval)
    {
        double total = 0;
        for (int l = 0; l < _loadPMw.Length; l++) total += _loadPMw[l] * Profiles.Set[Profiles.Bindings[l].PProfile][interval];
        return total;
    }
}
