using System.Collections.Immutable;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Markets.Auction;

/// <summary>
/// One interval of an anonymous double auction run by a mediator: sellers with cost π G + ½ a G², G ∈ [0, V], and
/// buyers with utility λ D − ½ b D², D ∈ [0, V] (the peers of MODEL §5, without bilateral preference costs).
/// </summary>
/// <param name="Peers">Sellers and buyers (see <see cref="Peer"/>).</param>
/// <param name="IntervalHours">Δt &gt; 0; surpluses and welfare are in € for the interval.</param>
public sealed record AuctionProblem(IReadOnlyList<Peer> Peers, double IntervalHours = 1.0)
{
    /// <summary>Throws an <see cref="ArgumentException"/> whose ParamName names the offending field.</summary>
    public void Validate()
    {
        if (!(IntervalHours > 0) || !double.IsFinite(IntervalHours))
            throw new ArgumentException($"IntervalHours must be > 0 and finite, is {IntervalHours}", nameof(IntervalHours));
        for (int k = 0; k < Peers.Count; k++)
        {
            var p = Peers[k];
            if (!(p.MaxVolumeMw >= 0) || !double.IsFinite(p.MaxVolumeMw))
                throw new ArgumentException($"Peers[{k}].MaxVolumeMw must be ≥ 0 and finite, is {p.MaxVolumeMw}", $"Peers[{k}].MaxVolumeMw");
            if (!double.IsFinite(p.LinearCostEurPerMwh))
                throw new ArgumentException($"Peers[{k}].LinearCostEurPerMwh must be finite", $"Peers[{k}].LinearCostEurPerMwh");
            if (!(p.QuadraticCostEurPerMw2h > 0) || !double.IsFinite(p.QuadraticCostEurPerMw2h))
                throw new ArgumentException($"Peers[{k}].QuadraticCostEurPerMw2h must be > 0 and finite, is {p.QuadraticCostEurPerMw2h}", $"Peers[{k}].QuadraticCostEurPerMw2h");
        }
    }
}

/// <summary>
/// Outcome of a double auction with a single clearing price.
/// </summary>
/// <param name="PriceEurPerMwh">The clearing price; null when one side of the market is empty (no price clears it).</param>
/// <param name="PriceLowEurPerMwh">Lowest price that clears the market (the clearing prices form an interval when
/// supply and demand meet on a flat stretch, e.g. when nothing trades); null with <paramref name="PriceEurPerMwh"/>.</param>
/// <param name="PriceHighEurPerMwh">Highest clearing price.</param>
/// <param name="QuantityMw">Per peer: generation (seller) or consumption (buyer), ≥ 0, MW.</param>
/// <param name="NetPositionMw">Per peer: +G for a seller, −D for a buyer.</param>
/// <param name="SurplusEur">Per peer: seller p G − cost, buyer utility − p D, € for the interval.</param>
/// <param name="TradedVolumeMw">Σ G (= Σ D up to rounding).</param>
/// <param name="PeersWelfareEur">Σ surpluses.</param>
/// <param name="MediatorRevenueEur">0: with one price for both sides buyers pay exactly what sellers receive (the
/// mediator's rule is budget balance; Σ G and Σ D agree to rounding, which is not revenue).</param>
public sealed record AuctionResult(
    double? PriceEurPerMwh,
    double? PriceLowEurPerMwh,
    double? PriceHighEurPerMwh,
    ImmutableArray<double> QuantityMw,
    ImmutableArray<double> NetPositionMw,
    ImmutableArray<double> SurplusEur,
    double TradedVolumeMw,
    double PeersWelfareEur,
    double MediatorRevenueEur);

/// <summary>
/// Clears a double auction that maximises the peers' total welfare with one price (the study's CM1). At a price p a
/// seller offers G(p) = clamp((p − π)/a, 0, V) and a buyer bids D(p) = clamp((λ − p)/b, 0, V); the excess supply
/// S(p) − D(p) is continuous, non-decreasing and linear between the peers' breakpoints (π, π + aV, λ − bV, λ), so the
/// clearing price is found exactly: evaluate the excess at the sorted breakpoints and solve the one linear piece where
/// it changes sign. Those quantities are the KKT point of max welfare s.t. Σ G = Σ D (the price is the balance
/// multiplier). Where every price of an interval clears the market, the midpoint is used (documented in docs/model.md).
/// </summary>
public static class DoubleAuction
{
    /// <summary>Excess supplies within this (MW) count as zero when looking for a flat stretch of clearing prices.</summary>
    private const double FlatToleranceMw = 1e-12;

    public static AuctionResult Clear(AuctionProblem problem)
    {
        problem.Validate();
        var peers = problem.Peers;
        bool anySeller = peers.Any(p => p.Role == PeerRole.Seller && p.MaxVolumeMw > 0);
        bool anyBuyer = peers.Any(p => p.Role == PeerRole.Buyer && p.MaxVolumeMw > 0);
        if (!anySeller || !anyBuyer) return Result(problem, null, null, null);

        var breakpoints = new List<double>();
        foreach (var p in peers)
        {
            if (p.Role == PeerRole.Seller) { breakpoints.Add(p.LinearCostEurPerMwh); breakpoints.Add(p.LinearCostEurPerMwh + p.QuadraticCostEurPerMw2h * p.MaxVolumeMw); }
            else { breakpoints.Add(p.LinearCostEurPerMwh); breakpoints.Add(p.LinearCostEurPerMwh - p.QuadraticCostEurPerMw2h * p.MaxVolumeMw); }
        }
        var b = breakpoints.Distinct().Order().ToArray();
        var e = b.Select(x => Excess(peers, x)).ToArray();
        // Below the lowest breakpoint the excess is −ΣV_buyers < 0, above the highest +ΣV_sellers > 0.
        int k = Array.FindIndex(e, v => v >= -FlatToleranceMw);
        if (k < 0) throw new InvalidOperationException("double auction: the excess supply never turns non-negative");
        double low, high;
        if (Math.Abs(e[k]) <= FlatToleranceMw)
        {
            int last = k;
            while (last + 1 < b.Length && Math.Abs(e[last + 1]) <= FlatToleranceMw) last++;
            low = b[k];
            high = b[last];
            // A flat stretch may also reach back into the piece below b[k] (when e[k-1] is exactly zero it is in it).
        }
        else if (k == 0)
        {
            throw new InvalidOperationException("double auction: positive excess supply at the lowest breakpoint");
        }
        else
        {
            // Linear on [b[k-1], b[k]]: the root is unique.
            double t = -e[k - 1] / (e[k] - e[k - 1]);
            low = high = b[k - 1] + t * (b[k] - b[k - 1]);
        }
        return Result(problem, 0.5 * (low + high), low, high);
    }

    /// <summary>Seller's offer or buyer's bid at price p, MW.</summary>
    public static double Response(Peer p, double priceEurPerMwh) => p.Role == PeerRole.Seller
        ? Math.Clamp((priceEurPerMwh - p.LinearCostEurPerMwh) / p.QuadraticCostEurPerMw2h, 0, p.MaxVolumeMw)
        : Math.Clamp((p.LinearCostEurPerMwh - priceEurPerMwh) / p.QuadraticCostEurPerMw2h, 0, p.MaxVolumeMw);

    /// <summary>Surplus of a peer trading q MW at price p, € per hour.</summary>
    public static double SurplusPerHour(Peer p, double q, double priceEurPerMwh) => p.Role == PeerRole.Seller
        ? priceEurPerMwh * q - (p.LinearCostEurPerMwh * q + 0.5 * p.QuadraticCostEurPerMw2h * q * q)
        : p.LinearCostEurPerMwh * q - 0.5 * p.QuadraticCostEurPerMw2h * q * q - priceEurPerMwh * q;

    private static double Excess(IReadOnlyList<Peer> peers, double price)
    {
        double s = 0;
        foreach (var p in peers) s += p.Role == PeerRole.Seller ? Response(p, price) : -Response(p, price);
        return s;
    }

    private static AuctionResult Result(AuctionProblem problem, double? price, double? low, double? high)
    {
        int n = problem.Peers.Count;
        var q = new double[n];
        var net = new double[n];
        var surplus = new double[n];
        double supplied = 0;
        for (int k = 0; k < n; k++)
        {
            var p = problem.Peers[k];
            q[k] = price is double pr ? Response(p, pr) : 0;
            net[k] = p.Role == PeerRole.Seller ? q[k] : -q[k];
            surplus[k] = price is double pr2 ? SurplusPerHour(p, q[k], pr2) * problem.IntervalHours : 0;
            if (p.Role == PeerRole.Seller) supplied += q[k];
        }
        return new AuctionResult(price, low, high, [.. q], [.. net], [.. surplus], supplied, surplus.Sum(), MediatorRevenueEur: 0);
    }
}
