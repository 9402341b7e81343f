using P2PFlex.Data;
using P2PFlex.Markets.Auction;
using P2PFlex.Markets.P2P;
using P2PFlex.Scenarios;
using P2PFlex.Scenarios.Designs;

namespace P2PFlex.Tests.Scenarios;

/// <summary>
/// Line labels and exactness of the network-aware designs on case533mt_hi, whose case file has out-of-service branch
/// rows, so a line's number (its branch row, docs/grid.md "Naming lines") differs from its position among in-service
/// lines (line 245 is the 223rd in service): the CM5 areas and the CM3 status name lines by number; under an Optimal
/// CM3 status every limit used is the line's limit exactly; a peer that does not trade has a net position of exactly 0.
/// The DC pipeline only (no AC check, no LFM): the labels and the markets do not depend on them.
/// </summary>
public class NetworkDesignLabelTests
{
    private static readonly Lazy<StudyContext> Case533 = new(() => StudyContext.Load(feeder: "case533mt_hi"));
    private static ScenarioDefinition Def(string name) => StudyContext.LoadScenarios().Single(s => s.Name == name);

    private static ScenarioResult Run(ScenarioDefinition s) => ScenarioRunner.Run(s with { Expected = null }, Case533.Value, acCheck: false);

    [Fact]
    public void The_capacity_areas_name_their_line_by_its_number()
    {
        var r = Run(Def("cm5"));
        var stage = Assert.IsType<CapacityStage>(CapacityTradeDesign.OutcomeOf(r));
        var branches = r.Feeder.Network.Branches;
        Assert.NotEmpty(stage.Areas);
        for (int a = 0; a < stage.Areas.Count; a++)
        {
            var branch = branches[stage.Areas[a].LineIndex];
            Assert.Equal(branch.Name, stage.Problem.Areas[a].Name);
        }
        // The feeder discriminates: some area's line number is not its position + 1.
        Assert.Contains(stage.Areas, a => branches[a.LineIndex].CaseIndex != a.LineIndex + 1);
        var csv = ScenarioExportCsvText(r, "capacity_areas.csv");
        Assert.Contains("line 245 (228–227)", csv);
        Assert.DoesNotContain("line 223 (", csv);
    }

    [Fact]
    public void The_least_overflow_status_lists_lines_by_their_number()
    {
        var r = Run(Def("cm3-v1") with { State = StudyState.Extreme });
        var stage = Assert.IsType<NetworkAuctionStage>(NetworkAuctionDesign.OutcomeOf(r));
        Assert.Equal(NetworkAuctionStatus.LeastOverflow, stage.Result.Status);
        var numbers = stage.Result.Overloaded.Select(o => r.Feeder.Network.Branches[o.LineIndex].CaseIndex).ToArray();
        Assert.Contains(stage.Result.Overloaded, o => r.Feeder.Network.Branches[o.LineIndex].CaseIndex != o.LineIndex + 1);
        string status = ScenarioReport.Kpis(r).Clearing.Status;
        Assert.EndsWith("on lines " + string.Join(' ', numbers), status);
        // The overloaded lines are exactly the congested lines the grid check reports after the market (by number).
        Assert.Equal(r.BeforeLfm.CongestedLines, numbers);
        AssertZeroPositionsAreExactlyZero(stage);
    }

    [Fact]
    public void Under_an_optimal_status_every_limit_used_is_the_limit_exactly()
    {
        foreach (var name in new[] { "cm3-v1", "cm3-v2" })
        {
            var stage = Assert.IsType<NetworkAuctionStage>(NetworkAuctionDesign.OutcomeOf(Run(Def(name))));
            Assert.Equal(NetworkAuctionStatus.Optimal, stage.Result.Status);
            Assert.True(stage.Result.Iterations > 0, "the grid binds, so the QP ran");
            Assert.Equal(stage.Problem.LimitMw, stage.Result.LimitUsedMw.ToArray());
            AssertZeroPositionsAreExactlyZero(stage, expectSomeZero: false);
        }
    }

    /// <summary>On case69's extreme state a seller used to end at −2.8e-15 MW (net position −2.8e-15, the wrong sign
    /// for a seller); it is 0 now.</summary>
    [Fact]
    [Trait(TestTiers.Category, TestTiers.Fast)]
    public void A_peer_that_does_not_trade_has_a_net_position_of_exactly_zero_on_case69()
    {
        var r = ScenarioRunner.Run(Def("cm3-v1") with { State = StudyState.Extreme, Expected = null }, TestData.Study.Value, acCheck: false);
        AssertZeroPositionsAreExactlyZero(Assert.IsType<NetworkAuctionStage>(NetworkAuctionDesign.OutcomeOf(r)));
    }

    /// <summary>Quantities are 0 or above 1e-12 MW; a peer at 0 has a net position of +0 (bit pattern 0, not −0); a
    /// seller's net position is ≥ 0 and a buyer's ≤ 0.</summary>
    private static void AssertZeroPositionsAreExactlyZero(NetworkAuctionStage stage, bool expectSomeZero = true)
    {
        var r = stage.Result;
        for (int k = 0; k < r.QuantityMw.Length; k++)
        {
            double q = r.QuantityMw[k], net = r.NetPositionMw[k];
            Assert.True(q == 0 || q > NetworkAuction.ZeroQuantityMw, $"peer {k}: quantity {q:R}");
            if (q == 0) Assert.Equal(0L, BitConverter.DoubleToInt64Bits(net));
            if (stage.Problem.Peers[k].Role == PeerRole.Seller) Assert.True(net >= 0); else Assert.True(net <= 0);
        }
        if (expectSomeZero) Assert.Contains(r.QuantityMw, q => q == 0);
    }

    private static string ScenarioExportCsvText(ScenarioResult r, string file)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"p2pflex-labels-{Guid.NewGuid():N}");
        try
        {
            ScenarioExport.Write(r, Case533.Value.Orderbook, dir);
            return File.ReadAllText(Path.Combine(dir, file));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
