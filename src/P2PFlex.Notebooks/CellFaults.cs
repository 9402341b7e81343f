using System.Runtime.ExceptionServices;

namespace P2PFlex.Notebooks;

/// <summary>
/// An exception nobody catches on a thread a cell started (<c>new Thread</c>, a pool work item, a timer, an
/// <c>async void</c> method) used to end the whole process — the runner's, or the kernel's with every variable of the
/// session. Since .NET 10 a process may handle such exceptions itself
/// (<see cref="ExceptionHandling.SetUnhandledExceptionHandler"/>, meant for REPLs and script hosts): this one hands
/// the exception to the cell whose async flow the thread inherited (<see cref="ConsoleCapture.CurrentCapture"/>), which
/// fails with it while it runs (<see cref="CellCapture.TakeFault"/>), or to its owner afterwards. The thread ends;
/// the process and the session go on. An exception that no cell takes (a thread started with the flow suppressed, or
/// after its notebook run ended) stays unhandled and ends the process as before (<see cref="ProcessDeathWatch"/>
/// reports it). The handler is process-wide and can be set once: if the host set its own first, this one is not used.
/// </summary>
public static class CellFaults
{
    private static readonly object Gate = new();
    private static bool _attempted;

    /// <summary>True when this process's unhandled exceptions come here (false: the host had set its own handler).</summary>
    public static bool Installed { get; private set; }

    /// <summary>Sets the process's unhandled-exception handler, once.</summary>
    public static void EnsureInstalled()
    {
        lock (Gate)
        {
            if (_attempted) return;
            _attempted = true;
            try
            {
                ExceptionHandling.SetUnhandledExceptionHandler(Handle);
                Installed = true;
            }
            catch (InvalidOperationException)
            {
                // The host has its own handler: threads' exceptions are its business (ProcessDeathWatch still reports a death).
            }
        }
    }

    private static bool Handle(Exception exception)
    {
        try
        {
            var capture = ConsoleCapture.CurrentCapture;
            return capture is not null && capture.TakeFault(exception, Thread.CurrentThread.Name);
        }
        catch (Exception)
        {
            return false;   // never throw from the runtime's handler: the exception stays unhandled
        }
    }

    /// <summary>The error output of an uncaught exception on <paramref name="thread"/>, which <paramref name="starter"/>
    /// (e.g. "this cell started"); <paramref name="consequence"/> says what happens now.</summary>
    public static ErrorOutput Error(Exception exception, string? thread, string starter, string consequence)
    {
        string ename = exception.GetType().FullName ?? exception.GetType().Name;
        string where = thread is { Length: > 0 } ? $"the thread '{thread}'" : "a thread";
        string evalue = $"{exception.Message} (unhandled on {where} {starter}: {consequence})";
        var traceback = new List<string> { $"{ename}: {evalue}" };
        traceback.AddRange(NotebookRunner.RuntimeError(exception).Traceback.Skip(1));
        return new ErrorOutput(ename, evalue, traceback);
    }
}
