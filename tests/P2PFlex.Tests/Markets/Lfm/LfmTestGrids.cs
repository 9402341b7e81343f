using P2PFlex.Markets.Lfm;

namespace P2PFlex.Tests.Markets.Lfm;

/// <summary>Small hand-solvable grids and one larger seeded radial feeder for the LFM tests.</summary>
internal static class LfmTestGrids
{
    /// <summary>
    /// Two buses, one line 1→2 (index 0), slack at bus 1 (column 0). Injection at bus 2 reduces the
    /// flow from 1 to 2, so H = [0, −1]. A load of <paramref name="loadMw"/> at bus 2 gives f⁰ = loadMw.
    /// </summary>
    public static LfmProblem TwoBus(double loadMw, double limitMw, params FlexBid[] bids) =>
        new(new double[,] { { 0.0, -1.0 } }, [loadMw], [limitMw], bids);

    /// <summary>
    /// Radial chain 0 (slack) — 1 — 2. Line 0 is 0→1, line 1 is 1→2. Each line's flow is minus the net
    /// injection downstream of it: H = [[0, −1, −1], [0, 0, −1]].
    /// </summary>
    public static double[,] ThreeBusChainPtdf() => new double[,]
    {
        { 0.0, -1.0, -1.0 },
        { 0.0, 0.0, -1.0 },
    };

    public static FlexBid Up(string id, int bus, double volumeMw, double priceEurPerMwh) =>
        new(id, bus, BidDirection.Up, volumeMw, priceEurPerMwh);

    public static FlexBid Down(string id, int bus, double volumeMw, double priceEurPerMwh) =>
        new(id, bus, BidDirection.Down, volumeMw, priceEurPerMwh);

    /// <summary>
    /// A seeded random radial feeder with <paramref name="busCount"/> buses (bus 0 is the slack, so
    /// busCount − 1 lines), loads and some PV, limits set so several lines are overloaded by up to
    /// ~10 %, and <paramref name="bidCount"/> (≥ 2 (busCount − 1) + 4) up/down bids.
    /// </summary>
    public static LfmProblem RandomRadialFeeder(int busCount, int bidCount, int seed, bool requireBalance = false)
    {
        var random = new Random(seed);
        int lines = busCount - 1;
        var parent = new int[busCount];
        for (int k = 1; k < busCount; k++)
        {
            parent[k] = random.Next(Math.Max(0, k - 3), k);
        }

        // Line k−1 runs parent[k] → k; injection at bus j lowers its flow by 1 MW/MW if j lies in k's subtree.
        var ptdf = new double[lines, busCount];
        for (int j = 1; j < busCount; j++)
        {
            for (int k = j; k != 0; k = parent[k])
            {
                ptdf[k - 1, j] = -1.0;
            }
        }

        var injectionMw = new double[busCount];
        for (int j = 1; j < busCount; j++)
        {
            injectionMw[j] = -(0.05 + 0.25 * random.NextDouble()) + (random.NextDouble() < 0.15 ? 0.4 * random.NextDouble() : 0.0);
        }

        var baseFlowMw = new double[lines];
        var limitMw = new double[lines];
        for (int l = 0; l < lines; l++)
        {
            double f = 0.0;
            for (int j = 0; j < busCount; j++)
            {
                f += ptdf[l, j] * injectionMw[j];
            }

            baseFlowMw[l] = f;
            double factor = random.NextDouble() < 0.2 ? 0.9 + 0.1 * random.NextDouble() : 1.05 + 0.5 * random.NextDouble();
            limitMw[l] = Math.Max(0.05, Math.Abs(f) * factor);
        }

        // One up and one down bid at every non-slack bus (so every line has some relief in both
        // directions), a few larger down bids at the slack bus (substation-side flexibility that can
        // balance without touching any feeder line), the rest at random buses.
        var bids = new FlexBid[bidCount];
        const int slackBids = 4;
        for (int b = 0; b < bidCount; b++)
        {
            int bus;
            BidDirection direction;
            double volumeMw = 0.05 + 0.45 * random.NextDouble();
            if (b < 2 * lines)
            {
                bus = 1 + b / 2;
                direction = b % 2 == 0 ? BidDirection.Up : BidDirection.Down;
            }
            else if (b < 2 * lines + slackBids)
            {
                bus = 0;
                direction = BidDirection.Down;
                volumeMw *= 4.0;
            }
            else
            {
                bus = random.Next(1, busCount);
                direction = random.Next(2) == 0 ? BidDirection.Up : BidDirection.Down;
            }

            bids[b] = new FlexBid($"bid{b}", bus, direction, volumeMw, 20.0 + 100.0 * random.NextDouble());
        }

        return new LfmProblem(ptdf, baseFlowMw, limitMw, bids, requireBalance);
    }
}
