using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.P2P;

/// <summary>Issue 13: the centralised result's dual residual is the residual after the last step, as the KKT checker measures it.</summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class DualResidualTests
{
    [Fact]
    public void Centralised_dual_residual_is_the_KKT_checkers_price_violation_not_the_last_step()
    {
        var problem = P2PTestMarkets.Study70();
        var result = CentralizedP2PSolver.Solve(problem);
        Assert.Equal(SolveStatus.Converged, result.Status);
        var kkt = P2PKktChecker.Check(problem, result);
        Assert.Equal(Math.Max(kkt.StationarityViolationEurPerMwh, kkt.ComplementarityViolationEurPerMwh), result.DualResidualEurPerMwh);
        // The last Newton step moved prices by up to 0.09 EUR/MWh; the residual after it is at rounding level.
        Assert.True(result.DualResidualEurPerMwh < 1e-6, $"dual residual {result.DualResidualEurPerMwh}");
    }
}
