using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Scenarios;
using P2PFlex.Tests.Cli;

namespace P2PFlex.Tests.Data;

/// <summary>The documented base state of every shipped feeder, and every scenario on every feeder.</summary>
public class FeederSetupTests
{
    public static TheoryData<string> OtherFeeders => new(FeederSetup.ShippedFeeders.Where(f => f != FeederSetup.StudyFeederName));

    [Theory]
    [MemberData(nameof(OtherFeeders))]
    public void Base_state_has_the_pinned_lateral_end_congestions_and_the_studys_loading_shares(string feeder)
    {
        var setup = FeederSetup.For(feeder);
        var baseFeeder = StudyFeeder.Load(StudyState.Base, feeder: feeder);
        var check = baseFeeder.Check();
        int lines = baseFeeder.Network.Branches.Count;
        Assert.Equal(2, setup.BaseCongestions.Count);
        Assert.Equal(setup.BaseCongestions, check.CongestedLines);
        foreach (int b in setup.BaseCongestions)
        {
            // A lateral's end: at most two buses behind the line.
            Assert.InRange(PeerRules.DownstreamBuses(baseFeeder, b).Count, 1, 2);
            var line = check.Lines.Single(l => l.CaseIndex == b);
            Assert.Equal(0.25 * Math.Abs(line.FlowMw), line.OverflowMw, 6);
        }
        // The study's shares: 17/68 of the lines at or above 80 %, 41/68 above 60 % (the rounding of N × share).
        Assert.Equal((int)Math.Round(lines * 17.0 / 68, MidpointRounding.AwayFromZero), check.Lines.Count(l => l.Occupancy >= 0.8));
        Assert.Equal((int)Math.Round(lines * 41.0 / 68, MidpointRounding.AwayFromZero), check.LinesAbove60Percent);
        // Extreme state: at least half the lines congested, and the factor is the smallest such multiple of 0.05.
        var extreme = StudyFeeder.Load(StudyState.Extreme, feeder: feeder).Check();
        Assert.True(extreme.CongestedLineCount >= (lines + 1) / 2, $"{extreme.CongestedLineCount} of {lines}");
        var lower = FeederSetup.Uniform("x", baseFeeder.Network, setup.ExtremeLoadFactor - 0.05).Apply(baseFeeder.Network);
        Assert.True(GridCheck.Evaluate(baseFeeder.Ptdf, lower.BaseInjectionMw, new LineLimits(lower, baseFeeder.Limits.LimitMw)).CongestedLineCount < (lines + 1) / 2);
    }

    [Fact]
    public void Case69_keeps_the_studys_hand_calibrated_setup()
    {
        Assert.Same(FeederSetup.Case69, FeederSetup.For("case69"));
        Assert.Equal([44, 67], FeederSetup.Case69.BaseCongestions);
        Assert.Equal(1.5, FeederSetup.Case69.ExtremeLoadFactor);
        Assert.Equal((31, 37), (FeederSetup.Case69.ExtremeCongestedLow, FeederSetup.Case69.ExtremeCongestedHigh));
    }

    [Theory]
    [MemberData(nameof(OtherFeeders))]
    public void Every_scenario_runs_on_the_feeders_shipped_draw(string feeder)
    {
        var context = StudyContext.Load(feeder: feeder);
        var setup = FeederSetup.For(feeder);
        Assert.Equal(setup.Orderbook.BidCount, context.Orderbook.Bids.Count);
        Assert.Equal(setup.Subset.Count, context.P2PSubset.Count);
        var results = StudyContext.LoadScenarios().ToDictionary(s => s.Name, s => ScenarioRunner.Run(s, context));
        Assert.Equal(setup.BaseCongestions, results["0"].BeforeLfm.CongestedLines);
        Assert.All(results.Values.Where(r => r.Definition.Peers == PeerSelection.Subset), r => Assert.True(r.P2PVolumeMw > 0, r.Name));
        var checks = StudyPattern.Evaluate(results);
        Assert.Equal(12, checks.Count);
        Assert.True(checks.Single(c => c.Id == "0-congestions").Holds);
    }

    [Fact]
    public void Scenarios_run_takes_a_feeder_and_refuses_an_unknown_one()
    {
        var (code, output, _) = CliRunner.Run("scenarios", "run", "0", "1", "--feeder", "case33bw");
        Assert.Equal(0, code);
        Assert.Contains("feeder case33bw", output);
        var (bad, _, err) = CliRunner.Run("scenarios", "run", "--feeder", "case9999");
        Assert.Equal(2, bad);
        Assert.Contains("case9999", err);
    }

    [Fact]
    public void A_meshed_or_unknown_feeder_is_refused_with_its_name()
    {
        var e = Assert.Throws<UnknownFeederException>(() => StudyFeeder.Load(StudyState.Base, feeder: "case9999"));
        Assert.Contains("case9999", e.Message);
    }
}
