using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace P2PFlex.Notebooks;

/// <summary>How to run a notebook.</summary>
public sealed class NotebookRunOptions
{
    /// <summary>Parameter overrides (name → value as text), injected papermill-style; see <see cref="NotebookParameters"/>.</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>The notebook's file, if it has one: names the notebook and is the default <see cref="BaseDirectory"/>.</summary>
    public string? NotebookPath { get; init; }

    /// <summary>The folder relative <c>#r "x.dll"</c> / <c>#load "x.csx"</c> paths resolve against (default: the notebook's folder, else the current directory).</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>The name used in progress and errors (default: the file name, else the notebook's title).</summary>
    public string? NotebookName { get; init; }

    public IProgress<NotebookProgress>? Progress { get; init; }

    /// <summary>
    /// Put plotly.js (3.6 MB) into the executed notebook once, as an output just before the first chart, so that the
    /// <c>.ipynb</c> renders its charts offline in Jupyter/nbconvert/VS Code. The HTML report never needs it (it has
    /// plotly.js in its head and skips that output). Default true.
    /// </summary>
    public bool EmbedPlotlyJs { get; init; } = true;

    /// <summary>
    /// With <see cref="EmbedPlotlyJs"/>: load plotly.js from this relative URL (e.g. <c>plotly.min.js</c> beside the
    /// notebook, <see cref="P2PFlex.Display.PlotlyJs.FileName"/>) instead of embedding the 3.6 MB library; null (default) embeds it.
    /// </summary>
    public string? PlotlyJsSrc { get; init; }

    /// <summary>
    /// Compile the cells after the running one while it runs, on another thread (default true; the outputs are the same
    /// either way, <see cref="CellsCompiledAhead"/>). False compiles each cell just before it runs, on the run's thread.
    /// </summary>
    public bool CompileCellsAhead { get; init; } = true;

    /// <summary>Assemblies referenced by every cell besides <see cref="NotebookRunner.DefaultReferences"/>.</summary>
    public IReadOnlyList<Assembly> AdditionalReferences { get; init; } = [];

    /// <summary>Namespaces imported into every cell besides <see cref="NotebookRunner.DefaultImports"/>.</summary>
    public IReadOnlyList<string> AdditionalImports { get; init; } = [];
}

/// <summary>The time one code cell took.</summary>
public sealed record CellTiming(CellRef Cell, TimeSpan Elapsed, bool Succeeded);

/// <summary>The outcome of running a notebook.</summary>
/// <param name="Name">The notebook's name (file name).</param>
/// <param name="Notebook">The executed notebook: outputs, execution counts, run metadata (<c>metadata.p2pflex</c>).</param>
/// <param name="Succeeded">True when every code cell ran without error.</param>
/// <param name="FailedCell">The cell that failed (later cells were not run).</param>
/// <param name="Error">That cell's error output.</param>
/// <param name="Elapsed">Wall time of the run.</param>
/// <param name="Cells">Time per cell that was run.</param>
/// <param name="Parameters">The injected parameters.</param>
public sealed record NotebookRunResult(
    string Name,
    Notebook Notebook,
    bool Succeeded,
    CellRef? FailedCell,
    ErrorOutput? Error,
    TimeSpan Elapsed,
    IReadOnlyList<CellTiming> Cells,
    ParameterInjection Parameters)
{
    /// <summary>"grid.ipynb: ok" or "grid.ipynb: cell 7 (code cell 4/9, id 'a1b2c3d4') failed: CompilationError: line 2, …".</summary>
    public string Describe() => Succeeded ? $"{Name}: ok" : $"{Name}: {FailedCell} failed: {ErrorSummary(Error)}";

    internal static string ErrorSummary(ErrorOutput? e) =>
        e is null ? "unknown error" : $"{e.EName}: {e.EValue.Split('\n')[0]}";
}

/// <summary>
/// Runs a notebook's C# code cells in order in one Roslyn scripting session (<c>CSharpScript.Create</c>, then
/// <c>ContinueWithAsync</c>), so variables carry from cell to cell, and records per cell: stdout/stderr as
/// <c>stream</c> outputs, <c>display(x)</c> values as <c>display_data</c>, the trailing expression's value as
/// <c>execute_result</c> (both <c>text/html</c> + <c>text/plain</c> via <see cref="NotebookFormatters"/>), and compile
/// errors (with the cell's own line numbers) or exceptions as <c>error</c> outputs. After a failing cell the later
/// cells are not run. The input notebook is not modified; the result holds an executed copy.
/// <para>
/// Memory: each cell compiles to an assembly that is never unloaded (about 4.5 MB a cell measured in the prototype);
/// harmless for a batch of study notebooks, but a long-lived process running hundreds of notebooks should run them in
/// separate processes.
/// </para>
/// </summary>
public static class NotebookRunner
{
    /// <summary>The key of this runner's metadata in notebook, cell and output metadata.</summary>
    public const string MetadataKey = "p2pflex";

    /// <summary>Namespaces imported into every cell. <c>Plotly.NET</c> is left out on purpose: its <c>Frame</c> clashes with Deedle's.</summary>
    public static IReadOnlyList<string> DefaultImports { get; } =
    [
        "System", "System.IO", "System.Linq", "System.Text", "System.Globalization", "System.Collections.Generic", "System.Threading.Tasks",
        "Plotly.NET.CSharp", "Deedle", "MathNet.Numerics.LinearAlgebra",
        "P2PFlex.Data", "P2PFlex.Grid", "P2PFlex.Scenarios", "P2PFlex.Scenarios.Designs", "P2PFlex.Markets.Lfm", "P2PFlex.Markets.Orderbook", "P2PFlex.Markets.P2P",
        "P2PFlex.Interventions", "P2PFlex.Notebooks.Scripting",
    ];

    /// <summary>Assemblies every cell references: the P2PFlex library (P2PFlex.Core) and its charts and tables (P2PFlex.Display), Plotly.NET (+ C# API, FSharp.Core, DynamicObj), Deedle, MathNet, OR-Tools, Formatting.</summary>
    public static IReadOnlyList<Assembly> DefaultReferences { get; } =
    [
        typeof(P2PFlex.Data.StudyFeeder).Assembly,
        typeof(P2PFlex.Display.StudyCharts).Assembly,
        typeof(NotebookGlobals).Assembly,
        typeof(Plotly.NET.GenericChart).Assembly,
        typeof(Plotly.NET.CSharp.Chart).Assembly,
        typeof(Microsoft.FSharp.Core.FSharpOption<>).Assembly,
        typeof(DynamicObj.DynamicObj).Assembly,
        typeof(Deedle.Frame).Assembly,
        typeof(MathNet.Numerics.LinearAlgebra.Matrix<>).Assembly,
        typeof(Google.OrTools.LinearSolver.Solver).Assembly,
        typeof(Microsoft.DotNet.Interactive.Formatting.Formatter).Assembly,
        typeof(Microsoft.AspNetCore.Html.IHtmlContent).Assembly,
        typeof(System.Text.Json.JsonSerializer).Assembly,
        typeof(System.Text.Json.Nodes.JsonNode).Assembly,
    ];

    private static readonly Lazy<ScriptOptions> _baseOptions = new(() => ScriptOptions.Default
        .AddReferences(DefaultReferences)
        .AddImports(DefaultImports)
        .WithLanguageVersion(LanguageVersion.Latest)
        .WithEmitDebugInformation(true)   // line numbers in exceptions' stack traces
        .WithFileEncoding(Encoding.UTF8));

    private static readonly Lazy<IReadOnlyCollection<string>> _preloadedNames = new(() =>
        DefaultReferences.Select(a => a.GetName().Name!).ToHashSet(StringComparer.OrdinalIgnoreCase));

    /// <summary>Reads a notebook file and runs it; the file is not modified.</summary>
    public static Task<NotebookRunResult> RunFileAsync(string path, NotebookRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var nb = NotebookJson.Read(path);
        var o = options ?? new NotebookRunOptions();
        var withPath = new NotebookRunOptions
        {
            Parameters = o.Parameters,
            NotebookPath = Path.GetFullPath(path),
            BaseDirectory = o.BaseDirectory,
            NotebookName = o.NotebookName,
            Progress = o.Progress,
            EmbedPlotlyJs = o.EmbedPlotlyJs,
            PlotlyJsSrc = o.PlotlyJsSrc,
            CompileCellsAhead = o.CompileCellsAhead,
            AdditionalReferences = o.AdditionalReferences,
            AdditionalImports = o.AdditionalImports,
        };
        return RunAsync(nb, withPath, cancellationToken);
    }

    /// <summary>Runs a copy of <paramref name="notebook"/> and returns it executed.</summary>
    public static async Task<NotebookRunResult> RunAsync(Notebook notebook, NotebookRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new NotebookRunOptions();
        NotebookFormatters.EnsureRegistered();
        // Cells format numbers with the current culture ($"{x}", ToString()): run them under the invariant one, so an
        // executed notebook and its report never depend on the machine's locale. Set inside this async method, the
        // culture flows into the cells and is restored for the caller when the method returns.
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;

        var nb = notebook.Clone();
        PolyglotMetadata.EnsureNotebook(nb);
        CellIds.EnsureUnique(nb);
        string notebookPath = options.NotebookPath is null ? "" : Path.GetFullPath(options.NotebookPath);
        string name = options.NotebookName ?? (notebookPath.Length > 0 ? Path.GetFileName(notebookPath) : nb.Title() ?? "notebook");
        string baseDir = Path.GetFullPath(options.BaseDirectory ?? (notebookPath.Length > 0 ? Path.GetDirectoryName(notebookPath)! : Directory.GetCurrentDirectory()));
        var progress = options.Progress;

        foreach (var c in nb.Cells.Where(c => c.CellType == CellType.Code))
        {
            c.Outputs.Clear();
            c.ExecutionCount = null;
            c.Metadata.Remove(MetadataKey);
        }
        nb.Metadata[MetadataKey] = new JsonObject();

        var injection = NotebookParameters.Inject(nb, options.Parameters);
        var parameters = injection.Parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

        var codeCells = Enumerable.Range(0, nb.Cells.Count)
            .Where(i => nb.Cells[i].CellType == CellType.Code && !string.IsNullOrWhiteSpace(nb.Cells[i].Source)).ToList();
        progress?.Report(new(NotebookProgressKind.NotebookStarted, name, null, clock.Elapsed,
            Message: $"{codeCells.Count} code cell{(codeCells.Count == 1 ? "" : "s")}" + (parameters.Count > 0 ? ", parameters " + string.Join(", ", parameters.Select(p => $"{p.Key}={p.Value}")) : "")));
        if (injection.Cell is not null && !injection.HasParametersCell)
            progress?.Report(new(NotebookProgressKind.Warning, name, null, clock.Elapsed, Message: "no cell is tagged \"parameters\"; the parameters were injected as the first cell"));
        foreach (var p in injection.Parameters.Where(p => !p.Declared && injection.HasParametersCell))
            progress?.Report(new(NotebookProgressKind.Warning, name, null, clock.Elapsed, Message: $"parameter '{p.Name}' is not declared in the parameters cell; injected as {p.Type}"));

        var session = new NotebookSession(notebookPath, baseDir, parameters, options.EmbedPlotlyJs, plotlyJsSrc: options.PlotlyJsSrc,
            chartIdSeed: name + "\n" + string.Join("\n", parameters.Select(p => p.Key + "=" + p.Value)));
        var scriptOptions = CreateScriptOptions(options, baseDir);
        var preloaded = PreloadedAssemblyNames(options);
        // Each code cell as Roslyn will compile it, known before anything runs, so the cells can be compiled ahead of
        // their turn (CellsCompiledAhead); null for a cell that fails without compiling or cannot be compiled ahead.
        var preprocessed = new PreprocessedCell?[codeCells.Count];
        var compilable = new CellCode?[codeCells.Count];
        for (int k = 0; k < codeCells.Count; k++)
        {
            var cell = nb.Cells[codeCells[k]];
            if ((ReferenceEquals(cell, injection.Cell) && injection.Problems.Count > 0) || PolyglotMetadata.CellKernel(nb, cell) != PolyglotMetadata.KernelName)
                continue;
            var pre = preprocessed[k] = CellPreprocessor.Process(cell.Source, preloaded);
            if (pre.Error is null && pre.Packages.Count == 0 && !pre.ReadsFilesToCompile)
                compilable[k] = new CellCode(pre, CellOptions(scriptOptions, k, baseDir, name, codeCells[k]));
        }
        await using var ahead = new CellsCompiledAhead(options.CompileCellsAhead ? compilable : new CellCode?[codeCells.Count], cancellationToken);
        ahead.StartAfter(-1, null);

        // A cell that ends the process (Environment.Exit, an exception on a thread it started) takes the runner with it:
        // say which notebook and cell, on the process's stderr, before it ends (a stack overflow cannot be reported).
        CellRef? running = null;
        CellCapture? current = null;
        using var deathReport = ProcessDeathWatch.Subscribe(death =>
        {
            if (Volatile.Read(ref running) is not { } cell) return;
            string when = Volatile.Read(ref current) is null ? "after it had finished" : "while it ran";
            Console.Error.WriteLine($"p2pflex: {name}: {cell}: {death.Describe()} {when}; the process ends now and writes no executed notebook or report of this run");
            Console.Error.Flush();
        });
        ScriptState<object>? state = null;
        CellRef? failed = null;
        ErrorOutput? error = null;
        var timings = new List<CellTiming>();
        int executionCount = 0;
        for (int k = 0; k < codeCells.Count && failed is null; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int index = codeCells[k];
            var cell = nb.Cells[index];
            cell.ExecutionCount = ++executionCount;
            var cellRef = new CellRef(index, cell.Id, k + 1, codeCells.Count, executionCount);
            progress?.Report(new(NotebookProgressKind.CellStarted, name, cellRef, clock.Elapsed));
            Volatile.Write(ref running, cellRef);
            var cellClock = Stopwatch.StartNew();

            CellOutcome outcome;
            string kernel = PolyglotMetadata.CellKernel(nb, cell);
            if (ReferenceEquals(cell, injection.Cell) && injection.Problems.Count > 0)
                outcome = CellOutcome.Fail(state, Error("ParameterError", string.Join("\n", injection.Problems)));
            else if (kernel != PolyglotMetadata.KernelName)
                outcome = CellOutcome.Fail(state, Error("UnsupportedKernel",
                    $"this cell is for the '{kernel}' kernel; the P2PFlex notebook runner runs C# cells only"));
            else
            {
                PolyglotMetadata.EnsureCSharpCell(cell);
                var pre = preprocessed[k]!;
                if (pre.Error is not null) outcome = CellOutcome.Fail(state, Error("UnsupportedDirective", pre.Error));
                else
                {
                    var compiled = await ahead.TakeAsync(k).ConfigureAwait(false);
                    // A cell the work ahead stopped at is compiled now; the cells after it are compiled while it runs.
                    int after = k;
                    Action<Script<object>>? compiledNow = options.CompileCellsAhead && ahead.Stops(k) ? script => ahead.StartAfter(after, script) : null;
                    // A thread of this cell that throws after the cell has finished fails the cell running then.
                    var capture = new CellCapture();
                    capture.AfterCell = (e, thread) => Volatile.Read(ref current) is { } now && now != capture && now.TakeFault(e, thread, startedHere: false);
                    Volatile.Write(ref current, capture);
                    outcome = await RunCellAsync(session, state, pre, CellOptions(scriptOptions, k, baseDir, name, index), executionCount, cancellationToken, capture,
                        compiled, compiledNow).ConfigureAwait(false);
                    Volatile.Write(ref current, null);
                }
            }
            state = outcome.State;
            cell.Outputs.AddRange(outcome.Outputs);
            var elapsed = cellClock.Elapsed;
            cell.Metadata[MetadataKey] = new JsonObject { ["duration_s"] = Math.Round(elapsed.TotalSeconds, 3) };
            timings.Add(new CellTiming(cellRef, elapsed, outcome.Error is null));
            if (outcome.Error is not null)
            {
                failed = cellRef;
                error = outcome.Error;
            }
            progress?.Report(new(NotebookProgressKind.CellFinished, name, cellRef, clock.Elapsed, elapsed, outcome.Error is null,
                outcome.Error is null ? null : NotebookRunResult.ErrorSummary(outcome.Error)));
        }

        var total = clock.Elapsed;
        var meta = RunMetadata(nb);
        meta["runner"] = "P2PFlex.Notebooks " + (typeof(NotebookRunner).Assembly.GetName().Version?.ToString() ?? "");
        meta["status"] = failed is null ? "ok" : "failed";
        if (failed is not null)
        {
            meta["failed_cell"] = new JsonObject
            {
                ["index"] = failed.Index,
                ["id"] = failed.Id,
                ["code_cell"] = failed.CodeCellNumber,
                ["code_cells"] = failed.CodeCellCount,
                ["execution_count"] = failed.ExecutionCount,
                ["error"] = NotebookRunResult.ErrorSummary(error),
            };
        }
        meta["start_time"] = started.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        meta["duration_s"] = Math.Round(total.TotalSeconds, 3);
        progress?.Report(new(NotebookProgressKind.NotebookFinished, name, failed, total, null, failed is null,
            failed is null ? null : NotebookRunResult.ErrorSummary(error)));
        return new NotebookRunResult(name, nb, failed is null, failed, error, total, timings, injection);
    }

    /// <summary>The runner's notebook metadata (<c>metadata.p2pflex</c>), created if absent.</summary>
    public static JsonObject RunMetadata(Notebook nb)
    {
        if (nb.Metadata[MetadataKey] is JsonObject o) return o;
        var created = new JsonObject();
        nb.Metadata[MetadataKey] = created;
        return created;
    }

    /// <summary>The script options of a session: default references and imports plus the options' own, paths relative to <paramref name="baseDir"/>.</summary>
    internal static ScriptOptions CreateScriptOptions(NotebookRunOptions options, string baseDir) => _baseOptions.Value
        .AddReferences(options.AdditionalReferences)
        .AddImports(options.AdditionalImports)
        .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(baseDir))
        .WithSourceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, baseDir));

    /// <summary>
    /// The script options of the <paramref name="k"/>-th code cell (cell <paramref name="index"/> of the notebook), whose
    /// file path names notebook and cell in errors and stack traces. Only the first cell carries the references: later
    /// cells inherit them through the submission chain, and giving them again made Roslyn bind every referenced
    /// assembly anew for each cell (as in the kernel, <c>KernelScriptSession</c>).
    /// </summary>
    private static ScriptOptions CellOptions(ScriptOptions scriptOptions, int k, string baseDir, string name, int index) =>
        (k == 0 ? scriptOptions : scriptOptions.WithReferences(Array.Empty<MetadataReference>()))
            .WithFilePath(Path.Combine(baseDir, $"{name} [cell {index + 1}]"));

    /// <summary>Names of the assemblies every cell already references (a <c>#r</c> of one of them is turned into a comment).</summary>
    internal static IReadOnlyCollection<string> PreloadedAssemblyNames(NotebookRunOptions options) =>
        options.AdditionalReferences.Count == 0 ? _preloadedNames.Value
            : _preloadedNames.Value.Concat(options.AdditionalReferences.Select(a => a.GetName().Name!)).ToHashSet(StringComparer.OrdinalIgnoreCase);

    internal sealed record CellOutcome(ScriptState<object>? State, List<NotebookOutput> Outputs, ErrorOutput? Error)
    {
        public static CellOutcome Fail(ScriptState<object>? state, ErrorOutput error) => new(state, [error], error);
    }

    /// <summary>
    /// Runs one preprocessed cell (also used by the Jupyter kernel, P2PFlex.Kernel, with its own <paramref name="capture"/>).
    /// <paramref name="compiled"/> is the cell's script compiled ahead (<see cref="CellsCompiledAhead"/>), continuing
    /// <paramref name="state"/>'s script; null to compile it here. <paramref name="compiledNow"/>, if given, receives the
    /// script compiled here before it runs.
    /// </summary>
    internal static async Task<CellOutcome> RunCellAsync(NotebookSession session, ScriptState<object>? state, PreprocessedCell pre,
        ScriptOptions options, int executionCount, CancellationToken cancellationToken, CellCapture? capture = null,
        Script<object>? compiled = null, Action<Script<object>>? compiledNow = null)
    {
        capture ??= new CellCapture();
        session.CellCancellation = cancellationToken;
        foreach (var note in pre.Notes) capture.Stderr.WriteLine(note);
        ErrorOutput? error = null;
        if (pre.Packages.Count > 0)
        {
            // Packages beyond the preloaded ones: restored now, referenced by this cell and, through the submission
            // chain, by every later one.
            try
            {
                var paths = await NuGetPackages.RestoreAsync(pre.Packages, session.BaseDirectory, _preloadedNames.Value, cancellationToken).ConfigureAwait(false);
                // An assembly this process has loaded already (e.g. one Roslyn itself uses) is referenced as loaded: a
                // second copy of it from the package would be a different assembly at run time.
                var loaded = AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0)
                    .GroupBy(a => a.GetName().Name!, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Location, StringComparer.OrdinalIgnoreCase);
                options = options.AddReferences(paths.Select(p =>
                    MetadataReference.CreateFromFile(loaded.TryGetValue(Path.GetFileNameWithoutExtension(p), out var location) ? location : p)));
            }
            catch (NuGetRestoreException e)
            {
                capture.Finish();
                var failed = Error("NuGetRestoreError", $"line {pre.Packages[0].Line}: " + e.Message);
                return new CellOutcome(state, [.. capture.ToOutputs(), failed], failed);
            }
        }
        using (session.Enter(capture))
        {
            try
            {
                // As CSharpScript.RunAsync and ScriptState.ContinueWithAsync do, with the script made (and compiled) apart.
                var script = compiled ?? (state is null
                    ? CSharpScript.Create<object>(pre.Code, options, typeof(NotebookGlobals))
                    : state.Script.ContinueWith<object>(pre.Code, options));
                if (compiled is null && compiledNow is not null)
                {
                    script.CreateDelegate(cancellationToken);   // a compile error throws here, as it would in the run
                    compiledNow(script);
                }
                state = state is null
                    ? await script.RunAsync(session.Globals, _ => true, cancellationToken).ConfigureAwait(false)
                    : await script.RunFromAsync(state, _ => true, cancellationToken).ConfigureAwait(false);
                if (state.Exception is { } ex) error = RuntimeError(ex);
                else if (state.ReturnValue is { } value and not DisplayedValue)
                {
                    try { capture.Add(session.Format(value, [], capture, executionCount)); }
                    catch (Exception fe) { error = RuntimeError(fe, "while formatting the cell's value: "); }
                }
            }
            catch (CompilationErrorException ce)
            {
                error = CompileError(ce, pre.Code);
            }
        }
        // A thread the cell started that threw while it ran (CellFaults): its error is among the outputs already.
        capture.Finish();
        var outputs = capture.ToOutputs();
        if (error is not null) outputs.Add(error);
        else if (capture.Fault is { } fault) error = fault;
        return new CellOutcome(state, outputs, error);
    }

    private static ErrorOutput Error(string ename, string message) =>
        new(ename, message, [$"{ename}: " + message.Split('\n')[0], .. message.Split('\n').Skip(1)]);

    /// <summary>Compile diagnostics with the cell's own line and column numbers, each followed by the line and a caret.</summary>
    internal static ErrorOutput CompileError(CompilationErrorException e, string code)
    {
        var lines = code.Split('\n');
        var diagnostics = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (diagnostics.Count == 0) diagnostics = e.Diagnostics.ToList();
        var messages = new List<string>();
        var traceback = new List<string>();
        foreach (var d in diagnostics)
        {
            string message = d.GetMessage(CultureInfo.InvariantCulture);
            if (d.Location.IsInSource)
            {
                var pos = d.Location.GetLineSpan().StartLinePosition;
                string head = $"line {pos.Line + 1}, column {pos.Character + 1}: error {d.Id}: {message}";
                messages.Add(head);
                traceback.Add(head);
                if (pos.Line < lines.Length)
                {
                    string src = lines[pos.Line].TrimEnd('\r');
                    string gutter = (pos.Line + 1).ToString(CultureInfo.InvariantCulture).PadLeft(4);
                    traceback.Add($"{gutter} | {src}");
                    traceback.Add($"{new string(' ', gutter.Length)} | {new string(' ', Math.Min(pos.Character, src.Length))}^");
                }
            }
            else
            {
                string head = $"error {d.Id}: {message}";
                messages.Add(head);
                traceback.Add(head);
            }
        }
        return new ErrorOutput("CompilationError", string.Join("\n", messages), traceback);
    }

    internal static ErrorOutput RuntimeError(Exception ex, string prefix = "")
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } or TargetInvocationException && ex.InnerException is not null)
            ex = ex.InnerException!;
        string ename = ex.GetType().FullName ?? ex.GetType().Name;
        var traceback = new List<string> { $"{ename}: {prefix}{ex.Message}" };
        foreach (var line in ex.ToString().Split('\n').Skip(1).Select(l => l.TrimEnd('\r')))
        {
            // Roslyn's own frames and async plumbing say nothing about the cell.
            if (line.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal)
                || line.Contains("System.Runtime.CompilerServices.TaskAwaiter", StringComparison.Ordinal)
                || line.Contains("System.Runtime.ExceptionServices.ExceptionDispatchInfo", StringComparison.Ordinal)
                || line.Contains("--- End of stack trace from previous location", StringComparison.Ordinal))
                continue;
            traceback.Add(line);
        }
        return new ErrorOutput(ename, prefix + ex.Message, traceback);
    }
}
