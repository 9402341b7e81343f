using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using P2PFlex.Notebooks;
using P2PFlex.TestSupport;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// The study notebooks as the official kernel's tests (<see cref="OfficialKernelRun"/>) execute them, prepared once per
/// test process: a temporary copy of notebooks/ (every notebook and any support file beside them) in which the
/// notebooks with test parameters (<see cref="Parameters"/>) carry them in an injected-parameters cell, as papermill
/// writes it (<see cref="OfficialKernelRun.InjectLikePapermill"/>). The kernel and the headless runner run these same
/// files, so every cell and check runs, on fewer draws and a shorter window, and the results compared are those of one
/// input. The headless runner's result of each copy is computed once
/// (<see cref="HeadlessAsync"/>).
/// </summary>
internal static class StudyNotebookRuns
{
    /// <summary>
    /// The parameters the kernel tests give study notebooks: the notebook tests' (<see cref="StudyNotebookInputs.TestParameters"/>:
    /// notebook 08's Monte Carlo on 20 draws, notebook 10 on the representative day instead of the week), written as C#
    /// literals (papermill's <c>var name = literal;</c>): numbers as they are, anything else as a string.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string Name, string Value)[]> Parameters =
        StudyNotebookInputs.TestParameters.ToDictionary(n => n.Key, n => n.Value.Select(p => (p.Key, Literal(p.Value))).ToArray(), StringComparer.Ordinal);

    private static string Literal(string value) =>
        double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
            ? value
            : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static readonly Lazy<Prepared> _prepared = new(Prepare);
    private static readonly ConcurrentDictionary<string, Lazy<Task<JsonNode>>> _headless = new(StringComparer.Ordinal);

    /// <summary>The repository's notebooks/ folder: the official kernel starts there (the first cell's <c>#r "../src/…"</c>
    /// resolve from its working folder).</summary>
    public static string RepoNotebookDir => _prepared.Value.RepoNotebookDir;

    /// <summary>The folder of the copies: the headless runner resolves relative paths from there, as for a notebook
    /// opened in its own folder.</summary>
    public static string Folder => _prepared.Value.Folder;

    /// <summary>The copies of every study notebook, in file-name order.</summary>
    public static IReadOnlyList<string> Notebooks => _prepared.Value.Notebooks;

    /// <summary>The headless runner's executed notebook of a copy (run once per process, on first use).</summary>
    public static Task<JsonNode> HeadlessAsync(string copy) =>
        _headless.GetOrAdd(Path.GetFullPath(copy), path => new Lazy<Task<JsonNode>>(() => Task.Run(async () =>
        {
            var run = await NotebookRunner.RunFileAsync(path, new NotebookRunOptions());
            Assert.True(run.Succeeded, $"{Path.GetFileName(path)} failed headless: {run.Describe()}");
            return JsonNode.Parse(NotebookJson.Serialize(run.Notebook))!;
        }))).Value;

    /// <summary>
    /// Starts the headless runs of every copy in the background, one notebook after the other, so that they compute while
    /// a kernel executes the same notebooks in another process instead of after it. Idempotent; a failure is reported by
    /// the test that awaits that notebook's <see cref="HeadlessAsync"/>.
    /// </summary>
    public static void StartHeadless() => _ = _allHeadless.Value;

    private static readonly Lazy<Task> _allHeadless = new(() => Task.Run(async () =>
    {
        foreach (var notebook in Notebooks)
        {
            try { await HeadlessAsync(notebook); }
            catch (Exception) { }   // kept in that notebook's task, which the tests await
        }
    }));

    private sealed record Prepared(string RepoNotebookDir, string Folder, IReadOnlyList<string> Notebooks);

    private static Prepared Prepare()
    {
        string source = Path.Combine(RepoRoot(), "notebooks");
        string folder = Directory.CreateTempSubdirectory("p2pflex-kernel-study-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        string copies = Path.Combine(folder, "notebooks");
        Directory.CreateDirectory(copies);
        var notebooks = new List<string>();
        foreach (var file in Directory.GetFiles(source).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(file);
            string target = Path.Combine(copies, name);
            if (!name.EndsWith(".ipynb", StringComparison.Ordinal))
            {
                File.Copy(file, target);   // support files beside the notebooks, if any
                continue;
            }
            File.WriteAllText(target, Parameters.TryGetValue(name, out var given)
                ? OfficialKernelRun.InjectLikePapermill(File.ReadAllText(file), given)
                : File.ReadAllText(file));
            notebooks.Add(target);
        }
        Assert.NotEmpty(notebooks);
        return new Prepared(source, copies, notebooks);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "P2PFlex.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (P2PFlex.sln) not found above " + AppContext.BaseDirectory);
    }
}
