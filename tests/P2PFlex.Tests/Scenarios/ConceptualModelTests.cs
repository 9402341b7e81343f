using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Markets.Auction;
using P2PFlex.Markets.Capacity;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.P2P;
using P2PFlex.Scenarios;
using P2PFlex.Scenarios.Designs;

namespace P2PFlex.Tests.Scenarios;

/// <summary>The conceptual models CM1, CM3 and CM5 run through the scenario pipeline on case69.</summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class ConceptualModelTests
{
    private static Lazy<StudyContext> Context => TestData.Study;
    private static readonly Lazy<IReadOnlyList<ScenarioDefinition>> Scenarios = new(() => StudyContext.LoadScenarios());
    private static ScenarioDefinition Def(string name) => Scenarios.Value.Single(s => s.Name == name);
    private static ScenarioResult Run(ScenarioDefinition s) => ScenarioRunner.Run(s, Context.Value);

    [Fact]
    public void CM1_offers_the_mediators_aggregated_bids_one_per_bus_and_direction()
    {
        var r = Run(Def("cm1"));
        var stage = Assert.IsType<AuctionStage>(r.Market.Detail);
        var mediator = r.LfmBids.Where(b => b.Id.StartsWith(MediatorAggregation.IdPrefix, StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(mediator);
        Assert.Equal(mediator.Length, mediator.Select(b => (b.Bus, b.Direction)).Distinct().Count());
        // Volume and volume-weighted price per bus and direction, recomputed from the peers' unmet parts.
        foreach (var m in mediator)
        {
            var parts = stage.Peers.Select((p, k) => (p.Bid, Left: p.Bid.VolumeMw - stage.Result.QuantityMw[k]))
                .Where(t => t.Bid.Bus == m.Bus && t.Bid.Direction == m.Direction && t.Left > BilateralP2PDesign.UnmetVolumeThresholdMw).ToArray();
            Assert.Equal(parts.Sum(t => t.Left), m.VolumeMw, 1e-12);
            Assert.Equal(parts.Sum(t => t.Left * t.Bid.PriceEurPerMwh) / parts.Sum(t => t.Left), m.PriceEurPerMwh, 1e-9);
        }
        Assert.Equal(0, r.Market.MediatorRevenueEur);
        Assert.Equal(stage.Result.TradedVolumeMw, r.P2PVolumeMw);
        Assert.Null(r.Market.NodalPricesEurPerMwh);
    }

    [Fact]
    public void CM3_variation_1_runs_no_LFM_and_says_so()
    {
        var r = Run(Def("cm3-v1"));
        Assert.Equal(LfmStatus.NotRun, r.Lfm.Status);
        Assert.Empty(r.LfmBids);
        var k = ScenarioReport.Kpis(r);
        Assert.Equal(LfmStatus.NotRun, k.LfmStatus);
        Assert.Equal(0, k.Dso.TotalEur);
        Assert.Equal("not run", ScenarioReport.FormatLfmCost(k));
        Assert.Equal(0, r.BeforeLfm.CongestedLineCount);
        Assert.Contains("not run", ScenarioReport.MarketTable([r]));
    }

    [Fact]
    public void CM3_nodal_prices_satisfy_each_peers_optimality_and_the_rent_is_the_mediators()
    {
        var r = Run(Def("cm3-v2"));
        var stage = Assert.IsType<NetworkAuctionStage>(r.Market.Detail);
        var res = stage.Result;
        for (int k = 0; k < stage.Peers.Count; k++)
        {
            var p = stage.Peers[k].Peer;
            double q = res.QuantityMw[k];
            double marginal = p.Role == PeerRole.Seller ? p.LinearCostEurPerMwh + p.QuadraticCostEurPerMw2h * q : p.LinearCostEurPerMwh - p.QuadraticCostEurPerMw2h * q;
            if (q > 1e-9 && q < p.MaxVolumeMw - 1e-9) Assert.Equal(res.NodalPriceEurPerMwh[stage.Peers[k].BusIndex], marginal, 1e-6);
        }
        double rent = 0;
        for (int k = 0; k < stage.Peers.Count; k++) rent -= res.NodalPriceEurPerMwh[stage.Peers[k].BusIndex] * res.NetPositionMw[k];
        Assert.Equal(rent, r.Market.MediatorRevenueEur!.Value, 1e-9);
        Assert.True(res.NodalPriceEurPerMwh.Max() > res.NodalPriceEurPerMwh.Min(), "some line binds on the base state");
        // Every line within its limit after the auction.
        Assert.All(res.FlowMw.Select((f, l) => Math.Abs(f) - stage.Problem.LimitMw[l]), o => Assert.True(o <= 1e-6));
    }

    [Fact]
    public void CM3_variation_1_on_the_extreme_state_is_a_least_overflow_status_not_a_crash()
    {
        var s = Def("cm3-v1") with { State = StudyState.Extreme, Expected = null };
        var r = Run(s);
        var stage = Assert.IsType<NetworkAuctionStage>(r.Market.Detail);
        Assert.Equal(NetworkAuctionStatus.LeastOverflow, stage.Result.Status);
        Assert.True(stage.Result.LeastTotalOverflowMw > 0);
        Assert.Equal(stage.Result.LeastTotalOverflowMw, r.BeforeLfm.OverflowSumMw, 1e-9);
        var k = ScenarioReport.Kpis(r);
        Assert.StartsWith("the peers cannot remove the congestions: least residual overflow", k.Clearing.Status);
        Assert.Equal(LfmStatus.NotRun, r.Lfm.Status);
    }

    [Fact]
    public void CM5_delivered_capacity_removes_the_congestion_and_the_KKT_checker_accepts_it()
    {
        var r = Run(Def("cm5"));
        var stage = Assert.IsType<CapacityStage>(r.Market.Detail);
        Assert.Equal(CapacityStatus.Covered, stage.Result.Status);
        Assert.Equal(2, stage.Areas.Count);
        Assert.Empty(CapacityKktChecker.Check(stage.Problem, stage.Result));
        Assert.Equal(0, r.BeforeLfm.CongestedLineCount);
        Assert.Equal(stage.Result.CapacityPaymentsEur, ScenarioReport.Kpis(r).Dso.TotalEur!.Value, 1e-12);
        // The DSO's need per area is its line's overflow (relief 1 MW per MW on a radial feeder).
        foreach (var a in stage.Areas) Assert.Equal(a.OverflowMw, a.RequirementMw, 1e-12);
        // The LFM buying the same relief from the same bids pays their linear prices only.
        Assert.Equal(LfmStatus.Optimal, stage.LfmSameRelief.Status);
        Assert.True(stage.LfmSameRelief.CostEur <= stage.Result.CapacityPaymentsEur);
    }

    [Fact]
    public void CM5_with_zero_requirement_trades_nothing()
    {
        var s = Def("cm5") with { Design = Def("cm5").Design with { RequirementScale = 0 } };
        var r = Run(s);
        var stage = Assert.IsType<CapacityStage>(r.Market.Detail);
        Assert.All(stage.Result.DeliveredMw, y => Assert.Equal(0, y));
        Assert.Equal(0, r.P2PVolumeMw);
        Assert.Equal(0, stage.Result.CapacityPaymentsEur);
        Assert.Empty(CapacityKktChecker.Check(stage.Problem, stage.Result));
    }

    [Fact]
    public void CM5_requirement_beyond_the_areas_flexibility_names_area_and_shortfall()
    {
        var s = Def("cm5") with { Design = Def("cm5").Design with { RequirementScale = 1000 } };
        var r = Run(s);
        var stage = Assert.IsType<CapacityStage>(r.Market.Detail);
        Assert.Equal(CapacityStatus.Shortfall, stage.Result.Status);
        var k = ScenarioReport.Kpis(r);
        Assert.Contains("area line 44 (44–45)", k.Clearing.Status);
        Assert.Contains("shortfall", k.Clearing.Status);
        Assert.Empty(CapacityKktChecker.Check(stage.Problem, stage.Result));
    }

    private static string WithDesign(string design)
    {
        string text = File.ReadAllText(DataPaths.Of("scenarios", "cm5.json"));
        int start = text.IndexOf("\"market_design\"", StringComparison.Ordinal);
        int end = text.IndexOf('}', start);
        return TestData.TempFile(text[..start] + "\"market_design\": " + design + text[(end + 1)..], ".json");
    }

    [Theory]
    [InlineData("{\"kind\": \"capacity-trade\", \"requirement_scale\": -1}", "market_design.requirement_scale")]
    [InlineData("{\"kind\": \"capacity-trade\", \"area_min_relief_mw_per_mw\": 0}", "market_design.area_min_relief_mw_per_mw")]
    [InlineData("{\"kind\": \"auction\", \"lfm_follows\": false}", "market_design.lfm_follows")]
    [InlineData("{\"kind\": \"bilateral\", \"mediator_aggregates\": true}", "market_design.mediator_aggregates")]
    [InlineData("{\"kind\": \"auctoin\"}", "market_design.kind")]
    public void Bad_design_parameters_name_file_and_field(string design, string field)
    {
        string path = WithDesign(design);
        var e = Assert.Throws<ArgumentException>(() => ScenarioDefinition.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void Design_parameters_are_read_into_the_spec()
    {
        var d = ScenarioDefinition.Read(WithDesign("{\"kind\": \"network-auction\", \"lfm_follows\": false, \"mediator_aggregates\": false}")).Design;
        Assert.Equal(new MarketDesignSpec("network-auction", MediatorAggregates: false, LfmFollows: false), d);
    }

    [Fact]
    public void Without_aggregation_the_mediator_passes_the_unmet_bids_on_one_by_one()
    {
        var s = Def("cm1") with { Design = new MarketDesignSpec("auction", MediatorAggregates: false) };
        var r = Run(s);
        Assert.DoesNotContain(r.LfmBids, b => b.Id.StartsWith(MediatorAggregation.IdPrefix, StringComparison.Ordinal));
        Assert.Equal(Run(Def("cm1")).P2PVolumeMw, r.P2PVolumeMw);
    }
}
