using System.Globalization;
using System.Reflection;
using System.Text;
using P2PFlex.IO;

namespace P2PFlex.Notebooks;

/// <summary>How <see cref="NotebookBatch"/> runs its notebooks.</summary>
public sealed class NotebookBatchOptions
{
    /// <summary>Parameters injected into every notebook (papermill semantics: also into notebooks that do not declare them).</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>Where progress lines go (e.g. <c>Console.Error</c>); null for none.</summary>
    public TextWriter? Progress { get; init; }

    /// <summary>Also receives every progress event of every notebook (e.g. a terminal progress display); null for none.</summary>
    public IProgress<NotebookProgress>? Observer { get; init; }

    /// <summary>Also print a line when each cell starts (default true: a long cell is visible while it runs).</summary>
    public bool ProgressCellStarts { get; init; } = true;

    /// <summary>Title, intro and summary tables of <c>index.html</c>.</summary>
    public IndexPageOptions Index { get; init; } = new();

    /// <summary>Show on the index what each notebook printed (<see cref="NotebookTextResults"/>): for runs whose results
    /// are not the study's tables (one notebook, parameters, a grid).</summary>
    public bool IndexPrintedResults { get; init; }

    /// <summary>Summary tables computed from the runs (appended after <see cref="IndexPageOptions.Summary"/>).</summary>
    public Func<IReadOnlyList<NotebookRunStatus>, IReadOnlyList<P2PFlex.Scenarios.TextTable>>? SummaryFactory { get; init; }

    /// <summary>See <see cref="NotebookRunOptions.EmbedPlotlyJs"/>.</summary>
    public bool EmbedPlotlyJs { get; init; } = true;

    /// <summary>
    /// Where the pages get plotly.js from: embedded in each (default) or one <see cref="P2PFlex.Display.PlotlyJs.FileName"/> beside
    /// them, written into the output folder with the set.
    /// </summary>
    public PlotlyJsMode PlotlyJs { get; init; } = PlotlyJsMode.Embed;

    /// <summary>
    /// Give every chart output a static picture (<see cref="StaticChartImages"/>), drawn by a headless Chromium started
    /// once for the batch. Without a Chromium the batch says so once on <see cref="Progress"/> and goes on without them.
    /// </summary>
    public bool StaticChartImages { get; init; }

    /// <summary>
    /// How many notebooks run at once (default 1: one after another). Each job's reports, executed notebook, status and
    /// index row are the same whatever the number (the set is byte-identical but for the times measured); progress lines
    /// keep their <c>[i/n]</c> prefix and may interleave. The CLI uses the processor count: on 2 cores the notebooks'
    /// single-threaded cells (script compilation, most study cells) overlap with each other and with the static pictures.
    /// </summary>
    public int MaxParallelNotebooks { get; init; } = 1;

    /// <summary>The Chromium for <see cref="StaticChartImages"/> (default: <see cref="ChromiumLocator"/>'s search).</summary>
    public string? ChromiumPath { get; init; }

    public IReadOnlyList<Assembly> AdditionalReferences { get; init; } = [];
    public IReadOnlyList<string> AdditionalImports { get; init; } = [];

    /// <summary>
    /// Called once the whole set (reports, executed notebooks, index) is written into the staging folder, before it is
    /// swapped into place, with the statuses naming the staged files; whatever it writes beside them (e.g. a PDF of each
    /// report, <see cref="PdfExport.WriteForBatchAsync"/>) becomes part of the set. An exception abandons the set: the
    /// output folder keeps its previous reports.
    /// </summary>
    public Func<NotebookBatchResult, CancellationToken, Task>? BeforeCommit { get; init; }
}

/// <summary>One notebook run of a batch: the notebook, its parameters (null: its defaults) and, for a run of a grid, the
/// suffix that keeps its files apart from the other runs of the same notebook (<see cref="ParameterGrid.FileSuffix"/>).</summary>
public sealed record NotebookJob(string NotebookPath, IReadOnlyDictionary<string, string>? Parameters = null, string? FileSuffix = null);

/// <summary>What happened to one notebook of a batch.</summary>
/// <param name="NotebookPath">The input file.</param>
/// <param name="Name">Its file name.</param>
/// <param name="Succeeded">True when it was read and every code cell ran without error.</param>
/// <param name="FailedCell">The cell that failed (null if it could not be read or run at all).</param>
/// <param name="Error">The error's summary (cell error, or why the notebook could not be read/run).</param>
/// <param name="ExecutedNotebookPath">The executed <c>.ipynb</c> written (null if none).</param>
/// <param name="ReportPath">The HTML report written (null if none).</param>
/// <param name="Elapsed">Time spent on it.</param>
/// <param name="Result">The run itself (null if the notebook could not be read).</param>
public sealed record NotebookRunStatus(
    string NotebookPath,
    string Name,
    bool Succeeded,
    CellRef? FailedCell,
    string? Error,
    string? ExecutedNotebookPath,
    string? ReportPath,
    TimeSpan Elapsed,
    NotebookRunResult? Result)
{
    /// <summary>"grid.ipynb: ok", "grid.ipynb: cell 7 (code cell 4/9, id '…') failed: …" or "grid.ipynb: failed: …".</summary>
    public string Describe() =>
        Succeeded ? $"{Name}: ok"
        : FailedCell is not null ? $"{Name}: {FailedCell} failed: {Error}"
        : $"{Name}: failed: {Error}";
}

/// <summary>The outcome of a batch.</summary>
public sealed record NotebookBatchResult(string OutputDirectory, string? IndexPath, IReadOnlyList<NotebookRunStatus> Notebooks)
{
    public bool AllSucceeded => Notebooks.All(n => n.Succeeded);
    public IReadOnlyList<NotebookRunStatus> Failures => Notebooks.Where(n => !n.Succeeded).ToList();

    /// <summary>One line per notebook (see <see cref="NotebookRunStatus.Describe"/>).</summary>
    public string Describe() => string.Join("\n", Notebooks.Select(n => n.Describe()));
}

/// <summary>
/// Runs notebooks into an output folder (one after another, or several at once with
/// <see cref="NotebookBatchOptions.MaxParallelNotebooks"/>): for each, the executed <c>&lt;name&gt;.ipynb</c> and
/// <c>&lt;name&gt;.html</c>, then an <c>index.html</c> linking them. A notebook that fails (or cannot be read) does not
/// stop the others, so one run reports every failure. The whole set is written into a staging folder and swapped into
/// place only when every notebook succeeded and every file is written and flushed (<see cref="FolderSwap"/>): a failing
/// notebook, a full disk or a permission error leaves the previous set byte-identical (the statuses and the error say
/// what failed) and removes the staging folder; the output folder holds the previous complete set or the new one, never
/// a mix or a set with failures, and is replaced as a whole. The statuses name the failing cell, so a command line can exit non-zero naming notebook and cell:
/// <code>
/// var result = await NotebookBatch.RunAsync(paths, "out/notebooks", parameters, Console.Error);
/// foreach (var f in result.Failures) Console.Error.WriteLine(f.Describe());
/// return result.AllSucceeded ? 0 : 1;
/// </code>
/// </summary>
public static class NotebookBatch
{
    public const string IndexFileName = "index.html";

    public static Task<NotebookBatchResult> RunAsync(IEnumerable<string> notebookPaths, string outDir,
        IReadOnlyDictionary<string, string>? parameters = null, TextWriter? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(notebookPaths, outDir, new NotebookBatchOptions { Parameters = parameters, Progress = progress }, cancellationToken);

    public static Task<NotebookBatchResult> RunAsync(IEnumerable<string> notebookPaths, string outDir, NotebookBatchOptions options,
        CancellationToken cancellationToken = default) =>
        RunAsync(notebookPaths.Select(p => new NotebookJob(p, options.Parameters)).ToList(), outDir, options, cancellationToken);

    /// <summary>
    /// Runs notebook jobs: each a notebook with its own parameters (<see cref="NotebookJob"/>; a grid of parameters is one
    /// job per combination, <see cref="ParameterGrid"/>). A job with a <see cref="NotebookJob.FileSuffix"/> writes
    /// <c>&lt;name&gt;-&lt;suffix&gt;.ipynb/.html</c> and is listed on the index as <c>name (W = 0.1, …)</c>.
    /// <see cref="NotebookBatchOptions.Parameters"/> is not used here.
    /// </summary>
    public static async Task<NotebookBatchResult> RunAsync(IReadOnlyList<NotebookJob> jobs, string outDir, NotebookBatchOptions options,
        CancellationToken cancellationToken = default)
    {
        var inputs = jobs.Select(j => Path.GetFullPath(j.NotebookPath)).ToList();
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir));
        var stems = OutputStems(inputs.Select((p, i) => jobs[i].FileSuffix is { Length: > 0 } suffix
            ? Path.Combine(Path.GetDirectoryName(p)!, Path.GetFileNameWithoutExtension(p) + "-" + suffix + ".ipynb") : p).ToList());
        // The output folder is replaced as a whole (FolderSwap): a notebook inside it would be deleted.
        foreach (string input in inputs)
            if (input.StartsWith(target + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new ArgumentException($"the notebook {input} is inside the output folder, which is replaced as a whole; choose another output folder");
        // Every file goes into a staging folder that replaces the output folder only when the whole set is written.
        using var swap = BeginReportSwap(target);
        string outFull = swap.StagingPath;

        string? plotlyJsSrc = null;
        if (options.PlotlyJs == PlotlyJsMode.Directory)
        {
            AtomicFile.WriteAllText(Path.Combine(outFull, P2PFlex.Display.PlotlyJs.FileName), P2PFlex.Display.PlotlyJs.FileText());
            plotlyJsSrc = P2PFlex.Display.PlotlyJs.FileName;
        }
        await using var pictures = new ChartPictureStep(options.StaticChartImages, options.ChromiumPath);

        // Notebooks are independent (each its own script state, console capture per async flow, chart ids per notebook),
        // so several may run at once; every file and status is the same as one after another, in the jobs' order.
        int parallel = Math.Clamp(options.MaxParallelNotebooks, 1, Math.Max(1, inputs.Count));
        // Synchronized even one notebook at a time: a notebook's pictures may report while the next notebook runs.
        var progressWriter = options.Progress is null ? null : TextWriter.Synchronized(options.Progress);
        var runs = new (NotebookRunStatus Status, IndexEntry Entry)[inputs.Count];
        // Each notebook's last step (its static pictures, drawn by the browser, then its executed .ipynb) runs while the
        // next notebook's cells run: the browser is another process, so on two cores it takes the core the (mostly
        // single-threaded) cells leave idle. The pictures go through one browser page in turn (ChartPictureStep), each
        // notebook's file is written by its own step, and the batch waits for every step before the index, so the set
        // is the same as with the steps in line.
        var finishing = new List<Task>();
        if (parallel == 1)
        {
            try
            {
                for (int i = 0; i < inputs.Count; i++)
                    runs[i] = await RunJobAsync(i, cancellationToken, finishing).ConfigureAwait(false);
            }
            finally
            {
                // Never leave a step running past the batch (its files are in the staging folder, removed on failure).
                await Task.WhenAll(finishing.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default))).ConfigureAwait(false);
            }
            foreach (var t in finishing) await t.ConfigureAwait(false);   // the first failure, as the steps in line would have thrown it
        }
        else
        {
            // A job that cannot write its reports (full disk, permission) ends the batch: the others are stopped, and its
            // IOException, not their cancellation, is what the caller sees.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var slots = new SemaphoreSlim(parallel);
            var tasks = Enumerable.Range(0, inputs.Count).Select(async i =>
            {
                await slots.WaitAsync(stop.Token).ConfigureAwait(false);
                try
                {
                    runs[i] = await Task.Run(() => RunJobAsync(i, stop.Token), stop.Token).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    stop.Cancel();
                    throw;
                }
                finally
                {
                    slots.Release();
                }
            }).ToList();
            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch
            {
                cancellationToken.ThrowIfCancellationRequested();
                var fatal = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).FirstOrDefault(e => e is not OperationCanceledException);
                if (fatal is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(fatal);
                throw;
            }
        }
        // A cell that gave up on the interruption fails its notebook: the batch is interrupted, not failed.
        cancellationToken.ThrowIfCancellationRequested();
        var statuses = runs.Select(r => r.Status).ToList();
        var entries = runs.Select(r => r.Entry).ToList();

        async Task<(NotebookRunStatus, IndexEntry)> RunJobAsync(int i, CancellationToken token, List<Task>? finishing = null)
        {
            token.ThrowIfCancellationRequested();
            string path = inputs[i];
            string name = jobs[i].FileSuffix is { Length: > 0 } ? $"{Path.GetFileName(path)} ({ParameterGrid.Describe(jobs[i].Parameters ?? new Dictionary<string, string>())})" : Path.GetFileName(path);
            string prefix = string.Create(CultureInfo.InvariantCulture, $"[{i + 1}/{inputs.Count}] ");
            IProgress<NotebookProgress>? lines = progressWriter is null ? null : new TextWriterProgress(progressWriter, prefix, options.ProgressCellStarts);
            // The observer (a terminal's bars) gets each event with its job's number, since jobs may overlap.
            IProgress<NotebookProgress>? observer = options.Observer is null ? null : new JobProgress(options.Observer, i);
            var progress = observer is null ? lines
                : lines is null ? observer
                : new BothProgress(lines, observer);
            string ipynbPath = Path.Combine(outFull, stems[i] + ".ipynb");
            string htmlPath = Path.Combine(outFull, stems[i] + ".html");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            NotebookRunStatus status;
            Notebook? executed = null;
            string? writtenIpynb = null;
            bool writing = false;
            try
            {
                var result = await NotebookRunner.RunFileAsync(path, new NotebookRunOptions
                {
                    Parameters = jobs[i].Parameters,
                    Progress = progress,
                    EmbedPlotlyJs = options.EmbedPlotlyJs,
                    PlotlyJsSrc = plotlyJsSrc,
                    AdditionalReferences = options.AdditionalReferences,
                    AdditionalImports = options.AdditionalImports,
                }, token).ConfigureAwait(false);
                executed = result.Notebook;
                writing = true;
                // The report first: it loads plotly.js itself and draws every chart, so it needs no static pictures.
                HtmlReport.Write(executed, htmlPath, new HtmlReportOptions
                {
                    NotebookName = name,
                    NotebookHref = Path.GetFileName(ipynbPath),
                    IndexHref = IndexFileName,
                    PlotlyJsSrc = plotlyJsSrc,
                });
                if (finishing is null)
                {
                    await pictures.AddAsync(executed, name, progress, token).ConfigureAwait(false);
                    NotebookJson.Write(executed, ipynbPath);
                }
                else
                {
                    var notebook = executed;
                    finishing.Add(Task.Run(() => FinishAsync(notebook, name, progress, ipynbPath, token), CancellationToken.None));
                }
                writtenIpynb = ipynbPath;
                writing = false;
                status = new NotebookRunStatus(path, name, result.Succeeded, result.FailedCell,
                    result.Succeeded ? null : NotebookRunResult.ErrorSummary(result.Error), ipynbPath, htmlPath, clock.Elapsed, result);
            }
            catch (Exception e) when (writing && e is IOException or UnauthorizedAccessException)
            {
                // The output cannot be written (full disk, permission): no set can be completed, so stop here; the
                // swap is disposed and the previous set stays as it was.
                throw new IOException($"writing the reports of {name} failed, so no report set was published ({target} is unchanged): {e.Message}", e);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Unreadable notebook, unwritable output, or a bug: this notebook fails, the batch goes on.
                string message = e is NotebookFormatException nf ? nf.Reason : $"{e.GetType().Name}: {e.Message}";
                progressWriter?.WriteLine($"{prefix}{name}: FAILED: {message}");
                status = new NotebookRunStatus(path, name, false, null, message,
                    writtenIpynb, null, clock.Elapsed, null);
            }
            var entry = new IndexEntry(name, executed?.Title(),
                status.ReportPath is null ? null : Path.GetFileName(status.ReportPath),
                status.ExecutedNotebookPath is null ? null : Path.GetFileName(status.ExecutedNotebookPath),
                status.Succeeded, status.Succeeded ? null : (status.FailedCell is null ? status.Error : $"{status.FailedCell}: {status.Error}"),
                status.Elapsed, status.Result?.Parameters.Parameters.ToDictionary(p => p.Name, p => p.Value) ?? new Dictionary<string, string>());
            return (status, entry);
        }

        async Task FinishAsync(Notebook notebook, string name, IProgress<NotebookProgress>? progress, string ipynbPath, CancellationToken token)
        {
            try
            {
                await pictures.AddAsync(notebook, name, progress, token).ConfigureAwait(false);
                NotebookJson.Write(notebook, ipynbPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"writing the reports of {name} failed, so no report set was published ({target} is unchanged): {e.Message}", e);
            }
        }

        if (statuses.Any(st => !st.Succeeded))
        {
            // A set with failures is not published: the previous set stays byte-identical, the staging folder goes.
            options.Progress?.WriteLine($"{statuses.Count(st => !st.Succeeded)} of {statuses.Count} notebooks FAILED; nothing published, {target} is unchanged");
            return new NotebookBatchResult(target, null, statuses.Select(st => st with { ExecutedNotebookPath = null, ReportPath = null }).ToList());
        }
        var summary = options.Index.Summary.Concat(options.SummaryFactory?.Invoke(statuses) ?? []).ToList();
        var printed = options.IndexPrintedResults
            ? statuses.Where(st => st.Result is not null).Select(st => new PrintedResults(st.Name, NotebookTextResults.Of(st.Result!.Notebook))).ToList()
            : [];
        IndexPage.Write(Path.Combine(outFull, IndexFileName), entries,
            new IndexPageOptions { Title = options.Index.Title, IntroMarkdown = options.Index.IntroMarkdown, Summary = summary, Printed = printed });
        cancellationToken.ThrowIfCancellationRequested();
        if (options.BeforeCommit is not null)
        {
            await options.BeforeCommit(new NotebookBatchResult(outFull, Path.Combine(outFull, IndexFileName), statuses), cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        swap.Commit();
        string indexPath = Path.Combine(target, IndexFileName);
        // The statuses name the files where they are now, in the output folder.
        var final = statuses.Select(s => s with
        {
            ExecutedNotebookPath = s.ExecutedNotebookPath is null ? null : swap.Final(s.ExecutedNotebookPath),
            ReportPath = s.ReportPath is null ? null : swap.Final(s.ReportPath),
        }).ToList();
        options.Progress?.WriteLine(final.All(s => s.Succeeded)
            ? $"{final.Count} notebook{(final.Count == 1 ? "" : "s")} ok; index: {indexPath}"
            : $"{final.Count(s => !s.Succeeded)} of {final.Count} notebooks FAILED; index: {indexPath}");
        return new NotebookBatchResult(target, indexPath, final);
    }

    /// <summary>The swap of a report folder: a non-empty target is replaceable when it holds an index page.</summary>
    public static FolderSwap BeginReportSwap(string target) =>
        FolderSwap.Begin(target, dir => File.Exists(Path.Combine(dir, IndexFileName)), $"reports ({IndexFileName})");

    /// <summary>Output file stems: the input's name without extension, made unique (and never "index").</summary>
    private static List<string> OutputStems(IReadOnlyList<string> inputs)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Path.GetFileNameWithoutExtension(IndexFileName) };
        var stems = new List<string>();
        foreach (var input in inputs)
        {
            string stem = Sanitize(Path.GetFileNameWithoutExtension(input));
            string candidate = stem;
            for (int n = 2; !used.Add(candidate); n++) candidate = $"{stem}-{n}";
            stems.Add(candidate);
        }
        return stems;
    }

    private static string Sanitize(string stem)
    {
        var sb = new StringBuilder();
        foreach (char c in stem) sb.Append(char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        return sb.Length == 0 ? "notebook" : sb.ToString();
    }
}

/// <summary>
/// The static pictures of a batch (<see cref="StaticChartImages"/>): one browser, started at the first chart; without a
/// browser, one line saying that the pictures were skipped and why, then nothing.
/// </summary>
internal sealed class ChartPictureStep(bool enabled, string? chromiumPath) : IAsyncDisposable
{
    private ChromiumBrowser? _browser;
    private ChartRenderer? _renderer;
    private bool _unavailable = !enabled;

    // One browser page draws the charts, so the notebooks of a batch that run at once take turns here.
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task AddAsync(Notebook notebook, string name, IProgress<NotebookProgress>? progress, CancellationToken cancellationToken)
    {
        if (_unavailable || !notebook.Cells.SelectMany(c => c.Outputs).Any(StaticChartImages.IsChart)) return;
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_unavailable) return;
            if (_renderer is null)
            {
                try
                {
                    _browser = await ChromiumBrowser.LaunchAsync(chromiumPath).ConfigureAwait(false);
                    _renderer = await ChartRenderer.CreateAsync(_browser).ConfigureAwait(false);
                }
                catch (Exception e) when (e is BrowserNotFoundException or PuppeteerSharp.PuppeteerException or IOException)
                {
                    Skip(progress, name, $"static chart images skipped (the notebooks keep their interactive charts): {e.Message}");
                    return;
                }
            }
            try
            {
                await StaticChartImages.AddAsync(notebook, _renderer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PuppeteerSharp.PuppeteerException or InvalidOperationException)
            {
                Skip(progress, name, $"static chart images skipped from {name} on (the notebooks keep their interactive charts): the browser failed: {e.Message}");
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    private void Skip(IProgress<NotebookProgress>? progress, string name, string message)
    {
        _unavailable = true;
        progress?.Report(new NotebookProgress(NotebookProgressKind.Warning, name, null, TimeSpan.Zero, Message: message));
    }

    public async ValueTask DisposeAsync()
    {
        if (_renderer is not null) await _renderer.DisposeAsync().ConfigureAwait(false);
        if (_browser is not null) await _browser.DisposeAsync().ConfigureAwait(false);
        _turn.Dispose();
    }
}

/// <summary>Gives every event the number of its job in the batch (<see cref="NotebookProgress.Job"/>).</summary>
internal sealed class JobProgress(IProgress<NotebookProgress> inner, int job) : IProgress<NotebookProgress>
{
    public void Report(NotebookProgress value) => inner.Report(value with { Job = job });
}

/// <summary>Reports each event to two receivers, in order.</summary>
internal sealed class BothProgress(IProgress<NotebookProgress> first, IProgress<NotebookProgress> second) : IProgress<NotebookProgress>
{
    public void Report(NotebookProgress value)
    {
        first.Report(value);
        second.Report(value);
    }
}
