using System.Text;
using P2PFlex.Interventions;
using P2PFlex.IO;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Scenarios;

/// <summary>How the export writes values in its CSV files (shared by the core files and the designs' own).</summary>
public static class ExportCsv
{
    /// <summary>Round-trip number; −0 is written as 0 (numerically equal, easier to read).</summary>
    public static string F(double v) => v == 0 ? "0" : CsvTable.Format(v);

    /// <summary>A bid's direction as the export writes it.</summary>
    public static string Direction(BidDirection d) => d == BidDirection.Up ? "up" : "down";
}

/// <summary>The export's CSV files that every design shares (docs/export.md); the designs write their own
/// (<see cref="Designs.IMarketDesign.ExportFiles"/>).</summary>
internal static class ScenarioExportCsv
{
    private static string F(double v) => ExportCsv.F(v);

    private static string Direction(BidDirection d) => ExportCsv.Direction(d);

    internal static bool LfmOptimal(ScenarioResult r) => r.Lfm.Status == LfmStatus.Optimal;

    internal static string Buses(ScenarioResult r)
    {
        var net = r.Feeder.Network;
        var baseInjection = r.Feeder.InjectionMw;
        double[]? after = null;
        if (LfmOptimal(r))
        {
            after = r.InjectionMw.ToArray();
            for (int b = 0; b < r.LfmBids.Count; b++)
            {
                var bid = r.LfmBids[b];
                double x = r.Lfm.Activations[b].ActivatedMw;
                after[net.IndexOfBus(bid.Bus)] += bid.Direction == BidDirection.Up ? x : -x;
            }
        }
        var sb = new StringBuilder("bus,is_slack,base_injection_mw,injection_before_lfm_mw,injection_after_lfm_mw,vm_before_lfm_pu,vm_after_lfm_pu\n");
        var acBefore = r.Ac?.BeforeLfm is { Converged: true } b0 ? b0 : null;
        var acAfter = r.Ac?.AfterLfm is { Converged: true } a0 ? a0 : null;
        foreach (var bus in net.Buses)
        {
            int i = bus.Index;
            sb.Append(bus.Number).Append(',').Append(i == net.SlackIndex ? "true" : "false").Append(',')
              .Append(F(baseInjection[i])).Append(',').Append(F(r.InjectionMw[i])).Append(',')
              .Append(after is null ? "" : F(after[i])).Append(',')
              .Append(acBefore is null ? "" : F(acBefore.Buses[i].VmPu)).Append(',')
              .Append(acAfter is null ? "" : F(acAfter.Buses[i].VmPu)).Append('\n');
        }
        return sb.ToString();
    }

    internal static string Lines(ScenarioResult r)
    {
        var baseCheck = r.Feeder.Check();
        var atRiskSet = AtRiskLines(r)?.ToHashSet();
        bool optimal = LfmOptimal(r);
        var duals = r.Lfm.LineLimitDualEurPerMwhPerMw;
        var sb = new StringBuilder("index,from_bus,to_bus,base_flow_mw,limit_mw,flow_before_lfm_mw,flow_after_lfm_mw,at_risk,lfm_dual_eur_per_mwh_per_mw,s_before_lfm_mva,s_after_lfm_mva\n");
        var acBefore = r.Ac?.BeforeLfm is { Converged: true } b0 ? b0 : null;
        var acAfter = r.Ac?.AfterLfm is { Converged: true } a0 ? a0 : null;
        for (int l = 0; l < r.Feeder.Network.Branches.Count; l++)
        {
            var br = r.Feeder.Network.Branches[l];
            sb.Append(br.CaseIndex).Append(',').Append(br.FromBus).Append(',').Append(br.ToBus).Append(',')
              .Append(F(baseCheck.Lines[l].FlowMw)).Append(',').Append(F(r.Feeder.Limits.LimitMw[l])).Append(',')
              .Append(F(r.BeforeLfm.Lines[l].FlowMw)).Append(',')
              .Append(optimal && r.AfterLfm is not null ? F(r.AfterLfm.Lines[l].FlowMw) : "").Append(',') // the DC check's flows (the voltage-aware LP's are linearised |S|)
              .Append(atRiskSet is null ? "" : atRiskSet.Contains(l) ? "true" : "false").Append(',')
              .Append(optimal && duals.Length == r.Feeder.Network.Branches.Count ? F(duals[l]) : "").Append(',')
              .Append(acBefore is null ? "" : F(acBefore.Lines[l].SMaxMva)).Append(',')
              .Append(acAfter is null ? "" : F(acAfter.Lines[l].SMaxMva)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>At-risk lines of an intervention with θ when there is no P2P stage to carry them (null without θ).</summary>
    private static IReadOnlyList<int>? AtRiskWithoutP2P(ScenarioResult r, Grid.GridCheckResult baseCheck) =>
        DsoInterventions.Theta(r.Definition.Intervention) is double theta ? TradeFlowEffects.AtRiskLines(baseCheck, theta) : null;

    /// <summary>At-risk lines (positions) of the scenario's intervention; null when the intervention has no θ.</summary>
    internal static IReadOnlyList<int>? AtRiskLines(ScenarioResult r) =>
        DsoInterventions.Theta(r.Definition.Intervention) is null ? null : r.P2P?.AtRiskLines ?? AtRiskWithoutP2P(r, r.Feeder.Check());

    internal static string Ptdf(ScenarioResult r)
    {
        var net = r.Feeder.Network;
        var ptdf = r.Feeder.Ptdf;
        var sb = new StringBuilder("index,from_bus,to_bus");
        foreach (var bus in net.Buses) sb.Append(",bus_").Append(bus.Number);
        sb.Append('\n');
        for (int l = 0; l < net.Branches.Count; l++)
        {
            var br = net.Branches[l];
            sb.Append(br.CaseIndex).Append(',').Append(br.FromBus).Append(',').Append(br.ToBus);
            for (int k = 0; k < net.Buses.Count; k++) sb.Append(',').Append(F(ptdf[l, k]));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    internal static string Bids(ScenarioResult r, FlexibilityOrderbook orderbook)
    {
        var peerIds = r.Market.Peers.Select(p => p.Bid.Id).ToHashSet(StringComparer.Ordinal);
        var sb = new StringBuilder("id,bus,direction,volume_mw,price_eur_per_mwh,role\n");
        foreach (var b in orderbook.Bids)
            sb.Append(b.Id).Append(',').Append(b.Bus).Append(',').Append(Direction(b.Direction)).Append(',')
              .Append(F(b.VolumeMw)).Append(',').Append(F(b.PriceEurPerMwh)).Append(',')
              .Append(peerIds.Contains(b.Id) ? "peer" : "lfm").Append('\n');
        return sb.ToString();
    }

    internal static string LfmBids(ScenarioResult r)
    {
        var peerIds = r.Market.Peers.Select(p => p.Bid.Id).ToHashSet(StringComparer.Ordinal);
        bool optimal = LfmOptimal(r);
        var sb = new StringBuilder("id,bus,direction,volume_mw,price_eur_per_mwh,origin,activated_mw\n");
        for (int b = 0; b < r.LfmBids.Count; b++)
        {
            var bid = r.LfmBids[b];
            sb.Append(bid.Id).Append(',').Append(bid.Bus).Append(',').Append(Direction(bid.Direction)).Append(',')
              .Append(F(bid.VolumeMw)).Append(',').Append(F(bid.PriceEurPerMwh)).Append(',')
              .Append(peerIds.Contains(bid.Id) ? "peer_unmet" : bid.Id.StartsWith(Designs.MediatorAggregation.IdPrefix, StringComparison.Ordinal) ? "mediator" : "orderbook").Append(',')
              .Append(optimal ? F(r.Lfm.Activations[b].ActivatedMw) : "").Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Per peer of the market design: parameters as the market saw them, the cleared quantity, the price the peer
    /// trades at (bilateral: its local price; auction: the clearing price; network-aware auction: its bus's nodal price;
    /// capacity trade: the sum of its areas' capacity prices, blank for peers outside every area) and its surplus.</summary>
    internal static string MarketPeers(ScenarioResult r)
    {
        var sb = new StringBuilder("peer_index,bid_id,bus,role,max_volume_mw,linear_cost_eur_per_mwh,quadratic_cost_eur_per_mw2h,quantity_mw,net_position_mw,price_eur_per_mwh,surplus_eur\n");
        var peers = r.Market.Peers;
        var price = r.Market.Outcome.PeerPriceEurPerMwh;
        var surplus = r.Market.Outcome.PeerSurplusEur;
        for (int k = 0; k < peers.Count; k++)
        {
            var p = peers[k];
            double net = r.Market.NetPositionMw[k];
            sb.Append(k).Append(',').Append(p.Bid.Id).Append(',').Append(p.Bid.Bus).Append(',')
              .Append(p.Peer.Role == PeerRole.Seller ? "seller" : "buyer").Append(',')
              .Append(F(p.Peer.MaxVolumeMw)).Append(',').Append(F(p.Peer.LinearCostEurPerMwh)).Append(',')
              .Append(F(p.Peer.QuadraticCostEurPerMw2h)).Append(',').Append(F(Math.Abs(net))).Append(',').Append(F(net)).Append(',')
              .Append(k < price.Count && price[k] is double pr ? F(pr) : "").Append(',').Append(k < surplus.Count && surplus[k] is double su ? F(su) : "").Append('\n');
        }
        return sb.ToString();
    }
}
