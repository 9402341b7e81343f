using P2PFlex.Markets.P2P;
using P2PFlex.Numerics;
using static P2PFlex.Numerics.BitEquality;

namespace P2PFlex.Markets.Auction;

/// <summary>
/// The last network-aware auctions cleared on this thread (<see cref="RecentSolves{TProblem, TResult}"/>), reused when
/// the identical auction is posed again: CM3 variations 1 and 2 pose the same auction on the same loading state and
/// differ only in whether an LFM follows, and each clearing is GLOP's phase-1 LP and an active-set QP.
/// <see cref="NetworkAuction.Clear(NetworkAuctionProblem)"/> is a pure function of the problem (GLOP single-threaded on a
/// model built in a fixed order), and its result is immutable.
/// </summary>
internal static class SolvedAuctions
{
    // A draw's or an interval's run of scenario files poses at most three auctions (cm3-v1, cm3-v2, cm3-v2-extreme).
    private const int Capacity = 4;

    private static readonly RecentSolves<NetworkAuctionProblem, NetworkAuctionResult> Recent = new(Capacity, Identical);

    /// <summary><see cref="NetworkAuction.Clear(NetworkAuctionProblem)"/>, from the store when the identical auction was
    /// cleared last on this thread.</summary>
    public static NetworkAuctionResult Clear(NetworkAuctionProblem problem) => Recent.Solve(problem, NetworkAuction.Clear);

    /// <summary>Same peers (<see cref="SolvedMarkets.SamePeer"/>) at the same buses, the same PTDF, base flows, limits,
    /// interval and tolerance, number for number by bits.</summary>
    public static bool Identical(NetworkAuctionProblem a, NetworkAuctionProblem b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (!Same(a.IntervalHours, b.IntervalHours) || !Same(a.OverflowToleranceMw, b.OverflowToleranceMw)) return false;
        if (a.Peers.Count != b.Peers.Count || !Same(a.PeerBusIndex, b.PeerBusIndex)) return false;
        for (int k = 0; k < a.Peers.Count; k++)
            if (!SolvedMarkets.SamePeer(a.Peers[k], b.Peers[k])) return false;
        return Same(a.BaseFlowMw, b.BaseFlowMw) && Same(a.LimitMw, b.LimitMw) && Same(a.PtdfMwPerMw, b.PtdfMwPerMw);
    }
}
