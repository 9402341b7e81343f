using System.Text;
using P2PFlex.Data;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Numerics;
using P2PFlex.Scenarios;

namespace P2PFlex.MonteCarlo;

/// <summary>
/// The seed of Monte Carlo draw k of a feeder, a pure function of (master seed, feeder, k), so that draw k is the
/// same whatever shard, core count or machine computes it.
/// </summary>
public static class DrawSeed
{
    /// <summary>
    /// seed = SplitMix64(SplitMix64(master ⊕ FNV-1a-64(feeder)).Next() + k).Next(): the master seed and the feeder name
    /// give a per-feeder base, and the draw index moves the state of a fresh generator, whose output mixes it fully.
    /// </summary>
    public static ulong Of(ulong masterSeed, string feeder, int draw)
    {
        if (draw < 0) throw new ArgumentOutOfRangeException(nameof(draw), "draw index must not be negative");
        ulong feederBase = new SplitMix64(masterSeed ^ Fnv1a64(feeder)).NextUInt64();
        return new SplitMix64(feederBase + (ulong)draw).NextUInt64();
    }

    /// <summary>FNV-1a, 64 bits, of the UTF-8 bytes of a text (a fixed, documented hash: string.GetHashCode is randomised per process).</summary>
    public static ulong Fnv1a64(string text)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 0x100000001B3UL;
        }
        return hash;
    }
}

/// <summary>What one draw regenerated: its orderbook and P2P subset (the feeder, limits and states stay).</summary>
public sealed record MonteCarloDraw(int Draw, ulong Seed, FlexibilityOrderbook Orderbook, IReadOnlyList<string> P2PSubset)
{
    /// <summary>
    /// Draws everything the study drew at random from the draw's seed: a generator seeded with it gives the orderbook
    /// seed (bus assignment, directions, volumes, prices: <see cref="OrderbookGenerator"/> with the feeder's ranges
    /// and counts) and then the subset seed (Fisher–Yates shuffle of all bid ids, the feeder's subset size, not
    /// screened). Scenario 1″ then picks its peers from this orderbook by its rule.
    /// </summary>
    public static MonteCarloDraw Create(FeederSetup setup, StudyContext feeder, int draw, ulong seed)
    {
        var stream = new SplitMix64(seed);
        ulong orderbookSeed = stream.NextUInt64();
        ulong subsetSeed = stream.NextUInt64();
        var orderbook = (setup.Orderbook with { Seed = orderbookSeed }).Generate(feeder.BaseFeeder.Network);
        var (subset, _) = (setup.Subset with { Seed = subsetSeed, MaxAttempts = 1 }).Draw(orderbook, _ => true);
        return new MonteCarloDraw(draw, seed, orderbook with { Source = $"Monte Carlo draw {draw} (seed {seed})" }, subset);
    }

    /// <summary>The feeder's context with this draw's orderbook and subset.</summary>
    public StudyContext Apply(StudyContext feeder) => feeder with { Orderbook = Orderbook, P2PSubset = P2PSubset };
}
