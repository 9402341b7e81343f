using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace P2PFlex.Notebooks;

/// <summary>A package a cell asks for with <c>#r "nuget: Id, Version"</c> that the runner does not preload.</summary>
/// <param name="Id">The package id.</param>
/// <param name="Version">The exact version (a notebook names one, so that it runs the same tomorrow).</param>
/// <param name="Line">The cell's line that asks for it (1-based).</param>
public sealed record PackageRequest(string Id, string Version, int Line);

/// <summary>A package that could not be restored: the message names it and says what NuGet answered.</summary>
public sealed class NuGetRestoreException(string message) : Exception(message);

/// <summary>
/// Restores packages a cell asks for beyond the preloaded ones, as .NET Interactive does, with the .NET SDK's own
/// tools: a throw-away project in a temporary folder that references the packages, <c>dotnet restore</c> (NuGet's
/// sources from the NuGet configuration found from the notebook's folder upwards, else the user's; packages already in
/// the NuGet cache need no network), then the runtime assemblies of the packages and their dependencies for net10.0,
/// read from the restore's <c>project.assets.json</c>, as paths for the cell's references. Assemblies the runner already
/// loads are left out (a second copy would clash). Managed assemblies only: a package that needs native libraries of
/// its own is not supported.
/// </summary>
public static class NuGetPackages
{
    /// <summary>How long one restore may take (a first download of a large package included).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The runtime assemblies of <paramref name="packages"/> and their dependencies, restored for net10.0.</summary>
    /// <exception cref="NuGetRestoreException">A package cannot be restored (unknown, version not served, offline).</exception>
    public static async Task<IReadOnlyList<string>> RestoreAsync(IReadOnlyList<PackageRequest> packages, string baseDirectory,
        IReadOnlyCollection<string> loadedAssemblyNames, CancellationToken cancellationToken = default)
    {
        string what = string.Join(", ", packages.Select(p => $"{p.Id} {p.Version}"));
        var dir = Directory.CreateTempSubdirectory("p2pflex-nuget-");
        try
        {
            var project = new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"),
                new XElement("PropertyGroup",
                    new XElement("TargetFramework", "net10.0"),
                    // Stand alone: none of a repository's central versions or build settings apply to this project.
                    new XElement("ManagePackageVersionsCentrally", "false"),
                    new XElement("ImportDirectoryBuildProps", "false"),
                    new XElement("ImportDirectoryBuildTargets", "false"),
                    new XElement("ImportDirectoryPackagesProps", "false")),
                new XElement("ItemGroup", packages.Select(p =>
                    new XElement("PackageReference", new XAttribute("Include", p.Id), new XAttribute("Version", p.Version)))));
            string projectPath = Path.Combine(dir.FullName, "restore.csproj");
            await File.WriteAllTextAsync(projectPath, project.ToString(), cancellationToken).ConfigureAwait(false);

            var args = new List<string> { "restore", projectPath, "--nologo", "-v", "q" };
            if (FindNuGetConfig(baseDirectory) is { } config) args.AddRange(["--configfile", config]);
            var (exitCode, output) = await RunDotnetAsync(args, dir.FullName, cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                // "…/restore.csproj : error NU1102: Unable to find package X with version (>= 9.0.0)" and its continuation
                // lines, as one line each: "NU1102: Unable to find package X with version (>= 9.0.0)".
                var errors = output.Split('\n').Select(l => l.Trim())
                    .Select(l => l.IndexOf("error NU", StringComparison.Ordinal) is int at and >= 0 ? l[(at + "error ".Length)..] : null)
                    .OfType<string>().Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
                    .Distinct().ToList();
                bool offline = errors.Any(e => e.StartsWith("NU1301", StringComparison.Ordinal));
                throw new NuGetRestoreException($"the package{(packages.Count == 1 ? "" : "s")} {what} could not be restored through NuGet"
                    + (offline ? " (a package source cannot be reached: is this machine offline? a package already in the NuGet cache, ~/.nuget/packages, needs no network)" : "")
                    + ": " + (errors.Count > 0 ? string.Join("; ", errors) : string.Join(' ', output.Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Take(5))));
            }
            return RuntimeAssemblies(Path.Combine(dir.FullName, "obj", "project.assets.json"), loadedAssemblyNames);
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The net10.0 runtime assemblies of every package in a restore's assets file, minus those already loaded.</summary>
    internal static IReadOnlyList<string> RuntimeAssemblies(string assetsPath, IReadOnlyCollection<string> loadedAssemblyNames)
    {
        var assets = JsonNode.Parse(File.ReadAllText(assetsPath))!.AsObject();
        string packageFolder = assets["packageFolders"]!.AsObject().Select(f => f.Key).First();
        var libraries = assets["libraries"]!.AsObject();
        var target = assets["targets"]!.AsObject().Single().Value!.AsObject();
        var paths = new List<string>();
        foreach (var (key, library) in target)
        {
            if (library?["type"]?.GetValue<string>() != "package" || library["runtime"] is not JsonObject runtime) continue;
            string libraryPath = libraries[key]!["path"]!.GetValue<string>();
            foreach (var (file, _) in runtime)
            {
                if (!file.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) continue;   // "_._": nothing for this framework
                if (loadedAssemblyNames.Contains(Path.GetFileNameWithoutExtension(file), StringComparer.OrdinalIgnoreCase)) continue;
                paths.Add(Path.GetFullPath(Path.Combine(packageFolder, libraryPath, file)));
            }
        }
        return paths;
    }

    /// <summary>The nearest nuget.config from <paramref name="directory"/> upwards (NuGet's own file names), or null.</summary>
    private static string? FindNuGetConfig(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            foreach (string name in new[] { "nuget.config", "NuGet.config", "NuGet.Config" })
            {
                string path = Path.Combine(dir.FullName, name);
                if (File.Exists(path)) return path;
            }
        }
        return null;
    }

    private static async Task<(int ExitCode, string Output)> RunDotnetAsync(IReadOnlyList<string> args, string workingDirectory, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(psi) ?? throw new NuGetRestoreException("cannot start 'dotnet restore'");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested) throw;
            throw new NuGetRestoreException($"'dotnet restore' did not finish within {Timeout.TotalMinutes:0} minutes");
        }
        var output = new StringBuilder().Append(await stdout.ConfigureAwait(false)).Append(await stderr.ConfigureAwait(false));
        return (process.ExitCode, output.ToString());
    }

    /// <summary>The dotnet host running this process (the runner and the kernel run on it), else "dotnet" from PATH.</summary>
    private static string DotnetHost()
    {
        string? host = Environment.ProcessPath;
        if (host is not null && Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return host;
        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
    }
}
