using System.Reflection;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.P2P;

/// <summary>
/// <see cref="SolvedMarkets"/> hands back a stored result when a market is "identical" to one solved before, and
/// <see cref="SolvedMarkets.Identical"/> names the fields it compares one by one. A field added to
/// <see cref="P2PMarketProblem"/>, <see cref="Peer"/> or <see cref="TradePair"/> later and forgotten there would make two
/// different markets share one result. These tests change every property the records have, found by reflection, and
/// require each change to count; so a new property fails here until <c>Identical</c> compares it.
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public sealed class SolvedMarketsTests
{
    private static P2PMarketProblem Market() => new(
        [
            new Peer("s1", PeerRole.Seller, 2.0, 30.0, 1.5),
            new Peer("s2", PeerRole.Seller, 1.0, 25.0, 2.0),
            new Peer("b1", PeerRole.Buyer, 1.5, 80.0, 3.0),
        ],
        [
            new TradePair(0, 2, 1.0, 2.0, 1.2),
            new TradePair(1, 2, 0.5, 0.25),
        ],
        EpsilonEurPerMw2h: 2e-3,
        IntervalHours: 0.25);

    [Fact]
    public void A_copy_with_the_same_numbers_is_identical()
    {
        var a = Market();
        var b = Market() with { Peers = [.. Market().Peers], Pairs = [.. Market().Pairs] };

        Assert.NotSame(a, b);
        Assert.True(SolvedMarkets.Identical(a, b));
    }

    [Fact]
    public void Every_property_of_the_problem_counts()
    {
        var properties = RecordCopies.PropertiesOf<P2PMarketProblem>().Where(p => p.Name is not (nameof(P2PMarketProblem.Peers) or nameof(P2PMarketProblem.Pairs)));
        foreach (var property in properties)
        {
            var changed = With(Market(), property);
            Assert.False(SolvedMarkets.Identical(Market(), changed), $"P2PMarketProblem.{property.Name} changed, yet the markets count as identical");
        }
    }

    [Fact]
    public void Every_property_of_a_peer_counts()
    {
        foreach (var property in RecordCopies.PropertiesOf<Peer>())
        {
            var market = Market();
            var peers = market.Peers.ToArray();
            peers[1] = With(peers[1], property);
            Assert.False(SolvedMarkets.Identical(market, market with { Peers = peers }), $"Peer.{property.Name} changed, yet the markets count as identical");
        }
    }

    [Fact]
    public void Every_property_of_a_pair_counts()
    {
        foreach (var property in RecordCopies.PropertiesOf<TradePair>())
        {
            var market = Market();
            var pairs = market.Pairs.ToArray();
            pairs[0] = With(pairs[0], property);
            Assert.False(SolvedMarkets.Identical(market, market with { Pairs = pairs }), $"TradePair.{property.Name} changed, yet the markets count as identical");
        }
    }

    [Fact]
    public void Numbers_are_compared_by_their_bits()
    {
        var market = Market();
        var minusZero = market with { Pairs = [market.Pairs[0] with { SellerPreferenceEurPerMwh = -0.0 }, market.Pairs[1]] };
        var plusZero = market with { Pairs = [market.Pairs[0] with { SellerPreferenceEurPerMwh = 0.0 }, market.Pairs[1]] };

        Assert.False(SolvedMarkets.Identical(minusZero, plusZero));
    }

    [Fact]
    public void The_stored_result_is_the_solve_of_the_identical_market_and_a_changed_market_is_solved_again()
    {
        var first = SolvedMarkets.SolveCold(Market());
        var again = SolvedMarkets.SolveCold(Market());
        var cheaper = Market() with { Peers = [Market().Peers[0], Market().Peers[1] with { LinearCostEurPerMwh = 5.0 }, Market().Peers[2]] };
        var changed = SolvedMarkets.SolveCold(cheaper);

        Assert.Same(first, again);
        Assert.NotSame(first, changed);
        Assert.Equal(CentralizedP2PSolver.Solve(cheaper).TradesMw.ToArray(), changed.TradesMw.ToArray());
    }

    // A copy of the record with one property moved to another valid value of its type.
    private static T With<T>(T record, PropertyInfo property) where T : class => RecordCopies.With(record, property, value => value switch
    {
        double d => d + 0.5,
        int i => i == 0 ? 1 : 0,
        string s => s + "′",
        PeerRole r => r == PeerRole.Seller ? PeerRole.Buyer : PeerRole.Seller,
        _ => throw RecordCopies.CannotMove(typeof(T), property.Name, value),
    });
}
