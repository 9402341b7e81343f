using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using P2PFlex.Markets.Lfm;

namespace P2PFlex.Scenarios;

/// <summary>
/// What the DSO pays for a scenario, in € for the interval: the LFM activation cost, the incentives it pays and the
/// penalties it collects in the peers' market (scenario 3), capacity it buys from peers (CM5).
/// <see cref="TotalEur"/> is null when the LFM did not clear (its cost is unknown).
/// </summary>
[KpiLabel("DSO")]
public sealed record DsoCostKpis(
    [property: KpiLabel("LFM cost")] double? LfmCostEur,
    [property: KpiLabel("incentives paid")] double IncentivesPaidEur,
    [property: KpiLabel("penalties received")] double PenaltiesReceivedEur,
    [property: KpiLabel("capacity payments")] double CapacityPaymentsEur,
    [property: KpiLabel("total")] double? TotalEur);

/// <summary>The peers' market seen from the market side: the peers' total surplus, a mediator's revenue (null without a
/// mediator) and the range of nodal prices (null where the design has none), € and €/MWh.</summary>
[KpiLabel("")]
public sealed record MarketKpis(
    [property: KpiLabel("peers' welfare")] double PeersWelfareEur,
    [property: KpiLabel("mediator revenue")] double? MediatorRevenueEur,
    [property: KpiLabel("lowest nodal price")] double? NodalPriceMinEurPerMwh,
    [property: KpiLabel("highest nodal price")] double? NodalPriceMaxEurPerMwh);

/// <summary>How the design's market ended: its status in words ("cleared", the least residual overflow of a
/// network-aware auction that cannot clear the grid, a capacity shortfall naming the area) and the total overflow it
/// leaves where it answers for the grid (MW, null for designs blind to the grid).</summary>
[KpiLabel("market")]
public sealed record ClearingKpis(
    [property: KpiLabel("status")] string Status,
    [property: KpiLabel("residual overflow")] double? ResidualOverflowMw);

/// <summary>
/// One AC state of a scenario (<see cref="ScenarioAcCheck"/>): the AC power flow's status, voltages against the band
/// and the tight band 0.95–1.05 p.u., losses, AC congestion (|S| &gt; F MVA) and where it disagrees with the DC view of
/// the same state. Every figure is null when the power flow did not converge (the status says so).
/// </summary>
/// <param name="PowerFlowStatus">Converged, MaxIterationsReached or Diverged.</param>
/// <param name="MinVmPu">Lowest bus voltage, p.u.</param>
/// <param name="MinVmBus">Its bus number.</param>
/// <param name="MaxVmPu">Highest bus voltage, p.u.</param>
/// <param name="BusesOutsideBand">Buses outside [v_min, v_max].</param>
/// <param name="BusesOutsideTightBand">Buses outside [0.95, 1.05] p.u.</param>
/// <param name="ViolationSumPu">Σ over buses of the distance outside [v_min, v_max], p.u.</param>
/// <param name="LossesMw">Active losses, MW.</param>
/// <param name="MaxLoading">Largest |S|/F over the lines.</param>
/// <param name="AcCongestedLines">Lines with |S| above F.</param>
/// <param name="AcCongested">Their case indices.</param>
/// <param name="DcAcDisagreements">Lines congested in one view and not the other.</param>
/// <param name="DcOnlyCongested">Congested under DC occupancy only.</param>
/// <param name="AcOnlyCongested">Congested under AC loading only.</param>
public sealed record AcStateKpis(
    [property: KpiLabel("power flow")] string PowerFlowStatus,
    [property: KpiLabel("min |V|")] double? MinVmPu,
    [property: KpiLabel("bus of min |V|")] int? MinVmBus,
    [property: KpiLabel("max |V|")] double? MaxVmPu,
    [property: KpiLabel("buses outside the band")] int? BusesOutsideBand,
    [property: KpiLabel("buses outside 0.95–1.05 p.u.")] int? BusesOutsideTightBand,
    [property: KpiLabel("voltage violation sum")] double? ViolationSumPu,
    [property: KpiLabel("losses")] double? LossesMw,
    [property: KpiLabel("max AC loading")] double? MaxLoading,
    [property: KpiLabel("AC-congested lines")] int? AcCongestedLines,
    [property: KpiLabel("AC-congested line list")] IReadOnlyList<int> AcCongested,
    [property: KpiLabel("DC/AC disagreements")] int? DcAcDisagreements,
    [property: KpiLabel("congested under DC only")] IReadOnlyList<int> DcOnlyCongested,
    [property: KpiLabel("congested under AC only")] IReadOnlyList<int> AcOnlyCongested)
{
    /// <summary>The KPIs of an AC state compared with the DC congested set of the same state.</summary>
    public static AcStateKpis Of(Grid.AcGridState state, DcAcComparison comparison)
    {
        if (!state.Converged)
            return new AcStateKpis(state.Status.ToString(), null, null, null, null, null, null, null, null, null, [], null, [], []);
        var min = state.MinimumVoltage;
        return new AcStateKpis(state.Status.ToString(), min.VmPu, min.Bus, state.Buses.Max(b => b.VmPu),
            state.BusesOutside(), state.BusesOutside(Grid.VoltageBand.Tight), state.ViolationSumPu(), state.LossesMw,
            state.Lines.Count == 0 ? 0 : state.Lines.Max(l => l.Loading), comparison.AcCongested.Count, comparison.AcCongested,
            comparison.Disagreeing.Count, comparison.DcOnly, comparison.AcOnly);
    }
}

/// <summary>
/// The AC view of a scenario: the voltage band, the AC state before and after the LFM (after: null when the LFM did not
/// clear) and, for the voltage-aware LFM, how its loop ended.
/// </summary>
/// <param name="BandMinPu">v_min of the band, p.u.</param>
/// <param name="BandMaxPu">v_max of the band, p.u.</param>
/// <param name="BeforeLfm">After the peers' market, before the LFM.</param>
/// <param name="AfterLfm">After the LFM's activations.</param>
/// <param name="LfmMode"><c>congestion-only</c> (the study's LFM) or <c>voltage-aware</c>.</param>
/// <param name="VoltageAwareStatus">How the voltage-aware loop ended (null for the congestion-only LFM).</param>
/// <param name="VoltageAwareIterations">Its LP solves.</param>
/// <param name="InfeasibleBuses">Buses no bid can bring into the band (voltage-aware, infeasible).</param>
/// <param name="InfeasibleLines">Lines no bid can bring within their AC limit (voltage-aware, infeasible).</param>
[KpiLabel("")]
public sealed record VoltageKpis(
    [property: KpiLabel("band low")] double BandMinPu,
    [property: KpiLabel("band high")] double BandMaxPu,
    [property: KpiLabel("before the LFM:")] AcStateKpis BeforeLfm,
    [property: KpiLabel("after the LFM:")] AcStateKpis? AfterLfm,
    [property: KpiLabel("LFM mode")] string LfmMode,
    [property: KpiLabel("voltage-aware LFM")] string? VoltageAwareStatus,
    [property: KpiLabel("voltage-aware LFM solves")] int? VoltageAwareIterations,
    [property: KpiLabel("buses no bid can bring into the band")] IReadOnlyList<int> InfeasibleBuses,
    [property: KpiLabel("lines no bid can bring within their AC limit")] IReadOnlyList<int> InfeasibleLines);

/// <summary>
/// The KPIs of one scenario run: the study's Table 7/8 grid KPIs (before the LFM), the LFM's outcome, and the groups
/// that later analyses add (DSO cost, market side, …). This one record is what <c>p2pflex scenarios run --json</c>,
/// the export, the notebooks' tables and Monte Carlo files carry; a new KPI group is a new record added here as a
/// property, and <see cref="Columns"/> flattens it into named columns with no further code.
/// </summary>
public sealed record ScenarioKpis(
    [property: KpiLabel("scenario")] string Name,
    [property: KpiLabel("label")] string Label,
    [property: KpiLabel("market design")] string MarketDesign,
    [property: KpiLabel("congested lines")] int CongestedLines,
    [property: KpiLabel("overflow sum")] double OverflowSumMw,
    [property: KpiLabel("weighted avg. overflow")] double OverflowWeightedAvgMw,
    [property: KpiLabel("LFM status"), JsonConverter(typeof(JsonStringEnumConverter<LfmStatus>))] LfmStatus LfmStatus,
    [property: KpiLabel("LFM cost")] double? LfmCostEur,
    [property: KpiLabel("P2P volume"), JsonPropertyName("p2p_volume_mw")] double P2PVolumeMw,
    [property: KpiLabel("congested before the LFM")] IReadOnlyList<int> CongestedBeforeLfm,
    [property: KpiLabel("congested after the LFM")] IReadOnlyList<int> CongestedAfterLfm,
    DsoCostKpis Dso,
    MarketKpis Market,
    ClearingKpis Clearing,
    VoltageKpis? Voltage = null)
{
    /// <summary>
    /// The KPIs as (column, value) pairs in declaration order, nested groups prefixed by their name
    /// (<c>dso_total_eur</c>), names in snake case as in the JSON output. Values are string, int, double, bool or null;
    /// line lists become space-separated strings (so every column is a scalar, as a columnar file needs).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Columns()
    {
        var columns = new List<KeyValuePair<string, object?>>();
        KpiColumns.Flatten(this, "", columns);
        return columns;
    }
}

/// <summary>
/// A KPI's words for people, on a KPI record's property (or on a group's record: the words its columns start with),
/// without the unit, which the property's name carries. <see cref="KpiColumns.Header"/> makes the header of a table.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class, AllowMultiple = false)]
public sealed class KpiLabelAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}

/// <summary>Flattens KPI records into named scalar columns (see <see cref="ScenarioKpis.Columns"/>).</summary>
public static class KpiColumns
{
    private static readonly Dictionary<Type, PropertyInfo[]> Properties = [];

    /// <summary>The column names of <see cref="ScenarioKpis"/>, nested groups included (also when a group is null).</summary>
    public static IReadOnlyList<string> Names(Type? type = null)
    {
        var names = new List<string>();
        AddNames(type ?? typeof(ScenarioKpis), "", names);
        return names;
    }

    /// <summary>
    /// The columns of <see cref="ScenarioKpis"/> with the scalar type each carries (string, int, double or bool; line
    /// lists are strings), nullable or not: what a typed columnar file (Parquet) needs before it sees any row.
    /// </summary>
    public static IReadOnlyList<(string Name, Type Type)> Types(Type? type = null)
    {
        var names = new List<(string, Type)>();
        AddTypes(type ?? typeof(ScenarioKpis), "", names);
        return names;
    }

    /// <summary>
    /// The words a table heads a KPI column with, its unit in brackets (read from the column name's end, see
    /// <see cref="ColumnNames"/>): "LFM cost (€)", "DSO total (€)", "before the LFM: min |V| (p.u.)". Each KPI's words are
    /// its <see cref="KpiLabelAttribute"/> on the KPI records (the one list of KPIs), a nested group's label first.
    /// </summary>
    /// <exception cref="ArgumentException">No KPI column has that name.</exception>
    public static string Header(string column) => ColumnNames.WithUnit(Label(column), ColumnNames.Unit(column));

    /// <summary>A KPI column's words without its unit ("LFM cost"); see <see cref="Header"/>.</summary>
    public static string Label(string column)
    {
        lock (Labels)
        {
            if (Labels.Count == 0) AddLabels(typeof(ScenarioKpis), "", "", Labels);
            return Labels.TryGetValue(column, out var label) ? label
                : throw new ArgumentException($"'{column}' is not a KPI column (docs/model.md)", nameof(column));
        }
    }

    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal);

    private static void AddLabels(Type type, string prefix, string labelPrefix, Dictionary<string, string> into)
    {
        foreach (var p in Of(type))
        {
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            string name = prefix + NameOf(p);
            string label = p.GetCustomAttribute<KpiLabelAttribute>()?.Text
                ?? (IsGroup(t) ? t.GetCustomAttribute<KpiLabelAttribute>()?.Text : null)
                ?? string.Join(' ', ColumnNames.SplitUnit(NameOf(p)).Stem);
            string full = labelPrefix.Length == 0 ? label : label.Length == 0 ? labelPrefix : $"{labelPrefix} {label}";
            if (IsGroup(t)) AddLabels(t, name + "_", full, into);
            else into[name] = full;
        }
    }

    private static void AddTypes(Type type, string prefix, List<(string, Type)> into)
    {
        foreach (var p in Of(type))
        {
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (IsGroup(t)) AddTypes(t, prefix + NameOf(p) + "_", into);
            else into.Add((prefix + NameOf(p), t.IsEnum || (typeof(System.Collections.IEnumerable).IsAssignableFrom(t) && t != typeof(string)) ? typeof(string) : t));
        }
    }

    internal static void Flatten(object? record, string prefix, List<KeyValuePair<string, object?>> into)
    {
        foreach (var m in MembersOf(record!.GetType()))
        {
            string name = prefix + m.Name;
            object? value = m.Property.GetValue(record);
            if (m.IsGroup)
            {
                if (value is null) foreach (string n in m.GroupColumns) into.Add(new(name + "_" + n, null));
                else Flatten(value, name + "_", into);
            }
            else if (value is IEnumerable<int> lines) into.Add(new(name, string.Join(" ", lines.Select(l => l.ToString(CultureInfo.InvariantCulture)))));
            else if (value is Enum status) into.Add(new(name, status.ToString())); // a status is text only in a column
            else into.Add(new(name, value));
        }
    }

    private static void AddNames(Type type, string prefix, List<string> into)
    {
        foreach (var p in Of(type))
        {
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (IsGroup(t)) AddNames(t, prefix + NameOf(p) + "_", into);
            else into.Add(prefix + NameOf(p));
        }
    }

    /// <summary>A KPI record's property as <see cref="Flatten"/> reads it: its column name, whether it is a nested group,
    /// and a group's column names (relative to the group) for when the group is null.</summary>
    private sealed record Member(PropertyInfo Property, string Name, bool IsGroup, string[] GroupColumns);

    private static readonly Dictionary<Type, Member[]> Members = [];

    // Flatten runs once per row of a time series or Monte Carlo run (tens of thousands per year): the attributes and
    // names it needs are read once per type, not per row.
    private static Member[] MembersOf(Type t)
    {
        lock (Members)
        {
            if (Members.TryGetValue(t, out var known)) return known;
        }
        var members = Of(t).Select(p =>
        {
            var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            var columns = new List<string>();
            if (IsGroup(type)) AddNames(type, "", columns);
            return new Member(p, NameOf(p), IsGroup(type), columns.ToArray());
        }).ToArray();
        lock (Members) Members[t] = members;
        return members;
    }

    private static bool IsGroup(Type t) => t.IsClass && t != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(t);

    private static string NameOf(PropertyInfo p) =>
        p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);

    private static PropertyInfo[] Of(Type t)
    {
        lock (Properties)
        {
            if (!Properties.TryGetValue(t, out var ps))
            {
                // Declaration order (metadata token), so columns do not depend on reflection's unspecified order;
                // EqualityContract is the compiler's record plumbing, not a KPI.
                ps = t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
                    .OrderBy(p => p.MetadataToken).ToArray();
                Properties[t] = ps;
            }
            return ps;
        }
    }
}
