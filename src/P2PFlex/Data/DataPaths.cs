namespace P2PFlex.Data;

/// <summary>
/// Where the project's data folder is. Searched, in order: the <c>P2PFLEX_DATA</c> environment variable, then the
/// current directory and the program's directory and their parents for a <c>data/cases/case69.m</c>.
/// Nothing is read from outside the repository's own <c>data/</c>.
/// </summary>
public static class DataPaths
{
    public const string EnvironmentVariable = "P2PFLEX_DATA";

    /// <summary>The data folder (absolute path).</summary>
    public static string Root => _root.Value;

    private static readonly Lazy<string> _root = new(Find);

    private static string Find()
    {
        string? fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            if (!File.Exists(Path.Combine(fromEnv, "cases", "case69.m")))
                throw new DirectoryNotFoundException($"{EnvironmentVariable}={fromEnv} does not contain cases/case69.m");
            return Path.GetFullPath(fromEnv);
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data");
                if (File.Exists(Path.Combine(candidate, "cases", "case69.m"))) return candidate;
            }
        }
        throw new DirectoryNotFoundException(
            $"cannot find the P2PFlex data folder (data/cases/case69.m) above {Directory.GetCurrentDirectory()}; set {EnvironmentVariable}");
    }

    /// <summary>A path inside the data folder.</summary>
    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Case(string name) => Of("cases", name.EndsWith(".m", StringComparison.Ordinal) ? name : name + ".m");
}
