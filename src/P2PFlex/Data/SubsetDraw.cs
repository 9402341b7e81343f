using P2PFlex.Markets.Orderbook;
using P2PFlex.Numerics;

namespace P2PFlex.Data;

/// <summary>
/// The seeded draw of the P2P subset: which bids of a feeder's orderbook become P2P peers in scenarios 1, 1′, 2 and 3.
/// Part of a feeder's documented setup (<see cref="FeederSetup.Subset"/>), like the orderbook's generator.
/// </summary>
/// <param name="Seed">Seed of attempt 0 (attempt k uses seed + k).</param>
/// <param name="Count">Number of bids in the subset.</param>
/// <param name="MaxAttempts">Attempts before a draw that nothing accepts is an error.</param>
public sealed record SubsetDraw(ulong Seed, int Count, int MaxAttempts)
{
    /// <summary>The study's draw: 70 of 172 bids (40 %).</summary>
    public static SubsetDraw Study { get; } = new(7022022, 70, 10_000);

    /// <summary>
    /// Draws subsets of <see cref="Count"/> bids (attempt k uses SplitMix64(seed + k), a Fisher–Yates shuffle of all bid
    /// ids, the first Count ids) and returns the first one <paramref name="accept"/> takes, with its attempt number.
    /// The study's own draw was random and unpublished; its scenarios 1 and 2 tell a particular story, so case69's
    /// shipped draw is the first that tells the same one (an <see cref="ISubsetScreen"/>, <see cref="FeederSetup.ScreenSubset"/>).
    /// </summary>
    public (IReadOnlyList<string> Ids, int Attempt) Draw(FlexibilityOrderbook orderbook, Func<IReadOnlyList<string>, bool> accept)
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var random = new SplitMix64(Seed + (ulong)attempt);
            var ids = orderbook.Bids.Select(b => b.Id).ToList();
            for (int i = ids.Count - 1; i > 0; i--)
            {
                int j = random.NextInt(i + 1);
                (ids[i], ids[j]) = (ids[j], ids[i]);
            }
            var chosen = ids.Take(Count).OrderBy(s => s, StringComparer.Ordinal).ToArray();
            if (accept(chosen)) return (chosen, attempt);
        }
        throw new InvalidOperationException($"no draw of {Count} bids was accepted in {MaxAttempts} attempts");
    }
}
