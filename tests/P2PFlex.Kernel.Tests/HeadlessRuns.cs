using System.Collections.Concurrent;
using P2PFlex.Notebooks;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// The headless runner's execution of a notebook, once per notebook per test process: the P2PFlex-kernel and the
/// official-kernel tests compare their engine's outputs with the same headless run instead of executing every notebook
/// headless twice. A run is pure (same notebook, same outputs), so sharing it changes no comparison.
/// </summary>
internal static class HeadlessRuns
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<NotebookRunResult>>> Runs = new(StringComparer.Ordinal);

    public static Task<NotebookRunResult> Of(string path) =>
        Runs.GetOrAdd(Path.GetFullPath(path), p => new(() => NotebookRunner.RunFileAsync(p, new NotebookRunOptions()))).Value;
}
