using System.Diagnostics;
using P2PFlex.Grid.Matpower;
using P2PFlex.IO;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Fuzz;

/// <summary>
/// The property every scenario file and every market data file (orderbook, P2P subset, line limits, loading states)
/// must satisfy, whatever its content: reading it and running a scenario on it either stops with a located error —
/// a <see cref="DataFormatException"/> that names the broken file (or, for a cross-reference between two files, names
/// it in the message), a line inside it and a field — or gives a result whose KPIs are all finite numbers. Nothing else
/// may escape, and each input stays within a time bound.
/// </summary>
public static class MarketInputFuzzProperty
{
    /// <summary>Wall-clock bound per input, far above the slowest legitimate run (a voltage-aware LFM under load);
    /// only a hang or a blow-up reaches it.</summary>
    public static readonly TimeSpan MaxTimePerInput = TimeSpan.FromSeconds(30);

    /// <summary>What happened to one input.</summary>
    public enum Outcome
    {
        /// <summary>Read, run, every KPI finite.</summary>
        Ran,
        /// <summary>Refused with a located error.</summary>
        Refused,
        /// <summary>The property does not hold.</summary>
        Failed,
    }

    /// <summary>Runs <paramref name="run"/> (read the file(s), run a scenario) and checks the property for the broken
    /// file <paramref name="path"/> whose text is <paramref name="text"/>.</summary>
    public static (Outcome Outcome, string? Failure) Check(string path, string text, Func<ScenarioResult> run)
    {
        var clock = Stopwatch.StartNew();
        (Outcome, string?) result;
        try
        {
            var kpis = ScenarioReport.Kpis(run());
            string? bad = kpis.Columns().Where(c => c.Value is double d && !double.IsFinite(d)).Select(c => $"{c.Key} = {c.Value}").FirstOrDefault();
            result = bad is null ? (Outcome.Ran, null) : (Outcome.Failed, $"a KPI is not finite: {bad}");
        }
        catch (DataFormatException e)
        {
            result = Located(path, text, e.File, e.Line, e.Field, e.Message);
        }
        catch (MatpowerFormatException e)
        {
            result = Located(path, text, e.File, e.Line, e.Field, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            result = (Outcome.Failed, $"{e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
        if (clock.Elapsed > MaxTimePerInput) return (Outcome.Failed, $"took {clock.Elapsed.TotalSeconds:F1} s (bound {MaxTimePerInput.TotalSeconds} s)");
        return result;
    }

    private static (Outcome, string?) Located(string path, string text, string file, int line, string? field, string message)
    {
        int lines = text.Count(ch => ch == '\n') + 1;
        // The broken file must be named: as the error's file, or in its message when the error is found in the file
        // that refers to it (a subset naming a bid the broken orderbook lost).
        if (file != path && !message.Contains(path, StringComparison.Ordinal))
            return (Outcome.Failed, $"error names file '{file}', not the broken '{path}': {message}");
        if (file == path && (line < 0 || line > lines + 1)) return (Outcome.Failed, $"error names line {line} of a {lines}-line file: {message}");
        if (string.IsNullOrEmpty(field)) return (Outcome.Failed, $"error names no field: {message}");
        return (Outcome.Refused, null);
    }
}
