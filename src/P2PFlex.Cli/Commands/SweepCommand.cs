using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using P2PFlex.Scenarios;

namespace P2PFlex.Cli;

/// <summary>
/// One row of <c>p2pflex sweep</c>: the KPIs of the scenario at one parameter value, and what the DSO pays there: its
/// total (<see cref="DsoTotalEur"/> = LFM cost + incentives paid − penalties received + capacity payments; null when
/// the LFM is infeasible) and the parts. <see cref="DsoTotalLeast"/> marks the value(s) where the total is least.
/// </summary>
public sealed record SweepRow(
    double Value,
    int CongestedLines,
    double OverflowSumMw,
    double OverflowWeightedAvgMw,
    [property: System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<Markets.Lfm.LfmStatus>))] Markets.Lfm.LfmStatus LfmStatus,
    double? LfmCostEur,
    [property: System.Text.Json.Serialization.JsonPropertyName("p2p_volume_mw")] double P2PVolumeMw,
    double? DsoTotalEur = null,
    double IncentivesPaidEur = 0,
    double PenaltiesReceivedEur = 0,
    double CapacityPaymentsEur = 0,
    bool DsoTotalLeast = false);

public enum SweepFormat { Text, Json, Csv }

/// <summary>What <c>p2pflex sweep</c> was asked for.</summary>
public sealed record SweepOptions(string Scenario, SweepParameter Parameter, double From, double To, double Step, SweepFormat Format = SweepFormat.Text,
    string Feeder = Data.FeederSetup.StudyFeederName);

/// <summary>
/// <c>p2pflex sweep --scenario NAME --param W|theta --from A --to B --step S [--json|--csv]</c>: the scenario's KPIs
/// for every value of one intervention parameter. The points run sequentially through <see cref="ScenarioSweep.Run"/>,
/// each warm-started from the previous point's prices (no parallel chunks: the KPIs then do not depend on the number
/// of cores; a warm start changes them only within the P2P solver's tolerance). Progress goes to stderr: a live bar on a
/// terminal, plain lines otherwise (<see cref="TerminalProgress"/>).
/// </summary>
public static class SweepCommand
{
    /// <summary>Columns of the CSV output (and keys of each JSON object), in order.</summary>
    public static readonly string[] Columns =
        ["value", "congested_lines", "overflow_sum_mw", "overflow_weighted_avg_mw", "lfm_status", "lfm_cost_eur", "p2p_volume_mw",
         "dso_total_eur", "incentives_paid_eur", "penalties_received_eur", "capacity_payments_eur", "dso_total_least"];

    /// <summary>Most values one sweep runs (each is a full P2P → grid check → LFM run, a few ms; 10 000 take about a minute).</summary>
    public const int MaxPoints = 10_000;

    /// <summary>Smallest step: W and θ are shares in [0, 1], values are rounded to 12 decimals, and finer steps resolve nothing.</summary>
    public const double MinStep = 1e-6;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Build()
    {
        var scenario = new Option<string>("--scenario") { Description = "the scenario to vary, by name or scenario file path", HelpName = "name|file.json", Required = true };
        scenario.CompletionSources.Add(CliKit.ScenarioNames);
        var parameter = new Option<string>("--param") { Description = "the intervention parameter", HelpName = "W|theta", Required = true };
        parameter.CompletionSources.Add([.. ScenarioSweep.Words.Words]);
        parameter.Validators.Add(r =>
        {
            string? v = r.GetValueOrDefault<string>();
            if (!ScenarioSweep.Words.TryParse(v, out _)) r.AddError($"--param must be W or theta, not '{v}'");
        });
        var from = CliKit.Number("--from", "first value");
        var to = CliKit.Number("--to", "last value (included when the steps reach it)");
        var step = CliKit.Number("--step", CliKit.Invariant($"distance between values (at least 1e-6; a sweep has at most {MaxPoints} values)"));
        from.Required = to.Required = step.Required = true;
        var json = CliKit.Json("one object per value as JSON");
        var csv = new Option<bool>("--csv") { Description = "one row per value as CSV (header: " + string.Join(',', Columns) + ")" };
        var feeder = CliKit.Feeder();
        var command = new Command("sweep", "KPIs of a scenario over one intervention parameter (sequential, warm-started; progress on stderr)")
        {
            scenario, parameter, from, to, step, feeder, json, csv,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(json) && r.GetValue(csv)) r.AddError("choose one of --json and --csv");
        });
        command.SetAction(r => Run(
            new SweepOptions(r.GetValue(scenario)!, ScenarioSweep.Words.TryParse(r.GetValue(parameter), out var p) ? p : SweepParameter.W, r.GetValue(from)!.Value, r.GetValue(to)!.Value, r.GetValue(step)!.Value,
                r.GetValue(json) ? SweepFormat.Json : r.GetValue(csv) ? SweepFormat.Csv : SweepFormat.Text, r.GetValue(feeder)!),
            CliKit.Out(r), CliKit.Err(r)));
        return command.WithExamples("""
            p2pflex sweep --scenario 3-theta80 --param W --from 0 --to 0.95 --step 0.05 --csv
            p2pflex sweep --scenario 3-theta80 --param theta --from 0.7 --to 1 --step 0.05
            p2pflex sweep --scenario 3-theta80 --param W --from 0 --to 0.5 --step 0.1 --feeder case85
            """);
    }

    public static int Run(SweepOptions options, TextWriter output, TextWriter progress)
    {
        string name = options.Scenario, parameter = ScenarioSweep.Words.Word(options.Parameter);
        double from = options.From, to = options.To, step = options.Step;
        if (!(step > 0)) throw new UsageException($"--step must be positive, is {Format(step)}");
        if (step < MinStep) throw new UsageException($"--step must be at least 1e-6 (W and theta are shares; a finer step resolves nothing), is {Format(step)}");
        if (to < from) throw new UsageException("--to must not be below --from");
        double count = Math.Floor((to - from) / step + 1e-9) + 1;
        if (count > MaxPoints)
            throw new UsageException(CliKit.Invariant(
                $"--step {Format(step)} from {Format(from)} to {Format(to)} gives {count:F0} values; a sweep has at most {MaxPoints} (choose a larger --step)"));

        var scenario = ScenariosCommand.Find(ScenariosCommand.LoadCatalog([name], progress), name);
        var values = ScenarioSweep.Range(from, to, step);
        foreach (double v in values)
        {
            try
            {
                ScenarioSweep.With(scenario, options.Parameter, v);
            }
            catch (ArgumentException e)
            {
                // Either the scenario has no such parameter or the value is outside its range; the message says which.
                throw new UsageException(e.Message);
            }
        }

        var feeder = CliKit.ResolveFeeder(options.Feeder, progress);
        var context = StudyContext.Load(feeder: feeder.Name);
        var clock = Stopwatch.StartNew();
        var points = TerminalProgress.Run(progress, "sweep", values.Count,
            report => ScenarioSweep.Run(scenario, context, options.Parameter, Reporting(values, parameter, report)));
        progress.WriteLine(CliKit.Invariant($"sweep: {values.Count}/{values.Count} done in {clock.Elapsed.TotalSeconds:F2} s (sequential, warm-started)"));
        var minimum = DsoTotalMinimum.Of(points, options.Parameter);
        var rows = points.Select(p => Row(p) with { DsoTotalLeast = minimum?.Values.Contains(p.Value) == true }).ToArray();
        string least = minimum?.Text ?? "the DSO's total cost is unknown at every value (the LFM did not clear at any)";

        if (options.Format != SweepFormat.Text)
        {
            progress.WriteLine($"sweep: feeder {context.FeederName}; {Data.Provenance.DataDescription()}");
            progress.WriteLine("sweep: " + least);
        }
        if (options.Format == SweepFormat.Json) output.WriteLine(JsonSerializer.Serialize(rows, Json));
        else if (options.Format == SweepFormat.Csv) output.Write(Csv(rows));
        else
        {
            output.WriteLine($"scenario {scenario.Name} ({scenario.Label}) on feeder {context.FeederName}, {parameter} from {Format(from)} to {Format(to)} step {Format(step)}");
            output.WriteLine(Data.Provenance.DataDescription());
            output.WriteLine($"{parameter,8}  congested  overflow sum MW  weighted avg MW  LFM status   LFM cost EUR  P2P volume MW  incentives EUR  penalties EUR  DSO total EUR");
            foreach (var r in rows)
                output.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,8:0.####}  {1,9}  {2,15:F4}  {3,15:F4}  {4,-10}  {5,12}  {6,13:F4}  {7,14:F3}  {8,13:F3}  {9,13}{10}",
                    r.Value, r.CongestedLines, r.OverflowSumMw, r.OverflowWeightedAvgMw, r.LfmStatus,
                    r.LfmCostEur is double c ? c.ToString("F3", CultureInfo.InvariantCulture) : "—", r.P2PVolumeMw,
                    r.IncentivesPaidEur, r.PenaltiesReceivedEur, r.DsoTotalEur is double t ? t.ToString("F3", CultureInfo.InvariantCulture) : "—",
                    r.DsoTotalLeast ? "  <- least" : ""));
            output.WriteLine(least);
        }
        return 0;
    }

    /// <summary>The KPIs of one sweep point.</summary>
    public static SweepRow Row(SweepPoint point)
    {
        var k = point.Kpis;
        return new SweepRow(point.Value, k.CongestedLines, k.OverflowSumMw, k.OverflowWeightedAvgMw, k.LfmStatus, k.LfmCostEur, k.P2PVolumeMw,
            k.Dso.TotalEur, k.Dso.IncentivesPaidEur, k.Dso.PenaltiesReceivedEur, k.Dso.CapacityPaymentsEur);
    }

    /// <summary>CSV with a header; numbers in round-trip invariant form, an empty cost when the LFM has none.</summary>
    public static string Csv(IEnumerable<SweepRow> rows)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(',', Columns)).Append('\n');
        foreach (var r in rows)
            sb.Append(string.Join(',', Format(r.Value), r.CongestedLines.ToString(CultureInfo.InvariantCulture), Format(r.OverflowSumMw),
                Format(r.OverflowWeightedAvgMw), r.LfmStatus.ToString(), r.LfmCostEur is double c ? Format(c) : "", Format(r.P2PVolumeMw),
                r.DsoTotalEur is double t ? Format(t) : "", Format(r.IncentivesPaidEur), Format(r.PenaltiesReceivedEur), Format(r.CapacityPaymentsEur),
                r.DsoTotalLeast ? "true" : "false")).Append('\n');
        return sb.ToString();
    }

    /// <summary>Yields the values unchanged, reporting each as it starts (ScenarioSweep pulls them one by one).</summary>
    private static IEnumerable<double> Reporting(IReadOnlyList<double> values, string parameter, StepReport report)
    {
        for (int k = 0; k < values.Count; k++)
        {
            report(k, $"{parameter} = {Format(values[k])}");
            yield return values[k];
        }
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
