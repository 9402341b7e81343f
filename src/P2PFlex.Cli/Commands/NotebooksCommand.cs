using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using P2PFlex.Data;
using P2PFlex.Notebooks;
using P2PFlex.Scenarios;

namespace P2PFlex.Cli;

/// <summary>What <c>p2pflex notebooks run</c> was asked for.</summary>
public sealed record NotebooksRunOptions(IReadOnlyList<string> Notebooks, IReadOnlyDictionary<string, string> Parameters, string OutDirectory, bool Pdf = false,
    PlotlyJsMode PlotlyJs = PlotlyJsMode.Embed);

/// <summary>
/// <c>p2pflex notebooks run &lt;nb.ipynb…&gt; [-p NAME=VALUE]… [--out DIR]</c>: executes notebooks headless into DIR (executed
/// .ipynb, HTML report each, index.html with the study's Table 8). <see cref="RunNotebooks"/> is shared with
/// <c>reproduce</c>.
/// </summary>
public static class NotebooksCommand
{
    public const string DefaultOutDirectory = "reports";

    public static Command Build()
    {
        var notebooks = new Argument<string[]>("notebook.ipynb") { Description = "notebooks to run, in order", Arity = ArgumentArity.OneOrMore };
        var parameters = new Option<string[]>("--parameter", "-p")
        {
            Description = "NAME=VALUE: overrides a variable of the notebook's 'parameters' cell (repeatable)",
            HelpName = "NAME=VALUE",
        };
        parameters.Validators.Add(r =>
        {
            foreach (var t in r.Tokens)
                if (t.Value.IndexOf('=') <= 0) r.AddError($"-p needs NAME=VALUE, got '{t.Value}'");
        });
        var outDir = OutOption();
        var pdf = PdfOption();
        var plotlyJs = PlotlyJsOption(PlotlyJsMode.Embed);
        var run = new Command("run", "execute notebooks headless into DIR: executed .ipynb + HTML report each, and index.html")
        {
            notebooks, parameters, outDir, pdf, plotlyJs,
        };
        run.SetAction(r => Run(new NotebooksRunOptions(r.GetValue(notebooks)!, ParseParameters(r.GetValue(parameters) ?? []), r.GetValue(outDir)!, r.GetValue(pdf),
            r.GetValue(plotlyJs)), CliKit.Out(r), CliKit.Err(r)));
        return new Command("notebooks", "run notebooks headless") { run }.WithExamples("""
            p2pflex notebooks run notebooks/05-scenario-3.ipynb -p W=0.35 -p theta=0.8 --out reports/
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

    private static IReadOnlyDictionary<string, string> ParseParameters(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string kv in pairs)
        {
            int eq = kv.IndexOf('=');
            result[kv[..eq]] = kv[(eq + 1)..];
        }
        return result;
    }

    public static int Run(NotebooksRunOptions options, TextWriter output, TextWriter progress)
    {
        foreach (var p in options.Notebooks) if (!File.Exists(p)) throw new FileNotFoundException($"notebook {p} does not exist");
        CheckParameters(options.Notebooks, options.Parameters);
        return RunNotebooks(options.Notebooks, options.OutDirectory, options.Parameters, output, progress, options.Pdf, options.PlotlyJs);
    }

    /// <summary>
    /// Refuses -p values that do not fit a notebook (not a number where the notebook declares a double, NaN or ∞, not a
    /// variable name) before anything runs, naming notebook, parameter and value, so a typo never replaces the reports
    /// with a failed set. Notebooks that cannot be read are left to the run, which reports them.
    /// </summary>
    private static void CheckParameters(IReadOnlyList<string> notebooks, IReadOnlyDictionary<string, string> parameters)
    {
        if (parameters.Count == 0) return;
        var problems = new List<string>();
        foreach (string path in notebooks)
        {
            Notebook nb;
            try
            {
                nb = NotebookJson.Read(path);
            }
            catch (Exception e) when (e is NotebookFormatException or IOException or UnauthorizedAccessException)
            {
                continue;
            }
            problems.AddRange(NotebookParameters.Inject(nb, parameters).Problems.Select(p => $"-p for {Path.GetFileName(path)}: {p}"));
        }
        if (problems.Count > 0) throw new UsageException(string.Join("\n", problems));
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
    /// Runs the notebooks into <paramref name="outDir"/>, prints Table 8 and one line per notebook; 1 if one failed.
    /// With <paramref name="pdf"/>, every report written (a failed notebook's too) and the index are also printed to PDF,
    /// as part of the set that replaces the folder (<see cref="ReportPdfs"/>).
    /// </summary>
    public static int RunNotebooks(IReadOnlyList<string> paths, string outDir, IReadOnlyDictionary<string, string> parameters,
        TextWriter output, TextWriter progress, bool pdf = false, PlotlyJsMode plotlyJs = PlotlyJsMode.Embed)
    {
        if (pdf) ReportPdfs.CheckBrowser();   // before minutes of notebooks, not after
        var clock = Stopwatch.StartNew();
        // Checked again by the batch; here so that a wrong --out fails before the study's scenarios are computed.
        if (File.Exists(outDir)) throw new ArgumentException($"the output folder {Path.GetFullPath(outDir)} is an existing file, not a folder");
        var context = StudyContext.Load();
        var study = StudyContext.LoadScenarios().Where(s => ScenarioReport.StudyScenarioNames.Contains(s.Name))
            .Select(s => ScenarioRunner.Run(s, context)).ToArray();
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
            result = RunBatch(paths, outDir, parameters, progress, study, pdf ? ReportPdfs.Step(pdfLines) : null, plotlyJs, interrupt.Token);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            progress.WriteLine($"p2pflex: interrupted; nothing written, {outDir} is as before");
            return 130;
        }
        output.WriteLine(ScenarioReport.Table(study));
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

    /// <summary>The conceptual models CM1–CM5 side by side (notebook 07): what the grid sees, what the DSO pays, what the
    /// peers gain.</summary>
    private static ReportTable ModelsTable(StudyContext context, IReadOnlyList<ScenarioResult> study)
    {
        var ci = CultureInfo.InvariantCulture;
        var known = study.ToDictionary(r => r.Name);
        var all = StudyContext.LoadScenarios();
        var rows = ScenarioReport.ConceptualModelScenarioNames.Select(n => known.TryGetValue(n, out var r) ? r : ScenarioRunner.Run(all.Single(s => s.Name == n), context))
            .Select(r =>
            {
                var k = ScenarioReport.Kpis(r);
                string Money(double? v) => v is double x ? x.ToString("F3", ci) : "–";
                return (IReadOnlyList<string>)new[]
                {
                    r.Definition.Label, k.MarketDesign, k.CongestedLines.ToString(ci), k.OverflowSumMw.ToString("F4", ci),
                    k.P2PVolumeMw.ToString("F3", ci), ScenarioReport.FormatLfmCost(k), Money(k.Dso.TotalEur),
                    Money(k.Market.PeersWelfareEur), Money(k.Market.MediatorRevenueEur),
                    k.Market.NodalPriceMinEurPerMwh is double lo ? CliKit.Invariant($"{lo:F2} – {k.Market.NodalPriceMaxEurPerMwh:F2}") : "–",
                };
            }).ToArray();
        return new ReportTable("The conceptual models of the study's chapter 4 on the same feeder, peers and orderbook (notebook 07).",
            ["scenario", "design", "congested", "overflow sum MW", "traded MW", "LFM cost EUR", "DSO total EUR", "peers' welfare EUR", "mediator EUR", "nodal prices EUR/MWh"],
            rows);
    }

    private static NotebookBatchResult RunBatch(IReadOnlyList<string> paths, string outDir, IReadOnlyDictionary<string, string> parameters,
        TextWriter progress, IReadOnlyList<ScenarioResult> study, Func<NotebookBatchResult, CancellationToken, Task>? beforeCommit,
        PlotlyJsMode plotlyJs, CancellationToken cancellationToken)
    {
        return TerminalProgress.Notebooks(progress, paths.Count, bars => NotebookBatch.RunAsync(paths, outDir, new NotebookBatchOptions
        {
            Parameters = parameters,
            Progress = bars is null ? progress : null,
            Observer = bars,
            BeforeCommit = beforeCommit,
            PlotlyJs = plotlyJs,
            StaticChartImages = true,   // without a Chromium: one line saying so, the reports are still written
            Index = new IndexPageOptions
            {
                Title = "P2PFlex — reproduction of EUniversal D5.3, chapter 5",
                Summary = [SummaryTable(study), ModelsTable(StudyContext.Load(), study)],
            },
        }, cancellationToken).GetAwaiter().GetResult());
    }

    private static ReportTable SummaryTable(IReadOnlyList<ScenarioResult> study)
    {
        var ci = CultureInfo.InvariantCulture;
        string Cost(double? c, bool infeasible) => ScenarioReport.FormatCost(c, infeasible);
        var rows = study.Select(r =>
        {
            var k = ScenarioReport.Kpis(r);
            var s = r.Definition.Study;
            return (IReadOnlyList<string>)new[]
            {
                r.Definition.Label,
                k.CongestedLines.ToString(ci), s?.CongestedLines.ToString(ci) ?? "",
                k.OverflowSumMw.ToString("F4", ci), s?.OverflowSumMw.ToString("F2", ci) ?? "",
                k.OverflowWeightedAvgMw.ToString("F4", ci), s?.OverflowWeightedAvgMw.ToString("F2", ci) ?? "",
                ScenarioReport.FormatLfmCost(k), s is null ? "" : Cost(s.LfmCostEur, s.LfmCostEur is null),
                k.P2PVolumeMw.ToString("F3", ci), s?.P2PVolumeMw?.ToString("F2", ci) ?? "–",
            };
        }).ToArray();
        var checks = StudyPattern.Evaluate(study.ToDictionary(r => r.Name));
        return new ReportTable(
            CliKit.Invariant($"Table 8 recomputed (ours | study). Pattern of the study: {checks.Count(c => c.Holds)} of {checks.Count} checks hold."),
            ["scenario", "congested", "study", "overflow sum MW", "study", "weighted avg MW", "study", "LFM cost EUR", "study", "P2P volume MW", "study"],
            rows);
    }
}
