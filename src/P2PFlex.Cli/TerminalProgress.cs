using Spectre.Console;

namespace P2PFlex.Cli;

/// <summary>Reports that step <c>done</c> of a job is starting, with a short note (e.g. "W = 0.35").</summary>
public delegate void StepReport(int done, string note);

/// <summary>
/// Progress of a counted job (the points of a sweep) on stderr: a live bar from Spectre.Console when stderr is a
/// terminal, otherwise a few plain lines (about 20 per job, for CI logs and pipes). Results never go here: stdout
/// (text, --json, --csv) is the same either way.
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
}
