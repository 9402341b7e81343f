using System.Security.Cryptography;
using P2PFlex.Data;
using P2PFlex.Grid;

namespace P2PFlex.TimeSeries;

/// <summary>
/// The profiles the project ships and how a MATPOWER feeder gets its default time series: BDEW's H25 household
/// profile (its figures in the project's format, <c>data/profiles/bdew_h25.csv</c>, written by
/// <see cref="ConvertBdew"/>; provenance in docs/data.md) expanded to a calendar year and divided by its peak, so that
/// every load of the feeder follows it and the interval of the year's highest total load is the feeder's base state.
/// </summary>
public static class StudyProfiles
{
    /// <summary>Data-folder-relative path of the shipped H25 table.</summary>
    public static readonly string H25File = Path.Combine("profiles", "bdew_h25.csv");

    /// <summary>The profile's name in sets and bindings.</summary>
    public const string H25Name = "h25";

    /// <summary>The calendar year of the default time series (the profiles' own edition year).</summary>
    public const int DefaultYear = 2025;

    /// <summary>The shipped H25 table.</summary>
    public static BdewTable H25(string? dataRoot = null) => BdewTable.ReadProject(DataPaths.Find(H25File, dataRoot) ?? Path.Combine(dataRoot ?? DataPaths.Root, H25File), H25Name);

    /// <summary>
    /// A feeder's default profiles for a year: every bus with load bound to H25 over the year, scaled to its peak
    /// (factor 1 in the interval of the highest total load: that interval is the feeder's base state).
    /// </summary>
    public static FeederProfiles Default(GridNetwork network, int year = DefaultYear, string? dataRoot = null)
    {
        var set = H25(dataRoot).Expand(year);
        var scaled = new ProfileSet(set.Axis, [set[H25Name].ScaledToPeak()]);
        var bindings = network.Buses.Where(b => b.PdMw > 0)
            .Select(b => new ProfileBinding(ProfileElementKind.Load, b.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), b.Number, H25Name))
            .ToArray();
        return new FeederProfiles(scaled, bindings, $"BDEW H25 ({H25File}) expanded to {year}, every load of {network.Name} × H25 / its peak");
    }

    /// <summary>
    /// Binds a researcher's profile set (<see cref="ProfileCsv"/>) to a MATPOWER feeder's loads: a set of one profile
    /// drives every load; otherwise each column named <c>bus&lt;N&gt;</c> (or just <c>N</c>) drives the load of bus N
    /// and loads without a column keep their base value. A column naming no loaded bus is an error.
    /// </summary>
    public static FeederProfiles Bind(ProfileSet set, GridNetwork network, string source) =>
        Bind(set, network, source, (column, problem) => new ArgumentException($"{source}: profile column '{column}' {problem}"));

    /// <summary>
    /// Reads a researcher's profile file (<see cref="ProfileCsv"/>) and binds it as <see cref="Bind(ProfileSet, GridNetwork, string)"/>
    /// does; a column naming no loaded bus is a <see cref="IO.DataFormatException"/> naming the file, the header's line
    /// and the column. The bindings' source is the file's name (so the run's identity does not depend on its folder).
    /// </summary>
    public static FeederProfiles BindFile(string path, GridNetwork network)
    {
        var table = IO.CsvTable.Read(path, ProfileCsv.TimeColumn);
        int headerLine = 1 + table.Comments.Count;
        return Bind(ProfileCsv.Build(table, path), network, Path.GetFileName(path),
            (column, problem) => new IO.DataFormatException(path, headerLine, column, $"profile column '{column}' {problem}"));
    }

    private static FeederProfiles Bind(ProfileSet set, GridNetwork network, string source, Func<string, string, Exception> error)
    {
        var loaded = network.Buses.Where(b => b.PdMw > 0).ToArray();
        if (set.Profiles.Count == 1)
            return new FeederProfiles(set, loaded.Select(b => new ProfileBinding(ProfileElementKind.Load,
                b.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), b.Number, set.Profiles[0].Name)).ToArray(), source);
        var bindings = new List<ProfileBinding>();
        foreach (var p in set.Profiles)
        {
            string digits = p.Name.StartsWith("bus", StringComparison.Ordinal) ? p.Name[3..] : p.Name;
            if (!int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int bus)
                || !loaded.Any(b => b.Number == bus))
                throw error(p.Name, $"names no bus with load of {network.Name} (columns are bus<N> when there is more than one)");
            bindings.Add(new ProfileBinding(ProfileElementKind.Load, digits, bus, p.Name));
        }
        return new FeederProfiles(set, bindings, source);
    }

    /// <summary>
    /// The converter behind <c>p2pflex profiles bdew</c>: reads BDEW's wide table and returns the text of the
    /// project's format with its provenance (source file name and SHA-256 of its bytes), deterministic.
    /// </summary>
    public static string ConvertBdew(string bdewTablePath)
    {
        var table = BdewTable.ReadBdew(bdewTablePath);
        string sha = Convert.ToHexStringLower(SHA256.HashData(IO.BoundedInput.ReadAllBytes(bdewTablePath, IO.CsvTable.MaxFileBytes)));
        string file = Path.GetFileName(bdewTablePath);
        return table.FormatProject(
        [
            $"BDEW standard load profile {table.Name.ToUpperInvariant()} (2025 edition): energy per quarter-hour in kWh by month and day type",
            "(SA Saturday, FT Sunday or national holiday, WT working day), normalised by BDEW to about 1 000 000 kWh a year.",
            $"Figures carried over from BDEW's table {file} (SHA-256 {sha}) by 'p2pflex profiles bdew'; see docs/data.md.",
        ]);
    }
}
