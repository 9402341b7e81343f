using System.Text.Json;
using System.Text.Json.Serialization;
using P2PFlex.Data;
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
/// <c>network-auction</c> (CM3) and <c>capacity-trade</c> (CM5). Design parameters are further keys of the same object,
/// read into the design's own record (<see cref="Designs.IMarketDesign.DefaultParameters"/>); a key the record does not
/// have is an error (docs/model.md lists them).
/// </summary>
/// <param name="Kind">The design's name.</param>
/// <param name="Parameters">The design's parameter record.</param>
public sealed record MarketDesignSpec(string Kind, Designs.IDesignParameters Parameters)
{
    /// <summary>The design <paramref name="kind"/> with its default parameters.</summary>
    public static MarketDesignSpec Default(string kind) => new(kind, Designs.MarketDesigns.Get(kind).DefaultParameters);

    /// <summary>
    /// The <c>parameters</c> object of export format 1: <c>kind</c>, then every parameter key of every registered design
    /// in registry order, with this design's values and the declaring design's defaults for the others (so that every
    /// export carries the same keys).
    /// </summary>
    public System.Text.Json.Nodes.JsonObject ToExportJson()
    {
        var o = new System.Text.Json.Nodes.JsonObject { ["kind"] = Kind };
        var own = (System.Text.Json.Nodes.JsonObject)JsonSerializer.SerializeToNode(Parameters, Parameters.GetType(), ScenarioJsonOptions.Default)!;
        foreach (var design in Designs.MarketDesigns.All)
        {
            var defaults = (System.Text.Json.Nodes.JsonObject)JsonSerializer.SerializeToNode(design.DefaultParameters, design.DefaultParameters.GetType(), ScenarioJsonOptions.Default)!;
            foreach (var (key, value) in defaults)
                if (!o.ContainsKey(key)) o[key] = (own.TryGetPropertyValue(key, out var mine) ? mine : value)?.DeepClone();
        }
        // An unregistered design's own keys (docs/extending.md) follow.
        foreach (var (key, value) in own)
            if (!o.ContainsKey(key)) o[key] = value?.DeepClone();
        return o;
    }
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

    /// <summary>For a scenario changed from its file's (<see cref="ScenarioSweep.With"/>): the file's scenario and the
    /// changes; null for the file's scenario itself.</summary>
    public ScenarioOrigin? ChangedFrom { get; init; }

    internal sealed record Json(
        [property: JsonPropertyName("name")] string? Name,
        [property: JsonPropertyName("label")] string? Label,
        [property: JsonPropertyName("state")] string? State,
        [property: JsonPropertyName("peers")] string? Peers,
        [property: JsonPropertyName("market_design")] JsonElement? MarketDesign,
        [property: JsonPropertyName("intervention")] InterventionJson? Intervention,
        [property: JsonPropertyName("market")] MarketParameters? Market,
        [property: JsonPropertyName("lfm")] LfmJson? Lfm,
        [property: JsonPropertyName("study")] JsonElement? Study,
        [property: JsonPropertyName("expected")] JsonElement? Expected);

    internal sealed record LfmJson(
        [property: JsonPropertyName("voltage_aware")] bool? VoltageAware,
        [property: JsonPropertyName("v_min_pu")] double? VMinPu,
        [property: JsonPropertyName("v_max_pu")] double? VMaxPu,
        [property: JsonPropertyName("max_iterations")] int? MaxIterations);

    internal sealed record InterventionJson(
        [property: JsonPropertyName("kind")] string? Kind,
        [property: JsonPropertyName("theta")] double? Theta,
        [property: JsonPropertyName("w")] double? W,
        [property: JsonPropertyName("reward_share")] double? RewardShare);

    /// <summary>Largest scenario file read (bytes): the shipped ones are about 1.5 kB.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    private static readonly JsonSerializerOptions Options = LibraryJson.With(new() { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }, ScenarioJsonOptions.Contexts);

    /// <summary>Reads and checks a scenario file; every problem names the file and the field.</summary>
    /// <param name="path">The scenario file.</param>
    /// <param name="extraDesigns">Designs besides the registered ones that <c>market_design.kind</c> may name (a design
    /// under development, docs/extending.md).</param>
    public static ScenarioDefinition Read(string path, IReadOnlyList<Designs.IMarketDesign>? extraDesigns = null)
    {
        Json? json;
        JsonKeyLines lines;
        try
        {
            // Counted while reading (a device or a pipe reports size 0): docs/data.md, "Input size limits".
            string text = BoundedInput.ReadAllText(path, MaxFileBytes);
            // First: a key given twice would otherwise let the last value win without a word.
            lines = JsonKeyLines.Scan(path, text);
            json = JsonSerializer.Deserialize<Json>(text, Options);
            // A misspelt optional key would otherwise fall back to its default without a word.
            JsonKeyCheck.Check(path, text, typeof(Json));
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (int)(e.LineNumber ?? -1) + 1, e.Path is { Length: > 2 } at ? at[2..] : "file", $"not a valid scenario file: {e.Message}");
        }
        catch (InputTooLargeException)
        {
            throw new DataFormatException(path, 0, "file", $"has more than {MaxFileBytes} bytes, the limit of a scenario file (the shipped ones are about 1.5 kB); a device, a pipe or not a scenario file?");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, 0, "file", $"cannot be read: {e.Message}");
        }
        if (json is null) throw new DataFormatException(path, 1, "file", "empty scenario file (null)");
        DataFormatException Error(string field, string problem) =>
            new(path, lines.LineOf(field) is > 0 and var l ? l : lines.LineOf(field.Split('.')[0]), field, problem);
        // null where an object is expected would otherwise read as "absent" and fall back to a default without a word.
        foreach (var (key, present) in new[] { ("market_design", json.MarketDesign is not null), ("intervention", json.Intervention is not null),
            ("market", json.Market is not null), ("lfm", json.Lfm is not null), ("study", json.Study is not null), ("expected", json.Expected is not null) })
            if (!present && lines.LineOf(key) > 0) throw Error(key, "is null; give an object or leave the key out");
        string name = json.Name ?? throw Error("name", "is missing");
        if (!ScenarioWords.State.TryParse(json.State, out var state))
            throw Error("state", $"must be {ScenarioWords.State.Describe()}, is '{json.State}'");
        if (!ScenarioWords.Peers.TryParse(json.Peers, out var peers))
            throw Error("peers", $"must be {ScenarioWords.Peers.Describe()}, is '{json.Peers}'");
        var design = lines.LineOf("market_design") == 0
            ? MarketDesignSpec.Default(peers == PeerSelection.None ? "none" : "bilateral")
            : ReadDesign(path, lines, json.MarketDesign, extraDesigns ?? []);
        if (peers == PeerSelection.None && (Designs.MarketDesigns.TryGet(design.Kind, out var d) ? d : extraDesigns?.First(x => x.Name == design.Kind))!.NeedsPeers)
            throw Error("market_design.kind", $"market design '{design.Kind}' clears a market among peers, but 'peers' is 'none' (choose a peer selection or market design 'none')");
        var iv = json.Intervention ?? new InterventionJson("none", null, null, null);
        if (!ScenarioWords.Intervention.TryParse(iv.Kind ?? "none", out var kind))
            throw Error("intervention.kind", $"must be {ScenarioWords.Intervention.Describe()}, is '{iv.Kind}'");
        double Required(double? value, string field) => value ?? throw Error(field, "is missing");
        DsoIntervention intervention = kind switch
        {
            InterventionKind.Block => new DsoIntervention.Block(Required(iv.Theta, "intervention.theta")),
            InterventionKind.Incentive => new DsoIntervention.Incentive(Required(iv.Theta, "intervention.theta"), Required(iv.W, "intervention.w"), iv.RewardShare ?? 1.0),
            _ => new DsoIntervention.None(),
        };
        if (DsoInterventions.Theta(intervention) is double theta) Bound(Error, "intervention.theta", theta, 0, Bounds.MaxTheta, lowOpen: true);
        if (intervention is DsoIntervention.Incentive inc)
        {
            Bound(Error, "intervention.w", inc.W, 0, 1, highOpen: true);
            Bound(Error, "intervention.reward_share", inc.RewardShare, 0, 1);
        }
        var market = json.Market ?? throw Error("market", "is missing");
        foreach (var key in new[] { "c0_eur_per_mwh", "lambda_ref_eur_per_mwh", "seller_slope_eur_per_mwh", "buyer_slope_eur_per_mwh", "epsilon_eur_per_mw2h", "interval_hours", "lfm_require_balance" })
            if (lines.LineOf($"market.{key}") == 0) throw Error($"market.{key}", "is missing");
        Bound(Error, "market.c0_eur_per_mwh", market.C0EurPerMwh, 0, Bounds.MaxPriceEurPerMwh);
        Bound(Error, "market.lambda_ref_eur_per_mwh", market.LambdaRefEurPerMwh, 0, Bounds.MaxPriceEurPerMwh);
        Bound(Error, "market.seller_slope_eur_per_mwh", market.SellerSlopeEurPerMwh, 0, Bounds.MaxPriceEurPerMwh, lowOpen: true);
        Bound(Error, "market.buyer_slope_eur_per_mwh", market.BuyerSlopeEurPerMwh, 0, Bounds.MaxPriceEurPerMwh, lowOpen: true);
        Bound(Error, "market.epsilon_eur_per_mw2h", market.EpsilonEurPerMw2h, Bounds.MinEpsilonEurPerMw2h, Bounds.MaxEpsilonEurPerMw2h);
        Bound(Error, "market.interval_hours", market.IntervalHours, Bounds.MinIntervalHours, Bounds.MaxIntervalHours);
        var lfmJson = json.Lfm ?? new LfmJson(null, null, null, null);
        var lfm = new LfmSpec(lfmJson.VoltageAware ?? false, lfmJson.VMinPu ?? LfmSpec.Default.VMinPu, lfmJson.VMaxPu ?? LfmSpec.Default.VMaxPu,
            lfmJson.MaxIterations ?? LfmSpec.Default.MaxIterations);
        Bound(Error, "lfm.v_min_pu", lfm.VMinPu, Bounds.MinVoltagePu, Bounds.MaxVoltagePu);
        Bound(Error, "lfm.v_max_pu", lfm.VMaxPu, Bounds.MinVoltagePu, Bounds.MaxVoltagePu);
        if (lfm.VMaxPu <= lfm.VMinPu)
            throw Error("lfm.v_min_pu", FormattableString.Invariant($"must be below lfm.v_max_pu ({lfm.VMaxPu}), is {lfm.VMinPu}"));
        if (lfm.MaxIterations < 1 || lfm.MaxIterations > Bounds.MaxLfmIterations)
            throw Error("lfm.max_iterations", $"must be in [1, {Bounds.MaxLfmIterations}], is {lfm.MaxIterations}");
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

    /// <summary>Reads <c>market_design</c>: an object with a registered <c>kind</c>, whose other keys are read into the
    /// design's parameter record (unknown keys, wrong types and values out of range are located errors).</summary>
    private static MarketDesignSpec ReadDesign(string path, JsonKeyLines lines, JsonElement? element, IReadOnlyList<Designs.IMarketDesign> extraDesigns)
    {
        int at = lines.LineOf("market_design");
        if (element is not { ValueKind: JsonValueKind.Object } o)
            throw new DataFormatException(path, at, "market_design", $"must be an object with a 'kind', is {(element is { } e ? KpiValues.Kind(e) : "null")}");
        string known = string.Join(", ", Designs.MarketDesigns.Names.Concat(extraDesigns.Select(d => d.Name)).Select(n => $"'{n}'"));
        if (!o.TryGetProperty("kind", out var kindElement))
            throw new DataFormatException(path, at, "market_design.kind", $"is missing (one of {known})");
        string? kind = kindElement.ValueKind == JsonValueKind.String ? kindElement.GetString() : null;
        var design = kind is null ? null : Designs.MarketDesigns.TryGet(kind, out var registered) ? registered : extraDesigns.FirstOrDefault(d => d.Name == kind);
        if (kind is null || design is null)
            throw new DataFormatException(path, lines.LineOf("market_design.kind"), "market_design.kind",
                $"must be one of {known}, is {KpiValues.Kind(kindElement)}");
        var type = design.DefaultParameters.GetType();
        var keys = type.GetProperties().Select(p => p.GetCustomAttributes(typeof(JsonPropertyNameAttribute), false).OfType<JsonPropertyNameAttribute>().FirstOrDefault()?.Name)
            .OfType<string>().ToArray();
        var parameters = new System.Text.Json.Nodes.JsonObject();
        foreach (var p in o.EnumerateObject().Where(p => p.Name != "kind"))
        {
            string field = $"market_design.{p.Name}";
            if (!keys.Contains(p.Name))
                throw new DataFormatException(path, lines.LineOf(field), field, $"does not apply to market design '{kind}'" +
                    (keys.Length == 0 ? " (it takes no parameters)" : $" (it takes {string.Join(", ", keys)})"));
            parameters[p.Name] = System.Text.Json.Nodes.JsonNode.Parse(p.Value.GetRawText());
        }
        Designs.IDesignParameters read;
        try
        {
            read = (Designs.IDesignParameters)(parameters.Deserialize(type, Options) ?? design.DefaultParameters);
        }
        catch (JsonException e)
        {
            string key = e.Path is { Length: > 2 } p ? "market_design." + p[2..] : "market_design";
            throw new DataFormatException(path, lines.LineOf(key) is > 0 and var l ? l : at, key, $"has the wrong type for market design '{kind}' ({e.Message})");
        }
        foreach (var (key, problem) in read.Problems())
            throw new DataFormatException(path, lines.LineOf($"market_design.{key}"), $"market_design.{key}", problem);
        return new MarketDesignSpec(kind, read);
    }

    /// <summary>Refuses a value outside [low, high] (or the open ends asked for), NaN and infinities included.</summary>
    private static void Bound(Func<string, string, DataFormatException> error, string field, double value, double low, double high,
        bool lowOpen = false, bool highOpen = false)
    {
        bool inside = double.IsFinite(value) && (lowOpen ? value > low : value >= low) && (highOpen ? value < high : value <= high);
        if (!inside)
            throw error(field, FormattableString.Invariant($"must be in {(lowOpen ? "(" : "[")}{low}, {high}{(highOpen ? ")" : "]")}, is {value}"));
    }

    /// <summary>
    /// The physical bounds of a scenario file's numbers (docs/data.md, "Scenario files"): wide enough for any study a
    /// feeder can pose, narrow enough that a slip of the exponent is an error rather than a run that overflows.
    /// </summary>
    public static class Bounds
    {
        /// <summary>Prices, preference costs and marginal-cost slopes, €/MWh.</summary>
        public const double MaxPriceEurPerMwh = 10_000;
        /// <summary>The P2P market's regularisation ε, €/MW²h.</summary>
        public const double MinEpsilonEurPerMw2h = 1e-6, MaxEpsilonEurPerMw2h = 1e6;
        /// <summary>The market interval, h: one minute to one day.</summary>
        public const double MinIntervalHours = 1.0 / 60, MaxIntervalHours = 24;
        /// <summary>θ, the at-risk loading share (above 1 only overloaded lines are at risk).</summary>
        public const double MaxTheta = 10;
        /// <summary>The voltage band's ends, p.u.</summary>
        public const double MinVoltagePu = 0.5, MaxVoltagePu = 1.5;
        /// <summary>The voltage-aware LFM's LP solves.</summary>
        public const int MaxLfmIterations = 1000;
    }

    /// <summary>A copy with another intervention (for sweeps and live exploration).</summary>
    public ScenarioDefinition WithIntervention(DsoIntervention intervention)
    {
        intervention.Validate(Source);
        return this with { Intervention = intervention };
    }
}
