using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.IO;
using P2PFlex.Markets.Orderbook;

namespace P2PFlex.Scenarios;

/// <summary>
/// Everything the study's scenarios share, loaded once from <c>data/</c>: the feeder in both loading states, the
/// orderbook and the P2P subset (70 bids on case69). A Monte Carlo draw is the same context with another orderbook and
/// subset. Immutable; re-running a scenario with new parameters reuses it.
/// </summary>
public sealed record StudyContext(StudyFeeder BaseFeeder, StudyFeeder ExtremeFeeder, FlexibilityOrderbook Orderbook, IReadOnlyList<string> P2PSubset)
{
    public StudyFeeder Feeder(StudyState state) => state == StudyState.Base ? BaseFeeder : ExtremeFeeder;

    /// <summary>Loads a feeder's context (case69 unless named; a name or a case file's path) from the data folder: its states, limits, orderbook and subset (derived there first when missing, <see cref="FeederResolver"/>).</summary>
    public static StudyContext Load(string? dataRoot = null, string feeder = FeederSetup.StudyFeederName)
    {
        var resolved = FeederResolver.Resolve(feeder, dataRoot);
        var baseFeeder = StudyFeeder.Load(StudyState.Base, resolved);
        var extreme = StudyFeeder.Load(StudyState.Extreme, resolved);
        var orderbook = FlexibilityOrderbook.Read(resolved.OrderbookPath, baseFeeder.Network);
        var subset = ReadSubset(resolved.SubsetPath, orderbook);
        return new StudyContext(baseFeeder, extreme, orderbook, subset);
    }

    /// <summary>The feeder's case name.</summary>
    public string FeederName => BaseFeeder.Network.Name;

    /// <summary>Reads a list of bid ids (column <c>bid_id</c>); unknown or repeated ids are refused with file and line, and
    /// an empty list is an error: the subset exists to name the P2P peers, and a market without peers is not a market.
    /// A declared size and checksum (<see cref="SubsetDeclaration"/>, written by the generator) must match the ids.</summary>
    public static IReadOnlyList<string> ReadSubset(string path, FlexibilityOrderbook orderbook)
    {
        var table = CsvTable.Read(path, "bid_id");
        var ids = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int r = 0; r < table.Count; r++)
        {
            string id = table.Text(r, "bid_id");
            if (!seen.Add(id)) throw new DataFormatException(path, table.LineOf(r), "bid_id", $"bid '{id}' is listed twice");
            ids.Add(id);
        }
        if (ids.Count == 0) throw new DataFormatException(path, 0, "bid_id", "the P2P subset lists no bids; the scenarios that trade P2P need at least one peer");
        // The generator declares the file's size and checksum; a file that lost rows is an error, not fewer peers.
        const string suffix = "_p2p_subset.csv";
        string name = Path.GetFileName(path);
        string fix = name.EndsWith(suffix, StringComparison.Ordinal)
            ? $"regenerate it with 'p2pflex data generate --feeder {name[..^suffix.Length]}'"
            : "restore the file, or remove the declaration line if the list was meant to change";
        bool declared = SubsetDeclaration.Check(path, BoundedInput.ReadAllText(path, CsvTable.MaxFileBytes), ids, fix);
        for (int r = 0; r < ids.Count; r++)
        {
            if (orderbook.Contains(ids[r])) continue;
            // A subset that matches its own declaration is the one the generator wrote: the orderbook is the file that
            // changed (a bid lost or renamed), so the error names the orderbook; otherwise either may be wrong, and the
            // subset's line is where the mismatch shows.
            if (declared)
                throw new DataFormatException(orderbook.Source, 0, "id",
                    $"has no bid '{ids[r]}', which the P2P subset {path} (intact: its declared rows and sha256 match) lists on line {table.LineOf(r)}: " +
                    "the orderbook lost or renamed a bid, or the subset belongs to another orderbook");
            throw new DataFormatException(path, table.LineOf(r), "bid_id", $"bid '{ids[r]}' is not in the orderbook {orderbook.Source}");
        }
        return ids;
    }

    /// <summary>All scenario files of the data folder over the built-in ones, in the study's Table 8 order
    /// (<see cref="ScenarioCatalog"/>); a broken or duplicate file is an error here (the CLI reports it and goes on).</summary>
    public static IReadOnlyList<ScenarioDefinition> LoadScenarios(string? dataRoot = null)
    {
        var catalog = ScenarioCatalog.Load(dataRoot);
        if (catalog.Problems.Count > 0) throw new ArgumentException(string.Join("\n", catalog.Problems.Select(p => p.Message)));
        return catalog.Scenarios;
    }
}
