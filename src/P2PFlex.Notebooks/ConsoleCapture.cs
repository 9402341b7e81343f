using System.Text;

namespace P2PFlex.Notebooks;

/// <summary>
/// Captures <c>Console.Out</c>/<c>Console.Error</c> per cell. Console redirection is process-global, so instead of
/// swapping writers around every cell (which would steal other threads' output and break concurrent runs), the
/// process's writers are replaced once by routers that send each write to the capture of the current async flow
/// (an <see cref="AsyncLocal{T}"/>), or to the original writer when no cell is running in that flow.
/// </summary>
internal static class ConsoleCapture
{
    private static readonly object Gate = new();
    private static readonly AsyncLocal<CellCapture?> Current = new();
    private static TextWriter? _installedOut, _installedErr;

    /// <summary>Routes this async flow's console output to <paramref name="capture"/> until disposed.</summary>
    public static IDisposable Begin(CellCapture capture)
    {
        Install();
        CellFaults.EnsureInstalled();
        var previous = Current.Value;
        Current.Value = capture;
        return new Scope(previous);
    }

    /// <summary>The capture of the cell whose async flow the calling thread is in: a thread, pool item or timer a cell
    /// starts inherits it (unless the cell suppressed the flow), so this names the cell that started it.</summary>
    public static CellCapture? CurrentCapture => Current.Value;

    /// <summary>Sends this async flow's console output to the process's own writers until disposed (a thread a cell
    /// started inherits the cell's capture; a report about the whole process must not land there).</summary>
    public static IDisposable Outside()
    {
        var previous = Current.Value;
        Current.Value = null;
        return new Scope(previous);
    }

    private sealed class Scope(CellCapture? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }

    private static void Install()
    {
        lock (Gate)
        {
            // Someone (a test host, another tool) may have replaced the writers since: route around the new ones.
            if (!ReferenceEquals(Console.Out, _installedOut))
            {
                Console.SetOut(new Router(Console.Out, c => c.Stdout));
                _installedOut = Console.Out;
            }
            if (!ReferenceEquals(Console.Error, _installedErr))
            {
                Console.SetError(new Router(Console.Error, c => c.Stderr));
                _installedErr = Console.Error;
            }
        }
    }

    private sealed class Router(TextWriter fallback, Func<CellCapture, TextWriter> select) : TextWriter
    {
        private TextWriter Target => Current.Value is { } c ? select(c) : fallback;
        public override Encoding Encoding => fallback.Encoding;
        public override IFormatProvider FormatProvider => fallback.FormatProvider;
        public override void Write(char value) => Target.Write(value);
        public override void Write(string? value) => Target.Write(value);
        public override void Write(char[] buffer, int index, int count) => Target.Write(buffer, index, count);
        public override void Write(ReadOnlySpan<char> buffer) => Target.Write(buffer);
        public override void WriteLine() => Target.WriteLine();
        public override void WriteLine(string? value) => Target.WriteLine(value);
        public override void WriteLine(ReadOnlySpan<char> buffer) => Target.WriteLine(buffer);
        public override void Flush() => Target.Flush();
    }
}

/// <summary>
/// What one cell produced, in order: stdout/stderr text (consecutive writes to one stream merge into one
/// <c>stream</c> output) and displayed values. Thread-safe: cells may write from tasks they start.
/// </summary>
internal sealed class CellCapture
{
    private readonly object _gate = new();
    private readonly List<object> _items = new(); // StreamBuffer or NotebookOutput
    private bool _finished;
    private ErrorOutput? _fault;

    public CellCapture()
    {
        Stdout = new StreamWriterFor(this, StreamOutput.Stdout);
        Stderr = new StreamWriterFor(this, StreamOutput.Stderr);
    }

    public TextWriter Stdout { get; }
    public TextWriter Stderr { get; }

    /// <summary>The first exception nobody caught on a thread the cell started while it ran (<see cref="CellFaults"/>):
    /// already among the outputs; the cell fails with it unless it failed on its own.</summary>
    public ErrorOutput? Fault
    {
        get { lock (_gate) return _fault; }
    }

    /// <summary>
    /// Where an uncaught exception of a thread this cell started goes once the cell has finished (the kernel: iopub, with
    /// the cell as parent; the runner: the notebook's running cell). Returns false when nobody takes it: the process then
    /// ends, as .NET does with an unhandled exception.
    /// </summary>
    public Func<Exception, string?, bool>? AfterCell { get; set; }

    /// <summary>The cell's code has returned: later faults of its threads go to <see cref="AfterCell"/>.</summary>
    public void Finish()
    {
        lock (_gate) _finished = true;
    }

    /// <summary>An uncaught exception on the thread <paramref name="thread"/> that this cell (or, not
    /// <paramref name="startedHere"/>, an earlier cell of its notebook) started: the cell's error while it runs; after
    /// that, <see cref="AfterCell"/>'s. False when nobody takes it.</summary>
    public bool TakeFault(Exception exception, string? thread, bool startedHere = true)
    {
        lock (_gate)
        {
            if (!_finished)
            {
                var error = CellFaults.Error(exception, thread, startedHere ? "this cell started" : "an earlier cell started, after that cell had finished",
                    "that thread ended and this cell fails");
                _fault ??= error;
                _items.Add(error);
                return true;
            }
        }
        return AfterCell?.Invoke(exception, thread) ?? false;
    }

    public void Add(NotebookOutput output)
    {
        lock (_gate) _items.Add(output);
    }

    /// <summary>Replaces an output added earlier (a displayed value's <c>Update</c>).</summary>
    public void Replace(NotebookOutput old, NotebookOutput replacement)
    {
        lock (_gate)
        {
            int i = _items.IndexOf(old);
            if (i >= 0) _items[i] = replacement;
        }
    }

    public List<NotebookOutput> ToOutputs()
    {
        lock (_gate)
        {
            return _items.Select(i => i is StreamBuffer b ? new StreamOutput(b.Name, b.Text.ToString()) : (NotebookOutput)i)
                         .Where(o => o is not StreamOutput { Text.Length: 0 })
                         .ToList();
        }
    }

    private void Append(string name, ReadOnlySpan<char> text)
    {
        lock (_gate)
        {
            if (_items.Count == 0 || _items[^1] is not StreamBuffer b || b.Name != name)
                _items.Add(b = new StreamBuffer(name));
            b.Text.Append(text);
        }
    }

    private sealed class StreamBuffer(string name)
    {
        public string Name { get; } = name;
        public StringBuilder Text { get; } = new();
    }

    private sealed class StreamWriterFor(CellCapture owner, string name) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => owner.Append(name, [value]);
        public override void Write(string? value) => owner.Append(name, value);
        public override void Write(char[] buffer, int index, int count) => owner.Append(name, buffer.AsSpan(index, count));
        public override void Write(ReadOnlySpan<char> buffer) => owner.Append(name, buffer);
    }
}
