using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace P2PFlex.Notebooks;

/// <summary>
/// The metadata .NET Interactive / Polyglot Notebooks write (notebook-stack notes §1.2), so that notebooks executed
/// here still open as C# notebooks there: kernelspec <c>.net-csharp</c>, <c>language_info</c> C#,
/// <c>polyglot_notebook.kernelInfo</c>; on every C# cell <c>dotnet_interactive.language</c> and
/// <c>polyglot_notebook.kernelName</c>. Existing values are never overwritten.
/// </summary>
public static class PolyglotMetadata
{
    public const string KernelName = "csharp";

    public static void EnsureNotebook(Notebook nb)
    {
        var m = nb.Metadata;
        m["kernelspec"] ??= new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" };
        // "C#" rather than VS Code's "polyglot-notebook": nbconvert finds no lexer for the latter.
        m["language_info"] ??= new JsonObject
        {
            ["file_extension"] = ".cs",
            ["mimetype"] = "text/x-csharp",
            ["name"] = "C#",
            ["pygments_lexer"] = "csharp",
            ["version"] = "13.0",
        };
        m["polyglot_notebook"] ??= new JsonObject
        {
            ["kernelInfo"] = new JsonObject
            {
                ["defaultKernelName"] = KernelName,
                ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = KernelName }),
            },
        };
    }

    public static void EnsureCSharpCell(NotebookCell cell)
    {
        if (cell.CellType != CellType.Code) return;
        var m = cell.Metadata;
        m["dotnet_interactive"] ??= new JsonObject { ["language"] = KernelName };
        m["polyglot_notebook"] ??= new JsonObject { ["kernelName"] = KernelName };
        m["vscode"] ??= new JsonObject { ["languageId"] = "polyglot-notebook" };
    }

    /// <summary>
    /// The kernel a code cell is for, as .NET Interactive decides it: a <c>#!name</c> first line, else
    /// <c>polyglot_notebook.kernelName</c>, else <c>dotnet_interactive.language</c>, else the notebook's default.
    /// C# spellings are normalised to <c>csharp</c>.
    /// </summary>
    public static string CellKernel(Notebook nb, NotebookCell cell)
    {
        var first = cell.Source.Split('\n', 2)[0].Trim();
        if (first.StartsWith("#!", StringComparison.Ordinal) && first.Length > 2 && !first.Contains(' ')
            && IsKernelName(first[2..]))
            return Normalize(first[2..]);
        string? k = Str(cell.Metadata["polyglot_notebook"]?["kernelName"]) ?? Str(cell.Metadata["dotnet_interactive"]?["language"]);
        if (k is not null) return Normalize(k);
        return Normalize(Str(nb.Metadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"])
            ?? Str(nb.Metadata["kernelInfo"]?["defaultKernelName"])
            ?? Str(nb.Metadata["kernelspec"]?["language"])
            ?? KernelName);
    }

    private static readonly string[] KnownKernels =
        ["csharp", "c#", "cs", "fsharp", "f#", "fs", "pwsh", "powershell", "javascript", "js", "html", "markdown", "md", "sql", "kql", "mermaid", "value", "http"];

    private static bool IsKernelName(string s) => KnownKernels.Contains(s.ToLowerInvariant());

    private static string Normalize(string k) => k.ToLowerInvariant() switch
    {
        "c#" or "csharp" or "cs" or ".net-csharp" => KernelName,
        "f#" or "fs" or ".net-fsharp" => "fsharp",
        "powershell" or ".net-pwsh" => "pwsh",
        var other => other,
    };

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
}

/// <summary>nbformat 4.5 cell ids: missing, invalid or repeated ids are replaced by deterministic ones.</summary>
public static partial class CellIds
{
    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex ValidId();

    public static bool IsValid(string? id) => id is not null && ValidId().IsMatch(id);

    /// <summary>Gives every cell a valid id, unique in the notebook; ids already valid and unique are kept.</summary>
    public static void EnsureUnique(Notebook nb)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < nb.Cells.Count; i++)
        {
            var cell = nb.Cells[i];
            if (IsValid(cell.Id) && seen.Add(cell.Id)) continue;
            string baseId = Derive(i, cell);
            string id = baseId;
            for (int n = 2; !seen.Add(id); n++) id = $"{baseId}-{n}";
            cell.Id = id;
        }
    }

    /// <summary>An id not used by any cell of <paramref name="nb"/>, <paramref name="preferred"/> if free.</summary>
    public static string Fresh(Notebook nb, string preferred)
    {
        var used = nb.Cells.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        string id = preferred;
        for (int n = 2; used.Contains(id); n++) id = $"{preferred}-{n}";
        return id;
    }

    private static string Derive(int index, NotebookCell cell)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{index}\n{cell.CellType}\n{cell.Source}"));
        return Convert.ToHexStringLower(hash, 0, 4);
    }
}
