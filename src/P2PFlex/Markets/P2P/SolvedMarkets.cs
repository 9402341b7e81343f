using P2PFlex.Numerics;
using static P2PFlex.Numerics.BitEquality;

namespace P2PFlex.Markets.P2P;

/// <summary>
/// The last six markets the centralised solver cleared cold (default options, no warm start) on this thread, reused
/// when the identical market is posed again. Several scenario files pose the same P2P market on the same draw (1, 1′
/// and 1-voltage differ only in the grid state and the LFM; on the large feeders each is tens of Newton steps on a
/// market of ~100 000 pairs). A solve is a pure function of the problem, so the stored result is exactly what solving
/// again would return; "identical" compares every number by its bits (so +0 and −0, or two NaN payloads, differ) and
/// every id by ordinal, never by tolerance.
/// </summary>
/// <remarks>Per thread, so parallel Monte Carlo draws neither lock nor see each other's markets; a handful of entries,
/// so the memory held is a few results.</remarks>
internal static class SolvedMarkets
{
    // Enough for a draw's run of scenario files: 1-voltage comes five distinct markets after 1.
    private const int Capacity = 6;

    private static readonly RecentSolves<P2PMarketProblem, P2PMarketResult> Recent = new(Capacity, Identical);

    /// <summary><see cref="CentralizedP2PSolver.Solve(P2PMarketProblem, CentralizedSolverOptions?, IReadOnlyList{double}?)"/>
    /// with default options and no warm start, from the store when the identical market was solved last on this thread.</summary>
    public static P2PMarketResult SolveCold(P2PMarketProblem problem) => Recent.Solve(problem, p => CentralizedP2PSolver.Solve(p));

    /// <summary>Same peers, pairs, ε and interval, number for number by bits.</summary>
    public static bool Identical(P2PMarketProblem a, P2PMarketProblem b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (!Same(a.EpsilonEurPerMw2h, b.EpsilonEurPerMw2h) || !Same(a.IntervalHours, b.IntervalHours)) return false;
        if (a.Peers.Count != b.Peers.Count || a.Pairs.Count != b.Pairs.Count) return false;
        for (int k = 0; k < a.Peers.Count; k++)
            if (!SamePeer(a.Peers[k], b.Peers[k])) return false;

        for (int k = 0; k < a.Pairs.Count; k++)
        {
            TradePair p = a.Pairs[k], q = b.Pairs[k];
            if (p.SellerIndex != q.SellerIndex || p.BuyerIndex != q.BuyerIndex || !Same(p.CapMw, q.CapMw)
                || !Same(p.SellerPreferenceEurPerMwh, q.SellerPreferenceEurPerMwh) || !Same(p.BuyerPreferenceEurPerMwh, q.BuyerPreferenceEurPerMwh))
                return false;
        }

        return true;
    }

    /// <summary>Same role and id (ordinal), the same bounds and costs by bits.</summary>
    public static bool SamePeer(Peer p, Peer q) =>
        p.Role == q.Role && string.Equals(p.Id, q.Id, StringComparison.Ordinal) && Same(p.MaxVolumeMw, q.MaxVolumeMw)
        && Same(p.LinearCostEurPerMwh, q.LinearCostEurPerMwh) && Same(p.QuadraticCostEurPerMw2h, q.QuadraticCostEurPerMw2h);
}
