using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using P2PFlex.Scenarios;

namespace P2PFlex.Cli;

/// <summary>One row of <c>p2pflex sweep</c>: the KPIs of the scenario at one parameter value.</summary>
public sealed record SweepRow(
    double Value,
    int CongestedLines,
    double OverflowSumMw,
    double OverflowWeightedAvgMw,
    string LfmStatus,
    double? LfmCostEur,
    [property: System.Text.Json.Serialization.JsonPropertyName("p2p_volume_mw")] double P2PVolumeMw);

/// <summary>
/// <c>p2pflex sweep --scenario NAME --param W|theta --from A --to B --step S [--json|--csv]</c>: the scenario's KPIs
/// for every value of one intervention parameter. The points run sequentially through <see cref="ScenarioSweep.Run"/>,
/// each warm-started from the previous point's prices (no parallel chunks: the KPIs then do not depend on the number
/// of cores; a warm start changes them only within the P2P solver's tolerance). A progress bar goes to stderr.
/// </summary>
public static class SweepCommand
{
    /// <summary>Columns of the CSV output (and keys of each JSON object), in order.</summary>
    public static readonly string[] Columns =
        ["value", "congested_lines", "overflow_sum_mw", "overflow_weighted_avg_mw", "lfm_status", "lfm_cost_eur", "p2p_volume_mw"];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public const string UsageLine = "usage: p2pflex sweep --scenario <name> --param W|theta --from <value> --to <value> --step <value> [--json|--csv]";

    public static int Run(CliArguments a, TextWriter output, TextWriter? progress = null)
    {
        progress ??= Console.Error;
        bool json = a.Flag("json"), csv = a.Flag("csv");
        string? name = a.Option("scenario");
        string? parameter = a.Option("param");
        double? from = Number(a.Option("from"), "--from"), to = Number(a.Option("to"), "--to"), step = Number(a.Option("step"), "--step");
        a.RejectUnknown();
        if (a.Positional.Count > 0) throw new UsageException($"sweep takes no positional arguments\n{UsageLine}");
        if (json && csv) throw new UsageException("choose one of --json and --csv");
        if (name is null) throw new UsageException($"--scenario is missing\n{UsageLine}");
        if (parameter is null) throw new UsageException($"--param is missing (W or theta)\n{UsageLine}");
        if (parameter is not ("W" or "theta")) throw new UsageException($"--param must be W or theta, not '{parameter}'");
        if (from is null || to is null || step is null) throw new UsageException($"--from, --to and --step are all needed\n{UsageLine}");
        if (!(step > 0)) throw new UsageException($"--step must be positive, is {step.Value.ToString(CultureInfo.InvariantCulture)}");
        if (to < from) throw new UsageException("--to must not be below --from");

        var all = StudyContext.LoadScenarios();
        var scenario = all.FirstOrDefault(s => s.Name == name)
            ?? throw new UsageException($"unknown scenario '{name}'; known: {string.Join(", ", all.Select(s => s.Name))}");
        var values = ScenarioSweep.Range(from.Value, to.Value, step.Value);
        foreach (double v in values)
        {
            try
            {
                ScenarioSweep.With(scenario, parameter, v);
            }
            catch (ArgumentException e)
            {
                // Either the scenario has no such parameter or the value is outside its range; the message says which.
                throw new UsageException(e.Message);
            }
        }

        var context = StudyContext.Load();
        var clock = Stopwatch.StartNew();
        var points = ScenarioSweep.Run(scenario, context, parameter, WithProgress(values, parameter, progress));
        Bar(progress, values.Count, values.Count, $"done in {clock.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s (sequential, warm-started)");
        progress.WriteLine();
        var rows = points.Select(p => Row(p)).ToArray();

        if (json) output.WriteLine(JsonSerializer.Serialize(rows, Json));
        else if (csv) output.Write(Csv(rows));
        else
        {
            output.WriteLine($"scenario {scenario.Name} ({scenario.Label}), {parameter} from {Format(from.Value)} to {Format(to.Value)} step {Format(step.Value)}");
            output.WriteLine($"{parameter,8}  congested  overflow sum MW  weighted avg MW  LFM status   LFM cost EUR  P2P volume MW");
            foreach (var r in rows)
                output.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,8:0.####}  {1,9}  {2,15:F4}  {3,15:F4}  {4,-10}  {5,12}  {6,13:F4}",
                    r.Value, r.CongestedLines, r.OverflowSumMw, r.OverflowWeightedAvgMw, r.LfmStatus,
                    r.LfmCostEur is double c ? c.ToString("F3", CultureInfo.InvariantCulture) : "—", r.P2PVolumeMw));
        }
        return 0;
    }

    /// <summary>The KPIs of one sweep point.</summary>
    public static SweepRow Row(SweepPoint point)
    {
        var k = point.Kpis;
        return new SweepRow(point.Value, k.CongestedLines, k.OverflowSumMw, k.OverflowWeightedAvgMw, k.LfmStatus, k.LfmCostEur, k.P2PVolumeMw);
    }

    /// <summary>CSV with a header; numbers in round-trip invariant form, an empty cost when the LFM has none.</summary>
    public static string Csv(IEnumerable<SweepRow> rows)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(',', Columns)).Append('\n');
        foreach (var r in rows)
            sb.Append(string.Join(',', Format(r.Value), r.CongestedLines.ToString(CultureInfo.InvariantCulture), Format(r.OverflowSumMw),
                Format(r.OverflowWeightedAvgMw), r.LfmStatus, r.LfmCostEur is double c ? Format(c) : "", Format(r.P2PVolumeMw))).Append('\n');
        return sb.ToString();
    }

    /// <summary>Yields the values unchanged, drawing the bar as each point starts (ScenarioSweep pulls them one by one).</summary>
    private static IEnumerable<double> WithProgress(IReadOnlyList<double> values, string parameter, TextWriter progress)
    {
        for (int k = 0; k < values.Count; k++)
        {
            Bar(progress, k, values.Count, $"{parameter} = {Format(values[k])}");
            yield return values[k];
        }
    }

    private static void Bar(TextWriter progress, int done, int total, string note)
    {
        const int width = 30;
        int filled = total == 0 ? width : done * width / total;
        progress.Write($"\rsweep [{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {note,-40}");
        progress.Flush();
    }

    private static double? Number(string? s, string option)
    {
        if (s is null) return null;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new UsageException($"{option} needs a number, not '{s}'");
        return v;
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
