using System.Diagnostics;
using P2PFlex.IO;

namespace P2PFlex.Tests.IO;

/// <summary>
/// The one atomic file write and the one folder swap (issue 18.4, 22) on a really full disk: a 1 MiB tmpfs mounted for
/// the test (root on Linux — CI runs as root; elsewhere the test fails saying so, rather than passing unchecked).
/// </summary>
public sealed class AtomicWriteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pflex-atomic-").FullName;
    private readonly string _mount;

    public AtomicWriteTests()
    {
        Assert.True(OperatingSystem.IsLinux() && Environment.UserName == "root", "these tests mount a small tmpfs and need root on Linux (CI runs as root)");
        _mount = Path.Combine(_dir, "disk");
        Directory.CreateDirectory(_mount);
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", _mount);
    }

    public void Dispose()
    {
        Run("umount", _mount);
        Directory.Delete(_dir, recursive: true);
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(" ", args)}: {err}");
    }

    [Fact]
    public void A_file_write_that_fills_the_disk_leaves_the_previous_file_byte_identical_and_no_temporary()
    {
        string path = Path.Combine(_mount, "table.csv");
        AtomicFile.WriteAllText(path, "a,b\n1,2\n");
        var e = Assert.Throws<IOException>(() => AtomicFile.WriteAllBytes(path, new byte[2 << 20]));
        Assert.Contains(path, e.Message);
        Assert.Contains("is unchanged", e.Message);
        Assert.Equal("a,b\n1,2\n", File.ReadAllText(path));
        Assert.Equal(["table.csv"], Directory.GetFileSystemEntries(_mount).Select(Path.GetFileName));
    }

    [Fact]
    public void A_folder_swap_whose_set_does_not_fit_leaves_the_previous_set_and_no_staging_folder()
    {
        string target = Path.Combine(_mount, "export");
        using (var first = FolderSwap.Begin(target, d => File.Exists(Path.Combine(d, "scenario.json")), "export (scenario.json)"))
        {
            AtomicFile.WriteAllText(Path.Combine(first.StagingPath, "scenario.json"), "{}");
            AtomicFile.WriteAllText(Path.Combine(first.StagingPath, "lines.csv"), "line\n1\n");
            first.Commit();
        }
        var previous = Directory.GetFiles(target).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

        Assert.Throws<IOException>(() =>
        {
            using var swap = FolderSwap.Begin(target, d => File.Exists(Path.Combine(d, "scenario.json")), "export (scenario.json)");
            AtomicFile.WriteAllText(Path.Combine(swap.StagingPath, "scenario.json"), "{\"new\": true}");
            for (int i = 0; i < 4; i++) AtomicFile.WriteAllBytes(Path.Combine(swap.StagingPath, $"big{i}.bin"), new byte[400_000]);
            swap.Commit();
        });

        var now = Directory.GetFiles(target).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
        Assert.Equal(previous.Keys.Order(), now.Keys.Order());
        foreach (var (name, bytes) in previous) Assert.Equal(bytes, now[name]);
        Assert.Equal(["export"], Directory.GetFileSystemEntries(_mount).Select(Path.GetFileName));
    }

    [Fact]
    public void A_scenario_export_that_does_not_fit_leaves_the_earlier_export()
    {
        string target = Path.Combine(_mount, "s0");
        P2PFlex.Scenarios.ScenarioExport.Write(new Dictionary<string, string> { ["scenario.json"] = "{}", ["lines.csv"] = "line\n" }, target);
        var e = Assert.Throws<IOException>(() => P2PFlex.Scenarios.ScenarioExport.Write(
            new Dictionary<string, string> { ["scenario.json"] = "{}", ["lines.csv"] = new string('x', 2 << 20) }, target));
        Assert.Contains("lines.csv", e.Message);
        Assert.Equal("line\n", File.ReadAllText(Path.Combine(target, "lines.csv")));
        Assert.Equal(["s0"], Directory.GetFileSystemEntries(_mount).Select(Path.GetFileName));
    }
}
