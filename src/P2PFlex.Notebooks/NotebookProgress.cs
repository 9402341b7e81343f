using System.Globalization;

namespace P2PFlex.Notebooks;

/// <summary>A cell of an executed notebook, as named in progress lines, errors and batch statuses.</summary>
/// <param name="Index">0-based position among all cells of the executed notebook (including an injected-parameters cell).</param>
/// <param name="Id">The nbformat cell id.</param>
/// <param name="CodeCellNumber">1-based position among the code cells that are run ("cell i/n").</param>
/// <param name="CodeCellCount">How many code cells the notebook runs.</param>
/// <param name="ExecutionCount">The <c>In [n]</c> number, once the cell was started.</param>
public sealed record CellRef(int Index, string Id, int CodeCellNumber, int CodeCellCount, int? ExecutionCount = null)
{
    /// <summary>"cell 7 (code cell 4/9, id 'a1b2c3d4')".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"cell {Index + 1} (code cell {CodeCellNumber}/{CodeCellCount}, id '{Id}')");
}

public enum NotebookProgressKind
{
    NotebookStarted,
    CellStarted,
    CellFinished,
    NotebookFinished,
    Warning,
}

/// <summary>One progress event of a notebook run.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Notebook">The notebook's name (file name).</param>
/// <param name="Cell">The cell, for cell events.</param>
/// <param name="Elapsed">Time since the notebook started.</param>
/// <param name="CellElapsed">The cell's own time, for <see cref="NotebookProgressKind.CellFinished"/>.</param>
/// <param name="Succeeded">For finished events: whether the cell / notebook succeeded.</param>
/// <param name="Message">Warnings; for failures the error's first line.</param>
/// <param name="Job">In a batch, the 0-based number of the notebook's job (jobs may run at once,
/// <see cref="NotebookBatchOptions.MaxParallelNotebooks"/>); null outside a batch.</param>
public sealed record NotebookProgress(
    NotebookProgressKind Kind,
    string Notebook,
    CellRef? Cell,
    TimeSpan Elapsed,
    TimeSpan? CellElapsed = null,
    bool Succeeded = true,
    string? Message = null,
    int? Job = null);

/// <summary>
/// Writes progress as lines to a <see cref="TextWriter"/> (e.g. <c>Console.Error</c>), synchronously and in order
/// (unlike <see cref="Progress{T}"/>, which posts to the thread pool):
/// <code>
/// [1/3] grid.ipynb: 9 code cells
/// [1/3] grid.ipynb  cell 2/9 …
/// [1/3] grid.ipynb  cell 2/9 ok 0.04 s (elapsed 0.85 s)
/// [1/3] grid.ipynb: ok in 1.92 s
/// </code>
/// </summary>
public sealed class TextWriterProgress(TextWriter writer, string prefix = "", bool cellStarts = true) : IProgress<NotebookProgress>
{
    private readonly object _gate = new();

    /// <summary>Prepended to every line (e.g. "[1/3] ").</summary>
    public string Prefix { get; set; } = prefix;

    public void Report(NotebookProgress p)
    {
        string? line = p.Kind switch
        {
            NotebookProgressKind.NotebookStarted => $"{p.Notebook}: {p.Message}",
            NotebookProgressKind.CellStarted when cellStarts => $"{p.Notebook}  cell {p.Cell!.CodeCellNumber}/{p.Cell.CodeCellCount} …",
            NotebookProgressKind.CellFinished =>
                $"{p.Notebook}  cell {p.Cell!.CodeCellNumber}/{p.Cell.CodeCellCount} {(p.Succeeded ? "ok" : "FAILED")} {S(p.CellElapsed ?? TimeSpan.Zero)} (elapsed {S(p.Elapsed)})"
                + (p.Succeeded ? "" : $"\n{Prefix}    {p.Message}"),
            NotebookProgressKind.NotebookFinished => p.Succeeded
                ? $"{p.Notebook}: ok in {S(p.Elapsed)}"
                : $"{p.Notebook}: FAILED at {p.Cell} after {S(p.Elapsed)}: {p.Message}",
            NotebookProgressKind.Warning => $"{p.Notebook}: warning: {p.Message}",
            _ => null,
        };
        if (line is null) return;
        lock (_gate)
        {
            writer.WriteLine(Prefix + line);
            writer.Flush();
        }
    }

    private static string S(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
