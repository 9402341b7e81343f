using P2PFlex.Grid;
using P2PFlex.Interventions;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Scenarios;

/// <summary>A peer of the P2P market and the bid it came from.</summary>
public sealed record ScenarioPeer(FlexibilityBid Bid, int BusIndex, Peer Peer);

/// <summary>The P2P market of a scenario as posed (after the DSO's intervention) and as cleared.</summary>
public sealed record P2PStage(
    IReadOnlyList<ScenarioPeer> Peers,
    P2PMarketProblem Problem,
    IReadOnlyList<double> PreferenceFactor,
    int BlockedPairs,
    IReadOnlyList<int> AtRiskLines,
    P2PMarketResult Result);

/// <summary>Everything one scenario run computed.</summary>
public sealed record ScenarioResult(
    ScenarioDefinition Definition,
    StudyFeeder Feeder,
    P2PStage? P2P,
    IReadOnlyList<double> InjectionMw,
    GridCheckResult BeforeLfm,
    IReadOnlyList<FlexibilityBid> LfmBids,
    LfmResult Lfm,
    GridCheckResult? AfterLfm)
{
    public string Name => Definition.Name;
    public double P2PVolumeMw => P2P?.Result.TradedVolumeMw ?? 0;
    public double? LfmCostEur => Lfm.CostEur;
    public IReadOnlyList<int> CongestedAfterLfm => AfterLfm?.CongestedLines ?? BeforeLfm.CongestedLines;
}

/// <summary>
/// Runs a scenario end to end (MODEL §7): P2P market among the chosen peers (after the DSO's intervention) →
/// updated injections → grid check (the KPIs, before the LFM) → LFM with the non-peer bids plus the unmet parts of
/// the peers' bids. Pure: the same definition and context give bit-identical results.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>Unmet parts of peer bids below this (MW) are not offered to the LFM: they are below the congestion
    /// tolerance τ and would only add near-empty columns to the LP.</summary>
    public const double UnmetVolumeThresholdMw = 1e-6;

    public static ScenarioResult Run(ScenarioDefinition scenario, StudyContext context, IReadOnlyList<double>? warmStartPrices = null)
    {
        var feeder = context.Feeder(scenario.State);
        var network = feeder.Network;
        var injection = feeder.InjectionMw.ToArray();
        var baseCheck = feeder.Check();

        IReadOnlyList<string> peerIds = scenario.Peers switch
        {
            PeerSelection.None => [],
            PeerSelection.Subset => context.P2PSubset,
            PeerSelection.LateralRelief => PeerRules.LateralRelief(context.BaseFeeder, context.Orderbook),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };
        var peerSet = peerIds.ToHashSet(StringComparer.Ordinal);

        P2PStage? stage = null;
        var lfmBids = new List<FlexibilityBid>();
        if (peerIds.Count > 0)
        {
            stage = ClearP2P(scenario, feeder, baseCheck, peerIds.Select(id => context.Orderbook[id]).ToArray(), warmStartPrices);
            var net = stage.Result.NetPositionMw;
            for (int k = 0; k < stage.Peers.Count; k++)
            {
                var p = stage.Peers[k];
                injection[p.BusIndex] += net[k];
                // The part of a peer's bid the P2P market did not use stays available to the DSO's LFM at the bid's price.
                double unmet = p.Bid.VolumeMw - Math.Abs(net[k]);
                if (unmet > UnmetVolumeThresholdMw) lfmBids.Add(p.Bid with { VolumeMw = unmet });
            }
        }
        lfmBids.InsertRange(0, context.Orderbook.Bids.Where(b => !peerSet.Contains(b.Id)));

        var beforeLfm = GridCheck.Evaluate(feeder.Ptdf, injection, feeder.Limits);
        var lfm = LocalFlexibilityMarket.Clear(new LfmProblem(
            feeder.Ptdf.ToArray(),
            beforeLfm.Lines.Select(l => l.FlowMw).ToArray(),
            feeder.Limits.LimitMw.ToArray(),
            lfmBids.Select(b => new FlexBid(b.Id, network.IndexOfBus(b.Bus), b.Direction, b.VolumeMw, b.PriceEurPerMwh)).ToArray(),
            RequireBalance: scenario.Market.LfmRequireBalance,
            IntervalHours: scenario.Market.IntervalHours));
        GridCheckResult? afterLfm = lfm.Status == LfmStatus.Optimal
            ? GridCheck.FromFlows(network, lfm.PostLfmFlowMw, feeder.Limits.LimitMw)
            : null;
        return new ScenarioResult(scenario, feeder, stage, injection, beforeLfm, lfmBids, lfm, afterLfm);
    }

    /// <summary>Builds and clears the P2P market of a scenario.</summary>
    public static P2PStage ClearP2P(ScenarioDefinition scenario, StudyFeeder feeder, GridCheckResult baseCheck,
        IReadOnlyList<FlexibilityBid> peerBids, IReadOnlyList<double>? warmStartPrices = null)
    {
        var m = scenario.Market;
        var peers = peerBids.Select(b =>
        {
            int bus = feeder.Network.IndexOfBus(b.Bus);
            if (!(b.VolumeMw > 0)) throw new ArgumentException($"peer bid '{b.Id}' has no volume");
            var peer = b.Direction == BidDirection.Up
                ? new Peer(b.Id, PeerRole.Seller, b.VolumeMw, b.PriceEurPerMwh, m.SellerSlopeEurPerMwh / b.VolumeMw)
                : new Peer(b.Id, PeerRole.Buyer, b.VolumeMw, m.LambdaRefEurPerMwh, m.BuyerSlopeEurPerMwh / b.VolumeMw);
            return new ScenarioPeer(b, bus, peer);
        }).ToArray();

        double? theta = DsoInterventions.Theta(scenario.Intervention);
        var atRisk = theta is double t ? TradeFlowEffects.AtRiskLines(baseCheck, t) : [];
        var pairs = new List<TradePair>();
        var factors = new List<double>();
        int blocked = 0;
        for (int i = 0; i < peers.Length; i++)
        {
            if (peers[i].Peer.Role != PeerRole.Seller) continue;
            for (int j = 0; j < peers.Length; j++)
            {
                if (peers[j].Peer.Role != PeerRole.Buyer) continue;
                var treatment = DsoInterventions.Treat(scenario.Intervention, feeder.Ptdf, baseCheck, atRisk, peers[i].BusIndex, peers[j].BusIndex);
                if (!treatment.Allowed) { blocked++; continue; }
                double c = m.C0EurPerMwh * treatment.PreferenceFactor;
                pairs.Add(new TradePair(i, j, c, c));
                factors.Add(treatment.PreferenceFactor);
            }
        }
        var problem = new P2PMarketProblem(peers.Select(p => p.Peer).ToArray(), pairs, m.EpsilonEurPerMw2h, m.IntervalHours);
        var result = CentralizedP2PSolver.Solve(problem, null, warmStartPrices);
        if (result.Status != SolveStatus.Converged)
            throw new InvalidOperationException($"{scenario.Source}: the P2P market did not converge ({result.Status} after {result.Iterations} iterations, residual {result.PrimalResidualMw:E2} MW)");
        return new P2PStage(peers, problem, factors, blocked, atRisk, result);
    }
}
