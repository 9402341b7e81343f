using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PFlex.Interventions;
using P2PFlex.IO;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.P2P;

namespace P2PFlex.Scenarios;

/// <summary>The export's <c>scenario.json</c> (docs/export.md): the definition, the KPIs, the design's members
/// (<see cref="Designs.IMarketOutcome.AddJson"/>), the P2P solver's report and the file list.</summary>
internal static class ScenarioExportJson
{
    private static readonly JsonSerializerOptions KpiJson = LibraryJson.With(new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }, ScenarioJsonOptions.Contexts);

    private static readonly JsonSerializerOptions DocumentJson = LibraryJson.With(new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }, ScenarioJsonOptions.Contexts);

    private static JsonObject DesignJson(ScenarioResult r)
    {
        var spec = r.Definition.Design;
        var o = new JsonObject
        {
            ["kind"] = spec.Kind,
            ["parameters"] = spec.ToExportJson(),
            ["lfm_follows"] = r.Market.LfmFollows,
            ["status"] = r.Market.StatusText,
            ["residual_overflow_mw"] = r.Market.ResidualOverflowMw,
            ["traded_volume_mw"] = r.Market.TradedVolumeMw,
            ["peers_welfare_eur"] = r.Market.PeersWelfareEur,
            ["mediator_revenue_eur"] = r.Market.MediatorRevenueEur,
            ["capacity_payments_eur"] = r.Market.Payments.CapacityPaymentsEur,
        };
        r.Market.Outcome.AddJson(o);
        return o;
    }

    /// <summary>The voltage-aware LFM's loop and last LP (band, tolerances, status, passes); null for the congestion-only LFM.</summary>
    private static JsonObject? VoltageAwareJson(ScenarioResult r)
    {
        if (r.VoltageAwareLfm is not { } va) return null;
        var options = va.Options;
        return new JsonObject
        {
            ["status"] = va.Status.ToString(),
            ["iterations"] = va.Iterations,
            ["v_min_pu"] = options?.Band.MinPu,
            ["v_max_pu"] = options?.Band.MaxPu,
            ["max_iterations"] = options?.MaxIterations,
            ["voltage_tolerance_pu"] = options?.VoltageTolerancePu,
            ["line_tolerance_mva"] = options?.LineToleranceMva,
            ["activation_tolerance_mw"] = options?.ActivationToleranceMw,
            ["final_lp_exported"] = va.FinalProblem is not null,
            ["final_lp_voltage_tolerance_pu"] = va.FinalProblem?.Voltage?.TolerancePu,
            ["final_lp_overflow_tolerance_mva"] = va.FinalProblem?.OverflowToleranceMw,
            ["message"] = va.Message,
        };
    }

    internal static string ScenarioJson(ScenarioResult r)
    {
        var d = r.Definition;
        var m = d.Market;
        var net = r.Feeder.Network;
        string kind = ScenarioWords.Intervention.Word(d.Intervention.Kind);
        var intervention = d.Intervention switch
        {
            DsoIntervention.Block b => new JsonObject { ["kind"] = kind, ["theta"] = b.Theta, ["w"] = null, ["reward_share"] = null },
            // reward_share tells the study's symmetric rule (1) from the penalty-only variants (0).
            DsoIntervention.Incentive i => new JsonObject { ["kind"] = kind, ["theta"] = i.Theta, ["w"] = i.W, ["reward_share"] = i.RewardShare },
            _ => new JsonObject { ["kind"] = kind, ["theta"] = null, ["w"] = null, ["reward_share"] = null },
        };
        var atRisk = ScenarioExportCsv.AtRiskLines(r);
        var stage = r.P2P;
        int sellers = stage?.Peers.Count(p => p.Peer.Role == PeerRole.Seller) ?? 0;
        int buyers = (stage?.Peers.Count ?? 0) - sellers;
        JsonNode? solver = stage is null ? null : new JsonObject
        {
            ["name"] = stage.Result.Solver,
            ["status"] = stage.Result.Status.ToString(),
            ["iterations"] = stage.Result.Iterations,
            ["primal_residual_mw"] = stage.Result.PrimalResidualMw,
            ["dual_residual_eur_per_mwh"] = stage.Result.DualResidualEurPerMwh,
            ["welfare_eur"] = stage.Result.WelfareEur,
        };
        var files = new JsonObject();
        foreach (var (name, description) in ScenarioExport.FileDescriptionsOf(r)) files[name] = description;
        var doc = new JsonObject
        {
            ["format_version"] = ScenarioExport.FormatVersion,
            ["name"] = d.Name,
            ["label"] = d.Label,
            ["scenario_file"] = Path.GetFileName(d.Source),
            ["case"] = net.Name,
            ["state"] = ScenarioWords.State.Word(d.State),
            ["peers"] = ScenarioWords.Peers.Word(d.Peers),
            ["slack_bus"] = net.Buses[net.SlackIndex].Number,
            ["intervention"] = intervention,
            ["market_design"] = DesignJson(r),
            ["market"] = JsonSerializer.SerializeToNode(m, ScenarioJsonOptions.Default),
            ["epsilon_eur_per_mw2h"] = m.EpsilonEurPerMw2h,
            ["interval_hours"] = m.IntervalHours,
            ["congestion_tolerance_mw"] = Grid.GridCheck.DefaultToleranceMw,
            ["kpis"] = JsonSerializer.SerializeToNode(ScenarioReport.Kpis(r), KpiJson),
            ["p2p"] = new JsonObject
            {
                ["peer_count"] = stage?.Peers.Count ?? 0,
                ["seller_count"] = sellers,
                ["buyer_count"] = buyers,
                ["pair_count"] = stage?.Problem.Pairs.Count ?? 0,
                ["blocked_pair_count"] = stage?.BlockedPairs ?? 0,
                ["at_risk_lines"] = atRisk is null ? null : new JsonArray(atRisk.Select(l => (JsonNode?)net.Branches[l].CaseIndex).ToArray()),
                ["traded_volume_mw"] = r.P2PVolumeMw,
                ["solver"] = solver,
            },
            ["lfm"] = new JsonObject
            {
                ["status"] = r.Lfm.Status.ToString(),
                ["ran"] = r.Lfm.Status != LfmStatus.NotRun,
                ["path"] = r.Lfm.Path.ToString(),
                ["require_balance"] = m.LfmRequireBalance,
                ["bid_count"] = r.LfmBids.Count,
                ["cost_eur"] = r.Lfm.CostEur,
                ["upward_total_mw"] = ScenarioExportCsv.LfmOptimal(r) ? r.Lfm.UpwardTotalMw : null,
                ["downward_total_mw"] = ScenarioExportCsv.LfmOptimal(r) ? r.Lfm.DownwardTotalMw : null,
                ["least_total_overflow_mw"] = r.Lfm.Infeasibility?.LeastTotalOverflowMw,
                ["solver_message"] = r.Lfm.SolverMessage,
                ["voltage_aware"] = VoltageAwareJson(r),
            },
            ["files"] = files,
        };
        return doc.ToJsonString(DocumentJson) + "\n";
    }
}
