using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PFlex.Interventions;
using P2PFlex.IO;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Scenarios;

/// <summary>
/// Exports the complete instance and result of one scenario run as plain CSV files and one JSON file, so that the
/// P2P market and the LFM can be re-solved with another solver and every reported number re-derived
/// (<c>p2pflex scenarios export</c>; formats in <c>docs/export.md</c>).
/// </summary>
public static class ScenarioExport
{
    /// <summary>Version of the export format, written into <c>scenario.json</c>; raised when a column changes meaning.</summary>
    public const int FormatVersion = 1;

    /// <summary>The files every export has besides the designs' own (<see cref="Designs.IMarketDesign.ExportFiles"/>).</summary>
    private static readonly (string Name, string Description)[] CoreFiles =
    [
        ("scenario.json", "scenario definition, market parameters, KPIs, solver report and this file list"),
        ("buses.csv", "one row per bus: base injection and injections before and after the LFM (MW, positive into the grid)"),
        ("lines.csv", "one row per in-service line: limit, flows of the base state, before and after the LFM (MW, from -> to), at-risk flag, LFM limit dual"),
        ("ptdf.csv", "PTDF H (MW of flow per MW injected at the bus and withdrawn at the slack): one row per line, one column bus_<n> per bus"),
        ("bids.csv", "the whole flexibility orderbook; role = peer (P2P market) or lfm (offered to the LFM only)"),
        ("lfm_bids.csv", "bids offered to the LFM (non-peer orderbook bids, then unmet parts of peer bids or the mediator's aggregated bids) with their activation; header only when no LFM ran"),
        ("market_peers.csv", "the peers of the scenario's market design with their cost/utility parameters, cleared quantity, net position, the price they trade at and their surplus; header only without peers"),
        ("voltage_lfm_lines.csv", "the voltage-aware LFM's last LP, line rows linearised at the AC operating point: |S| there, at zero activation, limit, gradient g_bus_<n> (MVA per MW); header only for the congestion-only LFM"),
        ("voltage_lfm_buses.csv", "the voltage-aware LFM's AC operating point (|V|, angle, load per bus) and last LP's voltage rows: |V| at zero activation, sensitivities sv_bus_<n> (p.u. per MW); header only for the congestion-only LFM"),
    ];

    /// <summary>The order of the files in format 1's <c>files</c> map; files of designs added later follow in registry order.</summary>
    private static readonly string[] FormatOneOrder =
        ["scenario.json", "buses.csv", "lines.csv", "ptdf.csv", "bids.csv", "peers.csv", "pairs.csv", "lfm_bids.csv", "market_peers.csv", "auction_lines.csv", "nodal_prices.csv", "capacity_areas.csv",
         "voltage_lfm_lines.csv", "voltage_lfm_buses.csv"];

    /// <summary>The files of an export, with the description written into <c>scenario.json</c>'s <c>files</c> map:
    /// the core files and every registered design's own.</summary>
    public static IReadOnlyList<(string Name, string Description)> FileDescriptions { get; } =
        CoreFiles.Concat(Designs.MarketDesigns.All.SelectMany(d => d.ExportFiles).Select(f => (f.Name, f.Description)))
            .OrderBy(f => Array.IndexOf(FormatOneOrder, f.Name) is int i and >= 0 ? i : int.MaxValue).ToArray();

    /// <summary>
    /// The export of a scenario run as file name → content (pure: the same result gives the same text).
    /// <paramref name="orderbook"/> is the orderbook the run used (the result itself keeps only the bids it passed on);
    /// it is checked against the result.
    /// </summary>
    /// <exception cref="ArgumentException">The orderbook is not the one the run used.</exception>
    public static IReadOnlyDictionary<string, string> Files(ScenarioResult result, FlexibilityOrderbook orderbook)
    {
        CheckOrderbook(result, orderbook);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["scenario.json"] = ScenarioExportJson.ScenarioJson(result),
            ["buses.csv"] = ScenarioExportCsv.Buses(result),
            ["lines.csv"] = ScenarioExportCsv.Lines(result),
            ["ptdf.csv"] = ScenarioExportCsv.Ptdf(result),
            ["bids.csv"] = ScenarioExportCsv.Bids(result, orderbook),
            ["lfm_bids.csv"] = ScenarioExportCsv.LfmBids(result),
            ["market_peers.csv"] = ScenarioExportCsv.MarketPeers(result),
            ["voltage_lfm_lines.csv"] = ScenarioExportCsv.VoltageLfmLines(result),
            ["voltage_lfm_buses.csv"] = ScenarioExportCsv.VoltageLfmBuses(result),
        };
        // Every design's files in every export (header only for another design's run): the same set for every scenario.
        foreach (var file in DesignFiles(result))
        {
            var csv = CsvRowWriter.WithHeader(file.Header);
            file.WriteRows(result, csv);
            files[file.Name] = csv.ToText();
        }
        return files;
    }

    /// <summary>The designs' files of an export: the registered designs', then those of an unregistered design the run used.</summary>
    internal static IEnumerable<Designs.DesignExportFile> DesignFiles(ScenarioResult result)
    {
        var registered = Designs.MarketDesigns.All.SelectMany(d => d.ExportFiles);
        return result.MarketDesign is { } d && !Designs.MarketDesigns.All.Contains(d) ? registered.Concat(d.ExportFiles) : registered;
    }

    /// <summary>The files of the export of <paramref name="result"/> with their descriptions (<see cref="FileDescriptions"/>
    /// and the files of an unregistered design the run used).</summary>
    internal static IEnumerable<(string Name, string Description)> FileDescriptionsOf(ScenarioResult result) =>
        FileDescriptions.Concat(DesignFiles(result).Select(f => (f.Name, f.Description)).Where(f => !FileDescriptions.Contains(f)));

    /// <summary>
    /// Writes the export of a scenario run into <paramref name="directory"/> (see <see cref="Write(IReadOnlyDictionary{string, string}, string)"/>)
    /// and returns what was written.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Write(ScenarioResult result, FlexibilityOrderbook orderbook, string directory)
    {
        var files = Files(result, orderbook);
        Write(files, directory);
        return files;
    }

    /// <summary>
    /// Writes a set of files as one unit (<see cref="FolderSwap"/>): every file goes into a staging folder next to the
    /// target, which replaces the target only when complete and flushed. A failure (full disk, permission) leaves the
    /// target byte-identical and no staging folder; a kill leaves at most a hidden staging folder, removed by the next
    /// export into the same target, and never a target folder with only some of the files. The target may be missing, an empty folder, or an earlier
    /// export (a folder holding <c>scenario.json</c> and nothing but export files), which is replaced; any other
    /// existing folder or file is refused untouched.
    /// </summary>
    /// <exception cref="ArgumentException">The target exists and is not an empty folder or an earlier export, or a name is not a plain file name.</exception>
    /// <exception cref="IOException">Writing or renaming failed; the target is unchanged.</exception>
    public static void Write(IReadOnlyDictionary<string, string> files, string directory)
    {
        foreach (var name in files.Keys)
            if (name.Length == 0 || name != Path.GetFileName(name) || name is "." or "..")
                throw new ArgumentException($"export file name '{name}' is not a plain file name");
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (Path.GetDirectoryName(target) is null) throw new ArgumentException($"cannot export into the root folder {target}");
        if (File.Exists(target)) throw new ArgumentException($"{target} is a file, not a folder");
        if (Directory.Exists(target) && !IsEmptyOrEarlierExport(target))
            throw new ArgumentException($"{target} exists and is neither empty nor an earlier scenario export; choose a new or empty folder");
        using var swap = FolderSwap.Begin(target, IsEmptyOrEarlierExport, "scenario export (scenario.json)");
        foreach (var (name, content) in files) AtomicFile.WriteAllText(Path.Combine(swap.StagingPath, name), content);
        swap.Commit();
    }

    private static bool IsEmptyOrEarlierExport(string directory)
    {
        if (Directory.EnumerateDirectories(directory).Any()) return false;
        var names = Directory.EnumerateFiles(directory).Select(Path.GetFileName).ToArray();
        if (names.Length == 0) return true;
        var known = FileDescriptions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        return names.Contains("scenario.json") && names.All(n => known.Contains(n!));
    }

    private static void CheckOrderbook(ScenarioResult result, FlexibilityOrderbook orderbook)
    {
        var peers = result.Market.Peers;
        var peerIds = peers.Select(p => p.Bid.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var p in peers)
            if (!orderbook.Contains(p.Bid.Id) || orderbook[p.Bid.Id] != p.Bid)
                throw new ArgumentException($"peer bid '{p.Bid.Id}' of scenario {result.Name} differs from the orderbook {orderbook.Source}");
        var nonPeer = orderbook.Bids.Where(b => !peerIds.Contains(b.Id)).ToArray();
        if (result.Lfm.Status == LfmStatus.NotRun)
        {
            if (result.LfmBids.Count != 0) throw new ArgumentException($"scenario {result.Name}: no LFM ran but {result.LfmBids.Count} LFM bids are listed");
            return;
        }
        if (result.LfmBids.Count < nonPeer.Length || !nonPeer.SequenceEqual(result.LfmBids.Take(nonPeer.Length)))
            throw new ArgumentException($"the LFM bids of scenario {result.Name} are not the non-peer bids of the orderbook {orderbook.Source}");
        if (result.Lfm.Activations.Length != result.LfmBids.Count)
            throw new ArgumentException($"scenario {result.Name}: {result.Lfm.Activations.Length} LFM activations for {result.LfmBids.Count} LFM bids");
    }


}
