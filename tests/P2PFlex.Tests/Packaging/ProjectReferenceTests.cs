using System.Reflection;
using P2PFlex.Data;
using P2PFlex.TestSupport;

namespace P2PFlex.Tests.Packaging;

/// <summary>
/// A program of the user's own, outside the repository, with a project reference to <c>src/P2PFlex</c> instead of the
/// package (docs/library.md, "A program with a project reference"). A project reference copies no data beside the
/// program, so <c>P2PFLEX_DATA</c> names the clone's <c>data/</c>; before, the study's own case69 in that folder was
/// refused as "the study's feeder" in FeederResolver. Full tier with the package tests: it builds a project.
/// </summary>
[Trait(TestTiers.Category, PackedPackages.Category)]
public sealed class ProjectReferenceTests
{
    [Fact]
    public void A_program_with_a_project_reference_and_P2PFLEX_DATA_prints_scenario_0s_expected_kpis()
    {
        string repository = RepositoryPaths.Root;
        string app = Path.Combine(Path.GetTempPath(), $"p2pflex-project-reference-{Guid.NewGuid():N}");
        Directory.CreateDirectory(app);
        try
        {
            string configuration = typeof(ProjectReferenceTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            File.WriteAllText(Path.Combine(app, "kpis.csproj"),
                PackedPackages.ConsoleProject($"""<ProjectReference Include="{Path.Combine(repository, "src", "P2PFlex", "P2PFlex.csproj")}" />"""));
            // docs/library.md's program, on scenario 0
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using System.Globalization;
                using P2PFlex.Scenarios;

                var context = StudyContext.Load();
                var catalog = ScenarioCatalog.Load();
                foreach (var problem in catalog.Problems) Console.Error.WriteLine(problem.Message);
                var kpis = ScenarioReport.Kpis(ScenarioRunner.Run(catalog.Scenarios.Single(s => s.Name == "0"), context));
                foreach (var (column, value) in kpis.Columns())
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{column} = {value}"));
                """);
            // The test run has built src/P2PFlex in this configuration already: the reference is up to date.
            var build = PackedPackages.Run("dotnet", ["build", "-c", configuration], app);
            Assert.True(build.Code == 0, build.Text);
            string program = Path.Combine(app, "bin", configuration, "net10.0", "kpis.dll");
            Assert.False(Directory.Exists(Path.Combine(app, "bin", configuration, "net10.0", "data")), "a project reference copied data beside the program");

            var run = PackedPackages.Run("dotnet", [program], app,
                new Dictionary<string, string> { [DataPaths.EnvironmentVariable] = Path.Combine(repository, "data") });
            Assert.True(run.Code == 0, run.Text);
            Assert.True(run.Err.Trim().Length == 0, run.Text);
            PackedPackages.AssertExpected(Path.Combine(repository, "data", "scenarios", "0.json"), PackedPackages.Printed(run.Out));

            // Without P2PFLEX_DATA the error says what to do.
            var bare = PackedPackages.Run("dotnet", [program], app);
            Assert.NotEqual(0, bare.Code);
            Assert.Contains($"set {DataPaths.EnvironmentVariable} to a P2PFlex clone's data folder", bare.Err);
        }
        finally
        {
            Directory.Delete(app, recursive: true);
        }
    }
}
