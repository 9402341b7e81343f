namespace P2PFlex.Notebooks;

/// <summary>How the process is ending, as seen from inside it by <see cref="ProcessDeathWatch"/>.</summary>
public enum ProcessDeathKind
{
    /// <summary><c>Environment.Exit(code)</c> was called (by a cell, or by a thread or timer a cell started).</summary>
    Exit,

    /// <summary>An exception nobody caught on a thread that no cell takes (<see cref="CellFaults"/> hands the others to
    /// their cell): .NET terminates the process after the handlers have run.</summary>
    UnhandledException,
}

/// <summary>The process is about to end: an exit code, or the exception that ends it.</summary>
/// <param name="Kind">Which of the two.</param>
/// <param name="ExitCode">The code passed to <c>Environment.Exit</c> (for <see cref="ProcessDeathKind.Exit"/>).</param>
/// <param name="Exception">The unhandled exception (for <see cref="ProcessDeathKind.UnhandledException"/>).</param>
/// <param name="ThreadName">The name of the thread that threw, when it has one.</param>
public sealed record ProcessDeath(ProcessDeathKind Kind, int ExitCode, Exception? Exception, string? ThreadName)
{
    /// <summary>"Environment.Exit(3) was called" or "System.Exception on a background thread: x".</summary>
    public string Describe() => Kind == ProcessDeathKind.Exit
        ? $"Environment.Exit({ExitCode}) was called"
        : $"{ExceptionName}: {Exception?.Message.Split('\n')[0]} (unhandled on the background thread {ThreadLabel})";

    /// <summary>The notebook error output for a cell that was running (or, <paramref name="afterCell"/>, the last cell
    /// run) when the process began to end; <paramref name="consequence"/> says what it means for the user.</summary>
    public ErrorOutput ToError(bool afterCell, string consequence)
    {
        string when = afterCell ? "after this cell had finished (by a thread or timer a cell started)" : "while this cell ran (by the cell or a thread it started)";
        if (Kind == ProcessDeathKind.Exit)
        {
            string text = $"Environment.Exit({ExitCode}) was called {when}: {consequence}";
            return new ErrorOutput("ProcessExit", text, ["ProcessExit: " + text]);
        }
        string evalue = $"{Exception?.Message} — unhandled on the background thread {ThreadLabel} {when}; "
            + ".NET ends the process on an unhandled exception on any thread: " + consequence;
        var traceback = new List<string> { $"{ExceptionName}: {evalue}" };
        if (Exception is not null) traceback.AddRange(NotebookRunner.RuntimeError(Exception).Traceback.Skip(1));
        return new ErrorOutput(ExceptionName, evalue, traceback);
    }

    private string ExceptionName => Exception?.GetType().FullName ?? "UnhandledException";

    private string ThreadLabel => ThreadName is { Length: > 0 } n ? $"'{n}'" : "(unnamed)";
}

/// <summary>
/// Tells subscribers that the process is ending because of <c>Environment.Exit</c> (<see cref="AppDomain.ProcessExit"/>)
/// or an exception on some thread that nobody, not even <see cref="CellFaults"/>, handled
/// (<see cref="AppDomain.UnhandledException"/>), before it ends, so the
/// notebook runner and the kernel can say which cell it happened in. Both events run their handlers while the rest
/// of the process still runs (other threads keep going; the process ends when the handlers return), so a subscriber
/// may send messages and wait briefly for them to leave. A stack overflow cannot be observed: .NET ends the process
/// at once, without running any handler (docs/notebooks.md, "When a cell ends the process").
/// </summary>
public static class ProcessDeathWatch
{
    private static readonly object Gate = new();
    private static List<Action<ProcessDeath>> _subscribers = new();
    private static bool _installed;
    private static int _reported;

    /// <summary>Calls <paramref name="onDeath"/> (at most once, on the dying thread or the runtime's exit thread) if the
    /// process begins to end before the returned subscription is disposed. Exceptions it throws are swallowed.</summary>
    public static IDisposable Subscribe(Action<ProcessDeath> onDeath)
    {
        lock (Gate)
        {
            if (!_installed)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Report(new ProcessDeath(ProcessDeathKind.Exit, Environment.ExitCode, null, null));
                AppDomain.CurrentDomain.UnhandledException += (_, e) =>
                    Report(new ProcessDeath(ProcessDeathKind.UnhandledException, 0, e.ExceptionObject as Exception, Thread.CurrentThread.Name));
                _installed = true;
            }
            _subscribers = [.. _subscribers, onDeath];
        }
        return new Subscription(onDeath);
    }

    private sealed class Subscription(Action<ProcessDeath> onDeath) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate) _subscribers = _subscribers.Where(s => !ReferenceEquals(s, onDeath)).ToList();
        }
    }

    private static void Report(ProcessDeath death)
    {
        // The first death wins: an unhandled exception inside a handler, or an exit during one, is not reported again.
        if (Interlocked.Exchange(ref _reported, 1) != 0) return;
        List<Action<ProcessDeath>> subscribers;
        lock (Gate) subscribers = _subscribers;
        // The dying thread may be a thread a cell started: its console writes would go to that cell's capture.
        using var outside = ConsoleCapture.Outside();
        foreach (var s in subscribers)
        {
            try { s(death); }
            catch (Exception) { /* the process is ending: nothing else can be done */ }
        }
    }
}
