using P2PFlex.Grid;

namespace P2PFlex.Data;

/// <summary>The two loading states of the study.</summary>
public enum StudyState
{
    /// <summary>Scenario 0 before any market: loads as in case69.</summary>
    Base,
    /// <summary>Scenario 0′: the extreme loading state (data/states/&lt;case&gt;_extreme.csv).</summary>
    Extreme,
}

/// <summary>
/// The study's feeder in one loading state: the network with that state's loads, its PTDF, the line limits and the
/// base injections. Everything a market or a grid check needs; immutable and cheap to share.
/// </summary>
public sealed record StudyFeeder(StudyState State, LoadingState Loading, GridNetwork Network, Ptdf Ptdf, LineLimits Limits)
{
    /// <summary>Base injections of this state (MW per bus, internal order).</summary>
    public IReadOnlyList<double> InjectionMw => Network.BaseInjectionMw;

    /// <summary>Grid check of this state before any market.</summary>
    public GridCheckResult Check() => GridCheck.Evaluate(Ptdf, InjectionMw, Limits);

    /// <summary>
    /// Loads a feeder (case69 unless named; a name or a case file's path, <see cref="FeederResolver"/>), its limits and the
    /// requested loading state from the data folder (<c>cases/&lt;case&gt;.m</c>, <c>limits/&lt;case&gt;_line_limits.csv</c>,
    /// <c>states/&lt;case&gt;_base|extreme.csv</c>; files it lacks are derived there first).
    /// The PTDF does not depend on the loads, so both states share it; the limits are those of the base state in both
    /// (the extreme state is a change of load, not of the grid).
    /// </summary>
    public static StudyFeeder Load(StudyState state, string? dataRoot = null, string feeder = FeederSetup.StudyFeederName) =>
        Load(state, FeederResolver.Resolve(feeder, dataRoot));

    /// <summary>Loads a resolved feeder (<see cref="FeederResolver"/>) in the requested loading state.</summary>
    public static StudyFeeder Load(StudyState state, ResolvedFeeder feeder)
    {
        var baseNetwork = feeder.LoadNetwork();
        var ptdf = Ptdf.Compute(baseNetwork);
        var loading = LoadingState.Read(feeder.StatePath(state), baseNetwork);
        var network = loading.Apply(baseNetwork);
        var limits = LineLimits.Read(feeder.LimitsPath, network);
        return new StudyFeeder(state, loading, network, ptdf, limits);
    }
}
