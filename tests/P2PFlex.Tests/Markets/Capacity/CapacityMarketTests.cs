using P2PFlex.Markets.Capacity;
using P2PFlex.Tests.Markets.Auction;

namespace P2PFlex.Tests.Markets.Capacity;

/// <summary>
/// Three providers (π 10, a 10, V 1; π 20, a 10, V 1; π 30, a 10, V 2); area A = {1, 2} needs 0.5 MW, area B = {3}
/// 0.4 MW. In A the cheaper peer alone covers it below the other's cost (y₁ = 0.5 at a marginal cost of 15 &lt; 20), so
/// ρ_A = 15, y₂ = 0; in B ρ_B = 30 + 10·0.4 = 34. The DSO pays 15·0.5 + 34·0.4 = 21.1 €; costs 6.25 + 12.8, welfare 2.05.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class CapacityMarketTests
{
    private static readonly CapacityProvider[] Providers = [new("p1", 1, 10, 10), new("p2", 1, 20, 10), new("p3", 2, 30, 10)];

    private static CapacityProblem Problem(double a, double b) => new(Providers, [new("A", a, [0, 1]), new("B", b, [2])]);

    [Fact]
    public void Two_areas_clear_at_hand_computed_prices()
    {
        var problem = Problem(0.5, 0.4);
        var r = CapacityMarket.Clear(problem);
        Assert.Equal(CapacityStatus.Covered, r.Status);
        Assert.Equal([0.5, 0, 0.4], r.DeliveredMw.ToArray(), new Tol(1e-12));
        Assert.Equal([15, 34], r.AreaPriceEurPerMwh.ToArray(), new Tol(1e-9));
        Assert.Equal(21.1, r.CapacityPaymentsEur, 1e-9);
        Assert.Equal(2.05, r.PeersWelfareEur, 1e-9);
        Assert.Empty(CapacityKktChecker.Check(problem, r));
    }

    [Fact]
    public void Zero_requirement_trades_nothing()
    {
        var problem = Problem(0, 0);
        var r = CapacityMarket.Clear(problem);
        Assert.All(r.DeliveredMw, y => Assert.Equal(0, y));
        Assert.All(r.AreaPriceEurPerMwh, p => Assert.Equal(0, p));
        Assert.Equal(0, r.CapacityPaymentsEur);
        Assert.Empty(CapacityKktChecker.Check(problem, r));
    }

    [Fact]
    public void Requirement_beyond_the_areas_flexibility_is_a_status_naming_area_and_shortfall()
    {
        var problem = Problem(0.5, 3);
        var r = CapacityMarket.Clear(problem);
        Assert.Equal(CapacityStatus.Shortfall, r.Status);
        var s = Assert.Single(r.Shortfalls);
        Assert.Equal("B", s.Name);
        Assert.Equal(1, s.ShortfallMw, 1e-12);
        Assert.Contains("area B", r.Message);
        Assert.Contains("shortfall 1.000000 MW", r.Message);
        Assert.Equal(2, r.DeliveredMw[2], 1e-12);
        Assert.Empty(CapacityKktChecker.Check(problem, r));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Negative_or_NaN_requirement_names_the_field(double requirement)
    {
        var e = Assert.Throws<ArgumentException>(() => CapacityMarket.Clear(Problem(0.5, requirement)));
        Assert.Equal("Areas[1].RequirementMw", e.ParamName);
        Assert.Contains("B", e.Message);
    }

    /// <summary>Overlapping areas (a nested feeder: a lateral's area inside its trunk's): the KKT checker accepts every
    /// result of a sweep of requirements, and a deliberately wrong result is refused.</summary>
    [Fact]
    public void KKT_checker_accepts_every_result_and_refuses_a_wrong_one()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 50; trial++)
        {
            var providers = Enumerable.Range(0, 6).Select(k => new CapacityProvider($"p{k}", 0.1 + rng.NextDouble(), 45 + 10 * rng.NextDouble(), 5 + 20 * rng.NextDouble())).ToArray();
            var areas = new[]
            {
                new CapacityArea("trunk", 2 * rng.NextDouble(), [0, 1, 2, 3, 4, 5]),
                new CapacityArea("lateral a", rng.NextDouble(), [0, 1, 2]),
                new CapacityArea("lateral b", 0.5 * rng.NextDouble(), [4, 5]),
            };
            var problem = new CapacityProblem(providers, areas);
            var r = CapacityMarket.Clear(problem);
            Assert.Empty(CapacityKktChecker.Check(problem, r));
        }
        var p2 = Problem(0.5, 0.4);
        var good = CapacityMarket.Clear(p2);
        var wrong = good with { DeliveredMw = [0.25, 0.25, 0.4] };
        Assert.NotEmpty(CapacityKktChecker.Check(p2, wrong));
    }
}
