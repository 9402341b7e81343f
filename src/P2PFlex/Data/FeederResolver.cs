using System.Text;
using System.Text.RegularExpressions;
using P2PFlex.Grid;

namespace P2PFlex.Data;

/// <summary>How a feeder was named on the command line or in code.</summary>
public enum FeederSourceKind
{
    /// <summary>By name: <c>cases/&lt;name&gt;.m</c> of the data folder or of the built-in data.</summary>
    Name,
    /// <summary>By the path of a MATPOWER case file; it is copied into the data folder's <c>cases/</c>.</summary>
    CaseFile,
}

/// <summary>A feeder name that no data folder knows (a usage problem: the CLI answers with exit code 2).</summary>
public sealed class UnknownFeederException(string message) : ArgumentException(message);

/// <summary>
/// A feeder found and ready to load: its case file and where each of its five derived files is (line limits, base and
/// extreme state, orderbook, P2P subset). See <see cref="FeederResolver"/>.
/// </summary>
/// <param name="Name">Case name (the file name without <c>.m</c>); the derived files are named after it.</param>
/// <param name="CasePath">The case file read.</param>
/// <param name="DataRoot">The data folder of the run (where missing derived files were written).</param>
/// <param name="Kind">How the feeder was named.</param>
/// <param name="Derived">Data-folder-relative paths of the files this resolution derived and wrote (empty when all existed).</param>
/// <param name="FromBuiltIn">Whether files missing from <paramref name="DataRoot"/> are read from the built-in data
/// (only when the case file is the built-in one: derived files belong to the case they were derived from).</param>
public sealed record ResolvedFeeder(string Name, string CasePath, string DataRoot, FeederSourceKind Kind, IReadOnlyList<string> Derived, bool FromBuiltIn)
{
    /// <summary>The line limits file.</summary>
    public string LimitsPath => Locate(FeederSetup.LimitsFile(Name));

    /// <summary>A loading state's file.</summary>
    public string StatePath(StudyState state) => Locate(FeederSetup.StateFile(Name, state));

    /// <summary>The orderbook file.</summary>
    public string OrderbookPath => Locate(FeederSetup.OrderbookFile(Name));

    /// <summary>The P2P subset file.</summary>
    public string SubsetPath => Locate(FeederSetup.SubsetFile(Name));

    /// <summary>The feeder's network, named after the case file (not the function name inside it: the derived files
    /// and every output go by the file's name).</summary>
    public GridNetwork LoadNetwork() => FeederResolver.LoadNetwork(CasePath, Name);

    /// <summary>The data folder's file, else the built-in one when allowed; the data folder's path when neither exists.</summary>
    public string Locate(string relative) =>
        (FromBuiltIn ? DataPaths.Find(relative, DataRoot) : File.Exists(Path.Combine(DataRoot, relative)) ? Path.Combine(DataRoot, relative) : null)
        ?? Path.Combine(DataRoot, relative);
}

/// <summary>
/// The one place a feeder argument (<c>--feeder case85</c>, <c>--feeder ~/grids/my.m</c>, <c>--case my.m</c>) becomes
/// a feeder with data files. A name is looked up as <c>cases/&lt;name&gt;.m</c> in the data folder, then in the
/// built-in data; a path to a MATPOWER case file is copied into the data folder's <c>cases/</c> (so the data folder
/// holds what its derived files were derived from, and its hash covers it). Any derived file the feeder lacks (limits,
/// states, orderbook, subset) is derived by the documented rule (<see cref="FeederSetup.Derive"/>) and written into
/// the data folder on first use; later runs read the files. docs/data.md, "Your own feeder".
/// <para>
/// Extension point: other grid formats (e.g. a SimBench grid folder) are recognised in <see cref="Resolve"/> where a
/// path is a folder, and must produce a case name and a <see cref="GridNetwork"/> the derived-data rule can take.
/// </para>
/// </summary>
public static partial class FeederResolver
{
    /// <summary>The derived files every feeder has, relative to a data folder.</summary>
    public static IReadOnlyList<string> DerivedFiles(string name) =>
    [
        FeederSetup.LimitsFile(name), FeederSetup.StateFile(name, StudyState.Base), FeederSetup.StateFile(name, StudyState.Extreme),
        FeederSetup.OrderbookFile(name), FeederSetup.SubsetFile(name),
    ];

    /// <summary>Whether <paramref name="feeder"/> is meant as a path (it has a folder part or ends in <c>.m</c>), not a name.</summary>
    public static bool IsPath(string feeder) =>
        feeder.Contains('/') || feeder.Contains('\\') || feeder.EndsWith(".m", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Finds a feeder by name or case-file path, copying a case file into <paramref name="dataRoot"/> (default the data
    /// folder of the run) and deriving its missing files there. <paramref name="log"/> gets one line per thing written.
    /// </summary>
    public static ResolvedFeeder Resolve(string feeder, string? dataRoot = null, TextWriter? log = null)
    {
        string root = Path.GetFullPath(dataRoot ?? DataPaths.Root);
        string name, casePath;
        var kind = FeederSourceKind.Name;
        if (string.IsNullOrWhiteSpace(feeder)) throw new UnknownFeederException("the feeder is empty; give a case name (case69) or a MATPOWER case file's path");
        if (IsPath(feeder))
        {
            // Extension point: a folder is where other grid formats (a SimBench grid folder) would be recognised.
            if (Directory.Exists(feeder))
                throw new ArgumentException($"feeder {feeder} is a folder; a feeder is a MATPOWER case file (.m) or a case name (docs/data.md, \"Your own feeder\")");
            if (!File.Exists(feeder)) throw new FileNotFoundException($"feeder case file {feeder} does not exist");
            name = Path.GetFileNameWithoutExtension(feeder);
            CheckName(name, feeder);
            casePath = Path.Combine(root, "cases", name + ".m");
            kind = FeederSourceKind.CaseFile;
            // Read it once before copying (the reader's byte and work limits apply, so a device or a pipe is a located
            // error): a file that is not a case stays out of the data folder.
            GridNetwork.Load(feeder);
            byte[] given = IO.BoundedInput.ReadAllBytes(feeder, Grid.Matpower.MatpowerLimits.MaxFileBytes);
            if (File.Exists(casePath))
            {
                if (!given.AsSpan().SequenceEqual(IO.BoundedInput.ReadAllBytes(casePath, Grid.Matpower.MatpowerLimits.MaxFileBytes)))
                    throw new ArgumentException($"{feeder}: the data folder {root} already holds a different case named '{name}' ({casePath}); " +
                                                "rename your file or choose another data folder (--data DIR)");
            }
            else
            {
                IO.AtomicFile.WriteAllBytes(casePath, given);
                log?.WriteLine($"feeder {name}: copied {Path.GetFullPath(feeder)} to {casePath}");
            }
        }
        else
        {
            name = feeder;
            CheckName(name, feeder);
            casePath = DataPaths.Find(Path.Combine("cases", name + ".m"), root)
                       ?? throw new UnknownFeederException($"no feeder '{name}': no cases/{name}.m in {root}{BuiltInNote(root)}; known: {string.Join(", ", KnownCases(root))}; " +
                                                           "or give a MATPOWER case file's path (--feeder path/to/case.m)");
        }
        bool fromBuiltIn = IsBuiltInCase(name, casePath);
        var partial = new ResolvedFeeder(name, casePath, root, kind, [], fromBuiltIn);
        var missing = DerivedFiles(name).Where(rel => !File.Exists(partial.Locate(rel))).ToArray();
        if (missing.Length == 0) return partial;
        // The study's setup (line limits, states, orderbook, subset) is calibrated by hand, not derived: a case69 that is
        // not the built-in one may only be used with all of its files beside it. That is the case of a data folder
        // holding the whole study (P2PFLEX_DATA=<clone>/data from a program with a project reference, where no built-in
        // data is copied beside the program); a case69 of the user's own with files missing is refused.
        if (name == FeederSetup.StudyFeederName && !fromBuiltIn)
            throw new ArgumentException($"{casePath}: '{name}' is the study's feeder, whose setup is calibrated by hand and cannot be derived; " +
                                        $"{root} lacks {string.Join(", ", missing.Select(m => m.Replace('\\', '/')))}: give your case file another name, " +
                                        "or use a data folder holding the study's files (a clone's data/)");

        // Derived from the case file actually used (its folder's cases/), written into the run's data folder.
        string caseRoot = Path.GetDirectoryName(Path.GetDirectoryName(casePath)!)!;
        var files = StudyDataGenerator.FeederFiles(caseRoot, name);
        foreach (string rel in missing) IO.AtomicFile.WriteAllText(Path.Combine(root, rel), files[rel]);
        log?.WriteLine($"feeder {name}: derived {string.Join(", ", missing.Select(m => m.Replace('\\', '/')))} by the documented rule " +
                       $"(docs/data.md, \"Your own feeder\") into {root}; 'p2pflex data verify --feeder {name}' checks them");
        return partial with { Derived = missing };
    }

    /// <summary>A case file's network named <paramref name="name"/> (the file's name, whatever its <c>function</c> line says).</summary>
    public static GridNetwork LoadNetwork(string casePath, string name)
    {
        var source = Grid.Matpower.MatpowerReader.ReadFile(casePath);
        return GridNetwork.FromCase(source.Name == name ? source : source with { Name = name });
    }

    /// <summary>The case names of the data folder and the built-in data, sorted.</summary>
    public static IReadOnlyList<string> KnownCases(string? dataRoot = null)
    {
        var folders = new List<string> { dataRoot ?? DataPaths.Root };
        if (DataPaths.TryBuiltIn() is string b) folders.Add(b);
        return folders.Select(f => Path.Combine(f, "cases")).Where(Directory.Exists)
            .SelectMany(d => Directory.GetFiles(d, "*.m")).Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    private static string BuiltInNote(string root) =>
        DataPaths.TryBuiltIn() is string b && !DataPaths.SameFolder(b, root) ? $" or the built-in data {b}" : "";

    /// <summary>Whether the case file is byte-for-byte the built-in one of that name (then the built-in derived files apply).</summary>
    private static bool IsBuiltInCase(string name, string casePath)
    {
        if (DataPaths.TryBuiltIn() is not string builtIn) return false;
        string shipped = Path.Combine(builtIn, "cases", name + ".m");
        if (!File.Exists(shipped)) return false;
        return string.Equals(Path.GetFullPath(shipped), Path.GetFullPath(casePath), StringComparison.Ordinal)
               || File.ReadAllBytes(shipped).AsSpan().SequenceEqual(IO.BoundedInput.ReadAllBytes(casePath, Grid.Matpower.MatpowerLimits.MaxFileBytes));
    }

    private static void CheckName(string name, string given)
    {
        if (!NamePattern().IsMatch(name))
            throw new ArgumentException($"feeder '{given}': the case name '{name}' names the derived files, so it must consist of letters, digits, '_', '-' and '.'");
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")]
    private static partial Regex NamePattern();
}
