using Xunit.Abstractions;

namespace P2PFlex.Kernel.Tests;

[CollectionDefinition(nameof(KernelMemoryTests), DisableParallelization = true)]
public sealed class KernelMemoryCollection;

/// <summary>
/// Memory per executed cell (issue 13: about 4 MiB per trivial cell, 186 MiB → 1 GB over 200 cells). The cause was
/// that every cell's script options carried the session's ~30 preloaded references again, so Roslyn bound them anew
/// for each submission; later cells now inherit them from the first submission. What remains (each cell's compiled
/// assembly and its compilation, which Roslyn keeps for the cells after it) is bounded here. Runs alone so that other
/// tests' allocations do not count.
/// </summary>
[Collection(nameof(KernelMemoryTests))]
public class KernelMemoryTests(ITestOutputHelper log)
{
    private const int Cells = 100;
    /// <summary>Bounds per cell: measured about 75 KiB managed and 190 KiB working set (before the fix: 530 KiB and 4 MiB).</summary>
    private const double MaxManagedKiBPerCell = 256, MaxWorkingSetKiBPerCell = 1024;

    private static long Settled()
    {
        for (int k = 0; k < 3; k++) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    [Fact]
    public void Memory_growth_per_trivial_cell_stays_bounded_and_later_cells_still_see_the_preloaded_libraries()
    {
        using var client = new KernelClient();
        int count = 0;
        void Run(int n)
        {
            for (int i = 0; i < n; i++)
            {
                count++;
                Assert.Equal("ok", client.Execute($"var x{count} = {count}; x{count} + 1").Status);
            }
        }
        Run(20);   // warm-up: Roslyn, the formatters, the first submission with the references
        long managedBefore = Settled();
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        long workingSetBefore = process.WorkingSet64;
        Run(Cells);
        double managed = (Settled() - managedBefore) / (double)Cells / 1024;
        process.Refresh();
        double workingSet = (process.WorkingSet64 - workingSetBefore) / (double)Cells / 1024;
        log.WriteLine($"{Cells} trivial cells: managed heap +{managed:F1} KiB per cell, working set +{workingSet:F1} KiB per cell");
        Assert.True(managed < MaxManagedKiBPerCell, $"managed heap grew {managed:F1} KiB per cell (bound {MaxManagedKiBPerCell})");
        Assert.True(workingSet < MaxWorkingSetKiBPerCell, $"working set grew {workingSet:F1} KiB per cell (bound {MaxWorkingSetKiBPerCell})");

        // The references came with the first cell only; a late cell still compiles against the P2PFlex library and Deedle.
        var late = client.Execute("var r = new P2PFlex.Numerics.SplitMix64(7).NextInt(10); Console.WriteLine(Deedle.Frame.FromRecords(new[] { new { A = r } }).RowCount);");
        Assert.Equal("ok", late.Status);
        Assert.Equal("1\n", late.Stdout);
    }
}
