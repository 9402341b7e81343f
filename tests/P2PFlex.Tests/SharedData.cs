namespace P2PFlex.Tests;

/// <summary>
/// The shared test inputs (<c>shared/data/…</c> beside the repository root: MATPOWER, SimBench, BDEW), found by walking
/// up from the test assembly's folder. The project never copies them; a missing folder fails the test with a clear
/// message (CI has it).
/// </summary>
public static class SharedData
{
    /// <summary>The path of <c>shared/data/&lt;parts&gt;</c> in the nearest ancestor that has it.</summary>
    public static string Path(params string[] parts)
    {
        string relative = System.IO.Path.Combine(["shared", "data", .. parts]);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate) || File.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException(
            $"the shared test data '{relative}' is not beside the repository (searched upwards from {AppContext.BaseDirectory}); " +
            "the tests that read SimBench, BDEW or MATPOWER reference data need it");
    }

    /// <summary>The SimBench LV grid with a year of profiles (shared/data/simbench/README.md).</summary>
    public static string SimBenchLvRural1 => Path("simbench", "1-LV-rural1--0-no_sw");
}
