using System.CommandLine;
using System.Text.Json;
using P2PFlex.Scenarios;

namespace P2PFlex.Cli;

/// <summary>What <c>p2pflex scenarios run</c> was asked for (no names: every scenario).</summary>
/// <remarks><paramref name="StudyCase"/>: the SimBench study case (hL, n1, hW, hPV, lW, lPV) when the feeder is a SimBench folder.</remarks>
public sealed record ScenariosRunOptions(IReadOnlyList<string> Names, bool Json, string Feeder = Data.FeederSetup.StudyFeederName, string StudyCase = ScenariosCommand.DefaultStudyCase);

/// <summary>What <c>p2pflex scenarios export</c> was asked for.</summary>
public sealed record ScenariosExportOptions(string Name, string Directory, string Feeder = Data.FeederSetup.StudyFeederName);

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
        var names = new Argument<string[]>("name") { Description = "scenarios to run, by name or scenario file path (default: every scenario of the data folder)", HelpName = "name|file.json", Arity = ArgumentArity.ZeroOrMore };
        names.CompletionSources.Add(CliKit.ScenarioNames);
        var json = CliKit.Json("the KPIs of each scenario as JSON");
        var feeder = CliKit.Feeder();
        feeder.Description += "; or a SimBench grid folder";
        var studyCase = new Option<string>("--study-case")
        {
            Description = "with a SimBench folder as --feeder: its study case from StudyCases.csv (hL, n1, hW, hPV, lW, lPV; default hL)",
            HelpName = "case",
            DefaultValueFactory = _ => DefaultStudyCase,
        };
        var run = new Command("run", "run scenarios (default: every scenario file of the data folder, the study's Table 8 first) and print their KPIs") { names, json, feeder, studyCase };
        run.SetAction(r => Run(new ScenariosRunOptions(r.GetValue(names) ?? [], r.GetValue(json), r.GetValue(feeder)!, r.GetValue(studyCase)!), CliKit.Out(r), CliKit.Err(r)));

        var name = new Argument<string>("name") { Description = "the scenario, by name or scenario file path", HelpName = "name|file.json" };
        name.CompletionSources.Add(CliKit.ScenarioNames);
        var directory = new Argument<string>("dir") { Description = "folder to write (created if missing)" };
        var exportFeeder = CliKit.Feeder();
        var export = new Command("export", "write one scenario's instance and result as CSV + JSON (docs/export.md)") { name, directory, exportFeeder };
        export.SetAction(r => Export(new ScenariosExportOptions(r.GetValue(name)!, r.GetValue(directory)!, r.GetValue(exportFeeder)!), CliKit.Out(r), CliKit.Err(r)));

        var command = new Command("scenarios", "the study's scenarios: run them, or export one") { run, export };
        return command.WithExamples("""
            p2pflex scenarios run                              Table 8: ours beside the study's
            p2pflex scenarios run 1 2 --json
            p2pflex scenarios run ~/study/my-w035.json 3-theta80 your own scenario file beside the study's
            p2pflex scenarios run --feeder case141              every scenario on another feeder (study columns: case69's)
            p2pflex scenarios run --feeder case85               any radial MATPOWER case by name or path (--feeder my.m)
            p2pflex scenarios run --feeder path/to/1-LV-rural1--0-no_sw --study-case hPV    a SimBench grid at a stress case
            p2pflex scenarios export 3-theta80 out/3-theta80
            p2pflex scenarios export 1 out/1-case85 --feeder case85
            """);
    }

    public static int Run(ScenariosRunOptions options, TextWriter output, TextWriter? log = null)
    {
        log ??= TextWriter.Null;
        var catalog = LoadCatalog(options.Names, log);
        var chosen = options.Names.Count == 0 ? catalog.Scenarios : options.Names.Select(n => Find(catalog, n)).Distinct().ToArray();
        StudyContext context;
        if (TimeSeries.SimBenchStudy.IsSimBenchFolder(options.Feeder))
        {
            var study = TimeSeries.SimBenchStudy.Read(options.Feeder);
            if (!study.Grid.StudyCases.Any(c => c.Name == options.StudyCase))
                throw new UsageException($"--study-case '{options.StudyCase}': {study.Name} has {string.Join(", ", study.Grid.StudyCases.Select(c => c.Name))}");
            context = study.Context(options.StudyCase);
            output.WriteLine($"SimBench grid {context.FeederName}, study case {options.StudyCase} (its real ratings; orderbook and peers by the study's rule)");
        }
        else context = StudyContext.Load(feeder: CliKit.ResolveFeeder(options.Feeder, log).Name);
        var results = chosen.Select(s => ScenarioRunner.Run(s, context)).ToArray();
        if (options.Json)
        {
            log.WriteLine($"feeder {context.FeederName}; {Data.Provenance.DataDescription()}");
            output.WriteLine(JsonSerializer.Serialize(results.Select(ScenarioReport.Kpis), Json));
        }
        else
        {
            output.WriteLine($"feeder {context.FeederName}; {Data.Provenance.DataDescription()}");
            if (context.FeederName != Data.FeederSetup.StudyFeederName)
                output.WriteLine($"(the 'study' columns are the study's case69 values)");
            TerminalTables.Scenarios(output, results);
            foreach (var r in results)
                if (InfeasibleLfmText(r, context) is string why) output.WriteLine(why);
        }
        // Every scenario asked for: a file that could not be read fails the command, after the others ran.
        if (options.Names.Count == 0 && catalog.Problems.Count > 0)
        {
            log.WriteLine($"p2pflex: error: {catalog.Problems.Count} scenario file(s) could not be read (above); the other {results.Length} ran");
            return 1;
        }
        return 0;
    }

    /// <summary>
    /// Why a scenario's LFM is infeasible, naming each line that stays over its limit at the least total overflow the bids
    /// can reach (the LFM's phase-1 diagnosis): the overflow no bid can relieve. Null when the LFM is not infeasible.
    /// </summary>
    public static string? InfeasibleLfmText(ScenarioResult result, StudyContext context)
    {
        if (result.Lfm.Infeasibility is not { } why) return null;
        var network = context.Feeder(result.Definition.State).Network;
        var lines = why.OverloadedLines.Select(o => CliKit.Invariant($"{network.Branches[o.LineIndex].Name} by {o.ResidualOverflowMw:F4} MW"));
        return $"LFM infeasible in {result.Name}: no activation of the bids relieves {string.Join(", ", lines)} "
               + CliKit.Invariant($"(least total overflow {why.LeastTotalOverflowMw:F4} MW)");
    }

    /// <summary>
    /// The scenarios of the data folder plus every scenario file among <paramref name="arguments"/>; each file that
    /// cannot be used is a warning on <paramref name="log"/> naming it, and the others stay usable.
    /// </summary>
    public static ScenarioCatalog LoadCatalog(IEnumerable<string> arguments, TextWriter log)
    {
        var paths = arguments.Where(ScenarioCatalog.IsPath).ToArray();
        foreach (string p in paths)
            if (!File.Exists(p)) throw new UsageException($"scenario file {p} does not exist");
        var catalog = ScenarioCatalog.Load(extraFiles: paths);
        foreach (var problem in catalog.Problems) log.WriteLine($"p2pflex: warning: {problem.Message} (file skipped)");
        return catalog;
    }

    /// <summary>A scenario by name or file path; a file that could not be read is that file's error (exit 1).</summary>
    public static ScenarioDefinition Find(ScenarioCatalog catalog, string argument)
    {
        if (!ScenarioCatalog.IsPath(argument))
        {
            if (catalog.Scenarios.FirstOrDefault(s => s.Name == argument) is { } named) return named;
            string broken = catalog.Problems.Count == 0 ? "" : $" ({catalog.Problems.Count} scenario file(s) could not be read, see above)";
            throw new UsageException($"unknown scenario '{argument}'; known: {string.Join(", ", catalog.Scenarios.Select(s => s.Name))}{broken}");
        }
        string full = Path.GetFullPath(argument);
        if (catalog.Problems.FirstOrDefault(p => Path.GetFullPath(p.File) == full) is { } problem) throw new ArgumentException(problem.Message);
        return catalog.Scenarios.First(s => Path.GetFullPath(s.Source) == full);
    }

    public static int Export(ScenariosExportOptions options, TextWriter output, TextWriter? log = null)
    {
        log ??= TextWriter.Null;
        var scenario = Find(LoadCatalog([options.Name], log), options.Name);
        var feeder = CliKit.ResolveFeeder(options.Feeder, log);
        var context = StudyContext.Load(feeder: feeder.Name);
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
        output.WriteLine($"scenario {scenario.Name} on feeder {context.FeederName} exported to {Path.GetFullPath(options.Directory)} ({Data.Provenance.DataDescription()}):");
        foreach (var (file, content) in files)
        {
            bool csv = file.EndsWith(".csv", StringComparison.Ordinal);
            int rows = csv ? content.Count(c => c == '\n') - 1 : 0;
            output.WriteLine(csv ? CliKit.Invariant($"  {file,-14} {rows} rows") : $"  {file}");
        }
        return 0;
    }

}
