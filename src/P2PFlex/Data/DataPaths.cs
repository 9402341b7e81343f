namespace P2PFlex.Data;

/// <summary>
/// Where the data is. Two folders with the layout of the repository's <c>data/</c> (<c>cases/</c>, <c>limits/</c>,
/// <c>states/</c>, <c>orderbook/</c>, <c>scenarios/</c>):
/// <list type="bullet">
/// <item><see cref="BuiltIn"/>: the study's data shipped with P2PFlex, found as a <c>data/cases/case69.m</c> in the
/// current directory, the program's directory, the library's directory or one of their parents (in a package folder:
/// its <c>contentFiles/any/any/data</c>).</item>
/// <item><see cref="Root"/>: the data folder of this run, the user's. In order: the folder of <see cref="Use"/> (the CLI's
/// <c>--data DIR</c>), the <c>P2PFLEX_DATA</c> environment variable, else <see cref="BuiltIn"/>.</item>
/// </list>
/// A file is read from <see cref="Root"/> when it is there and from <see cref="BuiltIn"/> otherwise
/// (<see cref="Find"/>): a data folder holding only an orderbook, a scenario or a case file is enough, the rest comes
/// from the study's data. Derived files of a new feeder are written into <see cref="Root"/> (docs/data.md, "Your own
/// feeder").
/// </summary>
public static class DataPaths
{
    public const string EnvironmentVariable = "P2PFLEX_DATA";

    /// <summary>The data folder of this run (absolute path).</summary>
    public static string Root => Override.Value ?? FromEnvironment.Value ?? BuiltIn;

    /// <summary>The study's data shipped with P2PFlex (absolute path).</summary>
    public static string BuiltIn => _builtIn.Value;

    private static readonly Lazy<string> _builtIn = new(FindBuiltIn);

    // Per logical call (the CLI runs commands in-process, tests run several at once): a --data folder of one command
    // never leaks into another, and flows into the parallel work a command starts.
    private static readonly AsyncLocal<string?> Override = new();

    private static readonly Lazy<string?> FromEnvironment = new(() =>
    {
        string? fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(fromEnv)) return null;
        if (!Directory.Exists(fromEnv))
            throw new DirectoryNotFoundException($"{EnvironmentVariable}={fromEnv} is not a folder (the data folder: docs/data.md)");
        return Path.GetFullPath(fromEnv);
    });

    /// <summary>Makes <paramref name="folder"/> (created if missing) the data folder of the current logical call and
    /// what it starts; null goes back to <c>P2PFLEX_DATA</c> or the built-in data.</summary>
    public static void Use(string? folder)
    {
        if (folder is null)
        {
            Override.Value = null;
            return;
        }
        if (File.Exists(folder)) throw new ArgumentException($"--data {folder} is a file; the data folder must be a folder (docs/data.md)");
        Directory.CreateDirectory(folder);
        Override.Value = Path.GetFullPath(folder);
    }

    /// <summary>As <see cref="Use"/>, undone when the returned scope is disposed (the previous folder comes back).</summary>
    public static IDisposable Using(string? folder)
    {
        string? previous = Override.Value;
        Use(folder);
        return new Restore(previous);
    }

    private sealed class Restore(string? previous) : IDisposable
    {
        public void Dispose() => Override.Value = previous;
    }

    private static string FindBuiltIn()
    {
        // The library's own folder last: a host that is not the program, e.g. the official .NET Interactive kernel
        // loading the package (<package>/lib/net10.0/P2PFlex.Core.dll), finds the package's data
        // (<package>/contentFiles/any/any/data), or a clone's build its clone's data.
        string? library = Path.GetDirectoryName(typeof(DataPaths).Assembly.Location);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory, library })
        {
            if (string.IsNullOrEmpty(start)) continue;
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (string candidate in new[] { Path.Combine(dir.FullName, "data"), Path.Combine(dir.FullName, "contentFiles", "any", "any", "data") })
                    if (File.Exists(Path.Combine(candidate, "cases", "case69.m"))) return candidate;
            }
        }
        // A project reference to src/P2PFlex copies no data beside the program (the package does): P2PFLEX_DATA names it.
        throw new DirectoryNotFoundException(
            $"cannot find P2PFlex's study data (data/cases/case69.m) above {Directory.GetCurrentDirectory()}, {AppContext.BaseDirectory} or {library}; " +
            $"set {EnvironmentVariable} to a P2PFlex clone's data folder (a program with a project reference to src/P2PFlex), " +
            "or reference the P2PFlex package, which copies the data beside the program (docs/library.md)");
    }

    /// <summary>A path inside the data folder of this run.</summary>
    public static string Of(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>
    /// A data file by its path relative to a data folder: in <paramref name="dataRoot"/> (default <see cref="Root"/>)
    /// when it is there, else in <see cref="BuiltIn"/> when it is there, else null.
    /// </summary>
    public static string? Find(string relative, string? dataRoot = null)
    {
        string root = dataRoot ?? Root;
        string own = Path.Combine(root, relative);
        if (File.Exists(own)) return own;
        string? builtIn = TryBuiltIn();
        if (builtIn is null || SameFolder(builtIn, root)) return null;
        string shipped = Path.Combine(builtIn, relative);
        return File.Exists(shipped) ? shipped : null;
    }

    /// <summary>The built-in data folder, or null when there is none (a program using only its own data).</summary>
    public static string? TryBuiltIn()
    {
        try
        {
            return BuiltIn;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Whether two paths name the same folder.</summary>
    public static bool SameFolder(string a, string b) =>
        string.Equals(Path.GetFullPath(a).TrimEnd(Path.DirectorySeparatorChar), Path.GetFullPath(b).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);

    public static string Case(string name) => Find(Path.Combine("cases", name.EndsWith(".m", StringComparison.Ordinal) ? name : name + ".m"))
        ?? Of("cases", name.EndsWith(".m", StringComparison.Ordinal) ? name : name + ".m");
}
