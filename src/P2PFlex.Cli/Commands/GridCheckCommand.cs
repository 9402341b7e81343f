using System.CommandLine;
using System.Text.Json;
using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Scenarios;

namespace P2PFlex.Cli;

/// <summary>What <c>p2pflex gridcheck</c> was asked for.</summary>
public sealed record GridCheckOptions(StudyState State, bool Json, string Feeder = Data.FeederSetup.StudyFeederName);

/// <summary><c>p2pflex gridcheck [--state base|extreme] [--feeder case] [--json]</c>: DC grid check of a feeder (case69 by default) with its line limits.</summary>
public static class GridCheckCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Build()
    {
        var state = new Option<string>("--state")
        {
            Description = "loading state of the feeder",
            DefaultValueFactory = _ => "base",
        };
        state.AcceptOnlyFromAmong([.. Scenarios.ScenarioWords.State.Words]);
        var json = CliKit.Json("per-line flow, limit, occupancy, overflow and the KPIs as JSON");
        var feeder = CliKit.Feeder();
        var command = new Command("gridcheck", "DC grid check of a feeder (case69 by default) with its line limits") { state, feeder, json };
        command.SetAction(r => Run(
            new GridCheckOptions(Scenarios.ScenarioWords.State.TryParse(r.GetValue(state), out var s) ? s : StudyState.Base, r.GetValue(json), r.GetValue(feeder)!), CliKit.Out(r), CliKit.Err(r)));
        return command.WithExamples("""
            p2pflex gridcheck --state base --json
            p2pflex gridcheck --state extreme
            p2pflex gridcheck --feeder case85
            """);
    }

    public static int Run(GridCheckOptions options, TextWriter output, TextWriter? log = null)
    {
        var resolved = CliKit.ResolveFeeder(options.Feeder, log ?? TextWriter.Null);
        var feeder = StudyFeeder.Load(options.State, resolved);
        var check = feeder.Check();
        if (options.Json) output.WriteLine(JsonSerializer.Serialize(Document(feeder, check), Json));
        else Write(feeder, check, output);
        return 0;
    }

    private static object Document(StudyFeeder feeder, GridCheckResult check) => new
    {
        Case = feeder.Network.Name,
        DataFolder = Data.DataPaths.Root,
        DataVersion = Data.Provenance.DataVersion(),
        State = feeder.State.ToString().ToLowerInvariant(),
        Kpis = new
        {
            CongestedLines = check.CongestedLineCount,
            OverflowSumMw = check.OverflowSumMw,
            OverflowWeightedAvgMw = check.OverflowWeightedAverageMw,
            AverageOccupancy = check.AverageOccupancy,
            LinesAbove60Percent = check.LinesAbove60Percent,
            Congested = check.CongestedLines,
        },
        Lines = check.Lines.Select(l => new
        {
            Index = l.CaseIndex,
            l.FromBus,
            l.ToBus,
            l.FlowMw,
            l.LimitMw,
            l.Occupancy,
            l.OverflowMw,
            l.Congested,
        }),
    };

    private static void Write(StudyFeeder feeder, GridCheckResult check, TextWriter output)
    {
        output.WriteLine($"Grid check of {feeder.Network.Name}, {feeder.State.ToString().ToLowerInvariant()} state ({feeder.Loading.Description})");
        output.WriteLine($"  {Data.Provenance.DataDescription()}");
        output.WriteLine(CliKit.Invariant($"  congested lines            {check.CongestedLineCount,8}   [{string.Join(", ", check.Lines.Where(l => l.Congested).Select(l => CliKit.Invariant($"{l.CaseIndex} ({l.Label})")))}]"));
        output.WriteLine(CliKit.Invariant($"  overflow sum               {check.OverflowSumMw,8:F4} MW"));
        output.WriteLine(CliKit.Invariant($"  weighted average overflow  {check.OverflowWeightedAverageMw,8:F4} MW"));
        output.WriteLine(CliKit.Invariant($"  average occupancy          {check.AverageOccupancy * 100,8:F1} %"));
        output.WriteLine(CliKit.Invariant($"  lines above 60 %           {check.LinesAbove60Percent,8}   of {check.Lines.Count} ({check.ShareAbove60Percent * 100:F2} %)"));
        output.WriteLine();
        output.WriteLine("  index  line      flow_mw  limit_mw  occupancy  overflow_mw");
        foreach (var l in check.Lines)
            output.WriteLine(CliKit.Invariant($"  {l.CaseIndex,5}  {l.Label,-7} {l.FlowMw,9:F4} {l.LimitMw,9:F4} {l.Occupancy * 100,9:F1}% {l.OverflowMw,11:F4}{(l.Congested ? "  congested" : "")}"));
    }
}
