using P2PFlex.Markets.P2P;

namespace P2PFlex.Scenarios;

/// <summary>The P2P market of a scenario as posed (after the DSO's intervention) and as cleared.</summary>
public sealed record P2PStage(
    IReadOnlyList<ScenarioPeer> Peers,
    P2PMarketProblem Problem,
    IReadOnlyList<double> PreferenceFactor,
    int BlockedPairs,
    IReadOnlyList<int> AtRiskLines,
    P2PMarketResult Result);
