using P2PFlex.IO;
using P2PFlex.Scenarios;
using P2PFlex.Scenarios.Designs;

namespace P2PFlex.Tests.Scenarios;

/// <summary>The shared shape of the pipeline: scenario files name their market design, unknown keys are refused, and
/// one KPI record flattens into named columns.</summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class ScenarioShapeTests
{
    private static Lazy<StudyContext> Context => TestData.Study;

    private static ScenarioResult Run(string name) =>
        ScenarioRunner.Run(StudyContext.LoadScenarios().Single(s => s.Name == name), Context.Value);

    [Theory]
    [InlineData("0", "none")]
    [InlineData("0p", "none")]
    [InlineData("1", "bilateral")]
    [InlineData("1pp", "bilateral")]
    [InlineData("3-theta80", "bilateral")]
    public void Design_defaults_follow_the_peers(string scenario, string design)
    {
        var s = StudyContext.LoadScenarios().Single(x => x.Name == scenario);
        Assert.Equal(design, s.Design.Kind);
        Assert.Equal(design, ScenarioReport.Kpis(Run(scenario)).MarketDesign);
    }

    [Fact]
    public void Naming_the_default_design_explicitly_gives_the_same_KPIs()
    {
        string path = TestData.ScenarioCopy("2", t => t.Replace("\"peers\": \"subset\",", "\"peers\": \"subset\",\n  \"market_design\": { \"kind\": \"bilateral\" },"));
        var s = ScenarioDefinition.Read(path);
        Assert.Equal("bilateral", s.Design.Kind);
        var a = ScenarioReport.Kpis(ScenarioRunner.Run(s, Context.Value)).Columns().Where(c => c.Key is not ("name" or "label"));
        var b = ScenarioReport.Kpis(Run("2")).Columns().Where(c => c.Key is not ("name" or "label"));
        Assert.Equal(b, a);
    }

    [Fact]
    public void A_design_of_none_offers_the_peers_bids_to_the_LFM_unchanged()
    {
        string path = TestData.ScenarioCopy("1", t => t.Replace("\"peers\": \"subset\",", "\"peers\": \"subset\",\n  \"market_design\": { \"kind\": \"none\" },"));
        var none = ScenarioRunner.Run(ScenarioDefinition.Read(path), Context.Value);
        var s0 = Run("0");
        Assert.Equal(0, none.P2PVolumeMw);
        Assert.Equal(s0.BeforeLfm.CongestedLines, none.BeforeLfm.CongestedLines);
        Assert.Equal(s0.LfmBids.Select(b => b.Id).Order(StringComparer.Ordinal), none.LfmBids.Select(b => b.Id).Order(StringComparer.Ordinal));
        Assert.Equal(s0.LfmCostEur!.Value, none.LfmCostEur!.Value, 1e-9);
    }

    [Fact]
    public void An_unknown_design_is_refused_with_the_known_ones()
    {
        string path = TestData.ScenarioCopy("1", t => t.Replace("\"peers\": \"subset\",", "\"peers\": \"subset\",\n  \"market_design\": { \"kind\": \"barter\" },"));
        var e = Assert.Throws<ArgumentException>(() => ScenarioDefinition.Read(path));
        Assert.Contains("market_design.kind", e.Message);
        Assert.Contains("'bilateral'", e.Message);
        Assert.Contains("barter", e.Message);
    }

    [Fact]
    public void A_misspelt_top_level_key_is_an_error_with_line_and_suggestion()
    {
        string path = TestData.ScenarioCopy("3-theta80", t => t.Replace("\"intervention\":", "\"intervension\":"));
        var e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path));
        Assert.Equal(path, e.File);
        Assert.Equal("intervension", e.Field);
        Assert.Equal(6, e.Line);
        Assert.Contains("did you mean 'intervention'", e.Message);
    }

    [Fact]
    public void A_misspelt_nested_optional_key_is_an_error_not_a_silent_default()
    {
        // reward_share is optional (default 1): before, a typo silently gave the study's symmetric rule.
        string path = TestData.ScenarioCopy("3-theta80", t => t.Replace("\"w\": 0.2", "\"w\": 0.2,\n    \"reward_shar\": 0"));
        var e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path));
        Assert.Equal("intervention.reward_shar", e.Field);
        Assert.Contains("did you mean 'intervention.reward_share'", e.Message);
        path = TestData.ScenarioCopy("1", t => t.Replace("\"relative_tolerance\"", "\"relative_tolerence\""));
        e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path));
        Assert.Equal("expected.relative_tolerence", e.Field);
    }

    [Fact]
    public void A_key_far_from_every_known_one_gets_no_suggestion()
    {
        string path = TestData.ScenarioCopy("1", t => t.Replace("\"label\":", "\"zzzzzzzzzz\": 1,\n  \"label\":"));
        var e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path));
        Assert.DoesNotContain("did you mean", e.Message);
        Assert.Contains("known here:", e.Message);
    }

    [Fact]
    public void Kpi_columns_are_named_flat_and_match_the_names_list()
    {
        var columns = ScenarioReport.Kpis(Run("3-theta80")).Columns();
        Assert.Equal(KpiColumns.Names(), columns.Select(c => c.Key));
        Assert.Contains("dso_total_eur", KpiColumns.Names());
        Assert.Contains("market_peers_welfare_eur", KpiColumns.Names());
        Assert.Equal("41 42 44 55", columns.Single(c => c.Key == "congested_before_lfm").Value);
        Assert.All(columns, c => Assert.True(c.Value is null or string or int or double or bool, $"{c.Key} is {c.Value?.GetType()}"));
        Assert.Equal(KpiColumns.Names().Count, KpiColumns.Names().Distinct().Count());
    }

    [Fact]
    public void Without_incentives_the_DSO_pays_the_LFM_cost_only()
    {
        foreach (var name in new[] { "0", "1", "2" })
        {
            var k = ScenarioReport.Kpis(Run(name));
            Assert.Equal(0, k.Dso.IncentivesPaidEur);
            Assert.Equal(0, k.Dso.PenaltiesReceivedEur);
            Assert.Equal(k.LfmCostEur, k.Dso.TotalEur);
        }
    }

    [Fact]
    public void Incentive_payments_follow_the_preference_factors_and_trades()
    {
        var r = Run("3-theta80");
        var stage = r.P2P!;
        double paid = 0, received = 0;
        for (int k = 0; k < stage.Problem.Pairs.Count; k++)
        {
            var pair = stage.Problem.Pairs[k];
            double c0 = r.Definition.Market.C0EurPerMwh;
            // Both sides pay c0·f; against the unchanged c0 each, the DSO's share is (c0 − c0·f) per side.
            double delta = (c0 - pair.SellerPreferenceEurPerMwh) + (c0 - pair.BuyerPreferenceEurPerMwh);
            double euro = delta * stage.Result.TradesMw[k] * r.Definition.Market.IntervalHours;
            if (euro > 0) paid += euro; else received -= euro;
        }
        var kpis = ScenarioReport.Kpis(r);
        Assert.True(paid > 0 && received > 0, $"paid {paid}, received {received}");
        Assert.Equal(paid, kpis.Dso.IncentivesPaidEur, 1e-9);
        Assert.Equal(received, kpis.Dso.PenaltiesReceivedEur, 1e-9);
        Assert.Equal(kpis.LfmCostEur!.Value + paid - received, kpis.Dso.TotalEur!.Value, 1e-9);
    }

    [Fact]
    public void Peers_welfare_is_the_equilibrium_welfare_and_infeasible_LFM_leaves_the_total_unknown()
    {
        var r = Run("1");
        Assert.Equal(r.P2P!.Result.WelfareEur, ScenarioReport.Kpis(r).Market.PeersWelfareEur);
        Assert.Null(ScenarioReport.Kpis(r).Market.MediatorRevenueEur);
        Assert.Null(ScenarioReport.Kpis(r).Market.NodalPriceMinEurPerMwh);
        Assert.True(MarketDesigns.TryGet("bilateral", out _));
    }
}
