using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using P2PFlex.IO;
using P2PFlex.Markets.Auction;

namespace P2PFlex.Scenarios.Designs;

/// <summary>Parameters of the network-aware auction (<c>network-auction</c>).</summary>
/// <param name="MediatorAggregates">As for the auction: aggregated (true, default) or one by one.</param>
/// <param name="LfmFollows">Whether an LFM runs afterwards (variation 2; the default when null) or not (variation 1).</param>
public sealed record NetworkAuctionParameters(
    [property: JsonPropertyName("mediator_aggregates")] bool MediatorAggregates = true,
    [property: JsonPropertyName("lfm_follows")] bool? LfmFollows = null) : IDesignParameters;

/// <summary>The network-aware auction as posed and cleared, for notebooks, export and tests: each peer trades at its
/// bus's nodal price.</summary>
/// <param name="Peers">The peers, in problem order.</param>
/// <param name="Problem">The auction as posed.</param>
/// <param name="Result">Its outcome.</param>
/// <param name="MediatorAggregates">Whether the mediator offers the unmet volumes aggregated per bus.</param>
/// <param name="BusNumbers">The feeder's bus number per bus index (the export names buses by number).</param>
public sealed record NetworkAuctionStage(IReadOnlyList<ScenarioPeer> Peers, NetworkAuctionProblem Problem, NetworkAuctionResult Result, bool MediatorAggregates,
    IReadOnlyList<int> BusNumbers) : IMarketOutcome
{
    public IReadOnlyList<double?> PeerPriceEurPerMwh => Peers.Select(p => (double?)Result.NodalPriceEurPerMwh[p.BusIndex]).ToArray();

    public IReadOnlyList<double?> PeerSurplusEur => Result.SurplusEur.Select(s => (double?)s).ToArray();

    public void AddJson(JsonObject o)
    {
        o["auction_status"] = Result.Status.ToString();
        o["balance_dual_eur_per_mwh"] = Result.BalanceDualEurPerMwh;
        o["iterations"] = Result.Iterations;
        // Least overflow: the trades are unique, the prices are not (NonUniquePrices); say which, and the range of the
        // mediator revenue over every set of prices that proves the outcome optimal (null end: unbounded).
        var ambiguity = Result.PriceAmbiguity;
        o["prices_unique"] = ambiguity is null;
        if (ambiguity is not null)
        {
            o["non_unique_price_buses"] = new JsonArray([.. ambiguity.BusIndices.Select(b => (JsonNode?)BusNumbers[b])]);
            o["mediator_revenue_range_determined"] = ambiguity.RevenueRangeDetermined;
            o["mediator_revenue_min_eur"] = ambiguity.MediatorRevenueMinEur;
            o["mediator_revenue_max_eur"] = ambiguity.MediatorRevenueMaxEur;
            // Per non-unique bus, the range of its price over the same multipliers (computed for the export only).
            o["non_unique_price_ranges"] = new JsonArray([.. NetworkAuction.NodalPriceRanges(Problem, Result, ambiguity.BusIndices).Select(r => (JsonNode?)new JsonObject
            {
                ["bus"] = BusNumbers[r.BusIndex],
                ["determined"] = r.Determined,
                ["reported_eur_per_mwh"] = Result.NodalPriceEurPerMwh[r.BusIndex],
                ["min_eur_per_mwh"] = r.MinEurPerMwh,
                ["max_eur_per_mwh"] = r.MaxEurPerMwh,
            })]);
        }
    }
}

/// <summary>
/// Auction-based P2P trade with implicit service (the study's CM3): the mediator clears the auction subject to every
/// line limit of the scenario's loading state (base flows plus the PTDF effect of the peers' net injections), which
/// gives nodal prices. Variation 1 (<c>lfm_follows: false</c>): no LFM afterwards, the auction alone answers for the
/// grid; when the peers cannot remove the base congestions the status says so with the least residual overflow.
/// Variation 2 (<c>lfm_follows: true</c>, default): the LFM follows with the non-peer bids and the mediator's
/// aggregated bids. The mediator keeps the congestion rent Σ ρ D − Σ ρ G.
/// </summary>
public sealed class NetworkAuctionDesign : MarketDesign<NetworkAuctionParameters, NetworkAuctionStage>
{
    public NetworkAuctionDesign() : base(new NetworkAuctionParameters()) { }

    public override string Name => "network-auction";

    /// <summary>The auction's line rows and nodal prices (format 1 of the export).</summary>
    public override IReadOnlyList<DesignExportFile> ExportFiles { get; } =
    [
        File("auction_lines.csv", "network-aware auction (CM3): per line the limit the auction used (raised to the least-overflow flow where the peers cannot clear it) and its signed limit dual; header only for other designs",
            "index,from_bus,to_bus,base_flow_mw,limit_used_mw,flow_after_auction_mw,dual_eur_per_mwh", LineRows),
        File("nodal_prices.csv", "network-aware auction (CM3): the nodal price of every bus; header only for other designs",
            "bus,nodal_price_eur_per_mwh", PriceRows),
    ];

    protected override MarketStage Clear(MarketDesignInput input, NetworkAuctionParameters parameters)
    {
        bool lfmFollows = parameters.LfmFollows ?? true;
        if (input.PeerBids.Count == 0) return MarketStage.Empty(Name) with { LfmFollows = lfmFollows, MediatorRevenueEur = 0 };
        var feeder = input.Feeder;
        var peers = ScenarioPeers.Build(input.Scenario.Market, feeder, input.PeerBids);
        var grid = input.Grid;
        var problem = new NetworkAuctionProblem(
            peers.Select(p => p.Peer).ToArray(),
            peers.Select(p => p.BusIndex).ToArray(),
            grid.PtdfMwPerMw,
            grid.FlowMw,
            grid.LimitMw,
            input.Scenario.Market.IntervalHours);
        var result = SolvedAuctions.Clear(problem);
        bool aggregate = parameters.MediatorAggregates;
        var offered = lfmFollows ? MediatorAggregation.Offer(peers, result.QuantityMw, aggregate) : [];
        bool within = result.Status == NetworkAuctionStatus.Optimal;
        string? detail = within ? null
            : FormattableString.Invariant($"the peers cannot remove the congestions: least residual overflow {result.LeastTotalOverflowMw:F6} MW on lines {string.Join(" ", result.Overloaded.Select(o => feeder.Network.Branches[o.LineIndex].CaseIndex))}");
        return new MarketStage(Name, peers, result.NetPositionMw, offered, lfmFollows, result.TradedVolumeMw,
            result.PeersWelfareEur, result.MediatorRevenueEur, result.NodalPriceEurPerMwh, DsoPayments.None,
            new NetworkAuctionStage(peers, problem, result, aggregate, feeder.Network.Buses.Select(b => b.Number).ToArray()))
        {
            Status = within ? MarketStageStatus.ClearedWithinLineLimits : MarketStageStatus.CongestionsRemain,
            StatusDetail = detail,
            ResidualOverflowMw = result.LeastTotalOverflowMw,
        };
    }

    private static void LineRows(ScenarioResult r, NetworkAuctionStage n, CsvRowWriter csv)
    {
        var limits = n.Result.LimitUsedMw;
        for (int l = 0; l < r.Feeder.Network.Branches.Count; l++)
        {
            var br = r.Feeder.Network.Branches[l];
            csv.Integer(br.CaseIndex).Integer(br.FromBus).Integer(br.ToBus)
               .Number(n.Problem.BaseFlowMw[l]).Number(limits[l])
               .Number(n.Result.FlowMw[l]).Number(n.Result.LineDualEurPerMwh[l]).EndRow();
        }
    }

    private static void PriceRows(ScenarioResult r, NetworkAuctionStage n, CsvRowWriter csv)
    {
        var prices = n.Result.NodalPriceEurPerMwh;
        foreach (var bus in r.Feeder.Network.Buses) csv.Integer(bus.Number).Number(prices[bus.Index]).EndRow();
    }
}
