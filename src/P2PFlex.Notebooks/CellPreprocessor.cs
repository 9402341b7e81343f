using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace P2PFlex.Notebooks;

/// <summary>A NuGet package whose assemblies the runner loads into every notebook.</summary>
/// <param name="Id">The package id, as in <c>#r "nuget: Id, version"</c>.</param>
/// <param name="Version">The version shipped (from Directory.Packages.props), or "" for a package accepted and ignored.</param>
/// <param name="Note">Why it is there.</param>
public sealed record ShippedPackage(string Id, string Version, string Note);

/// <summary>The result of preprocessing one cell: code for Roslyn (same line count), notes for stderr, or an error, and
/// the packages beyond the preloaded ones that the cell asks for (<see cref="NuGetPackages"/> restores them).</summary>
internal sealed record PreprocessedCell(string Code, IReadOnlyList<string> Notes, string? Error)
{
    public IReadOnlyList<PackageRequest> Packages { get; init; } = [];

    /// <summary>
    /// True when the code still has a <c>#r</c> or <c>#load</c> directive, which Roslyn resolves by reading a file when
    /// it compiles the cell: a file that an earlier cell of the notebook may write. Such a cell is compiled only when
    /// its turn comes, never ahead of the cells before it (<see cref="CellsCompiledAhead"/>).
    /// </summary>
    public bool ReadsFilesToCompile { get; init; }
}

/// <summary>
/// Turns a cell written for .NET Interactive into plain C# script, keeping line numbers (trip-wire: plain Roslyn
/// fails with CS0006 on <c>#r "nuget:…"</c> and on <c>#!</c> magics):
/// <list type="bullet">
/// <item><c>#!csharp</c> (and <c>#!c#</c>, <c>#!cs</c>) lines are removed; any other <c>#!</c> magic is an error.</item>
/// <item><c>#r "nuget: Id[, version]"</c> becomes a comment when the runner ships <c>Id</c> (a different version is
/// noted on stderr); any other package becomes a comment and a <see cref="PackageRequest"/>, restored through NuGet
/// before the cell runs (<see cref="NuGetPackages"/>), and must name its exact version.</item>
/// <item><c>#i "nuget: source"</c> lines become comments.</item>
/// <item><c>#r "path/X.dll"</c> becomes a comment when X is an assembly the runner already loads (a second copy from
/// another path would clash with it); other paths stay and resolve relative to the notebook.</item>
/// <item><c>#load "path/p2pflex-kernel.csx"</c> (the official kernel's setup script of older notebooks, <see cref="OfficialKernelSetupScript"/>)
/// becomes a comment: what it sets up is built into the runner, and a study notebook copied to another folder, away
/// from the script, still runs.</item>
/// </list>
/// </summary>
internal static partial class CellPreprocessor
{
    [GeneratedRegex("""^\s*#r\s+"nuget:\s*(?<id>[^,"]+?)\s*(,\s*(?<version>[^"]*?)\s*)?"\s*(//.*)?$""", RegexOptions.IgnoreCase)]
    private static partial Regex NuGetReference();

    [GeneratedRegex("""^\s*#i\s+"[^"]*"\s*(//.*)?$""")]
    private static partial Regex SourceDirective();

    [GeneratedRegex("""^\s*#r\s+"(?<path>[^"]+\.dll)"\s*(//.*)?$""", RegexOptions.IgnoreCase)]
    private static partial Regex PathReference();

    [GeneratedRegex("""^\s*#!(?<magic>\S+)""")]
    private static partial Regex Magic();

    [GeneratedRegex("""^\s*#load\s+"(?<path>[^"]+)"\s*(//.*)?$""")]
    private static partial Regex LoadDirective();

    [GeneratedRegex("""^\s*#(r|load)\b""")]
    private static partial Regex FileDirective();

    /// <summary>The file name of the setup script the study notebooks' first cell loads for the official .NET
    /// Interactive kernel before it moved into P2PFlex.Display (<c>P2PFlex.Display.OfficialKernel</c>); a notebook copied
    /// earlier still runs.</summary>
    public const string OfficialKernelSetupScript = "p2pflex-kernel.csx";

    public static PreprocessedCell Process(string source, IReadOnlyCollection<string> preloadedAssemblyNames)
    {
        var notes = new List<string>();
        var errors = new List<string>();
        var packages = new List<PackageRequest>();
        var lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            int lineNo = i + 1;
            Match m;
            if ((m = Magic().Match(line)).Success)
            {
                string magic = m.Groups["magic"].Value;
                if (magic.ToLowerInvariant() is "csharp" or "c#" or "cs") lines[i] = "";
                else errors.Add($"line {lineNo}: the magic command '#!{magic}' is not supported by the P2PFlex notebook runner (only C# cells; '#!csharp' is accepted)");
            }
            else if ((m = NuGetReference().Match(line)).Success)
            {
                string id = m.Groups["id"].Value;
                string version = m.Groups["version"].Value;
                var shipped = ShippedPackages.Find(id);
                if (shipped is null)
                {
                    // Restored through NuGet before the cell runs; an exact version, so the notebook runs the same tomorrow.
                    if (version.Length == 0 || version.Contains('*') || version.IndexOfAny(['[', '(', ',']) >= 0)
                        errors.Add($"line {lineNo}: package '{id}' needs an exact version, e.g. #r \"nuget: {id}, 1.2.3\" "
                            + "(packages beyond the preloaded ones are restored through NuGet, and a notebook must give the same result on every run)");
                    else
                    {
                        packages.Add(new PackageRequest(id, version, lineNo));
                        lines[i] = "// " + line.Trim() + "   (restored through NuGet by the P2PFlex notebook runner)";
                    }
                }
                else
                {
                    lines[i] = "// " + line.Trim() + "   (preloaded by the P2PFlex notebook runner)";
                    if (version.Length > 0 && shipped.Version.Length > 0 && !VersionMatches(version, shipped.Version))
                        notes.Add($"line {lineNo}: '{id}' version {version} was asked for; the runner uses {shipped.Version}");
                }
            }
            else if (SourceDirective().IsMatch(line))
            {
                lines[i] = "// " + line.Trim() + "   (package sources are not used by the P2PFlex notebook runner)";
            }
            else if ((m = LoadDirective().Match(line)).Success
                     && string.Equals(Path.GetFileName(m.Groups["path"].Value.Replace('\\', '/')), OfficialKernelSetupScript, StringComparison.OrdinalIgnoreCase))
            {
                lines[i] = "// " + line.Trim() + "   (the official kernel's setup; built into the P2PFlex notebook runner)";
            }
            else if ((m = PathReference().Match(line)).Success)
            {
                string file = Path.GetFileNameWithoutExtension(m.Groups["path"].Value.Replace('\\', '/'));
                if (preloadedAssemblyNames.Contains(file, StringComparer.OrdinalIgnoreCase))
                    lines[i] = "// " + line.Trim() + "   (assembly preloaded by the P2PFlex notebook runner)";
            }
        }
        string code = string.Join('\n', lines);
        bool readsFiles = lines.Any(l => FileDirective().IsMatch(l));
        return errors.Count > 0 ? new PreprocessedCell(code, notes, string.Join("\n", errors)) { ReadsFilesToCompile = readsFiles }
            : new PreprocessedCell(code, notes, null) { Packages = packages, ReadsFilesToCompile = readsFiles };
    }

    /// <summary>The source with <c>#!</c> and <c>#r "nuget:…"</c>/<c>#i</c> lines blanked, for parsing only.</summary>
    public static string MaskDirectives(string source)
    {
        var lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (Magic().IsMatch(line) || NuGetReference().IsMatch(line) || SourceDirective().IsMatch(line)) lines[i] = "";
        }
        return string.Join('\n', lines);
    }

    private static bool VersionMatches(string asked, string shipped)
    {
        asked = asked.Trim();
        if (asked is "*" or "") return true;
        if (asked.EndsWith('*')) return shipped.StartsWith(asked.TrimEnd('*'), StringComparison.OrdinalIgnoreCase);
        return string.Equals(asked, shipped, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>The NuGet packages a notebook may <c>#r</c>: the ones the runner loads (versions from Directory.Packages.props;
/// P2PFlex's own packages at the version of this build, Directory.Build.props).</summary>
public static class ShippedPackages
{
    private static readonly Lazy<IReadOnlyList<ShippedPackage>> _all = new(Build);

    public static IReadOnlyList<ShippedPackage> All => _all.Value;

    public static ShippedPackage? Find(string id) =>
        All.FirstOrDefault(p => string.Equals(p.Id, id.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>"Plotly.NET 6.0.0, Deedle 8.1.0, …".</summary>
    public static string Describe() =>
        string.Join(", ", All.Select(p => p.Version.Length > 0 ? $"{p.Id} {p.Version}" : $"{p.Id} (accepted, built in)"));

    private static IReadOnlyList<ShippedPackage> Build()
    {
        // Versions are stamped into this assembly at build time from the central package versions.
        var versions = typeof(ShippedPackages).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(a => a.Key.StartsWith("nuget:", StringComparison.Ordinal))
            .ToDictionary(a => a.Key["nuget:".Length..], a => a.Value ?? "", StringComparer.OrdinalIgnoreCase);
        string V(string id) => versions.TryGetValue(id, out var v) ? v : "";
        return
        [
            new("Plotly.NET", V("Plotly.NET"), "charts"),
            new("Plotly.NET.CSharp", V("Plotly.NET.CSharp"), "C# chart API"),
            new("Deedle", V("Deedle"), "data frames"),
            new("MathNet.Numerics", V("MathNet.Numerics"), "linear algebra, statistics"),
            new("Google.OrTools", V("Google.OrTools"), "LP/MIP solvers (used by the P2PFlex library)"),
            new("Google.Protobuf", V("Google.Protobuf"), "needed by Google.OrTools"),
            new("Parquet.Net", V("Parquet.Net"), "Monte Carlo result files (used by the P2PFlex library)"),
            new("CsvHelper", V("CsvHelper"), "CSV parsing (used by the P2PFlex library)"),
            new("Microsoft.DotNet.Interactive.Formatting", V("Microsoft.DotNet.Interactive.Formatting"), "value formatting"),
            new("Plotly.NET.Interactive", "", "Polyglot chart formatter; the runner has its own, so the reference is ignored"),
            // The notebooks' first cell loads these two in the official kernel (docs/notebooks.md); the runner is built
            // with them, at the version of its own build.
            new("P2PFlex", V("P2PFlex"), "the P2PFlex library (assembly P2PFlex.Core)"),
            new("P2PFlex.Display", V("P2PFlex.Display"), "P2PFlex's charts and tables, and the official kernel's setup"),
        ];
    }
}
