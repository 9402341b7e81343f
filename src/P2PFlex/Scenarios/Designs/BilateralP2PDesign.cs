using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.IO;
using P2PFlex.Interventions;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Scenarios.Designs;

/// <summary>
/// Bilateral P2P trading (the study's CM2 and, with a DSO intervention, CM4: scenarios 1, 1′, 1″, 2, 3): the peers'
/// generalised Nash equilibrium with preference costs c₀ per side, after the DSO blocked pairs or scaled their
/// preference costs. The unmet parts of the peers' bids go to the LFM at the bids' prices.
/// </summary>
public sealed class BilateralP2PDesign : MarketDesign<NoParameters, P2PStage>
{
    public BilateralP2PDesign() : base(new NoParameters()) { }

    public override string Name => "bilateral";

    /// <summary>The peers and the pairs of the P2P market (format 1 of the export: <c>peers.csv</c>, <c>pairs.csv</c>).</summary>
    public override IReadOnlyList<DesignExportFile> ExportFiles { get; } =
    [
        File("peers.csv", "P2P peers with their cost (seller) or utility (buyer) parameters and the cleared net position and price; header only without P2P market",
            "peer_index,bid_id,bus,role,max_volume_mw,linear_cost_eur_per_mwh,quadratic_cost_eur_per_mw2h,net_position_mw,price_eur_per_mwh", PeerRows),
        File("pairs.csv", "allowed seller -> buyer pairs after the DSO's intervention with preference costs, cap and cleared trade; header only without P2P market",
            "seller_bid,buyer_bid,seller_preference_eur_per_mwh,buyer_preference_eur_per_mwh,preference_factor,cap_mw,trade_mw", PairRows),
    ];

    protected override MarketStage Clear(MarketDesignInput input, NoParameters parameters)
    {
        if (input.PeerBids.Count == 0) return MarketStage.Empty(Name);
        var stage = ClearP2P(input.Scenario, input.Feeder, input.BaseCheck, input.PeerBids, input.WarmStartPrices);
        var net = stage.Result.NetPositionMw;
        var unmet = MediatorAggregation.Unmet(stage.Peers, net.Select(x => Math.Abs(x)).ToArray());
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

    private static void PeerRows(ScenarioResult r, P2PStage stage, CsvRowWriter csv)
    {
        for (int k = 0; k < stage.Peers.Count; k++)
        {
            var p = stage.Peers[k];
            var peer = stage.Problem.Peers[k];
            csv.Integer(k).Text(p.Bid.Id).Integer(p.Bid.Bus)
               .Text(peer.Role == PeerRole.Seller ? "seller" : "buyer")
               .Number(peer.MaxVolumeMw).Number(peer.LinearCostEurPerMwh)
               .Number(peer.QuadraticCostEurPerMw2h)
               .Number(stage.Result.NetPositionMw[k]).Number(stage.Result.PriceEurPerMwh[k]).EndRow();
        }
    }

    private static void PairRows(ScenarioResult r, P2PStage stage, CsvRowWriter csv)
    {
        var pairs = stage.Problem.Pairs;
        for (int p = 0; p < pairs.Count; p++)
        {
            var pair = pairs[p];
            csv.Text(stage.Peers[pair.SellerIndex].Bid.Id).Text(stage.Peers[pair.BuyerIndex].Bid.Id)
               .Number(pair.SellerPreferenceEurPerMwh).Number(pair.BuyerPreferenceEurPerMwh)
               .Number(stage.PreferenceFactor[p])
               .Number(double.IsPositiveInfinity(pair.CapMw) ? null : pair.CapMw) // no cap: empty
               .Number(stage.Result.TradesMw[p]).EndRow();
        }
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
        var sellerIndex = new List<int>();
        var buyerIndex = new List<int>();
        for (int k = 0; k < peers.Count; k++)
        {
            if (peers[k].Peer.Role == PeerRole.Seller) sellerIndex.Add(k);
            else if (peers[k].Peer.Role == PeerRole.Buyer) buyerIndex.Add(k);
        }
        int sellers = sellerIndex.Count, buyers = buyerIndex.Count;
        // Every seller-buyer pair's treatment at once (four buyers side by side), seller-major as the pairs are listed.
        var allowed = new bool[sellers * buyers];
        var treatmentFactor = new double[sellers * buyers];
        rule.TreatAll(sellerIndex.Select(k => peers[k].BusIndex).ToArray(), buyerIndex.Select(k => peers[k].BusIndex).ToArray(),
            allowed, treatmentFactor);
        // Sized for every seller-buyer pair at once: a dense market has tens of thousands, and growing the lists
        // step by step copied them through a dozen large arrays.
        var pairs = new List<TradePair>(sellers * buyers);
        var factors = new List<double>(pairs.Capacity);
        int blocked = 0;
        for (int s = 0; s < sellers; s++)
        {
            for (int b = 0; b < buyers; b++)
            {
                int at = s * buyers + b;
                if (!allowed[at]) { blocked++; continue; }
                double c = m.C0EurPerMwh * treatmentFactor[at];
                pairs.Add(new TradePair(sellerIndex[s], buyerIndex[b], c, c));
                factors.Add(treatmentFactor[at]);
            }
        }
        var problem = new P2PMarketProblem(peers.Select(p => p.Peer).ToArray(), pairs, m.EpsilonEurPerMw2h, m.IntervalHours);
        // Cold solves go through SolvedMarkets: scenario files that pose the identical market on the same data (1, 1′,
        // 1-voltage) solve it once; the result is the same bits either way.
        var result = warmStartPrices is null ? SolvedMarkets.SolveCold(problem) : CentralizedP2PSolver.Solve(problem, null, warmStartPrices);
        if (result.Status != SolveStatus.Converged)
            throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{scenario.Source}: the P2P market did not converge ({result.Status} after {result.Iterations} iterations, residual {result.PrimalResidualMw:E2} MW)"));
        return new P2PStage(peers, problem, factors, blocked, atRisk, result);
    }
}
