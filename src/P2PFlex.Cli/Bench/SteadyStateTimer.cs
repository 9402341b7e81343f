using System.Diagnostics;

namespace P2PFlex.Cli.Bench;

/// <summary>One measured operation of <c>p2pflex bench</c> (times in milliseconds).</summary>
public sealed record BenchMeasurement(string Name, double MedianMs, double MinMs, double MaxMs, int Runs)
{
    /// <summary>Untimed calls made before the timed ones.</summary>
    public int WarmupCalls { get; init; }

    /// <summary>Managed heap (bytes, after a full collection) before and after a long run of repeats, when measured.</summary>
    public long? MemoryStartBytes { get; init; }

    public long? MemoryEndBytes { get; init; }

    public int? MemoryRuns { get; init; }

    /// <summary>Median CPU time of the process (user + system, all threads) over the timed runs, ms: with wall time it
    /// says how many cores a run kept busy, and it is less disturbed than wall time on a loaded machine.</summary>
    public double? MedianCpuMs { get; init; }

    /// <summary>The process's peak working set after the timed runs (bytes).</summary>
    public long? PeakWorkingSetBytes { get; init; }
}

/// <summary>
/// Times an operation at steady state: warm-up calls first, then timed calls; reports median, min and max.
/// </summary>
/// <remarks>
/// .NET compiles a method first without optimisation (tier 0) and recompiles it optimised (tier 1) in the background
/// after about 30 calls, once start-up activity has settled (100 ms batches); loops are moved to optimised code by
/// on-stack replacement. A handful of warm-up calls therefore times tier-0 code: the AC power flow of case69 read 9×
/// slower that way. The default warm-up is by time, not by count: calls until <see cref="DefaultWarmupSeconds"/> have
/// passed (at least one call), which lets a 30 µs operation run tens of thousands of times and a 3 s one once.
/// </remarks>
public static class SteadyStateTimer
{
    /// <summary>Default warm-up duration (s).</summary>
    public const double DefaultWarmupSeconds = 1.0;

    /// <summary>
    /// Runs <paramref name="action"/> untimed — <paramref name="warmupCalls"/> times, or if null for
    /// <paramref name="warmupSeconds"/> (at least once) — then <paramref name="runs"/> times timed.
    /// </summary>
    public static BenchMeasurement Time(string name, int runs, Action action, int? warmupCalls = null, double warmupSeconds = DefaultWarmupSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        int warm = 0;
        if (warmupCalls is int count)
        {
            for (; warm < count; warm++) action();
        }
        else
        {
            long start = Stopwatch.GetTimestamp();
            do
            {
                action();
                warm++;
            } while (Stopwatch.GetElapsedTime(start).TotalSeconds < warmupSeconds);
        }
        var ms = new double[runs];
        var cpu = new double[runs];
        using var process = Process.GetCurrentProcess();
        for (int k = 0; k < runs; k++)
        {
            process.Refresh();
            var c0 = process.TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            action();
            ms[k] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            process.Refresh();
            cpu[k] = (process.TotalProcessorTime - c0).TotalMilliseconds;
        }
        process.Refresh();
        return Summarise(name, ms) with { WarmupCalls = warm, MedianCpuMs = Summarise(name, cpu).MedianMs, PeakWorkingSetBytes = process.PeakWorkingSet64 };
    }

    /// <summary>Formats in the invariant culture.</summary>
    public static string Invariant(FormattableString s) => s.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Median, min and max of timed runs (ms).</summary>
    public static BenchMeasurement Summarise(string name, double[] ms)
    {
        var sorted = (double[])ms.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new BenchMeasurement(name, median, sorted[0], sorted[^1], n);
    }
}
