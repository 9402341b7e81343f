using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;

namespace P2PFlex.Scenarios;

/// <summary>How the study's peer sets are chosen from the orderbook, as documented rules.</summary>
public static class PeerRules
{
    /// <summary>The two base congestions of the study: branches 44 (44–45) and 67 (12–68).</summary>
    public static readonly int[] StudyCongestedBranches = [44, 67];

    /// <summary>The base congestions of a feeder: the lines its documented rule pins (case69: <see cref="StudyCongestedBranches"/>).</summary>
    public static IReadOnlyList<int> BaseCongestions(StudyFeeder feeder) => Data.FeederSetup.For(feeder.Network, feeder.Ptdf).BaseCongestions;

    /// <summary>Buses downstream of a branch on a radial feeder: those whose injection flows to the slack through it
    /// (|H| = 1; H = −1 when the branch is written from its upstream end, +1 when written the other way round).</summary>
    public static IReadOnlyList<int> DownstreamBuses(StudyFeeder feeder, int caseIndex)
    {
        int l = feeder.Network.PositionOfBranch(caseIndex);
        return feeder.Network.Buses.Where(b => Math.Abs(feeder.Ptdf[l, b.Index]) > 0.5).Select(b => b.Number).ToArray();
    }

    /// <summary>
    /// Scenario 1″ (7 peers whose trades relieve the base congestions, on case69 lines 44–45 and 12–68): one seller per line, the largest up bid
    /// downstream of it (ties: lowest id); buyers are down bids on the path towards the substation starting at each line's from-bus, taken in
    /// turn (nearest first, alternating between the two lines) until <paramref name="peerCount"/> peers are chosen.
    /// A trade from such a seller to such a buyer only changes flows on the lines between them.
    /// </summary>
    public static IReadOnlyList<string> LateralRelief(StudyFeeder feeder, FlexibilityOrderbook orderbook, int peerCount = 7)
    {
        var congested = BaseCongestions(feeder);
        var sellers = new List<string>();
        foreach (int line in congested)
        {
            var downstream = DownstreamBuses(feeder, line).ToHashSet();
            var largest = orderbook.Bids.Where(b => b.Direction == BidDirection.Up && downstream.Contains(b.Bus))
                .OrderByDescending(b => b.VolumeMw).ThenBy(b => b.Id, StringComparer.Ordinal).FirstOrDefault()
                ?? throw new InvalidOperationException($"no up bid downstream of branch {line}: scenario 1'' cannot relieve it");
            sellers.Add(largest.Id);
        }
        if (sellers.Count >= peerCount) throw new InvalidOperationException($"{sellers.Count} sellers downstream of the study's congestions leave no room for buyers among {peerCount} peers");
        // Buyer candidates per line: down bids at the from-bus, then at each bus further up the path.
        var queues = congested.Select(line =>
        {
            var br = feeder.Network.Branches[feeder.Network.PositionOfBranch(line)];
            var path = PathToSlack(feeder, br.FromBus);
            return new Queue<string>(path.SelectMany(bus => orderbook.Bids.Where(b => b.Direction == BidDirection.Down && b.Bus == bus).Select(b => b.Id)));
        }).ToArray();
        var buyers = new List<string>();
        for (int turn = 0; sellers.Count + buyers.Count < peerCount; turn++)
        {
            if (queues.All(q => q.Count == 0)) throw new InvalidOperationException("not enough down bids upstream of the study's congestions");
            var q = queues[turn % queues.Length];
            if (q.Count > 0) buyers.Add(q.Dequeue());
        }
        return sellers.Concat(buyers).ToArray();
    }

    /// <summary>Bus numbers from a bus up to (not including) the slack, nearest first (radial feeders). The lines on
    /// the path are those the bus's injection flows through (|H| = 1), nearest first (fewest buses behind them); each
    /// line's upstream end is the next bus. Works whichever way round the case file writes a branch.</summary>
    public static IReadOnlyList<int> PathToSlack(StudyFeeder feeder, int bus)
    {
        var net = feeder.Network;
        int index = net.IndexOfBus(bus);
        var path = new List<int>();
        if (index == net.SlackIndex) return path;
        int buses = net.Buses.Count;
        var lines = Enumerable.Range(0, net.Branches.Count).Where(l => Math.Abs(feeder.Ptdf[l, index]) > 0.5)
            .Select(l => (Line: l, Behind: Enumerable.Range(0, buses).Count(b => Math.Abs(feeder.Ptdf[l, b]) > 0.5)))
            .OrderBy(x => x.Behind).ToArray();
        if (lines.Length == 0) throw new InvalidOperationException($"bus {bus} has no path to the slack: the feeder is not radial from its slack");
        path.Add(bus);
        foreach (var (l, _) in lines)
        {
            var br = net.Branches[l];
            // The upstream end is the one whose injection does not flow through this line.
            int upstream = Math.Abs(feeder.Ptdf[l, net.IndexOfBus(br.FromBus)]) > 0.5 ? br.ToBus : br.FromBus;
            if (net.IndexOfBus(upstream) == net.SlackIndex) break;
            path.Add(upstream);
        }
        return path;
    }
}
