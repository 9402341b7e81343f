using P2PFlex.Data;

namespace P2PFlex.Scenarios;

/// <summary>A scenario file that could not be used, with the located reason (file, and field where known).</summary>
public sealed record ScenarioFileProblem(string File, string Message);

/// <summary>
/// The scenarios of a run: the data folder's <c>scenarios/*.json</c> over the built-in ones (a file of the same file
/// name replaces the built-in one), plus scenario files given by path. A broken file, or a second file with a name
/// already taken, is a <see cref="ScenarioFileProblem"/> about that file only; the other scenarios stay usable.
/// <para>
/// The <c>study</c> block holds the deliverable's published values, so it is kept only for the study's own scenario
/// names (<see cref="ScenarioReport.StudyScenarioNames"/>): a copied file renamed to <c>my-w035</c> keeps its block in
/// the file, but the tables show no study values for it (docs/data.md, "Your own scenarios").
/// </para>
/// </summary>
public sealed record ScenarioCatalog(IReadOnlyList<ScenarioDefinition> Scenarios, IReadOnlyList<ScenarioFileProblem> Problems)
{
    /// <summary>
    /// The scenarios shipped with P2PFlex (<c>data/scenarios/</c>): what a Monte Carlo run computes unless told otherwise,
    /// so that a scenario file of the user's never joins a run silently. A test keeps it equal to the shipped files.
    /// </summary>
    public static readonly string[] ShippedNames =
        ["0p", "1p", "0", "1", "2", "3-theta80", "3-theta100", "1pp", "0-voltage", "1-voltage", "3-theta80-penalty-only", "3-theta100-penalty-only",
         "cm1", "cm1-extreme", "cm3-v1", "cm3-v2", "cm3-v2-extreme", "cm5"];

    /// <summary>The scenario files of the data folder over the built-in ones, in Table 8's order then by name.</summary>
    public static ScenarioCatalog Load(string? dataRoot = null, IEnumerable<string>? extraFiles = null)
    {
        string root = dataRoot ?? DataPaths.Root;
        var byFileName = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var folders = new List<string>();
        if (DataPaths.TryBuiltIn() is string builtIn && !DataPaths.SameFolder(builtIn, root)) folders.Add(Path.Combine(builtIn, "scenarios"));
        folders.Add(Path.Combine(root, "scenarios"));
        foreach (string folder in folders.Where(Directory.Exists))
            foreach (string file in Directory.GetFiles(folder, "*.json")) byFileName[Path.GetFileName(file)] = file;
        var files = byFileName.Values.Concat(extraFiles ?? []).ToList();
        var scenarios = new List<ScenarioDefinition>();
        var problems = new List<ScenarioFileProblem>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            ScenarioDefinition definition;
            try
            {
                definition = Read(file);
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or IO.DataFormatException or InvalidOperationException)
            {
                problems.Add(new ScenarioFileProblem(file, e.Message));
                continue;
            }
            if (seen.TryGetValue(definition.Name, out string? first))
            {
                if (Path.GetFullPath(first) != Path.GetFullPath(file))
                    problems.Add(new ScenarioFileProblem(file, $"{file}: field 'name': scenario '{definition.Name}' is already defined by {first}; give this file another name"));
                continue;
            }
            seen[definition.Name] = file;
            scenarios.Add(definition);
        }
        string[] order = ScenarioReport.StudyScenarioNames;
        var sorted = scenarios.OrderBy(s => Array.IndexOf(order, s.Name) is var i && i >= 0 ? i : int.MaxValue).ThenBy(s => s.Name, StringComparer.Ordinal).ToArray();
        return new ScenarioCatalog(sorted, problems);
    }

    /// <summary>
    /// Reads one scenario file (<see cref="ScenarioDefinition.Read"/>) and drops its <c>study</c> block unless the name
    /// is one of the study's scenarios: published values belong to the scenario the study ran.
    /// </summary>
    public static ScenarioDefinition Read(string path)
    {
        var definition = ScenarioDefinition.Read(path);
        return definition.Study is not null && !ScenarioReport.StudyScenarioNames.Contains(definition.Name) ? definition with { Study = null } : definition;
    }

    /// <summary>Whether an argument names a scenario file rather than a scenario (it ends in <c>.json</c> or has a folder part).</summary>
    public static bool IsPath(string argument) =>
        argument.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || argument.Contains('/') || argument.Contains('\\');
}
