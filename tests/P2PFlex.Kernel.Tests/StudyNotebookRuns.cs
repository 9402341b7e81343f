using System.Text.Json.Nodes;
using P2PFlex.Notebooks;
using P2PFlex.TestSupport;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// The study notebooks as the official kernel's tests (<see cref="OfficialKernelRun"/>) execute them, prepared once per
/// test process: a temporary copy of notebooks/ (every notebook and any support file beside them) in which the
/// notebooks with test parameters (<see cref="Parameters"/>) carry them in an injected-parameters cell, as papermill
/// writes it (<see cref="OfficialKernelRun.InjectLikePapermill"/>). The kernels run these files, so every cell and check runs, on fewer draws and a shorter window. The headless runner's reference is the test
/// command's one headless run of notebooks/ with the same parameters (<see cref="HeadlessAsync"/>).
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

    /// <summary>The folder of the copies: the kernels resolve relative paths from there, as for a notebook opened in its
    /// own folder.</summary>
    public static string Folder => _prepared.Value.Folder;

    /// <summary>The repository's notebooks/ folder: the official kernel starts there (the first cell's <c>#r "../src/…"</c>
    /// resolve from its working folder).</summary>
    public static string RepoNotebookDir => _prepared.Value.RepoNotebookDir;

    /// <summary>The copies of every study notebook, in file-name order.</summary>
    public static IReadOnlyList<string> Notebooks => _prepared.Value.Notebooks;

    private static readonly Lazy<Task<(string OutDir, NotebookBatchResult Result)>> _headless = new(() => Task.Run(() =>
    {
        var (outDir, result, _) = SharedStudyRun.Get();
        return (outDir, result);
    }));

    /// <summary>
    /// The headless runner's executed notebook of the study notebook a copy was made from: the one headless run of the
    /// test command (<see cref="SharedStudyRun"/>, shared with the notebook tests' process), which runs the notebooks of
    /// notebooks/ with the same parameters as typed values (the runner's own injected-parameters cell, where the copies
    /// carry papermill's untyped one: <c>OfficialKernelTests.Papermill_style_parameters_give_the_results_of_the_runners_typed_parameters</c>
    /// checks that the two give the same results). Its charts carry static pictures and load plotly.js from the report
    /// folder; the comparisons look at printed text, tables and chart data (<see cref="NotebookOutputs"/>).
    /// </summary>
    public static async Task<JsonNode> HeadlessAsync(string copy)
    {
        string name = Path.GetFileName(copy);
        var (_, result) = await _headless.Value;
        var status = result.Notebooks.SingleOrDefault(n => n.Name == name);
        Assert.True(status is not null, $"{name} is not in the headless run of notebooks/: {string.Join(", ", result.Notebooks.Select(n => n.Name))}");
        Assert.True(result.AllSucceeded, $"{name}: the headless run failed (a failing notebook publishes no set):\n{result.Describe()}");
        return JsonNode.Parse(File.ReadAllText(status.ExecutedNotebookPath!))!;
    }

    /// <summary>
    /// Starts the headless run (or the wait for the other test process's) in the background, so that it computes while
    /// a kernel executes the same notebooks in another process instead of after it. Idempotent; a failure is reported by
    /// the tests that await <see cref="HeadlessAsync"/>.
    /// </summary>
    public static void StartHeadless() => _ = _headless.Value;

    private sealed record Prepared(string RepoNotebookDir, string Folder, IReadOnlyList<string> Notebooks);

    private static Prepared Prepare()
    {
        string source = Path.Combine(RepositoryPaths.Root, "notebooks");
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
}
