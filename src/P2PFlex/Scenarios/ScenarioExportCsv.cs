using P2PFlex.Interventions;
using P2PFlex.IO;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Scenarios;

/// <summary>The export's CSV files that every design shares (docs/export.md); the designs write their own
/// (<see cref="Designs.IMarketDesign.ExportFiles"/>). Every file goes through one <see cref="CsvRowWriter"/>.</summary>
internal static class ScenarioExportCsv
{
    /// <summary>A bid's direction as the export writes it.</summary>
    private static string Direction(BidDirection d) => d == BidDirection.Up ? "up" : "down";

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
        var csv = CsvRowWriter.WithHeader("bus,is_slack,base_injection_mw,injection_before_lfm_mw,injection_after_lfm_mw,vm_before_lfm_pu,vm_after_lfm_pu");
        var acBefore = r.Ac?.BeforeLfm is { Converged: true } b0 ? b0 : null;
        var acAfter = r.Ac?.AfterLfm is { Converged: true } a0 ? a0 : null;
        foreach (var bus in net.Buses)
        {
            int i = bus.Index;
            csv.Integer(bus.Number).Flag(i == net.SlackIndex)
               .Number(baseInjection[i]).Number(r.InjectionMw[i])
               .Number(after?[i])
               .Number(acBefore?.Buses[i].VmPu)
               .Number(acAfter?.Buses[i].VmPu).EndRow();
        }
        return csv.ToText();
    }

    internal static string Lines(ScenarioResult r)
    {
        var baseCheck = r.Feeder.Check();
        var atRiskSet = AtRiskLines(r)?.ToHashSet();
        bool optimal = LfmOptimal(r);
        var duals = r.Lfm.LineLimitDualEurPerMwhPerMw;
        var csv = CsvRowWriter.WithHeader("index,from_bus,to_bus,base_flow_mw,limit_mw,flow_before_lfm_mw,flow_after_lfm_mw,at_risk,lfm_dual_eur_per_mwh_per_mw,s_before_lfm_mva,s_after_lfm_mva");
        var acBefore = r.Ac?.BeforeLfm is { Converged: true } b0 ? b0 : null;
        var acAfter = r.Ac?.AfterLfm is { Converged: true } a0 ? a0 : null;
        for (int l = 0; l < r.Feeder.Network.Branches.Count; l++)
        {
            var br = r.Feeder.Network.Branches[l];
            csv.Integer(br.CaseIndex).Integer(br.FromBus).Integer(br.ToBus)
               .Number(baseCheck.Lines[l].FlowMw).Number(r.Feeder.Limits.LimitMw[l])
               .Number(r.BeforeLfm.Lines[l].FlowMw)
               .Number(optimal && r.AfterLfm is not null ? r.AfterLfm.Lines[l].FlowMw : null) // the DC check's flows (the voltage-aware LP's are linearised |S|)
               .Flag(atRiskSet?.Contains(l))
               .Number(optimal && duals.Length == r.Feeder.Network.Branches.Count ? duals[l] : null)
               .Number(acBefore?.Lines[l].SMaxMva)
               .Number(acAfter?.Lines[l].SMaxMva).EndRow();
        }
        return csv.ToText();
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
        var csv = new CsvRowWriter(["index", "from_bus", "to_bus", .. net.Buses.Select(bus => "bus_" + bus.Number.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        for (int l = 0; l < net.Branches.Count; l++)
        {
            var br = net.Branches[l];
            csv.Integer(br.CaseIndex).Integer(br.FromBus).Integer(br.ToBus);
            for (int k = 0; k < net.Buses.Count; k++) csv.Number(ptdf[l, k]);
            csv.EndRow();
        }
        return csv.ToText();
    }

    internal static string Bids(ScenarioResult r, FlexibilityOrderbook orderbook)
    {
        var peerIds = r.Market.Peers.Select(p => p.Bid.Id).ToHashSet(StringComparer.Ordinal);
        var csv = CsvRowWriter.WithHeader("id,bus,direction,volume_mw,price_eur_per_mwh,role");
        foreach (var b in orderbook.Bids)
            csv.Text(b.Id).Integer(b.Bus).Text(Direction(b.Direction))
               .Number(b.VolumeMw).Number(b.PriceEurPerMwh)
               .Text(peerIds.Contains(b.Id) ? "peer" : "lfm").EndRow();
        return csv.ToText();
    }

    internal static string LfmBids(ScenarioResult r)
    {
        var peerIds = r.Market.Peers.Select(p => p.Bid.Id).ToHashSet(StringComparer.Ordinal);
        bool optimal = LfmOptimal(r);
        var csv = CsvRowWriter.WithHeader("id,bus,direction,volume_mw,price_eur_per_mwh,origin,activated_mw");
        for (int b = 0; b < r.LfmBids.Count; b++)
        {
            var bid = r.LfmBids[b];
            csv.Text(bid.Id).Integer(bid.Bus).Text(Direction(bid.Direction))
               .Number(bid.VolumeMw).Number(bid.PriceEurPerMwh)
               .Text(peerIds.Contains(bid.Id) ? "peer_unmet" : bid.Id.StartsWith(Designs.MediatorAggregation.IdPrefix, StringComparison.Ordinal) ? "mediator" : "orderbook")
               .Number(optimal ? r.Lfm.Activations[b].ActivatedMw : null).EndRow();
        }
        return csv.ToText();
    }

    /// <summary>Per peer of the market design: parameters as the market saw them, the cleared quantity, the price the peer
    /// trades at (bilateral: its local price; auction: the clearing price; network-aware auction: its bus's nodal price;
    /// capacity trade: the sum of its areas' capacity prices, blank for peers outside every area) and its surplus.</summary>
    internal static string MarketPeers(ScenarioResult r)
    {
        var csv = CsvRowWriter.WithHeader("peer_index,bid_id,bus,role,max_volume_mw,linear_cost_eur_per_mwh,quadratic_cost_eur_per_mw2h,quantity_mw,net_position_mw,price_eur_per_mwh,surplus_eur");
        var peers = r.Market.Peers;
        var price = r.Market.Outcome.PeerPriceEurPerMwh;
        var surplus = r.Market.Outcome.PeerSurplusEur;
        for (int k = 0; k < peers.Count; k++)
        {
            var p = peers[k];
            double net = r.Market.NetPositionMw[k];
            csv.Integer(k).Text(p.Bid.Id).Integer(p.Bid.Bus)
               .Text(p.Peer.Role == PeerRole.Seller ? "seller" : "buyer")
               .Number(p.Peer.MaxVolumeMw).Number(p.Peer.LinearCostEurPerMwh)
               .Number(p.Peer.QuadraticCostEurPerMw2h).Number(Math.Abs(net)).Number(net)
               .Number(k < price.Count ? price[k] : null).Number(k < surplus.Count ? surplus[k] : null).EndRow();
        }
        return csv.ToText();
    }
    private static IEnumerable<string> BusColumns(Grid.GridNetwork net, string prefix) =>
        net.Buses.Select(bus => prefix + bus.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The voltage-aware LFM's last LP, line rows: |S| at the operating point, the row's value at zero activation,
    /// the limit and the row's gradient G[l, k] = ∂|S_l|/∂p_k per bus; header only without a voltage-aware LP.</summary>
    internal static string VoltageLfmLines(ScenarioResult r)
    {
        var net = r.Feeder.Network;
        var csv = new CsvRowWriter(["index", "from_bus", "to_bus", "s_at_point_mva", "s_at_zero_activation_mva", "limit_mva", .. BusColumns(net, "g_bus_")]);
        if (r.VoltageAwareLfm is { FinalProblem: { } problem, LinearisedAt: { } point })
            for (int l = 0; l < net.Branches.Count; l++)
            {
                var br = net.Branches[l];
                csv.Integer(br.CaseIndex).Integer(br.FromBus).Integer(br.ToBus)
                   .Number(point.Lines[l].SMaxMva).Number(problem.BaseFlowMw[l]).Number(problem.LimitMw[l]);
                for (int k = 0; k < net.Buses.Count; k++) csv.Number(problem.PtdfMwPerMw[l, k]);
                csv.EndRow();
            }
        return csv.ToText();
    }

    /// <summary>The voltage-aware LFM's last LP, voltage rows and AC operating point: per bus |V| and angle at the point,
    /// its load there, the row's value at zero activation and the row's sensitivities S_V[i, k] = ∂|V_i|/∂p_k;
    /// header only without a voltage-aware LP.</summary>
    internal static string VoltageLfmBuses(ScenarioResult r)
    {
        var net = r.Feeder.Network;
        var csv = new CsvRowWriter(["bus", "vm_at_point_pu", "va_at_point_deg", "load_at_point_mw", "load_at_point_mvar", "vm_at_zero_activation_pu", .. BusColumns(net, "sv_bus_")]);
        if (r.VoltageAwareLfm is { FinalProblem: { Voltage: { } voltage }, LinearisedAt: { } point })
            for (int i = 0; i < net.Buses.Count; i++)
            {
                var bus = point.Buses[i];
                csv.Integer(net.Buses[i].Number).Number(bus.VmPu).Number(bus.VaDeg).Number(bus.LoadMw).Number(bus.LoadMvar).Number(voltage.OffsetPu[i]);
                for (int k = 0; k < net.Buses.Count; k++) csv.Number(voltage.SensitivityPuPerMw[i, k]);
                csv.EndRow();
            }
        return csv.ToText();
    }
}
