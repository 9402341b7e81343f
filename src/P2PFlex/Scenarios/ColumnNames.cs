using System.Text;
using System.Text.RegularExpressions;

namespace P2PFlex.Scenarios;

/// <summary>
/// Column headers for people from the code's names: units are in the names (<c>lfm_cost_eur</c>, <c>PriceEurPerMwh</c>,
/// the project's style), so the unit a header shows is read from the name's end and written in brackets
/// ("price (€/MWh)"), and the words before it are lower-cased with the domain's acronyms kept (DSO, LFM, P2P, AC, DC).
/// <see cref="KpiColumns.Header"/> uses this for the unit of every KPI column; tables of other values (a notebook's
/// own Deedle frame) get the same headers without a list of their own.
/// </summary>
public static partial class ColumnNames
{
    // Longest first: "eur_per_mwh" before "mwh" and "eur"; "mwh" before "mw".
    private static readonly (string[] Words, string Unit)[] UnitSuffixes =
    [
        (["eur", "per", "mwh"], "€/MWh"),
        (["eur", "per", "year"], "€/year"),
        (["eur", "per", "day"], "€/day"),
        (["mwh"], "MWh"),
        (["mw"], "MW"),
        (["mvar"], "Mvar"),
        (["kw"], "kW"),
        (["eur"], "€"),
        (["pu"], "p.u."),
        (["percent"], "%"),
        (["hours"], "h"),
        (["ms"], "ms"),
    ];

    private static readonly Dictionary<string, string> Acronyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["dso"] = "DSO",
        ["lfm"] = "LFM",
        ["p2p"] = "P2P",
        ["ac"] = "AC",
        ["dc"] = "DC",
        ["kkt"] = "KKT",
        ["ptdf"] = "PTDF",
        ["cm"] = "CM",
        ["vm"] = "|V|",
    };

    /// <summary>The words of a snake_case or PascalCase name, lower-cased ("P2PVolumeMw" → p2p, volume, mw).</summary>
    public static IReadOnlyList<string> Words(string name)
    {
        if (name.Contains('_')) return name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => w.ToLowerInvariant()).ToArray();
        return PascalWord().Matches(name).Select(m => m.Value.ToLowerInvariant()).ToArray();
    }

    /// <summary>The unit at the end of a name ("€" for <c>lfm_cost_eur</c>, null for <c>congested_lines</c>) and the
    /// words before it.</summary>
    public static (IReadOnlyList<string> Stem, string? Unit) SplitUnit(string name)
    {
        var words = Words(name);
        foreach (var (suffix, unit) in UnitSuffixes)
            if (words.Count > suffix.Length && words.Skip(words.Count - suffix.Length).SequenceEqual(suffix))
                return (words.Take(words.Count - suffix.Length).ToArray(), unit);
        return (words, null);
    }

    /// <summary>The unit of a name, or null (see <see cref="SplitUnit"/>).</summary>
    public static string? Unit(string name) => SplitUnit(name).Unit;

    /// <summary>"label (unit)", or the label alone without a unit.</summary>
    public static string WithUnit(string label, string? unit) => unit is null ? label : $"{label} ({unit})";

    /// <summary>
    /// A header for people from a code name: "OverflowSumMw" → "overflow sum (MW)", "PriceEurPerMwh" →
    /// "price (€/MWh)", "LfmStatus" → "LFM status", "Scenario" → "scenario". A name that is already words (holds a
    /// space or is not an identifier) is returned as it is.
    /// </summary>
    public static string Human(string name)
    {
        if (string.IsNullOrEmpty(name) || !Identifier().IsMatch(name)) return name;
        var (stem, unit) = SplitUnit(name);
        var sb = new StringBuilder();
        foreach (var w in stem)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(Acronyms.TryGetValue(w, out var a) ? a : w);
        }
        return WithUnit(sb.ToString(), unit);
    }

    // A capital followed by lower-case letters or digits, a run of capitals not followed by a lower-case letter
    // ("P2P", "AC" in "ACLoading"), or digits.
    [GeneratedRegex("P2P|[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+|[0-9]+")]
    private static partial Regex PascalWord();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
