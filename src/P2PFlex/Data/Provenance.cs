using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace P2PFlex.Data;

/// <summary>Which software and which data produced an output: stamped on figures, their manifest and report PDFs.</summary>
public static class Provenance
{
    /// <summary>
    /// The library's informational version (the SDK appends the git commit when built from a clone, e.g.
    /// <c>1.0.0+1e374ce…</c>).
    /// </summary>
    public static string SoftwareVersion { get; } =
        typeof(Provenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(Provenance).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// The data of this run in one line, for every output: the data folder and its <see cref="DataVersion"/>, and the
    /// built-in data when the data folder is another one (files it lacks are read from there).
    /// </summary>
    public static string DataDescription()
    {
        string root = DataPaths.Root;
        string text = $"data {root} ({DataVersion(root)})";
        if (DataPaths.TryBuiltIn() is string builtIn && !DataPaths.SameFolder(builtIn, root))
            text += $", over the built-in data {builtIn} ({DataVersion(builtIn)})";
        return text;
    }

    /// <summary>Largest file of a data folder hashed into its version: the largest input limit (a case file or a CSV table).</summary>
    public const long MaxDataFileBytes = Grid.Matpower.MatpowerLimits.MaxFileBytes > IO.CsvTable.MaxFileBytes ? Grid.Matpower.MatpowerLimits.MaxFileBytes : IO.CsvTable.MaxFileBytes;

    /// <summary>
    /// A version of the data: SHA-256 over every file of the data folder (its path relative to the folder, its length and
    /// its content, in ordinal order of the paths; hidden files and folders skipped), as <c>sha256:</c> and the first 16
    /// hex digits. It changes when any input file changes, whatever the file system's timestamps say.
    /// </summary>
    public static string DataVersion(string? dataRoot = null)
    {
        string root = Path.GetFullPath(dataRoot ?? DataPaths.Root);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string file in Directory.GetFiles(root, "*", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
                     .Where(f => !f.Split('/').Any(part => part.StartsWith('.')))
                     .OrderBy(f => f, StringComparer.Ordinal))
        {
            // Bounded like every input read: a device or a pipe placed in the data folder stops at the limit.
            byte[] content = IO.BoundedInput.ReadAllBytes(Path.Combine(root, file), MaxDataFileBytes);
            hash.AppendData(Encoding.UTF8.GetBytes($"{file}\n{content.Length.ToString(CultureInfo.InvariantCulture)}\n"));
            hash.AppendData(content);
        }
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
