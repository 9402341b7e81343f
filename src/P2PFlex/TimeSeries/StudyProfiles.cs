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
    /// The converter behind <c>p2pflex profiles bdew</c>: reads BDEW's wide table and returns the text of the
    /// project's format with its provenance (source file name and SHA-256 of its bytes), deterministic.
    /// </summary>
    public static string ConvertBdew(string bdewTablePath)
    {
        var table = BdewTable.ReadBdew(bdewTablePath);
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(bdewTablePath)));
        string file = Path.GetFileName(bdewTablePath);
        return table.FormatProject(
        [
            $"BDEW standard load profile {table.Name.ToUpperInvariant()} (2025 edition): energy per quarter-hour in kWh by month and day type",
            "(SA Saturday, FT Sunday or national holiday, WT working day), normalised by BDEW to about 1 000 000 kWh a year.",
            $"Figures carried over from BDEW's table {file} (SHA-256 {sha}) by 'p2pflex profiles bdew'; see docs/data.md.",
        ]);
    }
}
