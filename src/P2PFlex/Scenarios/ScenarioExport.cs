using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PFlex.Interventions;
using P2PFlex.IO;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Scenarios;

/// <summary>
/// Exports the complete instance and result of one scenario run as plain CSV files and one JSON file, so that the
/// P2P market and the LFM can be re-solved with another solver and every reported number re-derived
/// (<c>p2pflex scenarios export</c>; formats in <c>docs/export.md</c>).
/// </summary>
public static class ScenarioExport
{
    /// <summary>Version of the export format, written into <c>scenario.json</c>; raised when a column changes meaning.</summary>
    public const int FormatVersion = 1;

    /// <summary>The files of an export, with the description written into <c>scenario.json</c>'s <c>files</c> map.</summary>
    public static IReadOnlyList<(string Name, string Description)> FileDescriptions { get; } =
    [
        ("scenario.json", "scenario definition, market parameters, KPIs, solver report and this file list"),
        ("buses.csv", "one row per bus: base injection and injections before and after the LFM (MW, positive into the grid)"),
        ("lines.csv", "one row per in-service line: limit, flows of the base state, before and after the LFM (MW, from -> to), at-risk flag, LFM limit dual"),
        ("ptdf.csv", "PTDF H (MW of flow per MW injected at the bus and withdrawn at the slack): one row per line, one column bus_<n> per bus"),
        ("bids.csv", "the whole flexibility orderbook; role = peer (P2P market) or lfm (offered to the LFM only)"),
        ("peers.csv", "P2P peers with their cost (seller) or utility (buyer) parameters and the cleared net position and price; header only without P2P market"),
        ("pairs.csv", "allowed seller -> buyer pairs after the DSO's intervention with preference costs, cap and cleared trade; header only without P2P market"),
        ("lfm_bids.csv", "bids offered to the LFM (non-peer orderbook bids, then unmet parts of peer bids or the mediator's aggregated bids) with their activation; header only when no LFM ran"),
        ("market_peers.csv", "the peers of the scenario's market design with their cost/utility parameters, cleared quantity, net position, the price they trade at and their surplus; header only without peers"),
        ("auction_lines.csv", "network-aware auction (CM3): per line the limit the auction used (raised to the least-overflow flow where the peers cannot clear it) and its signed limit dual; header only for other designs"),
        ("nodal_prices.csv", "network-aware auction (CM3): the nodal price of every bus; header only for other designs"),
        ("capacity_areas.csv", "capacity trade (CM5): the DSO's congested areas with their line, overflow, requirement, providers, delivered capacity and capacity price; header only for other designs"),
    ];

    private static readonly JsonSerializerOptions KpiJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static readonly JsonSerializerOptions DocumentJson = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The export of a scenario run as file name → content (pure: the same result gives the same text).
    /// <paramref name="orderbook"/> is the orderbook the run used (the result itself keeps only the bids it passed on);
    /// it is checked against the result.
    /// </summary>
    /// <exception cref="ArgumentException">The orderbook is not the one the run used.</exception>
    public static IReadOnlyDictionary<string, string> Files(ScenarioResult result, FlexibilityOrderbook orderbook)
    {
        CheckOrderbook(result, orderbook);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["scenario.json"] = ScenarioJson(result),
            ["buses.csv"] = BusesCsv(result),
            ["lines.csv"] = LinesCsv(result),
            ["ptdf.csv"] = PtdfCsv(result),
            ["bids.csv"] = BidsCsv(result, orderbook),
            ["peers.csv"] = PeersCsv(result),
            ["pairs.csv"] = PairsCsv(result),
            ["lfm_bids.csv"] = LfmBidsCsv(result),
            ["market_peers.csv"] = MarketPeersCsv(result),
            ["auction_lines.csv"] = AuctionLinesCsv(result),
            ["nodal_prices.csv"] = NodalPricesCsv(result),
            ["capacity_areas.csv"] = CapacityAreasCsv(result),
        };
        return files;
    }

    /// <summary>
    /// Writes the export of a scenario run into <paramref name="directory"/> (see <see cref="Write(IReadOnlyDictionary{string, string}, string)"/>)
    /// and returns what was written.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Write(ScenarioResult result, FlexibilityOrderbook orderbook, string directory)
    {
        var files = Files(result, orderbook);
        Write(files, directory);
        return files;
    }

    /// <summary>
    /// Writes a set of files as one unit (<see cref="FolderSwap"/>): every file goes into a staging folder next to the
    /// target, which replaces the target only when complete and flushed. A failure (full disk, permission) leaves the
    /// target byte-identical and no staging folder; a kill leaves at most a hidden staging folder, removed by the next
    /// export into the same target, and never a target folder with only some of the files. The target may be missing, an empty folder, or an earlier
    /// export (a folder holding <c>scenario.json</c> and nothing but export files), which is replaced; any other
    /// existing folder or file is refused untouched.
    /// </summary>
    /// <exception cref="ArgumentException">The target exists and is not an empty folder or an earlier export, or a name is not a plain file name.</exception>
    /// <exception cref="IOException">Writing or renaming failed; the target is unchanged.</exception>
    public static void Write(IReadOnlyDictionary<string, string> files, string directory)
    {
        foreach (var name in files.Keys)
            if (name.Length == 0 || name != Path.GetFileName(name) || name is "." or "..")
                throw new ArgumentException($"export file name '{name}' is not a plain file name");
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (Path.GetDirectoryName(target) is null) throw new ArgumentException($"cannot export into the root folder {target}");
        if (File.Exists(target)) throw new ArgumentException($"{target} is a file, not a folder");
        if (Directory.Exists(target) && !IsEmptyOrEarlierExport(target))
            throw new ArgumentException($"{target} exists and is neither empty nor an earlier scenario export; choose a new or empty folder");
        using var swap = FolderSwap.Begin(target, IsEmptyOrEarlierExport, "scenario export (scenario.json)");
        foreach (var (name, content) in files) AtomicFile.WriteAllText(Path.Combine(swap.StagingPath, name), content);
        swap.Commit();
    }

    private static bool IsEmptyOrEarlierExport(string directory)
    {
        if (Directory.EnumerateDirectories(directory).Any()) return false;
        var names = Directory.EnumerateFiles(directory).Select(Path.GetFileName).ToArray();
        if (names.Length == 0) return true;
        var known = FileDescriptions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        return names.Contains("scenario.json") && names.All(n => known.Contains(n!));
    }

    private static void CheckOrderbook(ScenarioResult result, FlexibilityOrderbook orderbook)
    {
        var peers = result.Market.Peers;
        var peerIds = peers.Select(p => p.Bid.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var p in peers)
            if (!orderbook.Contains(p.Bid.Id) || orderbook[p.Bid.Id] != p.Bid)
                throw new ArgumentException($"peer bid '{p.Bid.Id}' of scenario {result.Name} differs from the orderbook {orderbook.Source}");
        var nonPeer = orderbook.Bids.Where(b => !peerIds.Contains(b.Id)).ToArray();
        if (result.Lfm.Status == LfmStatus.NotRun)
        {
            if (result.LfmBids.Count != 0) throw new ArgumentException($"scenario {result.Name}: no LFM ran but {result.LfmBids.Count} LFM bids are listed");
            return;
        }
        if (result.LfmBids.Count < nonPeer.Length || !nonPeer.SequenceEqual(result.LfmBids.Take(nonPeer.Length)))
            throw new ArgumentException($"the LFM bids of scenario {result.Name} are not the non-peer bids of the orderbook {orderbook.Source}");
        if (result.Lfm.Activations.Length != result.LfmBids.Count)
            throw new ArgumentException($"scenario {result.Name}: {result.Lfm.Activations.Length} LFM activations for {result.LfmBids.Count} LFM bids");
    }

    /// <summary>Round-trip number; −0 is written as 0 (numerically equal, easier to read).</summary>
    private static string F(double v) => v == 0 ? "0" : CsvTable.Format(v);

    private static string Direction(BidDirection d) => d == BidDirection.Up ? "up" : "down";

    private static bool LfmOptimal(ScenarioResult r) => r.Lfm.Status == LfmStatus.Optimal;

    private static string BusesCsv(ScenarioResult r)
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

    private static string LinesCsv(ScenarioResult r)
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
    private static IReadOnlyList<int>? AtRiskLines(ScenarioResult r) =>
        DsoInterventions.Theta(r.Definition.Intervention) is null ? null : r.P2P?.AtRiskLines ?? AtRiskWithoutP2P(r, r.Feeder.Check());

    private static string PtdfCsv(ScenarioResult r)
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

    private static string BidsCsv(ScenarioResult r, FlexibilityOrderbook orderbook)
    {
        var peerIds = r.Market.Peers.Select(p => p.Bid.Id).ToHashSet(StringComparer.Ordinal);
        var sb = new StringBuilder("id,bus,direction,volume_mw,price_eur_per_mwh,role\n");
        foreach (var b in orderbook.Bids)
            sb.Append(b.Id).Append(',').Append(b.Bus).Append(',').Append(Direction(b.Direction)).Append(',')
              .Append(F(b.VolumeMw)).Append(',').Append(F(b.PriceEurPerMwh)).Append(',')
              .Append(peerIds.Contains(b.Id) ? "peer" : "lfm").Append('\n');
        return sb.ToString();
    }

    private static string PeersCsv(ScenarioResult r)
    {
        var sb = new StringBuilder("peer_index,bid_id,bus,role,max_volume_mw,linear_cost_eur_per_mwh,quadratic_cost_eur_per_mw2h,net_position_mw,price_eur_per_mwh\n");
        if (r.P2P is not { } stage) return sb.ToString();
        for (int k = 0; k < stage.Peers.Count; k++)
        {
            var p = stage.Peers[k];
            var peer = stage.Problem.Peers[k];
            sb.Append(k).Append(',').Append(p.Bid.Id).Append(',').Append(p.Bid.Bus).Append(',')
              .Append(peer.Role == PeerRole.Seller ? "seller" : "buyer").Append(',')
              .Append(F(peer.MaxVolumeMw)).Append(',').Append(F(peer.LinearCostEurPerMwh)).Append(',')
              .Append(F(peer.QuadraticCostEurPerMw2h)).Append(',')
              .Append(F(stage.Result.NetPositionMw[k])).Append(',').Append(F(stage.Result.PriceEurPerMwh[k])).Append('\n');
        }
        return sb.ToString();
    }

    private static string PairsCsv(ScenarioResult r)
    {
        var sb = new StringBuilder("seller_bid,buyer_bid,seller_preference_eur_per_mwh,buyer_preference_eur_per_mwh,preference_factor,cap_mw,trade_mw\n");
        if (r.P2P is not { } stage) return sb.ToString();
        var pairs = stage.Problem.Pairs;
        for (int p = 0; p < pairs.Count; p++)
        {
            var pair = pairs[p];
            sb.Append(stage.Peers[pair.SellerIndex].Bid.Id).Append(',').Append(stage.Peers[pair.BuyerIndex].Bid.Id).Append(',')
              .Append(F(pair.SellerPreferenceEurPerMwh)).Append(',').Append(F(pair.BuyerPreferenceEurPerMwh)).Append(',')
              .Append(F(stage.PreferenceFactor[p])).Append(',')
              .Append(double.IsPositiveInfinity(pair.CapMw) ? "" : F(pair.CapMw)).Append(',')
              .Append(F(stage.Result.TradesMw[p])).Append('\n');
        }
        return sb.ToString();
    }

    private static string LfmBidsCsv(ScenarioResult r)
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
    private static string MarketPeersCsv(ScenarioResult r)
    {
        var sb = new StringBuilder("peer_index,bid_id,bus,role,max_volume_mw,linear_cost_eur_per_mwh,quadratic_cost_eur_per_mw2h,quantity_mw,net_position_mw,price_eur_per_mwh,surplus_eur\n");
        var peers = r.Market.Peers;
        double?[] price = new double?[peers.Count];
        double?[] surplus = new double?[peers.Count];
        switch (r.Market.Detail)
        {
            case P2PStage p2p:
                for (int k = 0; k < peers.Count; k++) price[k] = p2p.Result.PriceEurPerMwh[k];
                break;
            case Designs.AuctionStage a:
                for (int k = 0; k < peers.Count; k++) { price[k] = a.Result.PriceEurPerMwh; surplus[k] = a.Result.SurplusEur[k]; }
                break;
            case Designs.NetworkAuctionStage n:
                for (int k = 0; k < peers.Count; k++) { price[k] = n.Result.NodalPriceEurPerMwh[peers[k].BusIndex]; surplus[k] = n.Result.SurplusEur[k]; }
                break;
            case Designs.CapacityStage c:
                for (int i = 0; i < c.Providers.Count; i++) { price[c.Providers[i]] = c.Result.ProviderPriceEurPerMwh[i]; surplus[c.Providers[i]] = c.Result.SurplusEur[i]; }
                break;
        }
        for (int k = 0; k < peers.Count; k++)
        {
            var p = peers[k];
            double net = r.Market.NetPositionMw[k];
            sb.Append(k).Append(',').Append(p.Bid.Id).Append(',').Append(p.Bid.Bus).Append(',')
              .Append(p.Peer.Role == PeerRole.Seller ? "seller" : "buyer").Append(',')
              .Append(F(p.Peer.MaxVolumeMw)).Append(',').Append(F(p.Peer.LinearCostEurPerMwh)).Append(',')
              .Append(F(p.Peer.QuadraticCostEurPerMw2h)).Append(',').Append(F(Math.Abs(net))).Append(',').Append(F(net)).Append(',')
              .Append(price[k] is double pr ? F(pr) : "").Append(',').Append(surplus[k] is double su ? F(su) : "").Append('\n');
        }
        return sb.ToString();
    }

    private static string AuctionLinesCsv(ScenarioResult r)
    {
        var sb = new StringBuilder("index,from_bus,to_bus,base_flow_mw,limit_used_mw,flow_after_auction_mw,dual_eur_per_mwh\n");
        if (r.Market.Detail is not Designs.NetworkAuctionStage n) return sb.ToString();
        var limits = n.Result.LimitUsedMw;
        for (int l = 0; l < r.Feeder.Network.Branches.Count; l++)
        {
            var br = r.Feeder.Network.Branches[l];
            sb.Append(br.CaseIndex).Append(',').Append(br.FromBus).Append(',').Append(br.ToBus).Append(',')
              .Append(F(n.Problem.BaseFlowMw[l])).Append(',').Append(F(limits[l])).Append(',')
              .Append(F(n.Result.FlowMw[l])).Append(',').Append(F(n.Result.LineDualEurPerMwh[l])).Append('\n');
        }
        return sb.ToString();
    }

    private static string NodalPricesCsv(ScenarioResult r)
    {
        var sb = new StringBuilder("bus,nodal_price_eur_per_mwh\n");
        if (r.Market.NodalPricesEurPerMwh is not { } prices) return sb.ToString();
        foreach (var bus in r.Feeder.Network.Buses) sb.Append(bus.Number).Append(',').Append(F(prices[bus.Index])).Append('\n');
        return sb.ToString();
    }

    private static string CapacityAreasCsv(ScenarioResult r)
    {
        var sb = new StringBuilder("area_index,name,line_index,overflow_mw,min_relief_mw_per_mw,requirement_mw,available_mw,delivered_mw,price_eur_per_mwh,buses,provider_bids\n");
        if (r.Market.Detail is not Designs.CapacityStage c) return sb.ToString();
        var net = r.Feeder.Network;
        for (int a = 0; a < c.Areas.Count; a++)
        {
            var area = c.Areas[a];
            var problemArea = c.Problem.Areas[a];
            sb.Append(a).Append(',').Append(problemArea.Name.Replace(',', ' ')).Append(',').Append(net.Branches[area.LineIndex].CaseIndex).Append(',')
              .Append(F(area.OverflowMw)).Append(',').Append(F(area.MinReliefMwPerMw)).Append(',').Append(F(area.RequirementMw)).Append(',')
              .Append(F(problemArea.Providers.Sum(i => c.Problem.Providers[i].MaxCapacityMw))).Append(',')
              .Append(F(c.Result.AreaDeliveredMw[a])).Append(',').Append(F(c.Result.AreaPriceEurPerMwh[a])).Append(',')
              .Append(string.Join(' ', area.Buses.Select(b => net.Buses[b].Number))).Append(',')
              .Append(string.Join(' ', area.ProviderPeers.Select(k => c.Peers[k].Bid.Id))).Append('\n');
        }
        return sb.ToString();
    }

    private static JsonObject DesignJson(ScenarioResult r)
    {
        var spec = r.Definition.Design;
        var o = new JsonObject
        {
            ["kind"] = spec.Kind,
            ["parameters"] = JsonSerializer.SerializeToNode(spec),
            ["lfm_follows"] = r.Market.LfmFollows,
            ["status"] = r.Market.StatusText,
            ["residual_overflow_mw"] = r.Market.ResidualOverflowMw,
            ["traded_volume_mw"] = r.Market.TradedVolumeMw,
            ["peers_welfare_eur"] = r.Market.PeersWelfareEur,
            ["mediator_revenue_eur"] = r.Market.MediatorRevenueEur,
            ["capacity_payments_eur"] = r.Market.Payments.CapacityPaymentsEur,
        };
        switch (r.Market.Detail)
        {
            case Designs.AuctionStage a:
                o["clearing_price_eur_per_mwh"] = a.Result.PriceEurPerMwh;
                o["clearing_price_low_eur_per_mwh"] = a.Result.PriceLowEurPerMwh;
                o["clearing_price_high_eur_per_mwh"] = a.Result.PriceHighEurPerMwh;
                break;
            case Designs.NetworkAuctionStage n:
                o["auction_status"] = n.Result.Status.ToString();
                o["balance_dual_eur_per_mwh"] = n.Result.BalanceDualEurPerMwh;
                o["iterations"] = n.Result.Iterations;
                break;
            case Designs.CapacityStage c:
                o["capacity_status"] = c.Result.Status.ToString();
                o["iterations"] = c.Result.Iterations;
                o["lfm_same_relief_status"] = c.LfmSameRelief.Status.ToString();
                o["lfm_same_relief_cost_eur"] = c.LfmSameRelief.CostEur;
                break;
        }
        return o;
    }

    private static string ScenarioJson(ScenarioResult r)
    {
        var d = r.Definition;
        var m = d.Market;
        var net = r.Feeder.Network;
        var intervention = d.Intervention switch
        {
            DsoIntervention.Block b => new JsonObject { ["kind"] = "block", ["theta"] = b.Theta, ["w"] = null, ["reward_share"] = null },
            // reward_share tells the study's symmetric rule (1) from the penalty-only variants (0).
            DsoIntervention.Incentive i => new JsonObject { ["kind"] = "incentive", ["theta"] = i.Theta, ["w"] = i.W, ["reward_share"] = i.RewardShare },
            _ => new JsonObject { ["kind"] = "none", ["theta"] = null, ["w"] = null, ["reward_share"] = null },
        };
        var atRisk = AtRiskLines(r);
        var stage = r.P2P;
        int sellers = stage?.Peers.Count(p => p.Peer.Role == PeerRole.Seller) ?? 0;
        int buyers = (stage?.Peers.Count ?? 0) - sellers;
        JsonNode? solver = stage is null ? null : new JsonObject
        {
            ["name"] = stage.Result.Solver,
            ["status"] = stage.Result.Status.ToString(),
            ["iterations"] = stage.Result.Iterations,
            ["primal_residual_mw"] = stage.Result.PrimalResidualMw,
            ["dual_residual_eur_per_mwh"] = stage.Result.DualResidualEurPerMwh,
            ["welfare_eur"] = stage.Result.WelfareEur,
        };
        var files = new JsonObject();
        foreach (var (name, description) in FileDescriptions) files[name] = description;
        var doc = new JsonObject
        {
            ["format_version"] = FormatVersion,
            ["name"] = d.Name,
            ["label"] = d.Label,
            ["scenario_file"] = Path.GetFileName(d.Source),
            ["case"] = net.Name,
            ["state"] = d.State.ToString().ToLowerInvariant(),
            ["peers"] = d.Peers switch
            {
                PeerSelection.None => "none",
                PeerSelection.Subset => "subset",
                PeerSelection.LateralRelief => "lateral-relief",
                _ => d.Peers.ToString(),
            },
            ["slack_bus"] = net.Buses[net.SlackIndex].Number,
            ["intervention"] = intervention,
            ["market_design"] = DesignJson(r),
            ["market"] = JsonSerializer.SerializeToNode(m),
            ["epsilon_eur_per_mw2h"] = m.EpsilonEurPerMw2h,
            ["interval_hours"] = m.IntervalHours,
            ["congestion_tolerance_mw"] = Grid.GridCheck.DefaultToleranceMw,
            ["kpis"] = JsonSerializer.SerializeToNode(ScenarioReport.Kpis(r), KpiJson),
            ["p2p"] = new JsonObject
            {
                ["peer_count"] = stage?.Peers.Count ?? 0,
                ["seller_count"] = sellers,
                ["buyer_count"] = buyers,
                ["pair_count"] = stage?.Problem.Pairs.Count ?? 0,
                ["blocked_pair_count"] = stage?.BlockedPairs ?? 0,
                ["at_risk_lines"] = atRisk is null ? null : new JsonArray(atRisk.Select(l => (JsonNode?)net.Branches[l].CaseIndex).ToArray()),
                ["traded_volume_mw"] = r.P2PVolumeMw,
                ["solver"] = solver,
            },
            ["lfm"] = new JsonObject
            {
                ["status"] = r.Lfm.Status.ToString(),
                ["ran"] = r.Lfm.Status != LfmStatus.NotRun,
                ["path"] = r.Lfm.Path.ToString(),
                ["require_balance"] = m.LfmRequireBalance,
                ["bid_count"] = r.LfmBids.Count,
                ["cost_eur"] = r.Lfm.CostEur,
                ["upward_total_mw"] = LfmOptimal(r) ? r.Lfm.UpwardTotalMw : null,
                ["downward_total_mw"] = LfmOptimal(r) ? r.Lfm.DownwardTotalMw : null,
                ["least_total_overflow_mw"] = r.Lfm.Infeasibility?.LeastTotalOverflowMw,
                ["solver_message"] = r.Lfm.SolverMessage,
            },
            ["files"] = files,
        };
        return doc.ToJsonString(DocumentJson) + "\n";
    }
}
