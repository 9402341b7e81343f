using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.IO;

namespace P2PFlex.Cli;

/// <summary>The commands of <c>p2pflex</c>. Each writes its result to the given writer; errors are exceptions.</summary>
public static class Commands
{
    public const string Usage = """
        p2pflex — P2P trading, DSO interventions and local flexibility markets on MATPOWER feeders

        usage:
          p2pflex reproduce [--out DIR]          the main job: run every notebook into reports/ (executed .ipynb + HTML)
                                                 and print the index and the study's Table 8 beside ours
          p2pflex notebooks run <nb.ipynb…> [-p NAME=VALUE]… [--out DIR]
                                                 execute notebooks headless; -p overrides the 'parameters' cell
          p2pflex powerflow <case.m> [--json]    AC power flow (Newton–Raphson) of a MATPOWER case
          p2pflex gridcheck [--state base|extreme] [--json]
                                                 DC grid check of case69 with the study's line limits
          p2pflex scenarios run [name…] [--json] run the study's scenarios (0p 1p 0 1 2 3-theta80 3-theta100 1pp)
          p2pflex scenarios export <name> <dir>  write one scenario's instance and result as CSV + JSON (docs/export.md)
          p2pflex sweep --scenario <name> --param W|theta --from A --to B --step S [--json|--csv]
                                                 KPIs of a scenario over one intervention parameter (sequential,
                                                 warm-started; progress on stderr)
          p2pflex bench [--json] [--runs N] [--warmup N] [--memory-runs N]
                                                 time the main operations (median, min, max ms) and the memory of W re-solves
          p2pflex data generate                  rewrite the derived data files (limits, loading states) from their rules
          p2pflex data verify                    check the shipped derived data files against their rules
          p2pflex kernel install [--user|--prefix DIR]
                                                 register the "P2PFlex C#" Jupyter kernel (kernel start runs it)
          p2pflex help                           this text
        """;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// Runs a command and turns failures into a message on <paramref name="error"/> and an exit code:
    /// 1 for bad input data or a failed computation, 2 for a usage error.
    /// </summary>
    public static int Execute(string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            return Run(args, output);
        }
        catch (UsageException e)
        {
            error.WriteLine($"p2pflex: {e.Message}");
            error.WriteLine("run 'p2pflex help' for the commands");
            return 2;
        }
        catch (Exception e) when (e is Grid.Matpower.MatpowerFormatException or DataFormatException or FileNotFoundException
                                      or DirectoryNotFoundException or ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            error.WriteLine($"p2pflex: error: {e.Message}");
            return 1;
        }
    }

    public static int Run(string[] args, TextWriter output)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            output.WriteLine(Usage);
            return 0;
        }
        string command = args[0];
        var rest = args.Skip(1);
        return command switch
        {
            "powerflow" => PowerFlow(new CliArguments(rest, new HashSet<string> { "json" }), output),
            "gridcheck" => GridCheckCommand(new CliArguments(rest, new HashSet<string> { "json" }), output),
            "data" => DataCommand(new CliArguments(rest, new HashSet<string>()), output),
            "scenarios" => ScenariosCommand(new CliArguments(rest, new HashSet<string> { "json" }), output),
            "notebooks" => NotebooksCommand(rest.ToArray(), output),
            "sweep" => SweepCommand.Run(new CliArguments(rest, new HashSet<string> { "json", "csv" }), output),
            "bench" => BenchCommand.Run(new CliArguments(rest, new HashSet<string> { "json" }), output),
            "reproduce" => Reproduce(new CliArguments(rest, new HashSet<string>()), output),
            "kernel" => KernelCommand.Run(rest.ToArray(), output),
            _ => throw new UsageException($"unknown command '{command}'"),
        };
    }

    private static int PowerFlow(CliArguments a, TextWriter output)
    {
        bool json = a.Flag("json");
        a.RejectUnknown();
        if (a.Positional.Count != 1) throw new UsageException("powerflow needs exactly one case file: p2pflex powerflow <case.m> [--json]");
        var network = GridNetwork.Load(a.Positional[0]);
        var result = AcPowerFlow.Solve(network);
        if (json)
        {
            var doc = new
            {
                Case = network.Name,
                result.Converged,
                Status = result.Status.ToString(),
                result.Iterations,
                MaxMismatchPu = result.MaxMismatchPu,
                LossesMw = result.LossesMw,
                Buses = result.Voltages.Select(v => new { v.Bus, v.VmPu, v.VaDeg }),
                Branches = result.BranchFlows.Select(f => new
                {
                    Index = f.CaseIndex, f.FromBus, f.ToBus, f.PFromMw, QFromMvar = f.QFromMvar, f.PToMw, QToMvar = f.QToMvar,
                }),
            };
            output.WriteLine(JsonSerializer.Serialize(doc, Json));
        }
        else
        {
            var vmin = result.MinimumVoltage;
            var vmax = result.Voltages.MaxBy(v => v.VmPu)!;
            output.WriteLine($"{network.Name}: {network.Buses.Count} buses, {network.Branches.Count} in-service branches, base {network.BaseMva:G6} MVA");
            output.WriteLine($"  {result.Message}");
            output.WriteLine(Invariant($"  total load       {network.Buses.Sum(b => b.PdMw),12:F6} MW  {network.Buses.Sum(b => b.QdMvar),12:F6} MVAr"));
            output.WriteLine(Invariant($"  losses           {result.LossesMw * 1000,12:F3} kW"));
            output.WriteLine(Invariant($"  minimum voltage  {vmin.VmPu,12:F6} p.u. at bus {vmin.Bus}"));
            output.WriteLine(Invariant($"  maximum voltage  {vmax.VmPu,12:F6} p.u. at bus {vmax.Bus}"));
        }
        return result.Converged ? 0 : 1;
    }

    private static StudyState ParseState(string? s) => s switch
    {
        null or "base" => StudyState.Base,
        "extreme" => StudyState.Extreme,
        _ => throw new UsageException($"--state must be 'base' or 'extreme', not '{s}'"),
    };

    private static int GridCheckCommand(CliArguments a, TextWriter output)
    {
        bool json = a.Flag("json");
        var state = ParseState(a.Option("state"));
        a.RejectUnknown();
        if (a.Positional.Count > 0) throw new UsageException("gridcheck takes no positional arguments");
        var feeder = StudyFeeder.Load(state);
        var check = feeder.Check();
        if (json) output.WriteLine(JsonSerializer.Serialize(GridCheckDocument(feeder, check), Json));
        else WriteGridCheck(feeder, check, output, listAllLines: true);
        return 0;
    }

    private static object GridCheckDocument(StudyFeeder feeder, GridCheckResult check) => new
    {
        Case = feeder.Network.Name,
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
            Index = l.CaseIndex, l.FromBus, l.ToBus, l.FlowMw, l.LimitMw, l.Occupancy, l.OverflowMw, l.Congested,
        }),
    };

    private static void WriteGridCheck(StudyFeeder feeder, GridCheckResult check, TextWriter output, bool listAllLines)
    {
        output.WriteLine($"Grid check of {feeder.Network.Name}, {feeder.State.ToString().ToLowerInvariant()} state ({feeder.Loading.Description})");
        output.WriteLine(Invariant($"  congested lines            {check.CongestedLineCount,8}   [{string.Join(", ", check.Lines.Where(l => l.Congested).Select(l => $"{l.CaseIndex} ({l.Label})"))}]"));
        output.WriteLine(Invariant($"  overflow sum               {check.OverflowSumMw,8:F4} MW"));
        output.WriteLine(Invariant($"  weighted average overflow  {check.OverflowWeightedAverageMw,8:F4} MW"));
        output.WriteLine(Invariant($"  average occupancy          {check.AverageOccupancy * 100,8:F1} %"));
        output.WriteLine(Invariant($"  lines above 60 %           {check.LinesAbove60Percent,8}   of {check.Lines.Count} ({check.ShareAbove60Percent * 100:F2} %)"));
        if (!listAllLines) return;
        output.WriteLine();
        output.WriteLine("  index  line      flow_mw  limit_mw  occupancy  overflow_mw");
        foreach (var l in check.Lines)
            output.WriteLine(Invariant($"  {l.CaseIndex,5}  {l.Label,-7} {l.FlowMw,9:F4} {l.LimitMw,9:F4} {l.Occupancy * 100,9:F1}% {l.OverflowMw,11:F4}{(l.Congested ? "  congested" : "")}"));
    }

    private static int ScenariosCommand(CliArguments a, TextWriter output)
    {
        bool json = a.Flag("json");
        a.RejectUnknown();
        if (a.Positional.Count > 0 && a.Positional[0] == "export") return ScenariosExport(a, json, output);
        if (a.Positional.Count == 0 || a.Positional[0] != "run") throw new UsageException("usage: p2pflex scenarios run [name…] [--json] | p2pflex scenarios export <name> <dir>");
        var context = Scenarios.StudyContext.Load();
        var all = Scenarios.StudyContext.LoadScenarios();
        var names = a.Positional.Skip(1).ToArray();
        foreach (var n in names)
            if (!all.Any(s => s.Name == n)) throw new UsageException($"unknown scenario '{n}'; known: {string.Join(", ", all.Select(s => s.Name))}");
        var chosen = names.Length == 0 ? all : all.Where(s => names.Contains(s.Name)).ToArray();
        var results = chosen.Select(s => Scenarios.ScenarioRunner.Run(s, context)).ToArray();
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(results.Select(Scenarios.ScenarioReport.Kpis), Json));
            return 0;
        }
        output.WriteLine(Scenarios.ScenarioReport.Table(results));
        return 0;
    }

    private static int ScenariosExport(CliArguments a, bool json, TextWriter output)
    {
        if (json) throw new UsageException("scenarios export takes no --json: it always writes CSV files and scenario.json");
        if (a.Positional.Count != 3) throw new UsageException("usage: p2pflex scenarios export <name> <dir>");
        string name = a.Positional[1], directory = a.Positional[2];
        var all = Scenarios.StudyContext.LoadScenarios();
        var scenario = all.FirstOrDefault(s => s.Name == name)
            ?? throw new UsageException($"unknown scenario '{name}'; known: {string.Join(", ", all.Select(s => s.Name))}");
        var context = Scenarios.StudyContext.Load();
        var result = Scenarios.ScenarioRunner.Run(scenario, context);
        IReadOnlyDictionary<string, string> files;
        try
        {
            files = Scenarios.ScenarioExport.Write(result, context.Orderbook, directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot write the export to {directory}: {e.Message}");
        }
        output.WriteLine($"scenario {name} exported to {Path.GetFullPath(directory)}:");
        foreach (var (file, content) in files)
        {
            int rows = file.EndsWith(".csv", StringComparison.Ordinal) ? content.Count(c => c == '\n') - 1 : 0;
            output.WriteLine(file.EndsWith(".csv", StringComparison.Ordinal) ? $"  {file,-14} {rows} rows" : $"  {file}");
        }
        return 0;
    }

    private static int DataCommand(CliArguments a, TextWriter output)
    {
        a.RejectUnknown();
        if (a.Positional.Count != 1 || a.Positional[0] is not ("generate" or "verify"))
            throw new UsageException("usage: p2pflex data generate|verify");
        var files = StudyDataGenerator.Files(DataPaths.Root);
        int stale = 0;
        foreach (var (relative, content) in files)
        {
            string path = DataPaths.Of(relative);
            bool same = File.Exists(path) && File.ReadAllText(path) == content;
            if (a.Positional[0] == "generate")
            {
                if (!same) CsvTable.WriteAtomically(path, content);
                output.WriteLine($"{(same ? "unchanged" : "written  ")} {path}");
            }
            else
            {
                output.WriteLine($"{(same ? "ok   " : "STALE")} {path}");
                if (!same) stale++;
            }
        }
        return stale == 0 ? 0 : 1;
    }

    /// <summary>The notebooks of the study walk-through, in reading order.</summary>
    public static IReadOnlyList<string> StudyNotebooks()
    {
        string root = Path.GetDirectoryName(DataPaths.Root)!;
        string dir = Path.Combine(root, "notebooks");
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"no notebooks folder at {dir}");
        return Directory.GetFiles(dir, "*.ipynb").OrderBy(f => f, StringComparer.Ordinal).ToArray();
    }

    private static int NotebooksCommand(string[] args, TextWriter output)
    {
        if (args.Length == 0 || args[0] != "run") throw new UsageException("usage: p2pflex notebooks run <notebook.ipynb…> [-p NAME=VALUE]… [--out DIR]");
        var paths = new List<string>();
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        string outDir = "reports";
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] is "-p" or "--parameter")
            {
                if (i + 1 >= args.Length) throw new UsageException("-p needs NAME=VALUE");
                string kv = args[++i];
                int eq = kv.IndexOf('=');
                if (eq <= 0) throw new UsageException($"-p needs NAME=VALUE, got '{kv}'");
                parameters[kv[..eq]] = kv[(eq + 1)..];
            }
            else if (args[i] == "--out")
            {
                if (i + 1 >= args.Length) throw new UsageException("--out needs a folder");
                outDir = args[++i];
            }
            else if (args[i].StartsWith('-')) throw new UsageException($"unknown option {args[i]}");
            else paths.Add(args[i]);
        }
        if (paths.Count == 0) throw new UsageException("notebooks run needs at least one notebook");
        foreach (var p in paths) if (!File.Exists(p)) throw new FileNotFoundException($"notebook {p} does not exist");
        return RunNotebooks(paths, outDir, parameters, output);
    }

    private static int RunNotebooks(IReadOnlyList<string> paths, string outDir, IReadOnlyDictionary<string, string> parameters, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        var context = Scenarios.StudyContext.Load();
        var study = Scenarios.StudyContext.LoadScenarios().Where(s => Scenarios.ScenarioReport.StudyScenarioNames.Contains(s.Name))
            .Select(s => Scenarios.ScenarioRunner.Run(s, context)).ToArray();
        var result = Notebooks.NotebookBatch.RunAsync(paths, outDir, new Notebooks.NotebookBatchOptions
        {
            Parameters = parameters,
            Progress = Console.Error,
            Index = new Notebooks.IndexPageOptions
            {
                Title = "P2PFlex — reproduction of EUniversal D5.3, chapter 5",
                Summary = [SummaryTable(study)],
            },
        }).GetAwaiter().GetResult();
        output.WriteLine(Scenarios.ScenarioReport.Table(study));
        foreach (var n in result.Notebooks) output.WriteLine(n.Describe());
        output.WriteLine(result.IndexPath is null ? "no index written" : $"reports: {result.IndexPath}");
        output.WriteLine(Invariant($"done in {clock.Elapsed.TotalSeconds:F1} s"));
        if (!result.AllSucceeded)
        {
            foreach (var f in result.Failures) Console.Error.WriteLine($"p2pflex: notebook failed: {f.Describe()}");
            return 1;
        }
        return 0;
    }

    private static Notebooks.ReportTable SummaryTable(IReadOnlyList<Scenarios.ScenarioResult> study)
    {
        var ci = CultureInfo.InvariantCulture;
        string Cost(double? c, bool infeasible) => Scenarios.ScenarioReport.FormatCost(c, infeasible);
        var rows = study.Select(r =>
        {
            var k = Scenarios.ScenarioReport.Kpis(r);
            var s = r.Definition.Study;
            return (IReadOnlyList<string>)new[]
            {
                r.Definition.Label,
                k.CongestedLines.ToString(ci), s?.CongestedLines.ToString(ci) ?? "",
                k.OverflowSumMw.ToString("F4", ci), s?.OverflowSumMw.ToString("F2", ci) ?? "",
                k.OverflowWeightedAvgMw.ToString("F4", ci), s?.OverflowWeightedAvgMw.ToString("F2", ci) ?? "",
                Cost(k.LfmCostEur, k.LfmStatus == "Infeasible"), s is null ? "" : Cost(s.LfmCostEur, s.LfmCostEur is null),
                k.P2PVolumeMw.ToString("F3", ci), s?.P2PVolumeMw?.ToString("F2", ci) ?? "–",
            };
        }).ToArray();
        var checks = Scenarios.StudyPattern.Evaluate(study.ToDictionary(r => r.Name));
        return new Notebooks.ReportTable(
            $"Table 8 recomputed (ours | study). Pattern of the study: {checks.Count(c => c.Holds)} of {checks.Count} checks hold.",
            ["scenario", "congested", "study", "overflow sum MW", "study", "weighted avg MW", "study", "LFM cost EUR", "study", "P2P volume MW", "study"],
            rows);
    }

    private static int Reproduce(CliArguments a, TextWriter output)
    {
        string outDir = a.Option("out") ?? "reports";
        a.RejectUnknown();
        if (a.Positional.Count > 0) throw new UsageException("reproduce takes no positional arguments");
        return RunNotebooks(StudyNotebooks(), outDir, new Dictionary<string, string>(), output);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
