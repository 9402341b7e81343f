using P2PFlex.Notebooks;
using Spectre.Console;

namespace P2PFlex.Cli;

/// <summary>Reports that step <c>done</c> of a job is starting, with a short note (e.g. "W = 0.35").</summary>
public delegate void StepReport(int done, string note);

/// <summary>
/// Progress on stderr: live bars from Spectre.Console when stderr is a terminal, plain lines otherwise (CI logs, pipes,
/// tests). <see cref="Run{T}"/> is for a counted job (the points of a sweep: about 20 lines without a terminal);
/// <see cref="Notebooks{T}"/> for a notebook batch (one bar per notebook; without a terminal the batch's own lines).
/// Results never go here: stdout (text, --json, --csv) is the same either way.
/// </summary>
public static class TerminalProgress
{
    /// <summary>Plain-line mode prints about this many lines per job.</summary>
    public const int PlainLines = 20;

    /// <summary>True when <paramref name="writer"/> is this process's stderr and that is a terminal that draws.</summary>
    public static bool IsTerminal(TextWriter writer) =>
        ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected
        && Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb");

    /// <summary>
    /// Runs <paramref name="work"/>, which calls its <see cref="StepReport"/> as it goes, and returns its result.
    /// <paramref name="terminal"/> forces the live bar on that console (tests); by default the bar is drawn only when
    /// <see cref="IsTerminal"/>.
    /// </summary>
    public static T Run<T>(TextWriter writer, string name, int total, Func<StepReport, T> work, IAnsiConsole? terminal = null)
    {
        terminal ??= IsTerminal(writer)
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.Yes })
            : null;
        if (terminal is null)
        {
            int every = Math.Max(1, (total + PlainLines - 1) / PlainLines);
            return work((done, note) =>
            {
                if (done % every == 0 || done == total - 1) writer.WriteLine(CliKit.Invariant($"{name}: {done + 1}/{total} {note}"));
            });
        }
        return terminal.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(name), maxValue: Math.Max(total, 1));
                var result = work((done, note) =>
                {
                    task.Value = done;
                    task.Description = Markup.Escape(CliKit.Invariant($"{name} {done + 1}/{total} {note}"));
                });
                task.Value = task.MaxValue;
                return result;
            });
    }

    /// <summary>
    /// Runs a notebook batch: on a terminal <paramref name="work"/> gets an observer drawing one bar per notebook (code
    /// cells done of all), and warnings are printed after the bars; otherwise it gets null and should let the batch
    /// print its lines to <paramref name="writer"/>.
    /// </summary>
    public static T Notebooks<T>(TextWriter writer, int count, Func<IProgress<NotebookProgress>?, T> work, IAnsiConsole? terminal = null)
    {
        terminal ??= IsTerminal(writer)
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Interactive = InteractionSupport.Yes })
            : null;
        if (terminal is null) return work(null);
        NotebookBars? bars = null;
        var result = terminal.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                bars = new NotebookBars(context, count);
                return work(bars);
            });
        foreach (string warning in bars?.Warnings ?? []) writer.WriteLine(warning);
        return result;
    }

    /// <summary>One Spectre.Console task per notebook, advanced cell by cell; notebooks that run at once each have their
    /// own bar (events carry their job's number, <see cref="NotebookProgress.Job"/>).</summary>
    private sealed class NotebookBars(ProgressContext context, int count) : IProgress<NotebookProgress>
    {
        private readonly object _gate = new();
        private readonly List<string> _warnings = [];
        private readonly Dictionary<int, (ProgressTask Task, int Index)> _running = [];
        private int _index;

        public IReadOnlyList<string> Warnings
        {
            get
            {
                lock (_gate) return _warnings.ToArray();
            }
        }

        public void Report(NotebookProgress p)
        {
            lock (_gate)
            {
                int job = p.Job ?? -1;
                if (p.Kind == NotebookProgressKind.NotebookStarted)
                {
                    int index = p.Job is int j ? j + 1 : ++_index;
                    _running[job] = (context.AddTask(Label(index, p.Notebook, p.Message ?? ""), maxValue: 1), index);
                    return;
                }
                if (p.Kind == NotebookProgressKind.Warning)
                {
                    _warnings.Add($"{p.Notebook}: warning: {p.Message}");
                    return;
                }
                if (!_running.TryGetValue(job, out var current)) return;
                var (task, at) = current;
                switch (p.Kind)
                {
                    case NotebookProgressKind.CellStarted:
                        task.MaxValue = Math.Max(1, p.Cell!.CodeCellCount);
                        task.Description = Label(at, p.Notebook, CliKit.Invariant($"cell {p.Cell.CodeCellNumber}/{p.Cell.CodeCellCount}"));
                        break;
                    case NotebookProgressKind.CellFinished:
                        task.Value = p.Cell!.CodeCellNumber;
                        break;
                    case NotebookProgressKind.NotebookFinished:
                        task.Value = task.MaxValue;
                        task.Description = Label(at, p.Notebook, p.Succeeded ? "ok" : $"FAILED at {p.Cell}");
                        task.StopTask();
                        _running.Remove(job);
                        break;
                }
            }
        }

        private string Label(int index, string notebook, string state) => Markup.Escape(CliKit.Invariant($"[{index}/{count}] {notebook}  {state}"));
    }
}
