using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using P2PFlex.IO;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Markets.P2P;
using P2PFlex.Scenarios;
using P2PFlex.Scenarios.Designs;

namespace P2PFlex.Tests.Scenarios;

/// <summary>Parameters of the toy pool: the one price it trades at.</summary>
public sealed record ToyPoolParameters([property: JsonPropertyName("pool_price_eur_per_mwh")] double PoolPriceEurPerMwh = 60) : IDesignParameters
{
    public IEnumerable<(string Key, string Problem)> Problems()
    {
        if (!(PoolPriceEurPerMwh >= 0 && PoolPriceEurPerMwh <= 10_000)) yield return ("pool_price_eur_per_mwh", "must be in [0, 10000]");
    }
}

/// <summary>The toy pool's result: every peer at the pool price, quantities per peer.</summary>
public sealed record ToyPoolOutcome(IReadOnlyList<ScenarioPeer> Peers, double PriceEurPerMwh, IReadOnlyList<double> QuantityMw) : IMarketOutcome
{
    public IReadOnlyList<double?> PeerPriceEurPerMwh => Peers.Select(_ => (double?)PriceEurPerMwh).ToArray();
    public IReadOnlyList<double?> PeerSurplusEur => new double?[Peers.Count];
    public void AddJson(JsonObject marketDesign) => marketDesign["pool_price_eur_per_mwh"] = PriceEurPerMwh;
}

/// <summary>
/// A toy design written the way docs/extending.md says: one class with its parameter record and result, nothing else
/// in the library changed. The sellers whose bid price is at most the pool price and every buyer trade pro rata at
/// the pool price; the unmet rest goes to the LFM.
/// </summary>
public sealed class ToyPoolDesign : MarketDesign<ToyPoolParameters, ToyPoolOutcome>
{
    public ToyPoolDesign() : base(new ToyPoolParameters()) { }

    public override string Name => "toy-pool";

    public override IReadOnlyList<DesignExportFile> ExportFiles { get; } =
    [
        File("toy_pool.csv", "toy pool: each peer's bid and quantity", "bid_id,quantity_mw", (r, o, csv) =>
        {
            for (int k = 0; k < o.Peers.Count; k++) csv.Text(o.Peers[k].Bid.Id).Number(o.QuantityMw[k]).EndRow();
        }),
    ];

    protected override MarketStage Clear(MarketDesignInput input, ToyPoolParameters parameters)
    {
        if (input.PeerBids.Count == 0) return MarketStage.Empty(Name);
        var peers = ScenarioPeers.Build(input.Scenario.Market, input.Feeder, input.PeerBids);
        double price = parameters.PoolPriceEurPerMwh;
        bool Sells(ScenarioPeer p) => p.Peer.Role == PeerRole.Seller && p.Bid.PriceEurPerMwh <= price;
        double supply = peers.Where(Sells).Sum(p => p.Bid.VolumeMw);
        double demand = peers.Where(p => p.Peer.Role == PeerRole.Buyer).Sum(p => p.Bid.VolumeMw);
        double traded = Math.Min(supply, demand);
        var quantity = peers.Select(p => Sells(p) ? p.Bid.VolumeMw * traded / supply : p.Peer.Role == PeerRole.Buyer ? p.Bid.VolumeMw * traded / demand : 0).ToArray();
        var net = peers.Select((p, k) => p.Peer.Role == PeerRole.Seller ? quantity[k] : -quantity[k]).ToArray();
        return new MarketStage(Name, peers, net, MediatorAggregation.Unmet(peers, quantity), LfmFollows: true, traded,
            PeersWelfareEur: 0, MediatorRevenueEur: null, NodalPricesEurPerMwh: null, DsoPayments.None, new ToyPoolOutcome(peers, price, quantity));
    }
}

/// <summary>A new design is one class (here in the test assembly), its parameters read and checked by the shared reader,
/// its result typed, its price, JSON members and file in the export, with no change to the pipeline.</summary>
public class ToyDesignTests
{
    private static readonly Lazy<StudyContext> Context = new(() => StudyContext.Load());
    private static readonly ToyPoolDesign Toy = new();

    private static string WithDesign(string design) =>
        TestData.ScenarioCopy("cm1", t => t.Replace("\"kind\": \"auction\",\n    \"mediator_aggregates\": true", design));

    [Fact]
    public void The_shared_reader_reads_and_checks_the_toy_designs_parameters()
    {
        var s = ScenarioDefinition.Read(WithDesign("\"kind\": \"toy-pool\",\n    \"pool_price_eur_per_mwh\": 55"), [Toy]);
        Assert.Equal(new MarketDesignSpec("toy-pool", new ToyPoolParameters(55)), s.Design);
        string path = WithDesign("\"kind\": \"toy-pool\",\n    \"mediator_aggregates\": true");
        var e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path, [Toy]));
        Assert.Equal("market_design.mediator_aggregates", e.Field);
        Assert.Contains("it takes pool_price_eur_per_mwh", e.Message);
        path = WithDesign("\"kind\": \"toy-pool\",\n    \"pool_price_eur_per_mwh\": -1");
        e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path, [Toy]));
        Assert.Equal("market_design.pool_price_eur_per_mwh", e.Field);
        Assert.Equal(File.ReadAllLines(path).ToList().FindIndex(l => l.Contains("pool_price")) + 1, e.Line);
        // Unregistered, the kind is unknown.
        Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(WithDesign("\"kind\": \"toy-pool\"")));
    }

    [Fact]
    public void The_pipeline_KPIs_and_export_take_the_toy_design_without_a_change()
    {
        var s = ScenarioDefinition.Read(WithDesign("\"kind\": \"toy-pool\",\n    \"pool_price_eur_per_mwh\": 55"), [Toy]);
        var r = ScenarioRunner.Run(s, Context.Value, acCheck: false, design: Toy);
        var outcome = ToyPoolDesign.OutcomeOf(r) ?? throw new Xunit.Sdk.XunitException("no typed outcome");
        Assert.Equal(55, outcome.PriceEurPerMwh);
        Assert.True(r.P2PVolumeMw > 0);
        var k = ScenarioReport.Kpis(r);
        Assert.Equal("toy-pool", k.MarketDesign);
        Assert.Equal(r.P2PVolumeMw, k.P2PVolumeMw);
        // Injections moved by exactly the pool's net positions.
        Assert.Equal(r.Feeder.InjectionMw.Sum() + r.Market.NetPositionMw.Sum(), r.InjectionMw.Sum(), 1e-12);

        var files = ScenarioExport.Files(r, Context.Value.Orderbook);
        var pool = files["toy_pool.csv"].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("bid_id,quantity_mw", pool[0]);
        Assert.Equal(r.Market.Peers.Count, pool.Length - 1);
        var marketPeers = files["market_peers.csv"].Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        Assert.All(marketPeers, row => Assert.Equal("55", row.Split(',')[9]));
        var json = JsonNode.Parse(files["scenario.json"])!;
        Assert.Equal(55, json["market_design"]!["pool_price_eur_per_mwh"]!.GetValue<double>());
        Assert.Equal(55, json["market_design"]!["parameters"]!["pool_price_eur_per_mwh"]!.GetValue<double>());
        Assert.NotNull(json["files"]!["toy_pool.csv"]);
        // The registered designs' files are all there too (header only), as in every export.
        Assert.Equal("index,from_bus,to_bus,base_flow_mw,limit_used_mw,flow_after_auction_mw,dual_eur_per_mwh\n", files["auction_lines.csv"]);
    }
}
