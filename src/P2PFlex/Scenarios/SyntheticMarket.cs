using P2PFlex.Grid;
using P2PFlex.Markets.P2P;
using P2PFlex.Numerics;

namespace P2PFlex.Scenarios;

/// <summary>
/// A synthetic P2P market on any feeder, for benchmarks and scaling studies: peers at load buses drawn with
/// <see cref="SplitMix64"/>, each allowed to trade with its electrically nearest counterparts.
/// </summary>
/// <param name="Network">The feeder.</param>
/// <param name="PeerBus">Internal bus index of every peer (indexed like <see cref="P2PMarketProblem.Peers"/>).</param>
/// <param name="Problem">The market, ready for <see cref="CentralizedP2PSolver"/> or <see cref="AdmmP2PSolver"/>.</param>
public sealed record SyntheticMarket(GridNetwork Network, IReadOnlyList<int> PeerBus, P2PMarketProblem Problem)
{
    /// <summary>Seed of the benchmark's market (<c>p2pflex bench</c>).</summary>
    public const ulong DefaultSeed = 5332025;

    /// <summary>
    /// Builds a market of <paramref name="peerCount"/> peers with the market parameters of a study scenario.
    /// </summary>
    /// <remarks>
    /// <para>Peers, in order, each from the generator: a bus drawn uniformly among the buses with positive load
    /// (slack excluded), a role (seller with probability ½), a volume V = U[0.5, 1.5) × the bus's load, and for a
    /// seller its bid price U[45, 55) €/MWh (the orderbook's up-bid range). Sellers get a = seller slope / V, buyers
    /// λ = λ_ref and b = buyer slope / V, every pair the preference cost c₀ on both sides, as in
    /// <see cref="ScenarioRunner.ClearP2P"/>. Should one side come out empty, the last peer switches role.</para>
    /// <para>Pairs: every seller with its <paramref name="neighbours"/> nearest buyers and every buyer with its
    /// <paramref name="neighbours"/> nearest sellers (the union, so each peer can trade with at least its nearest
    /// ones), nearest by <see cref="ElectricalDistance"/>, ties by peer index.</para>
    /// </remarks>
    public static SyntheticMarket Build(GridNetwork network, Ptdf ptdf, MarketParameters market, int peerCount, int neighbours,
        ulong seed = DefaultSeed)
    {
        if (peerCount < 2) throw new ArgumentOutOfRangeException(nameof(peerCount), "a market needs at least two peers");
        if (neighbours < 1) throw new ArgumentOutOfRangeException(nameof(neighbours), "each peer needs at least one counterpart");
        var loadBuses = network.Buses.Where(b => b.PdMw > 0 && b.Index != network.SlackIndex).ToArray();
        if (loadBuses.Length == 0) throw new ArgumentException($"{network.Name} has no bus with positive load", nameof(network));

        var rng = new SplitMix64(seed);
        var peers = new Peer[peerCount];
        var bus = new int[peerCount];
        for (int k = 0; k < peerCount; k++)
        {
            var b = loadBuses[rng.NextInt(loadBuses.Length)];
            bool seller = rng.NextDouble() < 0.5;
            double volume = rng.NextUniform(0.5, 1.5) * b.PdMw;
            double price = rng.NextUniform(45, 55);
            bus[k] = b.Index;
            peers[k] = MakePeer(k, seller, volume, price, market);
        }
        if (peers.All(p => p.Role == PeerRole.Seller) || peers.All(p => p.Role == PeerRole.Buyer))
        {
            var last = peers[^1];
            peers[^1] = MakePeer(peerCount - 1, last.Role != PeerRole.Seller, last.MaxVolumeMw,
                last.Role == PeerRole.Seller ? last.LinearCostEurPerMwh : 50, market);
        }

        var sellers = Enumerable.Range(0, peerCount).Where(k => peers[k].Role == PeerRole.Seller).ToArray();
        var buyers = Enumerable.Range(0, peerCount).Where(k => peers[k].Role == PeerRole.Buyer).ToArray();
        var distance = ElectricalDistance(network, ptdf, bus.Distinct().Order().ToArray());
        double D(int i, int j) => distance[(bus[i], bus[j])];

        var pairs = new SortedSet<(int Seller, int Buyer)>();
        foreach (int i in sellers)
            foreach (int j in Nearest(i, buyers, neighbours, D)) pairs.Add((i, j));
        foreach (int j in buyers)
            foreach (int i in Nearest(j, sellers, neighbours, D)) pairs.Add((i, j));

        double c = market.C0EurPerMwh;
        var tradePairs = pairs.Select(p => new TradePair(p.Seller, p.Buyer, c, c)).ToArray();
        var problem = new P2PMarketProblem(peers, tradePairs, market.EpsilonEurPerMw2h, market.IntervalHours);
        return new SyntheticMarket(network, bus, problem);
    }

    private static Peer MakePeer(int k, bool seller, double volume, double price, MarketParameters m) => seller
        ? new Peer($"s{k}", PeerRole.Seller, volume, price, m.SellerSlopeEurPerMwh / volume)
        : new Peer($"b{k}", PeerRole.Buyer, volume, m.LambdaRefEurPerMwh, m.BuyerSlopeEurPerMwh / volume);

    private static IEnumerable<int> Nearest(int peer, int[] candidates, int count, Func<int, int, double> distance) =>
        candidates.OrderBy(o => distance(peer, o)).ThenBy(o => o).Take(count);

    /// <summary>
    /// Electrical distance between buses: d(i, j) = Σ_l x_l·|H[l, i] − H[l, j]| (x in p.u.), the reactance of the path
    /// between i and j on a radial feeder (where PTDF columns are 0/−1 path indicators) and a PTDF-weighted reactance
    /// in a meshed grid. Symmetric, zero on the diagonal. Returned for every ordered pair of the given bus indices.
    /// </summary>
    public static IReadOnlyDictionary<(int, int), double> ElectricalDistance(GridNetwork network, Ptdf ptdf, IReadOnlyList<int> buses)
    {
        int m = ptdf.LineCount, n = buses.Count;
        var x = network.Branches.Select(b => Math.Abs(b.XPu)).ToArray();
        // Columns of H for the chosen buses, contiguous per bus.
        var columns = new double[n * m];
        for (int a = 0; a < n; a++)
            for (int l = 0; l < m; l++) columns[a * m + l] = ptdf[l, buses[a]];
        var result = new Dictionary<(int, int), double>(n * n);
        for (int a = 0; a < n; a++)
        {
            result[(buses[a], buses[a])] = 0;
            for (int b = a + 1; b < n; b++)
            {
                double d = 0;
                int oa = a * m, ob = b * m;
                for (int l = 0; l < m; l++) d += x[l] * Math.Abs(columns[oa + l] - columns[ob + l]);
                result[(buses[a], buses[b])] = d;
                result[(buses[b], buses[a])] = d;
            }
        }
        return result;
    }
}
