using P2PFlex.Grid;
using P2PFlex.Interventions;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Scenarios.Designs;

/// <summary>
/// Bilateral P2P trading (the study's CM2 and, with a DSO intervention, CM4: scenarios 1, 1′, 1″, 2, 3): the peers'
/// generalised Nash equilibrium with preference costs c₀ per side, after the DSO blocked pairs or scaled their
/// preference costs. The unmet parts of the peers' bids go to the LFM at the bids' prices.
/// </summary>
public sealed class BilateralP2PDesign : IMarketDesign
{
    /// <summary>Unmet parts of peer bids below this (MW) are not offered to the LFM: they are below the congestion
    /// tolerance τ and would only add near-empty columns to the LP.</summary>
    public const double UnmetVolumeThresholdMw = 1e-6;

    public string Name => "bilateral";

    public MarketStage Clear(MarketDesignInput input)
    {
        if (input.PeerBids.Count == 0) return MarketStage.Empty(Name);
        var stage = ClearP2P(input.Scenario, input.Feeder, input.BaseCheck, input.PeerBids, input.WarmStartPrices);
        var net = stage.Result.NetPositionMw;
        var unmet = new List<FlexibilityBid>();
        for (int k = 0; k < stage.Peers.Count; k++)
        {
            var bid = stage.Peers[k].Bid;
            double rest = bid.VolumeMw - Math.Abs(net[k]);
            if (rest > UnmetVolumeThresholdMw) unmet.Add(bid with { VolumeMw = rest });
        }
        return new MarketStage(Name, stage.Peers, net, unmet, LfmFollows: true, stage.Result.TradedVolumeMw,
            PeersWelfareEur: stage.Result.WelfareEur, MediatorRevenueEur: null, NodalPricesEurPerMwh: null,
            Payments(stage, input.Scenario.Market), stage);
    }

    /// <summary>
    /// What an incentive scheme costs the DSO: each side of a pair pays c₀·f per MWh instead of c₀; where f &lt; 1 the
    /// DSO makes up the waived 2 c₀ (1 − f) per MWh, where f &gt; 1 it collects the surcharge 2 c₀ (f − 1) per MWh.
    /// </summary>
    public static DsoPayments Payments(P2PStage stage, MarketParameters m)
    {
        double paid = 0, received = 0;
        var q = stage.Result.TradesMw;
        for (int k = 0; k < q.Length; k++)
        {
            double f = stage.PreferenceFactor[k];
            double euro = 2 * m.C0EurPerMwh * Math.Abs(1 - f) * q[k] * m.IntervalHours;
            if (f < 1) paid += euro;
            else if (f > 1) received += euro;
        }
        return new DsoPayments(paid, received, 0);
    }

    /// <summary>Builds and clears the P2P market of a scenario.</summary>
    public static P2PStage ClearP2P(ScenarioDefinition scenario, StudyFeeder feeder, GridCheckResult baseCheck,
        IReadOnlyList<FlexibilityBid> peerBids, IReadOnlyList<double>? warmStartPrices = null)
    {
        var m = scenario.Market;
        var peers = ScenarioPeers.Build(m, feeder, peerBids);
        double? theta = DsoInterventions.Theta(scenario.Intervention);
        var atRisk = theta is double t ? TradeFlowEffects.AtRiskLines(baseCheck, t) : [];
        var rule = DsoInterventions.Compile(scenario.Intervention, feeder.Ptdf, baseCheck, atRisk);
        var pairs = new List<TradePair>();
        var factors = new List<double>();
        int blocked = 0;
        for (int i = 0; i < peers.Count; i++)
        {
            if (peers[i].Peer.Role != PeerRole.Seller) continue;
            for (int j = 0; j < peers.Count; j++)
            {
                if (peers[j].Peer.Role != PeerRole.Buyer) continue;
                var treatment = rule.Treat(peers[i].BusIndex, peers[j].BusIndex);
                if (!treatment.Allowed) { blocked++; continue; }
                double c = m.C0EurPerMwh * treatment.PreferenceFactor;
                pairs.Add(new TradePair(i, j, c, c));
                factors.Add(treatment.PreferenceFactor);
            }
        }
        var problem = new P2PMarketProblem(peers.Select(p => p.Peer).ToArray(), pairs, m.EpsilonEurPerMw2h, m.IntervalHours);
        var result = CentralizedP2PSolver.Solve(problem, null, warmStartPrices);
        if (result.Status != SolveStatus.Converged)
            throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{scenario.Source}: the P2P market did not converge ({result.Status} after {result.Iterations} iterations, residual {result.PrimalResidualMw:E2} MW)"));
        return new P2PStage(peers, problem, factors, blocked, atRisk, result);
    }
}
