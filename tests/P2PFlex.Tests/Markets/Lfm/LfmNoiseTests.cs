using P2PFlex.Markets.Lfm;

namespace P2PFlex.Tests.Markets.Lfm;

[Trait(TestTiers.Category, TestTiers.Fast)]
public class LfmNoiseTests
{
    [Fact]
    public void PTDF_rounding_noise_does_not_change_the_market()
    {
        // 2 buses, one line carrying 1.2 MW towards a load at bus 2, limit 1.0: the 45 €/MWh up bid at bus 2 clears 0.2 MW.
        // Entries of 1e-16 (rounding noise of a PTDF solve) must give the same answer as exact zeros.
        var bids = new[] { new FlexBid("a", 1, BidDirection.Up, 1.0, 45), new FlexBid("b", 0, BidDirection.Up, 1.0, 1) };
        var clean = LocalFlexibilityMarket.Clear(new LfmProblem(new double[,] { { 0, -1 } }, [1.2], [1.0], bids));
        var noisy = LocalFlexibilityMarket.Clear(new LfmProblem(new double[,] { { 1e-16, -1 } }, [1.2], [1.0], bids));
        Assert.Equal(LfmStatus.Optimal, noisy.Status);
        Assert.Equal(clean.CostEur, noisy.CostEur);
        Assert.Equal(9.0, noisy.CostEur!.Value, 1e-9);
        Assert.Equal(0.0, noisy.Activations.Single(a => a.BidId == "b").ActivatedMw);
    }
}
