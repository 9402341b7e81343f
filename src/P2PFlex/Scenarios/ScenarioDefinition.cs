using System.Text.Json;
using System.Text.Json.Serialization;
using P2PFlex.Grid;
using P2PFlex.Interventions;
using P2PFlex.IO;

namespace P2PFlex.Scenarios;

/// <summary>Which bids become P2P peers.</summary>
public enum PeerSelection
{
    /// <summary>No P2P market: the LFM alone on every bid (scenarios 0 and 0′).</summary>
    None,
    /// <summary>The shipped 70-bid subset (<c>data/orderbook/case69_p2p_subset.csv</c>), scenarios 1, 1′, 2, 3.</summary>
    Subset,
    /// <summary>Scenario 1″: sellers downstream of the base congestions, buyers just upstream (see <see cref="PeerRules"/>).</summary>
    LateralRelief,
}

/// <summary>
/// Parameters of the P2P market (MODEL §5), the same in every scenario of the study. Seller i (an up bid):
/// cost π_i G + ½ a_i G² with a_i = <see cref="SellerSlopeEurPerMwh"/> / V_i (marginal cost rises by that much at G = V).
/// Buyer j (a down bid): utility λ_ref D − ½ b_j D² with b_j = <see cref="BuyerSlopeEurPerMwh"/> / V_j.
/// Each side pays the preference cost c₀ per MWh traded.
/// </summary>
public sealed record MarketParameters(
    [property: JsonPropertyName("c0_eur_per_mwh")] double C0EurPerMwh,
    [property: JsonPropertyName("lambda_ref_eur_per_mwh")] double LambdaRefEurPerMwh,
    [property: JsonPropertyName("seller_slope_eur_per_mwh")] double SellerSlopeEurPerMwh,
    [property: JsonPropertyName("buyer_slope_eur_per_mwh")] double BuyerSlopeEurPerMwh,
    [property: JsonPropertyName("epsilon_eur_per_mw2h")] double EpsilonEurPerMw2h,
    [property: JsonPropertyName("interval_hours")] double IntervalHours,
    [property: JsonPropertyName("lfm_require_balance")] bool LfmRequireBalance);

/// <summary>
/// The study's reported values for a scenario (its Table 8: congested lines, overflow sum and weighted average, LFM cost,
/// P2P volume), shown beside ours. <see cref="Values"/> holds whatever KPI columns the file states (any column of
/// <see cref="KpiColumns.Names"/>); the typed accessors are Table 8's, which a <c>study</c> object must state.
/// </summary>
public sealed record StudyKpis(KpiValues Values)
{
    /// <summary>The KPI columns a <c>study</c> object must state (Table 8's; the LFM cost and P2P volume may be null).</summary>
    public static IReadOnlyList<string> Required { get; } = ["congested_lines", "overflow_sum_mw", "overflow_weighted_avg_mw", "lfm_cost_eur", "p2p_volume_mw"];

    public int CongestedLines => (int)Values.Number("congested_lines")!.Value;
    public double OverflowSumMw => Values.Number("overflow_sum_mw")!.Value;
    public double OverflowWeightedAvgMw => Values.Number("overflow_weighted_avg_mw")!.Value;
    public double? LfmCostEur => Values.Number("lfm_cost_eur");
    public double? P2PVolumeMw => Values.Number("p2p_volume_mw");
}

/// <summary>
/// Which market design clears the peers' market (<c>"market_design": {"kind": …}</c>), the way
/// <see cref="DsoIntervention"/> names what the DSO does. Kinds are the names in <see cref="Designs.MarketDesigns"/>:
/// <c>none</c> (no peers' market; the default when the scenario has no peers), <c>bilateral</c> (P2P trading as a
/// generalised Nash equilibrium, CM2/CM4; the default when it has peers), <c>auction</c> (CM1),
/// <c>network-auction</c> (CM3) and <c>capacity-trade</c> (CM5). Design parameters are further keys of the same object;
/// a key the named kind does not use is an error (docs/model.md lists them).
/// </summary>
/// <param name="Kind">The design's name.</param>
/// <param name="MediatorAggregates">auction, network-auction: the mediator offers the peers' unmet volumes to the LFM
/// as one bid per bus and direction at the volume-weighted price (true) or passes the bids on one by one (false).</param>
/// <param name="LfmFollows">network-auction: whether an LFM runs afterwards (variation 2, default) or not (variation 1);
/// capacity-trade: default false.</param>
/// <param name="RequirementScale">capacity-trade: the DSO asks for this multiple of each area's need (≥ 0, default 1).</param>
/// <param name="AreaMinReliefMwPerMw">capacity-trade: a bus belongs to a congested line's area when a MW injected there
/// lowers the line's flow by at least this (in (0, 1], default 0.5).</param>
public sealed record MarketDesignSpec(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("mediator_aggregates")] bool MediatorAggregates = true,
    [property: JsonPropertyName("lfm_follows")] bool? LfmFollows = null,
    [property: JsonPropertyName("requirement_scale")] double RequirementScale = 1.0,
    [property: JsonPropertyName("area_min_relief_mw_per_mw")] double AreaMinReliefMwPerMw = 0.5)
{
    /// <summary>Which keys each kind accepts besides <c>kind</c>.</summary>
    private static readonly Dictionary<string, string[]> KeysOf = new()
    {
        ["auction"] = ["mediator_aggregates"],
        ["network-auction"] = ["mediator_aggregates", "lfm_follows"],
        ["capacity-trade"] = ["lfm_follows", "requirement_scale", "area_min_relief_mw_per_mw"],
    };

    /// <summary>The keys <paramref name="kind"/> accepts besides <c>kind</c>.</summary>
    public static IReadOnlyList<string> Keys(string kind) => KeysOf.TryGetValue(kind, out var k) ? k : [];
}

/// <summary>
/// How the LFM runs and the voltage band of the AC check (<c>"lfm": {…}</c> in a scenario file; every key optional).
/// <paramref name="VoltageAware"/> false (the default, the study's market) clears the congestion-only DC LFM; true
/// clears the voltage-aware LFM (<see cref="Markets.Lfm.VoltageAwareLfm"/>) with at most
/// <paramref name="MaxIterations"/> LP solves. The band [<paramref name="VMinPu"/>, <paramref name="VMaxPu"/>]
/// (default 0.90–1.10 p.u., EN 50160) is what the voltage-aware LFM enforces and what the AC check's KPIs count against.
/// </summary>
public sealed record LfmSpec(
    [property: JsonPropertyName("voltage_aware")] bool VoltageAware = false,
    [property: JsonPropertyName("v_min_pu")] double VMinPu = 0.90,
    [property: JsonPropertyName("v_max_pu")] double VMaxPu = 1.10,
    [property: JsonPropertyName("max_iterations")] int MaxIterations = 10)
{
    /// <summary>The study's LFM: congestion only, band 0.90–1.10 p.u.</summary>
    public static LfmSpec Default { get; } = new();

    /// <summary>The voltage band.</summary>
    public VoltageBand Band => new(VMinPu, VMaxPu);
}

/// <summary>
/// A scenario of the study as declarative data (<c>data/scenarios/&lt;name&gt;.json</c>): loading state, which bids
/// become peers, the DSO intervention, market parameters, the study's values and the KPIs this code must reproduce.
/// </summary>
public sealed record ScenarioDefinition(
    string Name,
    string Label,
    StudyState State,
    PeerSelection Peers,
    MarketDesignSpec Design,
    DsoIntervention Intervention,
    MarketParameters Market,
    StudyKpis? Study,
    KpiExpectation? Expected,
    string Source)
{
    /// <summary>The LFM's mode and the voltage band (<c>"lfm"</c>; <see cref="LfmSpec.Default"/> when absent).</summary>
    public LfmSpec Lfm { get; init; } = LfmSpec.Default;

    private sealed record Json(
        [property: JsonPropertyName("name")] string? Name,
        [property: JsonPropertyName("label")] string? Label,
        [property: JsonPropertyName("state")] string? State,
        [property: JsonPropertyName("peers")] string? Peers,
        [property: JsonPropertyName("market_design")] MarketDesignJson? MarketDesign,
        [property: JsonPropertyName("intervention")] InterventionJson? Intervention,
        [property: JsonPropertyName("market")] MarketParameters? Market,
        [property: JsonPropertyName("lfm")] LfmJson? Lfm,
        [property: JsonPropertyName("study")] JsonElement? Study,
        [property: JsonPropertyName("expected")] JsonElement? Expected);

    private sealed record LfmJson(
        [property: JsonPropertyName("voltage_aware")] bool? VoltageAware,
        [property: JsonPropertyName("v_min_pu")] double? VMinPu,
        [property: JsonPropertyName("v_max_pu")] double? VMaxPu,
        [property: JsonPropertyName("max_iterations")] int? MaxIterations);

    private sealed record MarketDesignJson(
        [property: JsonPropertyName("kind")] string? Kind,
        [property: JsonPropertyName("mediator_aggregates")] bool? MediatorAggregates = null,
        [property: JsonPropertyName("lfm_follows")] bool? LfmFollows = null,
        [property: JsonPropertyName("requirement_scale")] double? RequirementScale = null,
        [property: JsonPropertyName("area_min_relief_mw_per_mw")] double? AreaMinReliefMwPerMw = null);

    private sealed record InterventionJson(
        [property: JsonPropertyName("kind")] string? Kind,
        [property: JsonPropertyName("theta")] double? Theta,
        [property: JsonPropertyName("w")] double? W,
        [property: JsonPropertyName("reward_share")] double? RewardShare);

    private static readonly JsonSerializerOptions Options = new() { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Reads and checks a scenario file; every problem names the file and the field.</summary>
    public static ScenarioDefinition Read(string path)
    {
        Json? json;
        JsonKeyLines lines;
        try
        {
            string text = File.ReadAllText(path);
            // First: a key given twice would otherwise let the last value win without a word.
            lines = JsonKeyLines.Scan(path, text);
            json = JsonSerializer.Deserialize<Json>(text, Options);
            // A misspelt optional key would otherwise fall back to its default without a word.
            JsonKeyCheck.Check(path, text, typeof(Json));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{path}: not a valid scenario file: {e.Message}");
        }
        catch (IOException e)
        {
            throw new ArgumentException($"{path}: cannot be read: {e.Message}");
        }
        if (json is null) throw new ArgumentException($"{path}: empty scenario file");
        string name = json.Name ?? throw new ArgumentException($"{path}: field 'name' is missing");
        var state = json.State switch
        {
            "base" => StudyState.Base,
            "extreme" => StudyState.Extreme,
            var s => throw new ArgumentException($"{path}: field 'state' must be 'base' or 'extreme', is '{s}'"),
        };
        var peers = json.Peers switch
        {
            "none" => PeerSelection.None,
            "subset" => PeerSelection.Subset,
            "lateral-relief" => PeerSelection.LateralRelief,
            var s => throw new ArgumentException($"{path}: field 'peers' must be 'none', 'subset' or 'lateral-relief', is '{s}'"),
        };
        var designJson = json.MarketDesign ?? new MarketDesignJson(peers == PeerSelection.None ? "none" : "bilateral");
        string designKind = designJson.Kind ?? throw new ArgumentException($"{path}: field 'market_design.kind' is missing");
        if (!Designs.MarketDesigns.TryGet(designKind, out _))
            throw new ArgumentException($"{path}: field 'market_design.kind' must be one of {string.Join(", ", Designs.MarketDesigns.Names.Select(n => $"'{n}'"))}, is '{designKind}'");
        var design = ReadDesign(path, designKind, designJson);
        var iv = json.Intervention ?? new InterventionJson("none", null, null, null);
        DsoIntervention intervention = iv.Kind switch
        {
            "none" or null => new DsoIntervention.None(),
            "block" => new DsoIntervention.Block(iv.Theta ?? throw new ArgumentException($"{path}: field 'intervention.theta' is missing")),
            "incentive" => new DsoIntervention.Incentive(
                iv.Theta ?? throw new ArgumentException($"{path}: field 'intervention.theta' is missing"),
                iv.W ?? throw new ArgumentException($"{path}: field 'intervention.w' is missing"),
                iv.RewardShare ?? 1.0),
            var k => throw new ArgumentException($"{path}: field 'intervention.kind' must be 'none', 'block' or 'incentive', is '{k}'"),
        };
        intervention.Validate(path);
        var market = json.Market ?? throw new ArgumentException($"{path}: field 'market' is missing");
        Check(path, "market.c0_eur_per_mwh", market.C0EurPerMwh, allowZero: true);
        Check(path, "market.lambda_ref_eur_per_mwh", market.LambdaRefEurPerMwh, allowZero: true);
        Check(path, "market.seller_slope_eur_per_mwh", market.SellerSlopeEurPerMwh, allowZero: false);
        Check(path, "market.buyer_slope_eur_per_mwh", market.BuyerSlopeEurPerMwh, allowZero: false);
        Check(path, "market.epsilon_eur_per_mw2h", market.EpsilonEurPerMw2h, allowZero: false);
        Check(path, "market.interval_hours", market.IntervalHours, allowZero: false);
        var lfmJson = json.Lfm ?? new LfmJson(null, null, null, null);
        var lfm = new LfmSpec(lfmJson.VoltageAware ?? false, lfmJson.VMinPu ?? LfmSpec.Default.VMinPu, lfmJson.VMaxPu ?? LfmSpec.Default.VMaxPu,
            lfmJson.MaxIterations ?? LfmSpec.Default.MaxIterations);
        if (!double.IsFinite(lfm.VMinPu) || !double.IsFinite(lfm.VMaxPu) || lfm.VMinPu <= 0 || lfm.VMaxPu <= lfm.VMinPu)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{path}: fields 'lfm.v_min_pu' and 'lfm.v_max_pu' must be finite with 0 < v_min_pu < v_max_pu, are {lfm.VMinPu} and {lfm.VMaxPu}"));
        if (lfm.MaxIterations < 1) throw new ArgumentException($"{path}: field 'lfm.max_iterations' must be ≥ 1, is {lfm.MaxIterations}");
        var study = json.Study is { } st ? ReadStudy(path, lines, st) : null;
        var expected = json.Expected is { } ex ? ReadExpected(path, lines, ex) : null;
        return new ScenarioDefinition(name, json.Label ?? name, state, peers, design, intervention, market, study, expected, path) { Lfm = lfm };
    }

    private static StudyKpis ReadStudy(string path, JsonKeyLines lines, JsonElement element)
    {
        var values = KpiValues.Read(path, lines, element, "study");
        foreach (var column in StudyKpis.Required.Where(c => !values.Has(c)))
            throw new DataFormatException(path, lines.LineOf("study"), $"study.{column}", "is missing (the study object states Table 8's five values)");
        foreach (var column in StudyKpis.Required.Take(3).Where(c => values.Number(c) is null))
            throw new DataFormatException(path, lines.LineOf($"study.{column}"), $"study.{column}", "must be a number");
        return new StudyKpis(values);
    }

    private static KpiExpectation ReadExpected(string path, JsonKeyLines lines, JsonElement element)
    {
        var values = KpiValues.Read(path, lines, element, "expected", KpiExpectation.ToleranceKey);
        string key = $"expected.{KpiExpectation.ToleranceKey}";
        if (!element.TryGetProperty(KpiExpectation.ToleranceKey, out var t) || t.ValueKind != JsonValueKind.Number
            || !(t.GetDouble() is var tol && double.IsFinite(tol) && tol >= 0 && tol < 1))
            throw new DataFormatException(path, lines.LineOf(key) is int l && l > 0 ? l : lines.LineOf("expected"), key, "must be a number in [0, 1)");
        return new KpiExpectation(values, t.GetDouble());
    }

    private static MarketDesignSpec ReadDesign(string path, string kind, MarketDesignJson json)
    {
        var given = new List<string>();
        if (json.MediatorAggregates is not null) given.Add("mediator_aggregates");
        if (json.LfmFollows is not null) given.Add("lfm_follows");
        if (json.RequirementScale is not null) given.Add("requirement_scale");
        if (json.AreaMinReliefMwPerMw is not null) given.Add("area_min_relief_mw_per_mw");
        var allowed = MarketDesignSpec.Keys(kind);
        foreach (var key in given.Where(k => !allowed.Contains(k)))
            throw new ArgumentException($"{path}: field 'market_design.{key}' does not apply to market design '{kind}'" +
                (allowed.Count == 0 ? " (it takes no parameters)" : $" (it takes {string.Join(", ", allowed)})"));
        if (json.RequirementScale is double scale) Check(path, "market_design.requirement_scale", scale, allowZero: true);
        if (json.AreaMinReliefMwPerMw is double relief && !(relief > 0 && relief <= 1))
            throw new ArgumentException($"{path}: field 'market_design.area_min_relief_mw_per_mw' must be in (0, 1], is {relief}");
        return new MarketDesignSpec(kind, json.MediatorAggregates ?? true, json.LfmFollows,
            json.RequirementScale ?? 1.0, json.AreaMinReliefMwPerMw ?? 0.5);
    }

    private static void Check(string path, string field, double value, bool allowZero)
    {
        if (!double.IsFinite(value) || value < 0 || (!allowZero && value == 0))
            throw new ArgumentException($"{path}: field '{field}' must be {(allowZero ? "≥ 0" : "> 0")} and finite, is {value}");
    }

    /// <summary>A copy with another intervention (for sweeps and live exploration).</summary>
    public ScenarioDefinition WithIntervention(DsoIntervention intervention)
    {
        intervention.Validate(Source);
        return this with { Intervention = intervention };
    }
}
