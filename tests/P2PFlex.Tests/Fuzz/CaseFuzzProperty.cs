using System.Diagnostics;
using System.Text.Json;
using P2PFlex.Grid;
using P2PFlex.Grid.Matpower;

namespace P2PFlex.Tests.Fuzz;

/// <summary>
/// The property every case file must satisfy, whatever its content: what <c>p2pflex powerflow FILE --json</c> does —
/// read, build the network, solve, write the JSON report — either yields valid JSON or stops with a
/// <see cref="MatpowerFormatException"/> that names the file and a line inside it; nothing else may escape,
/// and each input stays within a time and an allocation bound.
/// </summary>
public static class CaseFuzzProperty
{
    /// <summary>Allocation bound per input: the reader's own limit (MaxElementsPerFile doubles, 400 MB) plus the
    /// tokens of a file at the size limit; exceeding it means a limit is missing.</summary>
    public const long MaxAllocatedBytesPerInput = 1_500_000_000;

    /// <summary>Wall-clock bound per input, far above the slowest legitimate input (a few hundred ms under load);
    /// only a hang or a quadratic blow-up reaches it.</summary>
    public static readonly TimeSpan MaxTimePerInput = TimeSpan.FromSeconds(20);

    /// <summary>Null when the property holds, else what went wrong.</summary>
    public static string? Check(string text, string name) => Run(text, name).Failure;

    /// <summary>Runs the property: whether the case was read and solved, and the failure if it does not hold.</summary>
    public static (bool Accepted, string? Failure) Run(string text, string name)
    {
        bool accepted = false;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        try
        {
            var c = MatpowerReader.Parse(text, name);
            var network = GridNetwork.FromCase(c);
            var result = AcPowerFlow.Solve(network);
            using var json = JsonDocument.Parse(PowerFlowReport.From(network, result).ToJson());
            accepted = true;
        }
        catch (MatpowerFormatException e)
        {
            int lines = text.Count(ch => ch == '\n') + 1;
            if (e.File != name) return (false, $"error names file '{e.File}', not '{name}': {e.Message}");
            if (e.Line < 0 || e.Line > lines + 1) return (false, $"error names line {e.Line} of a {lines}-line file: {e.Message}");
            if (string.IsNullOrEmpty(e.Field)) return (false, $"error names no field: {e.Message}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (false, $"{e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > MaxAllocatedBytesPerInput) return (accepted, $"allocated {allocated} bytes (bound {MaxAllocatedBytesPerInput})");
        if (clock.Elapsed > MaxTimePerInput) return (accepted, $"took {clock.Elapsed.TotalSeconds:F1} s (bound {MaxTimePerInput.TotalSeconds} s)");
        return (accepted, null);
    }

    /// <summary>Shrinks a failing input while it keeps failing with the same kind of failure: whole lines first,
    /// then runs of characters (a greedy delta-debugging pass).</summary>
    public static string Minimize(string text, string name, string failure)
    {
        string kind = Kind(failure);
        bool Fails(string candidate) => Check(candidate, name) is { } f && Kind(f) == kind;
        var lines = text.Split('\n').ToList();
        for (int i = lines.Count - 1; i >= 0; i--)
        {
            var without = lines.Where((_, k) => k != i).ToList();
            if (Fails(string.Join('\n', without))) lines = without;
        }
        string current = string.Join('\n', lines);
        for (int chunk = Math.Max(1, current.Length / 2); chunk >= 1; chunk /= 2)
            for (int start = 0; start + chunk <= current.Length;)
            {
                string candidate = current.Remove(start, chunk);
                if (Fails(candidate)) current = candidate; else start += chunk;
            }
        return current;
    }

    private static string Kind(string failure) => failure.Split(':', '\n')[0];
}
