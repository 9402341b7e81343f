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
    public void NegativeVolumeIsRejected() =>
        AssertRejected(Valid() with { Bids = [Up("a", 1, -0.1, 45.0)] }, "Bids[0].VolumeMw");

    [Fact]
    public void NaNPriceIsRejected() =>
        AssertRejected(Valid() with { Bids = [Up("a", 1, 1.0, 45.0), Up("b", 1, 1.0, double.NaN)] }, "Bids[1].PriceEurPerMwh");

    [Fact]
    public void InfiniteVolumeIsRejected() =>
        AssertRejected(Valid() with { Bids = [Up("a", 1, double.PositiveInfinity, 45.0)] }, "Bids[0].VolumeMw");

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    public void BusIndexOutOfRangeIsRejected(int busIndex) =>
        AssertRejected(Valid() with { Bids = [Up("a", busIndex, 1.0, 45.0)] }, "Bids[0].BusIndex");

    [Fact]
    public void BaseFlowLengthNotMatchingPtdfRowsIsRejected() =>
        AssertRejected(Valid() with { BaseFlowMw = [1.2, 0.3] }, "BaseFlowMw");

    [Fact]
    public void PtdfWithMoreRowsThanFlowsIsRejected() =>
        AssertRejected(Valid() with { PtdfMwPerMw = ThreeBusChainPtdf() }, "BaseFlowMw");

    [Fact]
    public void LimitCountMismatchIsRejected() =>
        AssertRejected(Valid() with { LimitMw = [] }, "LimitMw");

    [Fact]
    public void NegativeLimitIsRejected() =>
        AssertRejected(Valid() with { LimitMw = [-1.0] }, "LimitMw[0]");

    [Fact]
    public void ZeroLimitIsRejected() =>
        AssertRejected(Valid() with { LimitMw = [0.0] }, "LimitMw[0]");

    [Fact]
    public void NaNBaseFlowIsRejected() =>
        AssertRejected(Valid() with { BaseFlowMw = [double.NaN] }, "BaseFlowMw[0]");

    [Fact]
    public void InfinitePtdfEntryIsRejected() =>
        AssertRejected(Valid() with { PtdfMwPerMw = new double[,] { { 0.0, double.NegativeInfinity } } }, "PtdfMwPerMw[0,1]");

    [Fact]
    public void NonPositiveIntervalIsRejected() =>
        AssertRejected(Valid() with { IntervalHours = 0.0 }, "IntervalHours");

    [Fact]
    public void NegativeToleranceIsRejected() =>
        AssertRejected(Valid() with { OverflowToleranceMw = -1e-6 }, "OverflowToleranceMw");

    [Fact]
    public void DuplicateBidIdIsRejected() =>
        AssertRejected(Valid() with { Bids = [Up("a", 1, 1.0, 45.0), Down("a", 1, 1.0, 45.0)] }, "Bids[1].Id");

    [Fact]
    public void NullProblemIsRejected() =>
        Assert.Throws<ArgumentNullException>("problem", () => LocalFlexibilityMarket.Clear(null!));
}
