using System.Globalization;
using System.Text;
using P2PFlex.Grid;
using P2PFlex.IO;
using P2PFlex.Markets.Lfm;
using P2PFlex.Numerics;

namespace P2PFlex.Markets.Orderbook;

/// <summary>The flexibility orderbook: every bid, with the file it came from.</summary>
public sealed record FlexibilityOrderbook(IReadOnlyList<FlexibilityBid> Bids, string Source)
{
    private Dictionary<string, FlexibilityBid>? _byId;

    public FlexibilityBid this[string id] =>
        (_byId ??= Bids.ToDictionary(b => b.Id, StringComparer.Ordinal)).TryGetValue(id, out var b)
            ? b : throw new KeyNotFoundException($"bid '{id}' is not in the orderbook {Source}");

    public bool Contains(string id) => (_byId ??= Bids.ToDictionary(b => b.Id, StringComparer.Ordinal)).ContainsKey(id);

    /// <summary>Largest volume one bid may offer (MW). A distribution feeder's whole load is a few MW (case69: 3.8 MW;
    /// the largest shipped feeder, case533mt, about 14 MW) and its substation transformer tens of MW, so a single
    /// flexibility bid above 100 MW is a data error (a unit slip, kW for MW, or a corrupted value), not a bid.</summary>
    public const double MaxBidVolumeMw = 100;

    /// <summary>Highest bid price (€/MWh): above the EU harmonised maximum clearing price of the intraday market
    /// (9 999 €/MWh), so no real flexibility bid exceeds it. Prices are not negative in the study's model (MODEL §3).</summary>
    public const double MaxBidPriceEurPerMwh = 10_000;

    /// <summary>
    /// Reads an orderbook CSV (<c>id,bus,direction,volume_mw,price_eur_per_mwh</c>; direction <c>up</c> or <c>down</c>).
    /// Bids on buses the network lacks, negative or non-finite volumes or prices, and duplicate ids are refused with
    /// file, line and field, as are volumes above <see cref="MaxBidVolumeMw"/>, prices above
    /// <see cref="MaxBidPriceEurPerMwh"/> and a file without bids.
    /// </summary>
    public static FlexibilityOrderbook Read(string path, GridNetwork network)
    {
        var table = CsvTable.Read(path, "id", "bus", "direction", "volume_mw", "price_eur_per_mwh");
        var bids = new List<FlexibilityBid>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int r = 0; r < table.Count; r++)
        {
            int line = table.LineOf(r);
            string id = table.Text(r, "id");
            if (id.Length == 0) throw new DataFormatException(path, line, "id", "is empty");
            if (!seen.Add(id)) throw new DataFormatException(path, line, "id", $"bid '{id}' appears twice");
            int bus = table.Integer(r, "bus");
            if (!network.HasBus(bus)) throw new DataFormatException(path, line, "bus", $"bid '{id}' is on bus {bus}, which does not exist in {network.Name}");
            if (bus == network.Buses[network.SlackIndex].Number)
                throw new DataFormatException(path, line, "bus", $"bid '{id}' is on the slack bus {bus}, where it cannot change any flow");
            var direction = table.Text(r, "direction") switch
            {
                "up" => BidDirection.Up,
                "down" => BidDirection.Down,
                var d => throw new DataFormatException(path, line, "direction", $"must be 'up' or 'down', is '{d}'"),
            };
            double volume = table.Number(r, "volume_mw");
            if (volume < 0) throw new DataFormatException(path, line, "volume_mw", $"bid '{id}' has a negative volume {volume}");
            if (volume > MaxBidVolumeMw)
                throw new DataFormatException(path, line, "volume_mw", $"bid '{id}' offers {volume} MW, more than the {MaxBidVolumeMw} MW a bid on a distribution feeder can have");
            double price = table.Number(r, "price_eur_per_mwh");
            if (price < 0) throw new DataFormatException(path, line, "price_eur_per_mwh", $"bid '{id}' has a negative price {price}");
            if (price > MaxBidPriceEurPerMwh)
                throw new DataFormatException(path, line, "price_eur_per_mwh", $"bid '{id}' asks {price} EUR/MWh, above the {MaxBidPriceEurPerMwh} EUR/MWh bound");
            bids.Add(new FlexibilityBid(id, bus, direction, volume, price));
        }
        if (bids.Count == 0) throw new DataFormatException(path, 0, "id", "the orderbook has no bids");
        return new FlexibilityOrderbook(bids, path);
    }

    /// <summary>The orderbook as CSV text (the format <see cref="Read"/> reads) with provenance comment lines.</summary>
    public string ToCsv(IEnumerable<string> provenance)
    {
        var sb = new StringBuilder();
        foreach (var p in provenance) sb.Append("# ").Append(p).Append('\n');
        sb.Append("id,bus,direction,volume_mw,price_eur_per_mwh\n");
        foreach (var b in Bids)
            sb.Append(b.Id).Append(',').Append(b.Bus).Append(',').Append(b.Direction == BidDirection.Up ? "up" : "down").Append(',')
              .Append(CsvTable.Format(b.VolumeMw)).Append(',').Append(CsvTable.Format(b.PriceEurPerMwh)).Append('\n');
        return sb.ToString();
    }
}

/// <summary>
/// The seeded generator of the study's orderbook (MODEL §3). Run once per feeder; its output is shipped as
/// <c>data/orderbook/&lt;case&gt;_orderbook.csv</c> and runs read that file. Monte Carlo draws run it with a seed per draw.
/// </summary>
/// <param name="Seed">Seed of the <see cref="SplitMix64"/> stream.</param>
/// <param name="BidCount">Number of bids (study: 172).</param>
/// <param name="BusCount">Number of buses that carry bids (study: 46), drawn among the buses with load.</param>
/// <param name="VolumeLowFactor">Volume of a bid = U[low, high) × its bus's base load.</param>
/// <param name="VolumeHighFactor">See <paramref name="VolumeLowFactor"/>.</param>
/// <param name="DownPriceLow">Down prices ~ U[5, 15) €/MWh in the study.</param>
/// <param name="DownPriceHigh">See <paramref name="DownPriceLow"/>.</param>
/// <param name="UpPriceLow">Up prices ~ U[45, 55) €/MWh in the study.</param>
/// <param name="UpPriceHigh">See <paramref name="UpPriceLow"/>.</param>
public sealed record OrderbookGenerator(ulong Seed, int BidCount, int BusCount, double VolumeLowFactor, double VolumeHighFactor,
    double DownPriceLow, double DownPriceHigh, double UpPriceLow, double UpPriceHigh)
{
    /// <summary>The study's orderbook generator.</summary>
    public static OrderbookGenerator Case69Study { get; } = new(5302022, 172, 46, 1.0, 3.0, 5, 15, 45, 55);

    /// <summary>
    /// Draws the orderbook: <see cref="BusCount"/> of the buses with load (seeded shuffle); each gets one up and one down
    /// bid, and the remaining bids go to drawn buses with a drawn direction (fair coin). Bids are sorted by bus, then
    /// direction (up first), and numbered B001…; volume and price are then drawn per bid in that order.
    /// </summary>
    /// <param name="network">The feeder in its base state: which buses have load, and (unless
    /// <paramref name="volumeLoads"/> is given) the loads the volumes scale.</param>
    /// <param name="volumeLoads">The same feeder in another loading state (an interval of a time series): the volume
    /// rule is applied to its loads, every draw (buses, directions, factors, prices) stays that of the seed.</param>
    public FlexibilityOrderbook Generate(GridNetwork network, GridNetwork? volumeLoads = null)
    {
        var loads = volumeLoads ?? network;
        if (loads.Buses.Count != network.Buses.Count) throw new ArgumentException($"{loads.Name} is not {network.Name} in another loading state");
        var random = new SplitMix64(Seed);
        var loadBuses = network.Buses.Where(b => b.PdMw > 0 && b.Index != network.SlackIndex).Select(b => b.Number).ToList();
        if (BusCount > loadBuses.Count) throw new ArgumentException($"{BusCount} bid buses requested, {network.Name} has {loadBuses.Count} buses with load");
        if (BidCount < 2 * BusCount) throw new ArgumentException("every bid bus gets one up and one down bid: BidCount must be at least 2 × BusCount");
        for (int i = loadBuses.Count - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (loadBuses[i], loadBuses[j]) = (loadBuses[j], loadBuses[i]);
        }
        var buses = loadBuses.Take(BusCount).OrderBy(b => b).ToArray();
        var slots = new List<(int Bus, BidDirection Direction)>();
        foreach (int bus in buses) { slots.Add((bus, BidDirection.Up)); slots.Add((bus, BidDirection.Down)); }
        while (slots.Count < BidCount)
            slots.Add((buses[random.NextInt(buses.Length)], random.NextDouble() < 0.5 ? BidDirection.Up : BidDirection.Down));
        var ordered = slots.OrderBy(s => s.Bus).ThenBy(s => s.Direction).ToArray();
        var bids = new FlexibilityBid[ordered.Length];
        for (int k = 0; k < ordered.Length; k++)
        {
            var (bus, direction) = ordered[k];
            double load = loads.Buses[network.IndexOfBus(bus)].PdMw;
            double volume = Math.Round(random.NextUniform(VolumeLowFactor, VolumeHighFactor) * load, 6);
            double price = direction == BidDirection.Up ? random.NextUniform(UpPriceLow, UpPriceHigh) : random.NextUniform(DownPriceLow, DownPriceHigh);
            bids[k] = new FlexibilityBid($"B{k + 1:D3}", bus, direction, volume, Math.Round(price, 4));
        }
        return new FlexibilityOrderbook(bids, "generated");
    }

    /// <summary>Provenance lines written at the top of the generated CSV.</summary>
    public IEnumerable<string> Provenance() => Provenance("case69", "OrderbookGenerator.Case69Study");

    /// <summary>Provenance lines for a feeder's orderbook made by the named generator.</summary>
    public IEnumerable<string> Provenance(string caseName, string generator) =>
    [
        $"Flexibility orderbook of {caseName} for the EUniversal D5.3 study reproduction (MODEL section 3).",
        $"Generated once by P2PFlex.Markets.Orderbook.{generator} (SplitMix64 seed {Seed}); regenerate with 'p2pflex data generate'.",
        string.Create(CultureInfo.InvariantCulture, $"{BidCount} bids on {BusCount} of the buses with load; each bus one up and one down bid, the rest on drawn buses and directions;"),
        string.Create(CultureInfo.InvariantCulture, $"volume_mw = U[{VolumeLowFactor}, {VolumeHighFactor}) x bus base load (rounded to 1e-6 MW); down prices U[{DownPriceLow}, {DownPriceHigh}), up prices U[{UpPriceLow}, {UpPriceHigh}) EUR/MWh (rounded to 1e-4)."),
    ];
}
