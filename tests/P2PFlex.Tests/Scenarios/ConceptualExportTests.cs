using System.Globalization;
using System.Text.Json;
using P2PFlex.IO;
using P2PFlex.Markets.Auction;
using P2PFlex.Markets.Capacity;
using P2PFlex.Markets.P2P;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Scenarios;

/// <summary>
/// The export of the conceptual models: the new market instances are rebuilt from the exported files alone and
/// re-solved, and the re-solve gives the exported result.
/// </summary>
public class ConceptualExportTests : IDisposable
{
    private static Lazy<StudyContext> Context => TestData.Study;
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"p2pflex-cm-export-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private string Export(string name)
    {
        var r = ScenarioRunner.Run(StudyContext.LoadScenarios().Single(s => s.Name == name), Context.Value);
        string dir = Path.Combine(_root, name);
        ScenarioExport.Write(r, Context.Value.Orderbook, dir);
        return dir;
    }

    private static CsvTable Csv(string dir, string file) => CsvTable.Read(Path.Combine(dir, file));
    private static JsonElement Json(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "scenario.json"))).RootElement;

    private static Peer[] Peers(CsvTable t) => Enumerable.Range(0, t.Count).Select(r => new Peer(t.Text(r, "bid_id"),
        t.Text(r, "role") == "seller" ? PeerRole.Seller : PeerRole.Buyer, t.Number(r, "max_volume_mw"),
        t.Number(r, "linear_cost_eur_per_mwh"), t.Number(r, "quadratic_cost_eur_per_mw2h"))).ToArray();

    [Fact]
    public void CM1_export_re_solves_to_its_price_and_quantities()
    {
        string dir = Export("cm1");
        var t = Csv(dir, "market_peers.csv");
        var r = DoubleAuction.Clear(new AuctionProblem(Peers(t), Json(dir).GetProperty("interval_hours").GetDouble()));
        var design = Json(dir).GetProperty("market_design");
        Assert.Equal("auction", design.GetProperty("kind").GetString());
        Assert.Equal(design.GetProperty("clearing_price_eur_per_mwh").GetDouble(), r.PriceEurPerMwh!.Value, 1e-12);
        for (int k = 0; k < t.Count; k++)
        {
            Assert.Equal(t.Number(k, "quantity_mw"), r.QuantityMw[k], 1e-12);
            Assert.Equal(t.Number(k, "surplus_eur"), r.SurplusEur[k], 1e-9);
        }
        // The mediator's bids in lfm_bids.csv aggregate the peers' unmet volumes per bus and direction.
        var lfm = Csv(dir, "lfm_bids.csv");
        var mediator = Enumerable.Range(0, lfm.Count).Where(i => lfm.Text(i, "origin") == "mediator").ToArray();
        Assert.NotEmpty(mediator);
        foreach (int i in mediator)
        {
            var parts = Enumerable.Range(0, t.Count).Where(k => t.Integer(k, "bus") == lfm.Integer(i, "bus")
                && (t.Text(k, "role") == "seller") == (lfm.Text(i, "direction") == "up")
                && t.Number(k, "max_volume_mw") - t.Number(k, "quantity_mw") > 1e-6).ToArray();
            Assert.Equal(parts.Sum(k => t.Number(k, "max_volume_mw") - t.Number(k, "quantity_mw")), lfm.Number(i, "volume_mw"), 1e-9);
        }
    }

    [Theory]
    [InlineData("cm3-v1")]
    [InlineData("cm3-v2-extreme")]
    public void CM3_export_re_solves_to_its_nodal_prices(string name)
    {
        string dir = Export(name);
        var t = Csv(dir, "market_peers.csv");
        var lines = Csv(dir, "auction_lines.csv");
        var ptdf = Csv(dir, "ptdf.csv");
        var busColumns = ptdf.Header.Where(h => h.StartsWith("bus_", StringComparison.Ordinal)).ToArray();
        var busNumbers = busColumns.Select(c => int.Parse(c[4..], CultureInfo.InvariantCulture)).ToArray();
        var h = new double[ptdf.Count, busColumns.Length];
        for (int l = 0; l < ptdf.Count; l++) for (int k = 0; k < busColumns.Length; k++) h[l, k] = ptdf.Number(l, busColumns[k]);
        var at = Enumerable.Range(0, t.Count).Select(k => Array.IndexOf(busNumbers, t.Integer(k, "bus"))).ToArray();
        var baseFlow = Enumerable.Range(0, lines.Count).Select(l => lines.Number(l, "base_flow_mw")).ToArray();
        var limit = Enumerable.Range(0, lines.Count).Select(l => lines.Number(l, "limit_used_mw")).ToArray();
        // Within the limits it used, the exported auction is feasible: re-solving it reproduces quantities and prices.
        var r = NetworkAuction.Clear(new NetworkAuctionProblem(Peers(t), at, h, baseFlow, limit));
        Assert.Equal(NetworkAuctionStatus.Optimal, r.Status);
        for (int k = 0; k < t.Count; k++) Assert.Equal(t.Number(k, "quantity_mw"), r.QuantityMw[k], 1e-7);
        var prices = Csv(dir, "nodal_prices.csv");
        Assert.Equal(busNumbers.Length, prices.Count);
        for (int b = 0; b < prices.Count; b++) Assert.Equal(prices.Number(b, "nodal_price_eur_per_mwh"), r.NodalPriceEurPerMwh[b], 1e-5);
        for (int l = 0; l < lines.Count; l++) Assert.Equal(lines.Number(l, "flow_after_auction_mw"), r.FlowMw[l], 1e-7);
        var kpis = Json(dir).GetProperty("kpis");
        Assert.Equal(kpis.GetProperty("market").GetProperty("mediator_revenue_eur").GetDouble(), r.MediatorRevenueEur, 1e-5);
        // Under least overflow the export says the prices are not unique, and the revenue's range holds the reported one.
        var design = Json(dir).GetProperty("market_design");
        bool leastOverflow = design.GetProperty("auction_status").GetString() == "LeastOverflow";
        Assert.Equal(!leastOverflow, design.GetProperty("prices_unique").GetBoolean());
        if (leastOverflow)
        {
            Assert.NotEqual(0, design.GetProperty("non_unique_price_buses").GetArrayLength());
            Assert.Equal(JsonValueKind.Null, design.GetProperty("mediator_revenue_min_eur").ValueKind);
            double revenue = kpis.GetProperty("market").GetProperty("mediator_revenue_eur").GetDouble();
            Assert.True(revenue <= design.GetProperty("mediator_revenue_max_eur").GetDouble() + 1e-4);
            // Per non-unique bus, its price's range over the same multipliers holds the reported price (which
            // nodal_prices.csv carries), and each is unbounded on at least one side: the direction that makes the
            // bus's price non-unique is a ray.
            var ranges = design.GetProperty("non_unique_price_ranges").EnumerateArray().ToArray();
            Assert.Equal(design.GetProperty("non_unique_price_buses").EnumerateArray().Select(e => e.GetInt32()), ranges.Select(x => x.GetProperty("bus").GetInt32()));
            var priceOf = Enumerable.Range(0, prices.Count).ToDictionary(b => prices.Integer(b, "bus"), b => prices.Number(b, "nodal_price_eur_per_mwh"));
            foreach (var range in ranges)
            {
                Assert.True(range.GetProperty("determined").GetBoolean());
                double reported = range.GetProperty("reported_eur_per_mwh").GetDouble();
                Assert.Equal(priceOf[range.GetProperty("bus").GetInt32()], reported);
                double? min = range.GetProperty("min_eur_per_mwh").ValueKind == JsonValueKind.Null ? null : range.GetProperty("min_eur_per_mwh").GetDouble();
                double? max = range.GetProperty("max_eur_per_mwh").ValueKind == JsonValueKind.Null ? null : range.GetProperty("max_eur_per_mwh").GetDouble();
                Assert.True((min ?? double.NegativeInfinity) <= reported + 1e-4 && reported <= (max ?? double.PositiveInfinity) + 1e-4,
                    $"bus {range.GetProperty("bus").GetInt32()}: reported {reported} outside [{min}, {max}]");
                Assert.True(min is null || max is null, $"bus {range.GetProperty("bus").GetInt32()}: a bounded range [{min}, {max}] for a non-unique price");
            }
        }
        else Assert.False(design.TryGetProperty("non_unique_price_ranges", out _));
    }

    [Fact]
    public void CM5_export_re_solves_and_the_KKT_checker_accepts_it()
    {
        string dir = Export("cm5");
        var t = Csv(dir, "market_peers.csv");
        var areas = Csv(dir, "capacity_areas.csv");
        var index = Enumerable.Range(0, t.Count).ToDictionary(k => t.Text(k, "bid_id"));
        var providerIds = Enumerable.Range(0, areas.Count).SelectMany(a => areas.Text(a, "provider_bids").Split(' ')).Distinct().Order(StringComparer.Ordinal).ToArray();
        var providers = providerIds.Select(id => new CapacityProvider(id, t.Number(index[id], "max_volume_mw"),
            t.Number(index[id], "linear_cost_eur_per_mwh"), t.Number(index[id], "quadratic_cost_eur_per_mw2h"))).ToArray();
        var problem = new CapacityProblem(providers, Enumerable.Range(0, areas.Count).Select(a => new CapacityArea(areas.Text(a, "name"),
            areas.Number(a, "requirement_mw"), areas.Text(a, "provider_bids").Split(' ').Select(id => Array.IndexOf(providerIds, id)).ToArray())).ToArray());
        var r = CapacityMarket.Clear(problem);
        Assert.Empty(CapacityKktChecker.Check(problem, r));
        for (int a = 0; a < areas.Count; a++)
        {
            Assert.Equal(areas.Number(a, "price_eur_per_mwh"), r.AreaPriceEurPerMwh[a], 1e-7);
            Assert.Equal(areas.Number(a, "delivered_mw"), r.AreaDeliveredMw[a], 1e-9);
        }
        for (int i = 0; i < providerIds.Length; i++) Assert.Equal(t.Number(index[providerIds[i]], "quantity_mw"), r.DeliveredMw[i], 1e-9);
        var json = Json(dir);
        Assert.Equal(json.GetProperty("kpis").GetProperty("dso").GetProperty("capacity_payments_eur").GetDouble(), r.CapacityPaymentsEur, 1e-9);
        Assert.False(json.GetProperty("lfm").GetProperty("ran").GetBoolean());
        Assert.Equal(0, Csv(dir, "lfm_bids.csv").Count);
    }
}
