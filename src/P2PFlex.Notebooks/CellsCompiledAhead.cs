using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace P2PFlex.Notebooks;

/// <summary>A code cell as Roslyn compiles it: the preprocessed code and the cell's script options.</summary>
internal sealed record CellCode(PreprocessedCell Cell, ScriptOptions Options);

/// <summary>
/// Compiles a notebook's code cells ahead of their turn, on one background thread and in the cells' order: while cell k
/// runs, cells k+1, k+2, … become Roslyn scripts, each continuing the one before it, compiled and their assemblies
/// loaded (<see cref="Script{T}.CreateDelegate"/>), so the runner finds the next cell ready to run instead of compiling
/// it on the critical path. On two cores the cells' mostly single-threaded code leaves the other core to the compiler.
/// <para>
/// The outputs are those of compiling each cell just before it runs: a cell's compilation depends only on its code,
/// its options and the cells before it (Roslyn binds against the earlier submissions' compilations, never their
/// values), the scripts are created and compiled in the cells' order (the submissions' numbering is the same), and a
/// compile error is reported by the run, which compiles the failing cell again and throws the same diagnostics.
/// A cell that cannot be compiled before its turn (<see cref="Stops"/>: it fails without compiling, restores NuGet
/// packages first, or has a <c>#r</c>/<c>#load</c> directive that reads a file an earlier cell may write) ends the work
/// ahead; the runner compiles it in its turn and may start again after it (<see cref="StartAfter"/>).
/// </para>
/// </summary>
internal sealed class CellsCompiledAhead : IAsyncDisposable
{
    private readonly IReadOnlyList<CellCode?> _cells;
    private readonly TaskCompletionSource<Script<object>?>[] _ready;
    private readonly bool[] _started;
    private readonly CancellationTokenSource _stop;
    private readonly List<Task> _workers = [];

    /// <param name="cells">The notebook's code cells in order; null for a cell that cannot be compiled ahead.</param>
    /// <param name="cancellationToken">The run's token: cancelling it stops the compiling.</param>
    public CellsCompiledAhead(IReadOnlyList<CellCode?> cells, CancellationToken cancellationToken)
    {
        _cells = cells;
        _ready = cells.Select(_ => new TaskCompletionSource<Script<object>?>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        _started = new bool[cells.Count];
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>True when cell <paramref name="k"/> cannot be compiled ahead (it ends a stretch of work ahead).</summary>
    public bool Stops(int k) => _cells[k] is null;

    /// <summary>
    /// Starts compiling the cells after cell <paramref name="k"/> (−1: from the first cell) up to the next one that
    /// <see cref="Stops"/>, the first of them continuing <paramref name="script"/> (null for the first cell).
    /// </summary>
    public void StartAfter(int k, Script<object>? script)
    {
        int first = k + 1;
        int end = first;
        while (end < _cells.Count && _cells[end] is not null) end++;
        if (first >= end) return;
        for (int j = first; j < end; j++) _started[j] = true;
        // Without the caller's async context: a cell's console capture and session are no business of the compiler.
        using (ExecutionContext.SuppressFlow())
            _workers.Add(Task.Run(() => Compile(first, end, script, _stop.Token)));
    }

    /// <summary>
    /// The script of cell <paramref name="k"/>, once the work ahead has compiled it (or tried: a cell with a compile
    /// error comes back uncompiled and its run reports the error); null when nothing compiles it ahead, and the
    /// runner compiles it itself.
    /// </summary>
    public Task<Script<object>?> TakeAsync(int k) =>
        _started[k] ? _ready[k].Task : Task.FromResult<Script<object>?>(null);

    private void Compile(int first, int end, Script<object>? previous, CancellationToken cancellationToken)
    {
        int k = first;
        try
        {
            for (; k < end; k++)
            {
                var code = _cells[k]!;
                var script = previous is null
                    ? CSharpScript.Create<object>(code.Cell.Code, code.Options, typeof(NotebookGlobals))
                    : previous.ContinueWith<object>(code.Cell.Code, code.Options);
                try
                {
                    script.CreateDelegate(cancellationToken);
                }
                catch (Exception)
                {
                    // A compile error (or a cancelled or failed compilation): the cell gets its script as it is, and
                    // its run compiles it again, reporting what went wrong in the cell as without the work ahead.
                    // Nothing after it is compiled ahead: it would continue a script that does not compile.
                    _ready[k].TrySetResult(script);
                    k++;
                    return;
                }
                _ready[k].TrySetResult(script);
                previous = script;
            }
        }
        finally
        {
            // Cells not reached are compiled by the runner in their turn.
            for (; k < end; k++) _ready[k].TrySetResult(null);
        }
    }

    /// <summary>Stops the work ahead (a run that ended early leaves cells it will not run) and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).ConfigureAwait(false);   // Compile never throws: its failures go to the cell
        _stop.Dispose();
    }
}
