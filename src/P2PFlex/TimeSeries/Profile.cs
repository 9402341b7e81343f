using System.Collections.Immutable;

namespace P2PFlex.TimeSeries;

/// <summary>One named series of factors, one value per interval of its set's time axis (dimensionless: a load's or
/// generator's power in the interval = its rated or base power × the factor).</summary>
public sealed record Profile(string Name, ImmutableArray<double> Factors)
{
    public int Count => Factors.Length;
    public double this[int interval] => Factors[interval];

    /// <summary>The largest factor.</summary>
    public double Peak => Factors.Length == 0 ? 0 : Factors.Max();

    /// <summary>This profile divided by its peak, so that its highest interval is 1 (a feeder's base state is its peak).</summary>
    public Profile ScaledToPeak(string? name = null)
    {
        double peak = Peak;
        if (!(peak > 0)) throw new InvalidOperationException($"profile '{Name}' has no positive value to scale to");
        return new Profile(name ?? Name, Factors.Select(f => f / peak).ToImmutableArray());
    }

    /// <summary>The factors of intervals [first, first + count).</summary>
    public Profile Window(int first, int count) => new(Name, Factors.Slice(first, count));
}

/// <summary>
/// Profiles on one time axis. Invariants, checked on construction: every profile has one factor per interval, every
/// factor is finite and not negative, names are unique (ordinal).
/// </summary>
public sealed record ProfileSet
{
    private readonly Dictionary<string, Profile> _byName;

    /// <param name="axis">The time axis.</param>
    /// <param name="profiles">The profiles, one factor per interval each.</param>
    /// <param name="signedProfiles">Profiles whose factors may be negative: reactive-power factors (SimBench's
    /// <c>_qload</c> columns turn negative when a load is capacitive). Every other factor must not be negative.</param>
    public ProfileSet(TimeAxis axis, IReadOnlyList<Profile> profiles, IEnumerable<string>? signedProfiles = null)
    {
        _byName = new Dictionary<string, Profile>(StringComparer.Ordinal);
        SignedProfiles = (signedProfiles ?? []).ToHashSet(StringComparer.Ordinal);
        foreach (var p in profiles)
        {
            if (p.Count != axis.Count)
                throw new ArgumentException($"profile '{p.Name}' has {p.Count} factors, the time axis {axis.Count} intervals");
            bool signed = SignedProfiles.Contains(p.Name);
            for (int i = 0; i < p.Count; i++)
                if (!double.IsFinite(p[i]) || (p[i] < 0 && !signed))
                    throw new ArgumentException($"profile '{p.Name}' has factor {p[i]} at {TimeAxis.Format(axis.TimeAt(i))}: factors must be finite and not negative");
            if (!_byName.TryAdd(p.Name, p)) throw new ArgumentException($"profile '{p.Name}' appears twice");
        }
        Axis = axis;
        Profiles = profiles.ToArray();
    }

    public TimeAxis Axis { get; }
    public IReadOnlyList<Profile> Profiles { get; }

    /// <summary>The profiles allowed negative factors (reactive power); see the constructor.</summary>
    public IReadOnlySet<string> SignedProfiles { get; }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public Profile this[string name] =>
        _byName.TryGetValue(name, out var p) ? p : throw new KeyNotFoundException($"no profile '{name}' (have: {string.Join(", ", _byName.Keys.Take(10))})");

    /// <summary>The set restricted to intervals [first, first + count).</summary>
    public ProfileSet Window(int first, int count) => new(Axis.Window(first, count), Profiles.Select(p => p.Window(first, count)).ToArray(), SignedProfiles);

    /// <summary>A set of one profile with every factor 1 (the snapshot's loading state in every interval).</summary>
    public static ProfileSet Flat(TimeAxis axis, string name = "flat") =>
        new(axis, [new Profile(name, Enumerable.Repeat(1.0, axis.Count).ToImmutableArray())]);
}

/// <summary>Whether a bound element consumes (load) or produces (generator).</summary>
public enum ProfileElementKind { Load, Generator }

/// <summary>
/// Which profiles drive one element of a feeder: its active power follows <paramref name="PProfile"/>, its reactive
/// power <paramref name="QProfile"/> (null: Q follows the P factor, a constant power factor).
/// </summary>
/// <param name="Kind">Load or generator.</param>
/// <param name="Element">The element's id in its grid (for a MATPOWER feeder the bus number as text).</param>
/// <param name="BusNumber">The bus it is connected to (the case's bus number).</param>
/// <param name="PProfile">Name of the P factor profile in the set.</param>
/// <param name="QProfile">Name of the Q factor profile, or null.</param>
public sealed record ProfileBinding(ProfileElementKind Kind, string Element, int BusNumber, string PProfile, string? QProfile = null);

/// <summary>A feeder's profiles: the set and which profile drives each load and generator.</summary>
public sealed record FeederProfiles
{
    public FeederProfiles(ProfileSet set, IReadOnlyList<ProfileBinding> bindings, string source)
    {
        foreach (var b in bindings)
        {
            if (!set.Contains(b.PProfile)) throw new ArgumentException($"{b.Kind} '{b.Element}' is bound to P profile '{b.PProfile}', which the set does not hold");
            if (set.SignedProfiles.Contains(b.PProfile)) throw new ArgumentException($"{b.Kind} '{b.Element}' is bound to P profile '{b.PProfile}', which may be negative (a reactive-power profile)");
            if (b.QProfile is not null && !set.Contains(b.QProfile)) throw new ArgumentException($"{b.Kind} '{b.Element}' is bound to Q profile '{b.QProfile}', which the set does not hold");
        }
        var twice = bindings.GroupBy(b => (b.Kind, b.Element)).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new ArgumentException($"{twice.Key.Kind} '{twice.Key.Element}' is bound twice");
        Set = set;
        Bindings = bindings.ToArray();
        Source = source;
    }

    public ProfileSet Set { get; }
    public IReadOnlyList<ProfileBinding> Bindings { get; }

    /// <summary>Where the profiles come from (file and conversion), for reports.</summary>
    public string Source { get; }

    public TimeAxis Axis => Set.Axis;

    /// <summary>The same bindings on intervals [first, first + count).</summary>
    public FeederProfiles Window(int first, int count) => new(Set.Window(first, count), Bindings, Source);
}
