using System.CommandLine;
using System.Text.Json;
using P2PFlex.Scenarios;

namespace P2PFlex.Cli;

/// <summary>What <c>p2pflex scenarios run</c> was asked for (no names: every scenario).</summary>
/// <remarks><paramref name="StudyCase"/>: the SimBench study case (hL, n1, hW, hPV, lW, lPV) when the feeder is a SimBench folder.</remarks>
public sealed record ScenariosRunOptions(IReadOnlyList<string> Names, bool Json, string Feeder = Data.FeederSetup.StudyFeederName, string StudyCase = ScenariosCommand.DefaultStudyCase);

/// <summary>What <c>p2pflex scenarios export</c> was asked for.</summary>
public sealed record ScenariosExportOptions(string Name, string Directory);

/// <summary>
/// <c>p2pflex scenarios run [name…] [--json]</c>: the study's scenarios and their KPIs (Table 8);
/// <c>p2pflex scenarios export &lt;name&gt; &lt;dir&gt;</c>: one scenario's instance and result as CSV + JSON.
/// </summary>
public static class ScenariosCommand
{
    /// <summary>The SimBench study case run when none is named: high load.</summary>
    public const string DefaultStudyCase = "hL";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Build()
    {
        var names = new Argument<string[]>("name") { Description = "scenarios to run (default: all)", HelpName = "name", Arity = ArgumentArity.ZeroOrMore };
        names.CompletionSources.Add(CliKit.ScenarioNames);
        var json = CliKit.Json("the KPIs of each scenario as JSON");
        var feeder = new Option<string>("--feeder")
        {
            Description = "the feeder, with its shipped orderbook and P2P subset (" + string.Join(", ", Data.FeederSetup.ShippedFeeders) + "; default case69), or a SimBench grid folder",
            HelpName = "case",
            DefaultValueFactory = _ => Data.FeederSetup.StudyFeederName,
        };
        feeder.CompletionSources.Add(Data.FeederSetup.ShippedFeeders);
        var studyCase = new Option<string>("--study-case")
        {
            Description = "with a SimBench folder as --feeder: its study case from StudyCases.csv (hL, n1, hW, hPV, lW, lPV; default hL)",
            HelpName = "case",
            DefaultValueFactory = _ => DefaultStudyCase,
        };
        var run = new Command("run", "run the study's scenarios (0p 1p 0 1 2 3-theta80 3-theta100 1pp) and print their KPIs") { names, json, feeder, studyCase };
        run.SetAction(r => Run(new ScenariosRunOptions(r.GetValue(names) ?? [], r.GetValue(json), r.GetValue(feeder)!, r.GetValue(studyCase)!), CliKit.Out(r)));

        var name = new Argument<string>("name") { Description = "the scenario", HelpName = "name" };
        name.CompletionSources.Add(CliKit.ScenarioNames);
        var directory = new Argument<string>("dir") { Description = "folder to write (created if missing)" };
        var export = new Command("export", "write one scenario's instance and result as CSV + JSON (docs/export.md)") { name, directory };
        export.SetAction(r => Export(new ScenariosExportOptions(r.GetValue(name)!, r.GetValue(directory)!), CliKit.Out(r)));

        var command = new Command("scenarios", "the study's scenarios: run them, or export one") { run, export };
        return command.WithExamples("""
            p2pflex scenarios run                              Table 8: ours beside the study's
            p2pflex scenarios run 1 2 --json
            p2pflex scenarios run --feeder case141              every scenario on another feeder (study columns: case69's)
            p2pflex scenarios run --feeder path/to/1-LV-rural1--0-no_sw --study-case hPV    a SimBench grid at a stress case
            p2pflex scenarios export 3-theta80 out/3-theta80
            """);
    }

    public static int Run(ScenariosRunOptions options, TextWriter output)
    {
        var all = StudyContext.LoadScenarios();
        foreach (var n in options.Names) Find(all, n);
        bool simBench = Data.SimBenchStudy.IsSimBenchFolder(options.Feeder);
        if (!simBench && !Data.FeederSetup.IsShipped(options.Feeder))
            throw new UsageException($"--feeder '{options.Feeder}' has no data files; shipped: {string.Join(", ", Data.FeederSetup.ShippedFeeders)}; or give a SimBench grid folder");
        StudyContext context;
        if (simBench)
        {
            var study = Data.SimBenchStudy.Read(options.Feeder);
            if (!study.Grid.StudyCases.Any(c => c.Name == options.StudyCase))
                throw new UsageException($"--study-case '{options.StudyCase}': {study.Name} has {string.Join(", ", study.Grid.StudyCases.Select(c => c.Name))}");
            context = study.Context(options.StudyCase);
        }
        else context = StudyContext.Load(feeder: options.Feeder);
        var chosen = options.Names.Count == 0 ? all : all.Where(s => options.Names.Contains(s.Name)).ToArray();
        var results = chosen.Select(s => ScenarioRunner.Run(s, context)).ToArray();
        if (options.Json) output.WriteLine(JsonSerializer.Serialize(results.Select(ScenarioReport.Kpis), Json));
        else
        {
            if (simBench)
                output.WriteLine($"SimBench grid {context.FeederName}, study case {options.StudyCase} (its real ratings; orderbook and peers by the study's rule; the 'study' columns are the study's case69 values)");
            else if (options.Feeder != Data.FeederSetup.StudyFeederName)
                output.WriteLine($"feeder {options.Feeder} (its shipped orderbook and P2P subset; the 'study' columns are the study's case69 values)");
            TerminalTables.Scenarios(output, results);
        }
        return 0;
    }

    public static int Export(ScenariosExportOptions options, TextWriter output)
    {
        var scenario = Find(StudyContext.LoadScenarios(), options.Name);
        var context = StudyContext.Load();
        var result = ScenarioRunner.Run(scenario, context);
        IReadOnlyDictionary<string, string> files;
        try
        {
            files = ScenarioExport.Write(result, context.Orderbook, options.Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot write the export to {options.Directory}: {e.Message}");
        }
        output.WriteLine($"scenario {options.Name} exported to {Path.GetFullPath(options.Directory)}:");
        foreach (var (file, content) in files)
        {
            bool csv = file.EndsWith(".csv", StringComparison.Ordinal);
            int rows = csv ? content.Count(c => c == '\n') - 1 : 0;
            output.WriteLine(csv ? CliKit.Invariant($"  {file,-14} {rows} rows") : $"  {file}");
        }
        return 0;
    }

    /// <summary>The scenario named <paramref name="name"/>; an unknown name is a usage error listing the known ones.</summary>
    public static ScenarioDefinition Find(IReadOnlyList<ScenarioDefinition> all, string name) =>
        all.FirstOrDefault(s => s.Name == name)
        ?? throw new UsageException($"unknown scenario '{name}'; known: {string.Join(", ", all.Select(s => s.Name))}");
}
