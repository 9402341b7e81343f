namespace P2PFlex.TestSupport;

/// <summary>
/// Paths inside the clone the tests run from: the repository root is the nearest folder above the test binaries that
/// holds P2PFlex.sln (the tests read the notebooks, the projects and the environment scripts in place). Found once per
/// test process.
/// </summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> _root = new(Find);

    /// <summary>The repository root.</summary>
    public static string Root => _root.Value;

    /// <summary>A path below the repository root.</summary>
    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "P2PFlex.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("repository root (P2PFlex.sln) not found above " + AppContext.BaseDirectory);
    }
}
