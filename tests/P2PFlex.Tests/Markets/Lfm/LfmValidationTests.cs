using P2PFlex.Markets.Lfm;
using static P2PFlex.Tests.Markets.Lfm.LfmTestGrids;

namespace P2PFlex.Tests.Markets.Lfm;

[Trait(TestTiers.Category, TestTiers.Fast)]
public class LfmValidationTests
{
    private static LfmProblem Valid() => TwoBus(1.2, 1.0, Up("a", 1, 1.0, 45.0), Down("b", 0, 1.0, 30.0));

    private static void AssertRejected(LfmProblem problem, string expectedParamName)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => LocalFlexibilityMarket.Clear(problem));
        Assert.Equal(expectedParamName, ex.ParamName);
    }

    [Fact]
    public void Negative_volume_is_rejected() =>
        AssertRejected(Valid() with { Bids = [Up("a", 1, -0.1, 45.0)] }, "Bids[0].VolumeMw");

    [Fact]
    public void NaN_price_is_rejected() =>
        AssertRejected(Valid() with { Bids = [Up("a", 1, 1.0, 45.0), Up("b", 1, 1.0, double.NaN)] }, "Bids[1].PriceEurPerMwh");

    [Fact]
    public void Infinite_volume_is_rejected() =>
        AssertRejected(Valid() with { Bids = [Up("a", 1, double.PositiveInfinity, 45.0)] }, "Bids[0].VolumeMw");

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    public void Bus_index_out_of_range_is_rejected(int busIndex) =>
        AssertRejected(Valid() with { Bids = [Up("a", busIndex, 1.0, 45.0)] }, "Bids[0].BusIndex");

    [Fact]
    public void Base_flow_length_not_matching_PTDF_rows_is_rejected() =>
        AssertRejected(Valid() with { BaseFlowMw = [1.2, 0.3] }, "BaseFlowMw");

    [Fact]
    public void PTDF_with_more_rows_than_flows_is_rejected() =>
        AssertRejected(Valid() with { PtdfMwPerMw = ThreeBusChainPtdf() }, "BaseFlowMw");

    [Fact]
    public void Limit_count_mismatch_is_rejected() =>
        AssertRejected(Valid() with { LimitMw = [] }, "LimitMw");

    [Fact]
    public void Negative_limit_is_rejected() =>
        AssertRejected(Valid() with { LimitMw = [-1.0] }, "LimitMw[0]");

    [Fact]
    public void Zero_limit_is_rejected() =>
        AssertRejected(Valid() with { LimitMw = [0.0] }, "LimitMw[0]");

    [Fact]
    public void NaN_base_flow_is_rejected() =>
        AssertRejected(Valid() with { BaseFlowMw = [double.NaN] }, "BaseFlowMw[0]");

    [Fact]
    public void Infinite_PTDF_entry_is_rejected() =>
        AssertRejected(Valid() with { PtdfMwPerMw = new double[,] { { 0.0, double.NegativeInfinity } } }, "PtdfMwPerMw[0,1]");

    [Fact]
    public void Non_positive_interval_is_rejected() =>
        AssertRejected(Valid() with { IntervalHours = 0.0 }, "IntervalHours");

    [Fact]
    public void Negative_tolerance_is_rejected() =>
        AssertRejected(Valid() with { OverflowToleranceMw = -1e-6 }, "OverflowToleranceMw");

    [Fact]
    public void Duplicate_bid_id_is_rejected() =>
        AssertRejected(Valid() with { Bids = [Up("a", 1, 1.0, 45.0), Down("a", 1, 1.0, 45.0)] }, "Bids[1].Id");

    [Fact]
    public void Null_problem_is_rejected() =>
        Assert.Throws<ArgumentNullException>("problem", () => LocalFlexibilityMarket.Clear(null!));
}
