using P2PFlex.Markets.Auction;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.Auction;

/// <summary>
/// <see cref="SolvedAuctions"/> hands back a stored result when an auction is "identical" to one cleared before. A
/// property added to <see cref="NetworkAuctionProblem"/> later and forgotten in <see cref="SolvedAuctions.Identical"/>
/// would make two different auctions share one result: every property the record has (found by reflection) is changed
/// here and each change must count. Peers are compared as <see cref="SolvedMarkets.SamePeer"/> (SolvedMarketsTests).
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public sealed class SolvedAuctionsTests
{
    // Two lines, three buses; the seller's export over line 0 is limited, so the auction is congested.
    private static NetworkAuctionProblem Auction() => new(
        [
            new Peer("s1", PeerRole.Seller, 2.0, 30.0, 1.5),
            new Peer("b1", PeerRole.Buyer, 1.5, 80.0, 3.0),
            new Peer("b2", PeerRole.Buyer, 1.0, 70.0, 2.0),
        ],
        [1, 2, 2],
        new double[,] { { 0, -1, -1 }, { 0, 0, -1 } },
        [0.2, 0.1],
        [0.6, 0.5],
        IntervalHours: 0.25);

    [Fact]
    public void A_copy_with_the_same_numbers_is_identical()
    {
        var a = Auction();
        var b = Auction();

        Assert.NotSame(a, b);
        Assert.True(SolvedAuctions.Identical(a, b));
    }

    [Fact]
    public void Every_property_of_the_auction_counts()
    {
        var properties = RecordCopies.PropertiesOf<NetworkAuctionProblem>();
        Assert.Equal(7, properties.Length);
        foreach (var property in properties)
        {
            var changed = RecordCopies.With(Auction(), property, value => value switch
            {
                double d => d + 0.5,
                double[] v => v.Select((x, i) => i == 1 ? x + 0.5 : x).ToArray(),
                double[,] h => Moved(h),
                IReadOnlyList<int> buses => buses.Select((b, i) => i == 0 ? 2 : b).ToArray(),
                IReadOnlyList<Peer> peers => peers.Select((p, i) => i == 2 ? p with { MaxVolumeMw = 0.5 } : p).ToArray(),
                _ => throw RecordCopies.CannotMove(typeof(NetworkAuctionProblem), property.Name, value),
            });
            Assert.False(SolvedAuctions.Identical(Auction(), changed), $"NetworkAuctionProblem.{property.Name} changed, yet the auctions count as identical");
        }
    }

    [Fact]
    public void Numbers_are_compared_by_their_bits()
    {
        var plusZero = Auction() with { BaseFlowMw = [0.0, 0.1] };
        var minusZero = Auction() with { BaseFlowMw = [-0.0, 0.1] };

        Assert.False(SolvedAuctions.Identical(plusZero, minusZero));
    }

    [Fact]
    public void The_stored_result_is_the_clearing_of_the_identical_auction_and_a_changed_auction_is_cleared_again()
    {
        var first = SolvedAuctions.Clear(Auction());
        var again = SolvedAuctions.Clear(Auction());
        var tighter = Auction() with { LimitMw = [0.4, 0.5] };
        var changed = SolvedAuctions.Clear(tighter);

        Assert.Same(first, again);
        Assert.NotSame(first, changed);
        Assert.Equal(NetworkAuction.Clear(Auction()).QuantityMw.ToArray(), first.QuantityMw.ToArray());
        Assert.Equal(NetworkAuction.Clear(tighter).QuantityMw.ToArray(), changed.QuantityMw.ToArray());
    }

    private static double[,] Moved(double[,] h)
    {
        var copy = (double[,])h.Clone();
        copy[1, 2] = -0.5;
        return copy;
    }
}
