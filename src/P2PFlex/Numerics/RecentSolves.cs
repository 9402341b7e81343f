namespace P2PFlex.Numerics;

/// <summary>
/// The last few results a pure solve returned on this thread, handed back when the identical problem is posed again.
/// The scenario files of one Monte Carlo draw or one time-series interval run one after another on one thread and pose
/// some problems more than once (the same P2P market for 1, 1′ and 1-voltage; the same network auction for CM3
/// variations 1 and 2; the same AC power flow before the LFM for every scenario without peers). A solve is a pure
/// function of its problem, so the stored result is exactly what solving again would return; "identical" is the
/// caller's comparison, of every number by its bits and of every id by ordinal, never by tolerance.
/// </summary>
/// <remarks>Per thread, so parallel draws and intervals neither lock nor see each other's problems; a handful of
/// entries, so the memory held is a few results. Results must be immutable (they are shared by every caller).</remarks>
/// <param name="capacity">Entries kept per thread (least recently used dropped first).</param>
/// <param name="identical">Whether two problems are the same problem.</param>
internal sealed class RecentSolves<TProblem, TResult>(int capacity, Func<TProblem, TProblem, bool> identical) where TProblem : class
{
    private readonly ThreadLocal<List<(TProblem Problem, TResult Result)>> _recent = new(() => new(capacity));

    /// <summary>The stored result of an identical problem, else <paramref name="solve"/>'s (then stored).</summary>
    public TResult Solve(TProblem problem, Func<TProblem, TResult> solve)
    {
        var recent = _recent.Value!;
        for (int i = recent.Count - 1; i >= 0; i--)
        {
            if (!identical(recent[i].Problem, problem)) continue;
            var hit = recent[i];
            recent.RemoveAt(i);
            recent.Add(hit);
            return hit.Result;
        }

        var result = solve(problem);
        if (recent.Count == capacity) recent.RemoveAt(0);
        recent.Add((problem, result));
        return result;
    }
}

/// <summary>Equality of numbers by their bits, for <see cref="RecentSolves{TProblem, TResult}"/>'s comparisons: +0 and −0,
/// or two NaN payloads, differ (a tolerance, or even ==, would let two different problems share one result).</summary>
internal static class BitEquality
{
    public static bool Same(double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y);

    /// <summary>Same length and every entry equal by bits.</summary>
    public static bool Same(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x.Count != y.Count) return false;
        for (int i = 0; i < x.Count; i++)
            if (!Same(x[i], y[i])) return false;
        return true;
    }

    /// <summary>Same length and every entry equal.</summary>
    public static bool Same(IReadOnlyList<int> x, IReadOnlyList<int> y)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x.Count != y.Count) return false;
        for (int i = 0; i < x.Count; i++)
            if (x[i] != y[i]) return false;
        return true;
    }

    /// <summary>Same shape and every entry equal by bits.</summary>
    public static bool Same(double[,] x, double[,] y)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x.GetLength(0) != y.GetLength(0) || x.GetLength(1) != y.GetLength(1)) return false;
        for (int i = 0; i < x.GetLength(0); i++)
            for (int j = 0; j < x.GetLength(1); j++)
                if (!Same(x[i, j], y[i, j])) return false;
        return true;
    }
}
