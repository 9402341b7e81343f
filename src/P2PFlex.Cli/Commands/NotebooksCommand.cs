using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using P2PFlex.Data;
using P2PFlex.Notebooks;
using P2PFlex.Scenarios;

namespace P2PFlex.Cli;

/// <summary>What <c>p2pflex notebooks run</c> was asked for: the notebooks, the parameters (<c>-p</c>, each a grid axis
/// of one or more values, after those of <c>-f FILE</c>), whether parameters a notebook does not declare are allowed.</summary>
public sealed record NotebooksRunOptions(IReadOnlyList<string> Notebooks, IReadOnlyList<ParameterAxis> Parameters, string OutDirectory, bool Pdf = false,
    PlotlyJsMode PlotlyJs = PlotlyJsMode.Embed, string? ParameterFile = null, bool AllowUnknownParameters = false);

/// <summary>
/// <c>p2pflex notebooks run &lt;nb.ipynb…&gt; [-p NAME=VALUE[,VALUE…]]… [-f params.json|yaml] [--out DIR]</c>: executes
/// notebooks headless into DIR (executed .ipynb, HTML report each, index.html); a parameter with several values runs
/// every combination (a grid). <c>p2pflex notebooks params NB</c> lists a notebook's parameters. The study's tables
/// are printed and indexed for the study set run as shipped (<see cref="RunNotebooks"/>, shared with
/// <c>reproduce</c>); any other run prints and indexes what its notebooks printed.
/// </summary>
public static class NotebooksCommand
{
    public const string DefaultOutDirectory = "reports";

    public static Command Build()
    {
        var notebooks = new Argument<string[]>("notebook.ipynb") { Description = "notebooks to run, in order", Arity = ArgumentArity.OneOrMore };
        var parameters = new Option<string[]>("--parameter", "-p")
        {
            Description = "NAME=VALUE: sets a variable of the notebook's 'parameters' cell (repeatable); NAME=V1,V2,… runs each value "
                          + "(several such -p: every combination, one report folder); \\, is a comma inside a value",
            HelpName = "NAME=VALUE",
        };
        parameters.Validators.Add(r =>
        {
            foreach (var t in r.Tokens)
                if (t.Value.IndexOf('=') <= 0) r.AddError($"-p needs NAME=VALUE, got '{t.Value}'");
        });
        var file = new Option<string>("--parameters-file", "-f")
        {
            Description = "parameters from a JSON or YAML file: {\"W\": 0.35, \"theta\": [0.8, 1.0]} (a list is a grid axis); -p overrides it",
            HelpName = "params.json|yaml",
        };
        var allowUnknown = new Option<bool>("--allow-unknown-parameters")
        {
            Description = "inject parameters a notebook does not declare (papermill's behaviour) instead of refusing them",
        };
        var outDir = OutOption();
        var pdf = PdfOption();
        var plotlyJs = PlotlyJsOption(PlotlyJsMode.Embed);
        var run = new Command("run", "execute notebooks headless into DIR: executed .ipynb + HTML report each, and index.html")
        {
            notebooks, parameters, file, allowUnknown, outDir, pdf, plotlyJs,
        };
        run.SetAction(r => Run(new NotebooksRunOptions(r.GetValue(notebooks)!, ParseParameters(r.GetValue(parameters) ?? []), r.GetValue(outDir)!, r.GetValue(pdf),
            r.GetValue(plotlyJs), r.GetValue(file), r.GetValue(allowUnknown)), CliKit.Out(r), CliKit.Err(r)));

        var notebook = new Argument<string>("notebook.ipynb") { Description = "the notebook" };
        var json = CliKit.Json("the parameters as JSON: [{\"name\", \"type\", \"default\"}]");
        var list = new Command("params", "list a notebook's parameters (its cell tagged 'parameters'): name, type and default") { notebook, json };
        list.SetAction(r => Params(r.GetValue(notebook)!, r.GetValue(json), CliKit.Out(r)));

        return new Command("notebooks", "run notebooks headless, list their parameters") { run, list }.WithExamples("""
            p2pflex notebooks params notebooks/05-scenario-3.ipynb
            p2pflex notebooks run notebooks/05-scenario-3.ipynb -p W=0.35 -p theta=0.8 --out reports/
            p2pflex notebooks run notebooks/05-scenario-3.ipynb -p W=0.1,0.2,0.3 -p theta=0.8,1.0 --out grid/   six runs, one index
            p2pflex notebooks run notebooks/05-scenario-3.ipynb -f params.yaml
            p2pflex notebooks run notebooks/01-feeder.ipynb --pdf
            """);
    }

    /// <summary>The <c>--pdf</c> flag of <c>notebooks run</c> and <c>reproduce</c>.</summary>
    internal static Option<bool> PdfOption() => new("--pdf")
    {
        Description = "also print each HTML report (and the index) to a PDF beside it, with a headless Chromium (docs/figures.md)",
    };

    /// <summary>The <c>--plotlyjs embed|directory</c> option of <c>notebooks run</c> and <c>reproduce</c>.</summary>
    internal static Option<PlotlyJsMode> PlotlyJsOption(PlotlyJsMode defaultMode)
    {
        var option = new Option<PlotlyJsMode>("--plotlyjs")
        {
            Description = "embed: plotly.js inside every page (single-file pages); directory: one plotly.min.js beside the reports, "
                      + "loaded by relative path (offline, one copy for the folder)",
            HelpName = "embed|directory",
            DefaultValueFactory = _ => defaultMode,
            CustomParser = r => r.Tokens.Single().Value.ToLowerInvariant() switch
            {
                "embed" => PlotlyJsMode.Embed,
                "directory" => PlotlyJsMode.Directory,
                var other => Fail(r, other),
            },
        };
        option.CompletionSources.Add("embed", "directory");
        return option;
    }

    private static PlotlyJsMode Fail(System.CommandLine.Parsing.ArgumentResult r, string value)
    {
        r.AddError($"--plotlyjs must be embed or directory, got '{value}'");
        return PlotlyJsMode.Embed;
    }

    /// <summary>The <c>--out DIR</c> option of <c>notebooks run</c> and <c>reproduce</c>.</summary>
    internal static Option<string> OutOption() => new("--out")
    {
        Description = "folder for the reports",
        HelpName = "DIR",
        DefaultValueFactory = _ => DefaultOutDirectory,
    };

    /// <summary>-p NAME=V1,V2 … as grid axes, in the order given (a name given twice: the last wins).</summary>
    private static IReadOnlyList<ParameterAxis> ParseParameters(IEnumerable<string> pairs)
    {
        var axes = new List<ParameterAxis>();
        foreach (string kv in pairs)
        {
            int eq = kv.IndexOf('=');
            string name = kv[..eq];
            axes.RemoveAll(a => a.Name == name);
            axes.Add(new ParameterAxis(name, ParameterGrid.SplitValues(kv[(eq + 1)..])));
        }
        return axes;
    }

    /// <summary>Two whole numbers split by one comma (<c>0,35</c>): for a real-valued parameter that reads as a decimal
    /// comma as easily as a grid of two values, so it is refused rather than run as the grid silently.</summary>
    private static bool IsDecimalComma(IReadOnlyList<string> values) =>
        values.Count == 2 && values.All(v => v.Length > 0 && v.All(char.IsAsciiDigit)) && !values[0].StartsWith('+');

    /// <summary><c>p2pflex notebooks params NB</c>: the notebook's parameters with their types and defaults.</summary>
    public static int Params(string path, bool json, TextWriter output)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"notebook {path} does not exist");
        var nb = NotebookJson.Read(path);
        var declared = NotebookParameters.Declared(nb);
        if (json)
        {
            output.WriteLine(System.Text.Json.JsonSerializer.Serialize(declared.Select(d => new Dictionary<string, string?>
            {
                ["name"] = d.Name,
                ["type"] = d.Type,
                ["default"] = d.Default,
            }), new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        string name = Path.GetFileName(path);
        if (NotebookParameters.FindParametersCell(nb) is null)
        {
            output.WriteLine($"{name}: no cell tagged 'parameters', so no parameters (-p is refused unless --allow-unknown-parameters)");
            return 0;
        }
        output.WriteLine(CliKit.Invariant($"{name}: {declared.Count} parameter(s), set with -p NAME=VALUE"));
        int w = Math.Max(4, declared.Max(d => (int?)d.Name.Length) ?? 0), t = Math.Max(4, declared.Max(d => (int?)(d.Type ?? "?").Length) ?? 0);
        output.WriteLine($"  {"name".PadRight(w)}  {"type".PadRight(t)}  default");
        foreach (var d in declared) output.WriteLine($"  {d.Name.PadRight(w)}  {(d.Type ?? "?").PadRight(t)}  {d.Default}");
        return 0;
    }

    public static int Run(NotebooksRunOptions options, TextWriter output, TextWriter progress)
    {
        foreach (var p in options.Notebooks) if (!File.Exists(p)) throw new FileNotFoundException($"notebook {p} does not exist");
        var axes = new List<ParameterAxis>();
        if (options.ParameterFile is string file)
        {
            if (!File.Exists(file)) throw new UsageException($"-f: parameter file {file} does not exist");
            try
            {
                axes.AddRange(NotebookParameterFile.Read(file));
            }
            catch (InvalidDataException e)
            {
                throw new UsageException("-f: " + e.Message);   // as a bad -p value: the parameters given are wrong
            }
        }
        foreach (var a in options.Parameters)
        {
            axes.RemoveAll(x => x.Name == a.Name);   // -p overrides the file
            axes.Add(a);
        }
        var jobs = Jobs(options.Notebooks, axes, options.AllowUnknownParameters, progress);
        bool study = axes.Count == 0 && SameFiles(options.Notebooks, StudyNotebooks());
        return RunNotebooks(jobs, options.OutDirectory, output, progress, options.Pdf, options.PlotlyJs, study);
    }

    private static bool SameFiles(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Select(Path.GetFullPath).Order(StringComparer.Ordinal).SequenceEqual(b.Select(Path.GetFullPath).Order(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>
    /// The runs: each notebook with every combination of the parameters it declares (all of them with
    /// <paramref name="allowUnknown"/>). A parameter no notebook declares is a usage error naming the nearest declared
    /// names; values that do not fit a notebook (not a number where it declares a double, NaN or ∞) are refused before
    /// anything runs, naming notebook, parameter and value, so a typo never replaces the reports with a failed set.
    /// </summary>
    private static IReadOnlyList<NotebookJob> Jobs(IReadOnlyList<string> notebooks, IReadOnlyList<ParameterAxis> axes, bool allowUnknown, TextWriter log)
    {
        var declared = new Dictionary<string, IReadOnlyList<DeclaredParameter>>();
        var notebookFiles = new Dictionary<string, Notebook?>();
        foreach (string path in notebooks)
        {
            try
            {
                var nb = NotebookJson.Read(path);
                notebookFiles[path] = nb;
                declared[path] = NotebookParameters.Declared(nb);
            }
            catch (Exception e) when (e is NotebookFormatException or IOException or UnauthorizedAccessException)
            {
                notebookFiles[path] = null;   // left to the run, which reports it
                declared[path] = [];
            }
        }
        var all = declared.Values.SelectMany(d => d).Select(d => d.Name).Distinct().ToArray();
        if (!allowUnknown)
        {
            var problems = new List<string>();
            foreach (var axis in axes.Where(a => !all.Contains(a.Name)))
            {
                var nearest = NotebookParameters.Nearest(axis.Name, all);
                string which = notebooks.Count == 1 ? Path.GetFileName(notebooks[0]) : "none of the notebooks";
                string has = notebooks.Count == 1 ? $"{which} has no parameter '{axis.Name}'" : $"{which} has a parameter '{axis.Name}'";
                string hint = nearest.Count > 0 ? $"; did you mean {string.Join(" or ", nearest.Select(n => $"'{n}'"))}?" : "";
                string known = all.Length > 0 ? $" (parameters: {string.Join(", ", all)}; p2pflex notebooks params NB lists them)" : " (no notebook has a cell tagged 'parameters')";
                problems.Add($"-p {axis.Name}: {has}{hint}{known}; --allow-unknown-parameters injects it anyway");
            }
            if (problems.Count > 0) throw new UsageException(string.Join("\n", problems));
        }

        List<NotebookJob> jobs;
        try
        {
            jobs = [];
            foreach (string path in notebooks)
            {
                var mine = allowUnknown ? axes : axes.Where(a => declared[path].Any(d => d.Name == a.Name)).ToList();
                foreach (var a in mine)
                    if (declared[path].FirstOrDefault(d => d.Name == a.Name)?.Type is "double" or "float" or "decimal" && IsDecimalComma(a.Values))
                        throw new ArgumentException($"-p for {Path.GetFileName(path)}: {a.Name}={string.Join(",", a.Values)} is ambiguous: a decimal comma "
                            + $"(write {a.Values[0]}.{a.Values[1]}) or a grid of {a.Values[0]} and {a.Values[1]} (write {a.Values[0]}.0,{a.Values[1]}.0)");
                foreach (var a in axes.Except(mine))
                    log.WriteLine($"notebooks: {Path.GetFileName(path)} declares no parameter '{a.Name}'; it runs without it");
                var sets = ParameterGrid.Expand(mine);
                foreach (var set in sets)
                    jobs.Add(new NotebookJob(path, set.Count == 0 ? null : set, sets.Count > 1 ? ParameterGrid.FileSuffix(set) : null));
            }
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }

        var typeProblems = new List<string>();
        foreach (var job in jobs.Where(j => j.Parameters is not null))
            if (notebookFiles[job.NotebookPath] is Notebook nb)
                typeProblems.AddRange(NotebookParameters.Inject(nb.Clone(), job.Parameters).Problems.Select(p => $"-p for {Path.GetFileName(job.NotebookPath)}: {p}"));
        if (typeProblems.Count > 0) throw new UsageException(string.Join("\n", typeProblems.Distinct()));
        return jobs;
    }

    /// <summary>The notebooks of the study walk-through, in reading order.</summary>
    public static IReadOnlyList<string> StudyNotebooks()
    {
        string root = Path.GetDirectoryName(DataPaths.BuiltIn)!;
        string dir = Path.Combine(root, "notebooks");
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"no notebooks folder at {dir}");
        return Directory.GetFiles(dir, "*.ipynb").OrderBy(f => f, StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Runs the notebook jobs into <paramref name="outDir"/>; 1 if one failed. With <paramref name="studyTables"/> (the
    /// study set as shipped: <c>reproduce</c>, or every study notebook without parameters) it prints and indexes Table 8
    /// and the conceptual models; otherwise it prints and indexes what each run printed, so a run with W = 0.35 never
    /// shows the W = 0.2 tables. Then one line per notebook. With <paramref name="pdf"/>, every report written (a
    /// failed notebook's too) and the index are also printed to PDF, as part of the set that replaces the folder
    /// (<see cref="ReportPdfs"/>).
    /// </summary>
    public static int RunNotebooks(IReadOnlyList<NotebookJob> jobs, string outDir, TextWriter output, TextWriter progress,
        bool pdf = false, PlotlyJsMode plotlyJs = PlotlyJsMode.Embed, bool studyTables = true)
    {
        if (pdf) ReportPdfs.CheckBrowser();   // before minutes of notebooks, not after
        var clock = Stopwatch.StartNew();
        // Checked again by the batch; here so that a wrong --out fails before the study's scenarios are computed.
        if (File.Exists(outDir)) throw new ArgumentException($"the output folder {Path.GetFullPath(outDir)} is an existing file, not a folder");
        // The study's tables are computed beside the notebooks (they are needed only for the index and the printout at
        // the end), so on several cores they cost no wall time: Table 8's scenarios and the conceptual models' (the
        // index's second table) on the same context.
        Task<StudyTablesRun>? studyRun = studyTables
            ? Task.Run(() =>
            {
                var context = StudyContext.Load();
                var all = StudyContext.LoadScenarios();
                var study = all.Where(s => ScenarioReport.StudyScenarioNames.Contains(s.Name)).Select(s => ScenarioRunner.Run(s, context)).ToArray();
                return new StudyTablesRun(study, ModelsTable(context, all, study));
            })
            : null;
        // Ctrl+C or SIGTERM: stop at the next cell and discard the half-written set (DIR keeps its previous reports).
        // A second signal is not intercepted and ends the process at once (the staging folder is then removed by the
        // next run into DIR).
        using var interrupt = new CancellationTokenSource();
        PosixSignalRegistration Cancel(PosixSignal signal) => PosixSignalRegistration.Create(signal, ctx =>
        {
            if (interrupt.IsCancellationRequested) return;
            ctx.Cancel = true;
            progress.WriteLine($"p2pflex: {signal}: stopping at the next cell; {outDir} keeps its previous reports");
            interrupt.Cancel();
        });
        using var sigint = Cancel(PosixSignal.SIGINT);
        using var sigterm = Cancel(PosixSignal.SIGTERM);
        NotebookBatchResult result;
        var pdfLines = new StringWriter();   // printed after the reports line, where a reader looks for the files
        try
        {
            result = RunBatch(jobs, outDir, progress, studyRun, pdf ? ReportPdfs.Step(pdfLines) : null, plotlyJs, interrupt.Token);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            progress.WriteLine($"p2pflex: interrupted; nothing written, {outDir} is as before");
            return 130;
        }
        var study = studyRun?.GetAwaiter().GetResult().Study;
        if (study is not null) output.WriteLine(ScenarioReport.Table(study));
        else
        {
            foreach (var n in result.Notebooks.Where(n => n.Result is not null))
            {
                var given = n.Result!.Parameters.Parameters;
                bool named = n.Name.EndsWith(')');   // a run of a grid is named with its parameters already
                output.WriteLine(given.Count == 0 || named ? $"== {n.Name} ==" : $"== {n.Name} ({string.Join(", ", given.Select(p => $"{p.Name} = {p.Value}"))}) ==");
                foreach (string text in NotebookTextResults.Of(n.Result!.Notebook)) output.WriteLine(text);
                output.WriteLine();
            }
        }
        foreach (var n in result.Notebooks) output.WriteLine(n.Describe());
        output.WriteLine(result.IndexPath is null ? "no index written" : $"reports: {result.IndexPath}");
        output.Write(pdfLines.ToString());
        output.WriteLine(CliKit.Invariant($"done in {clock.Elapsed.TotalSeconds:F1} s"));
        if (!result.AllSucceeded)
        {
            foreach (var f in result.Failures) progress.WriteLine($"p2pflex: notebook failed: {f.Describe()}");
            return 1;
        }
        return 0;
    }

    /// <summary>The conceptual models CM1–CM5 side by side: notebook 07's comparison table.</summary>
    private static TextTable ModelsTable(StudyContext context, IReadOnlyList<ScenarioDefinition> all, IReadOnlyList<ScenarioResult> study)
    {
        var known = study.ToDictionary(r => r.Name);
        var models = ScenarioReport.ConceptualModelScenarioNames.Select(n => known.TryGetValue(n, out var r) ? r : ScenarioRunner.Run(all.Single(s => s.Name == n), context)).ToArray();
        return P2PFlex.Display.StudyTables.Comparison(models) with
        {
            Title = "The conceptual models of the study's chapter 4 on the same feeder, peers and orderbook (notebook 07).",
        };
    }

    private static NotebookBatchResult RunBatch(IReadOnlyList<NotebookJob> jobs, string outDir,
        TextWriter progress, Task<StudyTablesRun>? study, Func<NotebookBatchResult, CancellationToken, Task>? beforeCommit,
        PlotlyJsMode plotlyJs, CancellationToken cancellationToken)
    {
        bool grid = jobs.Any(j => j.FileSuffix is not null);
        return TerminalProgress.Notebooks(progress, jobs.Count, bars => NotebookBatch.RunAsync(jobs, outDir, new NotebookBatchOptions
        {
            Progress = bars is null ? progress : null,
            Observer = bars,
            BeforeCommit = beforeCommit,
            PlotlyJs = plotlyJs,
            StaticChartImages = true,   // without a Chromium: one line saying so, the reports are still written
            // One notebook at a time: run at once (MaxParallelNotebooks = 2 on 2 cores) the study set cost 12-18 % more
            // CPU and more wall time on a shared machine (docs/notebooks.md, "Notebooks at once").
            MaxParallelNotebooks = 1,
            IndexPrintedResults = study is null,
            Index = study is null
                ? new IndexPageOptions
                {
                    Title = grid ? CliKit.Invariant($"P2PFlex — {jobs.Count} notebook runs over a parameter grid") : "P2PFlex notebooks",
                    IntroMarkdown = grid ? "Every combination of the parameters given, one run each; the parameters of each run are in its row." : null,
                }
                : new IndexPageOptions { Title = "P2PFlex — reproduction of EUniversal D5.3, chapter 5" },
            SummaryFactory = study is null ? null : _ =>
            {
                var tables = study.GetAwaiter().GetResult();
                return [SummaryTable(tables.Study), tables.Models];
            },
        }, cancellationToken).GetAwaiter().GetResult());
    }

    /// <summary>The study's results (Table 8's scenarios) and the conceptual models' table, computed beside the notebooks.</summary>
    private sealed record StudyTablesRun(IReadOnlyList<ScenarioResult> Study, TextTable Models);

    private static TextTable SummaryTable(IReadOnlyList<ScenarioResult> study)
    {
        var checks = StudyPattern.Evaluate(study.ToDictionary(r => r.Name));
        return ScenarioReport.Table8Cells(study) with
        {
            Title = CliKit.Invariant($"Table 8 recomputed, ours beside the study's. Pattern of the study: {checks.Count(c => c.Holds)} of {checks.Count} checks hold."),
        };
    }
}
