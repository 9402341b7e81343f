using P2PFlex.Markets.P2P;

namespace P2PFlex.Tests.Markets.P2P;

/// <summary>
/// Deterministic test markets. Parameters come from fixed low-discrepancy formulas (fractional parts of
/// multiples of irrational numbers), not from a random generator, so they are the same on every framework.
/// </summary>
internal static class P2PTestMarkets
{
    private const double Golden = 0.6180339887498949;
    private const double Sqrt2Frac = 0.4142135623730951;
    private const double Sqrt3Frac = 0.7320508075688772;

    public static double Frac(double x) => x - Math.Floor(x);

    /// <summary>Study-like seller k: V ∈ [0.005, 0.5] MW, π ∈ [45, 55] €/MWh, a = 20/V.</summary>
    public static Peer Seller(int k)
    {
        double v = 0.005 + 0.495 * Frac((k + 1) * Golden);
        return new Peer($"s{k}", PeerRole.Seller, v, 45 + 10 * Frac((k + 1) * Sqrt2Frac), 20 / v);
    }

    /// <summary>Study-like buyer k: V ∈ [0.005, 0.5] MW, λ = 110 €/MWh, b = 40/V.</summary>
    public static Peer Buyer(int k)
    {
        double v = 0.005 + 0.495 * Frac((k + 1) * Sqrt3Frac);
        return new Peer($"b{k}", PeerRole.Buyer, v, 110, 40 / v);
    }

    /// <summary>Sellers first (indices 0..sellers−1), then buyers, every seller→buyer pair allowed.</summary>
    public static P2PMarketProblem AllPairs(
        int sellers, int buyers, Func<int, int, (double Seller, double Buyer)> preferences, double epsilon = 1e-3)
    {
        var peers = new List<Peer>();
        for (int i = 0; i < sellers; i++) peers.Add(Seller(i));
        for (int j = 0; j < buyers; j++) peers.Add(Buyer(j));
        var pairs = new List<TradePair>();
        for (int i = 0; i < sellers; i++)
        {
            for (int j = 0; j < buyers; j++)
            {
                var (cs, cb) = preferences(i, j);
                pairs.Add(new TradePair(i, sellers + j, cs, cb));
            }
        }

        return new P2PMarketProblem(peers, pairs, epsilon);
    }

    /// <summary>The study's 70-peer case: 35 sellers, 35 buyers, all pairs, c_ij = c_ji = 20 €/MWh.</summary>
    public static P2PMarketProblem Study70() => AllPairs(35, 35, (_, _) => (20, 20));

    /// <summary>40 sellers × 30 buyers, all pairs, preferences varying in [15, 25] €/MWh per side.</summary>
    public static P2PMarketProblem Medium() => AllPairs(40, 30, (i, j) =>
        (15 + 10 * Frac(i * Golden + j * Sqrt2Frac), 15 + 10 * Frac(j * Golden + i * Sqrt3Frac)));

    /// <summary>
    /// 500 sellers and 500 buyers, each seller trading with 20 buyers j = (3i + 25r) mod 500, r = 0..19,
    /// so every buyer also has exactly 20 sellers; c_ij = c_ji = 20 €/MWh.
    /// </summary>
    public static P2PMarketProblem Large1000()
    {
        const int side = 500;
        var peers = new List<Peer>();
        for (int i = 0; i < side; i++) peers.Add(Seller(i));
        for (int j = 0; j < side; j++) peers.Add(Buyer(j));
        var pairs = new List<TradePair>();
        for (int i = 0; i < side; i++)
        {
            var buyers = new SortedSet<int>();
            for (int r = 0; r < 20; r++) buyers.Add((3 * i + 25 * r) % side);
            foreach (int j in buyers) pairs.Add(new TradePair(i, side + j, 20, 20));
        }

        return new P2PMarketProblem(peers, pairs);
    }

    /// <summary>One seller (index 0) and one buyer (index 1) with the given data.</summary>
    public static P2PMarketProblem OneToOne(
        double pi = 50, double a = 2, double vSeller = 10,
        double lambda = 110, double b = 4, double vBuyer = 10,
        double cSeller = 5, double cBuyer = 5, double cap = double.PositiveInfinity,
        double epsilon = 1e-3, double intervalHours = 1.0) =>
        new(
            [new Peer("s", PeerRole.Seller, vSeller, pi, a), new Peer("b", PeerRole.Buyer, vBuyer, lambda, b)],
            [new TradePair(0, 1, cSeller, cBuyer, cap)],
            epsilon,
            intervalHours);
}
