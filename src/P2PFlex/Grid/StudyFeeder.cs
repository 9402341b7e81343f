using P2PFlex.Data;

namespace P2PFlex.Grid;

/// <summary>The two loading states of the study.</summary>
public enum StudyState
{
    /// <summary>Scenario 0 before any market: loads as in case69.</summary>
    Base,
    /// <summary>Scenario 0′: the extreme loading state (data/states/case69_extreme.csv).</summary>
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
    /// Loads case69, its limits and the requested loading state from the data folder. The PTDF does not depend on the
    /// loads, so both states share it; the limits are those of the base state in both (the extreme state is a change of
    /// load, not of the grid).
    /// </summary>
    public static StudyFeeder Load(StudyState state, string? dataRoot = null)
    {
        string Of(params string[] parts) => dataRoot is null ? DataPaths.Of(parts) : Path.Combine([dataRoot, .. parts]);
        var baseNetwork = GridNetwork.Load(Of("cases", "case69.m"));
        var ptdf = Ptdf.Compute(baseNetwork);
        var loading = LoadingState.Read(Of("states", state == StudyState.Base ? "case69_base.csv" : "case69_extreme.csv"), baseNetwork);
        var network = loading.Apply(baseNetwork);
        var limits = LineLimits.Read(Of("limits", "case69_line_limits.csv"), network);
        return new StudyFeeder(state, loading, network, ptdf, limits);
    }
}
