using System.Text.Json.Nodes;
using P2PFlex.Markets.P2P;
using P2PFlex.Scenarios.Designs;

namespace P2PFlex.Scenarios;

/// <summary>The P2P market of a scenario as posed (after the DSO's intervention) and as cleared (the bilateral design's
/// outcome: each peer trades at its local price; its prices warm-start a later run).</summary>
public sealed record P2PStage(
    IReadOnlyList<ScenarioPeer> Peers,
    P2PMarketProblem Problem,
    IReadOnlyList<double> PreferenceFactor,
    int BlockedPairs,
    IReadOnlyList<int> AtRiskLines,
    P2PMarketResult Result) : IMarketOutcome
{
    public IReadOnlyList<double?> PeerPriceEurPerMwh => Result.PriceEurPerMwh.Select(p => (double?)p).ToArray();

    public IReadOnlyList<double?> PeerSurplusEur => new double?[Peers.Count];

    public void AddJson(JsonObject marketDesign) { }

    public IReadOnlyList<double>? WarmStartPrices => Result.PriceEurPerMwh;
}
