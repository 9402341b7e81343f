using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using P2PFlex.Scenarios;
using P2PFlex.TestSupport;

namespace P2PFlex.Tests.Packaging;

/// <summary>
/// The library and the tool as a user gets them (docs/library.md): packed once from this test run's build into a
/// temporary NuGet source, used from temporary folders outside the repository with <c>P2PFLEX_DATA</c> unset, so the
/// data must come from the packages themselves.
/// </summary>
[Trait(TestTiers.Category, PackedPackages.Category)]
public sealed class PackageTests(PackedPackages packages) : IClassFixture<PackedPackages>
{
    [Fact]
    public void The_packed_tool_installs_from_the_folder_and_runs_scenario_0_with_its_own_data()
    {
        string work = packages.NewFolder("tool");
        string toolPath = Path.Combine(work, "tools");
        var install = PackedPackages.Run("dotnet", ["tool", "install", "--tool-path", toolPath, "--add-source", packages.Source,
            "P2PFlex.Cli", "--version", packages.Version], work);
        Assert.True(install.Code == 0, install.Text);
        string p2pflex = Path.Combine(toolPath, OperatingSystem.IsWindows() ? "p2pflex.exe" : "p2pflex");
        Assert.True(File.Exists(p2pflex), install.Text);

        var table = PackedPackages.Run(p2pflex, ["scenarios", "run", "0"], work);
        Assert.True(table.Code == 0, table.Text);
        // The data it names is the copy inside the installed tool, not the repository's.
        string toolData = Path.Combine("tools", "net10.0", "any", "data");
        Assert.Contains($"data {toolPath}", table.Out);
        Assert.Contains(toolData, table.Out);
        Assert.Contains(table.Out.Split('\n'), line => line.StartsWith("0 ", StringComparison.Ordinal));

        var json = PackedPackages.Run(p2pflex, ["scenarios", "run", "0", "--json"], work);
        Assert.True(json.Code == 0, json.Text);
        var row = Assert.Single(JsonDocument.Parse(json.Out).RootElement.EnumerateArray());
        PackedPackages.AssertExpected(packages.ScenarioFile("0"), PackedPackages.Flatten(row));
    }

    [Fact]
    public void A_console_program_referencing_the_package_prints_scenario_1s_expected_kpis()
    {
        string app = packages.NewFolder("console");
        File.WriteAllText(Path.Combine(app, "kpis.csproj"), PackedPackages.ConsoleProject($"""<PackageReference Include="P2PFlex" Version="{packages.Version}" />"""));
        string program = packages.DocProgram("// Program.cs");
        Assert.InRange(program.Split('\n').Length, 10, 25);
        File.WriteAllText(Path.Combine(app, "Program.cs"), program);

        var run = PackedPackages.Run("dotnet", ["run"], app);
        Assert.True(run.Code == 0, run.Text);
        // The study's data came with the package, beside the program.
        Assert.True(File.Exists(Path.Combine(app, "bin", "Debug", "net10.0", "data", "cases", "case69.m")), run.Text);
        PackedPackages.AssertExpected(packages.ScenarioFile("1"), PackedPackages.Printed(run.Out));
    }

    [Fact]
    public void The_file_based_program_kpis_cs_runs_with_dotnet_run_and_prints_scenario_1s_expected_kpis()
    {
        string folder = packages.NewFolder("file-based");
        string source = packages.DocProgram("#:package P2PFlex@1.0.0")
            .Replace("#:package P2PFlex@1.0.0", $"#:package P2PFlex@{packages.Version}", StringComparison.Ordinal);
        Assert.DoesNotContain("#:property", source);
        File.WriteAllText(Path.Combine(folder, "kpis.cs"), source);

        // As a user types it, plus where the build goes: by default a file-based program is built under
        // ~/.local/share/dotnet/runfile, a new folder of about 330 MB for every new path of kpis.cs.
        var run = PackedPackages.Run("dotnet", ["run", "--artifacts-path", Path.Combine(folder, "artifacts"), "kpis.cs"], folder);
        Assert.True(run.Code == 0, run.Text);
        // A scenario file that failed to load (the reflection-disabled JSON of a file-based program) would be printed here.
        Assert.True(run.Err.Trim().Length == 0, run.Text);
        PackedPackages.AssertExpected(packages.ScenarioFile("1"), PackedPackages.Printed(run.Out));
    }
}

/// <summary>
/// Both packages, packed once per test class from the build the tests run on (<c>dotnet pack --no-build</c>) with a
/// version of their own — NuGet's global cache never serves an older pack of the same version — into a temporary
/// folder that a <c>nuget.config</c> there names as a source (beside the machine's own sources, for the
/// dependencies). Removes the folder and the version's copies in NuGet's cache afterwards.
/// </summary>
public sealed class PackedPackages : IDisposable
{
    public const string Category = "Packaging";

    public string Repository { get; }

    public string Root { get; }

    /// <summary>The NuGet source folder holding both packages.</summary>
    public string Source { get; }

    public string Version { get; }

    public PackedPackages()
    {
        Repository = RepositoryPaths.Root;
        Root = Path.Combine(Path.GetTempPath(), $"p2pflex-packages-{Guid.NewGuid():N}");
        Source = Path.Combine(Root, "source");
        Directory.CreateDirectory(Source);
        Version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        string configuration = typeof(PackedPackages).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        foreach (var (project, extra) in new[]
                 {
                     ("src/P2PFlex/P2PFlex.csproj", Array.Empty<string>()),
                     ("src/P2PFlex.Cli/P2PFlex.Cli.csproj", [$"-p:PublishDir={Path.Combine(Root, "publish")}{Path.DirectorySeparatorChar}"]),
                 })
        {
            var pack = Run("dotnet", ["pack", Path.Combine(Repository, project), "--no-build", "-c", configuration, "-o", Source,
                $"-p:PackageVersion={Version}", .. extra], Repository);
            if (pack.Code != 0) throw new InvalidOperationException($"dotnet pack {project} failed:\n{pack.Text}");
        }
        // Beside the machine's own sources (no <clear/>): the package's dependencies restore from there.
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="p2pflex-test-packages" value="{Source}" />
              </packageSources>
            </configuration>
            """);
    }

    /// <summary>A new folder under <see cref="Root"/> (so its <c>nuget.config</c> applies), outside the repository.</summary>
    public string NewFolder(string name)
    {
        string dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public string ScenarioFile(string name) => Path.Combine(Repository, "data", "scenarios", name + ".json");

    /// <summary>The C# code block of docs/library.md whose first line is <paramref name="firstLine"/>.</summary>
    public string DocProgram(string firstLine)
    {
        string doc = File.ReadAllText(Path.Combine(Repository, "docs", "library.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var blocks = doc.Split("```csharp\n").Skip(1).Select(b => b[..b.IndexOf("```", StringComparison.Ordinal)]);
        return Assert.Single(blocks, b => b.StartsWith(firstLine + "\n", StringComparison.Ordinal));
    }

    /// <summary>"column = value" lines as printed by the documented programs.</summary>
    public static Dictionary<string, string> Printed(string output)
    {
        var printed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            int eq = line.IndexOf(" = ", StringComparison.Ordinal);
            if (eq > 0) printed[line[..eq]] = line[(eq + 3)..];
        }
        return printed;
    }

    /// <summary>A KPI object of <c>--json</c> as the same flat columns (nested groups joined with '_', line lists
    /// space-separated, null empty).</summary>
    public static Dictionary<string, string> Flatten(JsonElement element, string prefix = "", Dictionary<string, string>? into = null)
    {
        into ??= new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            string name = prefix + p.Name;
            switch (p.Value.ValueKind)
            {
                case JsonValueKind.Object: Flatten(p.Value, name + "_", into); break;
                case JsonValueKind.Array: into[name] = string.Join(" ", p.Value.EnumerateArray().Select(v => v.GetRawText())); break;
                case JsonValueKind.Null: into[name] = ""; break;
                case JsonValueKind.String: into[name] = p.Value.GetString()!; break;
                default: into[name] = p.Value.GetRawText(); break;
            }
        }
        return into;
    }

    /// <summary>Every KPI the scenario file states under <c>expected</c> equals the printed one: numbers within the
    /// file's relative tolerance × max(1, |expected|), everything else exactly.</summary>
    public static void AssertExpected(string scenarioFile, IReadOnlyDictionary<string, string> printed)
    {
        var expected = ScenarioDefinition.Read(scenarioFile).Expected ?? throw new InvalidOperationException($"{scenarioFile} states no expected KPIs");
        Assert.NotEmpty(expected.Values.Names);
        foreach (string name in expected.Values.Names)
        {
            Assert.True(printed.TryGetValue(name, out string? got), $"{name} was not printed; printed: {string.Join(", ", printed.Keys)}");
            var e = expected.Values[name]!.Value;
            switch (e.ValueKind)
            {
                case JsonValueKind.Number:
                    double value = double.Parse(got, CultureInfo.InvariantCulture);
                    Assert.True(Math.Abs(value - e.GetDouble()) <= expected.RelativeTolerance * Math.Max(1, Math.Abs(e.GetDouble())),
                        $"{name}: expected {e.GetRawText()}, printed {got}");
                    break;
                case JsonValueKind.Null:
                    Assert.True(got.Length == 0, $"{name}: expected null, printed {got}");
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    Assert.True(bool.Parse(got) == (e.ValueKind == JsonValueKind.True), $"{name}: expected {e.GetRawText()}, printed {got}");
                    break;
                default:
                    Assert.True(KpiValues.Text(e) == got, $"{name}: expected {e.GetRawText()}, printed {got}");
                    break;
            }
        }
    }

    public sealed record Result(int Code, string Out, string Err)
    {
        public string Text => $"exit {Code}\n--- stdout\n{Out}\n--- stderr\n{Err}";
    }

    /// <summary>Runs a program as a user's shell would: no <c>P2PFLEX_DATA</c> (unless <paramref name="environment"/>
    /// sets it), no MSBuild state of the test run's own build, telemetry off; ten minutes at most.</summary>
    /// <summary>The project file of a console program (docs/library.md) whose one item is <paramref name="reference"/>:
    /// the package's <c>PackageReference</c> or a clone's <c>ProjectReference</c>.</summary>
    public static string ConsoleProject(string reference) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
            {reference}
          </ItemGroup>
        </Project>
        """;

    public static Result Run(string program, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment.Remove(P2PFlex.Data.DataPaths.EnvironmentVariable);
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToArray())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new Result(-1, stdout.Result, stderr.Result + $"\n{program} {string.Join(' ', args)}: killed after 10 minutes");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } own
            ? own
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string id in new[] { "p2pflex", "p2pflex.cli" })
        {
            string copy = Path.Combine(cache, id, Version);
            if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
        }
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
