using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace P2PFlex.TestSupport;

/// <summary>
/// The study notebooks as the tests execute them: every notebook in notebooks/ as it is, except those given smaller
/// parameters for the tests (<see cref="TestParameters"/>: notebook 08's Monte Carlo with 20 draws instead of 200, and
/// 4 per other feeder instead of 40), which are copies whose parameters cell assigns the test's values (what papermill
/// or <c>-p</c> does, so every cell and check runs, on fewer draws). One copy per test process, shared by every fixture,
/// so that tests comparing engines see the same inputs and a headless run of a notebook can be shared between them.
/// </summary>
internal static class StudyNotebookInputs
{
    /// <summary>Per notebook file name, the parameters the tests give it (name → C# literal).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> TestParameters =
        new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal)
        {
            ["08-robustness.ipynb"] = new Dictionary<string, string>(StringComparer.Ordinal) { ["draws"] = "20", ["otherDraws"] = "4" },
        };

    private static readonly Lazy<(string NotebookDir, string[] Paths)> Prepared = new(Prepare);

    /// <summary>The repository's notebooks/ folder.</summary>
    public static string NotebookDir => Prepared.Value.NotebookDir;

    /// <summary>The paths to execute, in file-name order: originals, or the parameterised copies.</summary>
    public static IReadOnlyList<string> Paths => Prepared.Value.Paths;

    private static (string, string[]) Prepare()
    {
        string notebooks = FindNotebookDir();
        string copies = Directory.CreateTempSubdirectory("p2pflex-test-notebooks-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(copies, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        var paths = Directory.GetFiles(notebooks, "*.ipynb").Order(StringComparer.Ordinal).Select(path =>
        {
            if (!TestParameters.TryGetValue(Path.GetFileName(path), out var parameters)) return path;
            string copy = Path.Combine(copies, Path.GetFileName(path));
            File.WriteAllText(copy, WithParameters(File.ReadAllText(path), parameters, Path.GetFileName(path)));
            return copy;
        }).ToArray();
        return (notebooks, paths);
    }

    /// <summary>The notebook's JSON with the assignments of its <c>parameters</c>-tagged cell set to the given values
    /// (each name must be assigned there exactly once: a renamed parameter fails here, not silently).</summary>
    public static string WithParameters(string notebookJson, IReadOnlyDictionary<string, string> parameters, string name)
    {
        var nb = JsonNode.Parse(notebookJson)!;
        var cell = nb["cells"]!.AsArray().Single(c => c!["metadata"]?["tags"]?.AsArray().Any(t => (string?)t == "parameters") == true)!;
        var source = cell["source"];
        string text = source is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)source ?? "";
        foreach (var (parameter, value) in parameters)
        {
            var assignment = new Regex(@"^(\s*[\w<>?]+\s+" + Regex.Escape(parameter) + @"\s*=\s*)[^;]+;", RegexOptions.Multiline);
            int count = assignment.Matches(text).Count;
            if (count != 1) throw new InvalidOperationException($"{name}: its parameters cell assigns '{parameter}' {count} times, not once");
            text = assignment.Replace(text, m => m.Groups[1].Value + value + ";");
        }
        string[] split = text.Split('\n');
        cell["source"] = new JsonArray(split.Select((l, i) => i < split.Length - 1 ? l + "\n" : l).Where(l => l.Length > 0)
            .Select(l => (JsonNode?)JsonValue.Create(l)).ToArray());
        return nb.ToJsonString();
    }

    private static string FindNotebookDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "P2PFlex.sln"))) return Path.Combine(dir.FullName, "notebooks");
        throw new DirectoryNotFoundException("repository root (P2PFlex.sln) not found above the test binaries");
    }
}
