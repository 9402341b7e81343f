using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace P2PFlex.Numerics;

/// <summary>
/// The loops of a Cholesky factor kept as jagged lower-triangular rows (row i holds L_i0 … L_ii), as the active-set QP's
/// working factor keeps it. Every sum is the plain one: it starts from the matrix entry and subtracts its terms one after
/// another in ascending k, each product rounded before it is subtracted (never fused).
/// <para><b>Four sums side by side.</b> Such a sum is a chain of dependent subtractions, so computing one entry at a time
/// leaves the processor waiting on each subtraction's latency. Here the entries j … j + 3 of a row (and, when solving,
/// the unknowns i … i + 3) are computed together: the terms k &lt; j that the four sums share run as four independent
/// chains over the same loads of row i, then each sum's own last terms (entries computed just before) follow one after
/// another. Computing a row's entries below the diagonal is the forward substitution of that row of S against the rows
/// above, so one kernel (<see cref="FourUnknowns"/>) serves both. Each sum still gets exactly the operations, in the order,
/// of the one-at-a-time loop, so the factor and the solution are bit for bit those of the plain loops (<c>JaggedCholeskyTests</c> compares them on random inputs).</para>
/// </summary>
internal static class JaggedCholesky
{
    /// <summary>
    /// Entries <paramref name="from"/> … i − 1 of row i = <c>li.Length − 1</c>: L_ij = (S_ij − Σ_{k&lt;j} L_ik L_jk) / L_jj,
    /// given rows 0 … i − 1 of L in <paramref name="l"/> and row i's entries before <paramref name="from"/> in
    /// <paramref name="li"/>. Returns S_ii − Σ_{k&lt;i} L_ik², the pivot before its square root (not written).
    /// </summary>
    public static double Row(double[] si, double[][] l, double[] li, int from)
    {
        int i = li.Length - 1;
        if (si.Length <= i) throw new ArgumentException($"row {i} of S has {si.Length} entries", nameof(si));
        ref double s = ref MemoryMarshal.GetArrayDataReference(si);
        ref double r = ref MemoryMarshal.GetArrayDataReference(li);
        int j = from;
        for (; j + 4 <= i; j += 4) FourUnknowns(ref s, ref r, l, j);
        for (; j < i; j++) OneUnknown(ref s, ref r, l, j);
        double d = Unsafe.Add(ref s, i);
        for (int k = 0; k < i; k++) d -= Unsafe.Add(ref r, k) * Unsafe.Add(ref r, k);
        return d;
    }

    /// <summary>
    /// The forward substitution's step for the four unknowns j … j + 3 of L y = b: y_u = (b_u − Σ_{k&lt;u} L_uk y_k) / L_uu,
    /// with y_0 … y_{j−1} in <paramref name="y"/>. The terms k &lt; j the four sums share run as four independent chains
    /// over the same loads of y; then each sum's terms for the unknowns just computed, one after another. Serves both
    /// <see cref="Row"/> (b = row i of S, y = row i of L: y_u = L_iu) and <see cref="Forward"/> (in place, b and y the same
    /// array: the four values of b are read before any is written).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourUnknowns(ref double b, ref double y, double[][] l, int j)
    {
        double[] a0 = l[j], a1 = l[j + 1], a2 = l[j + 2], a3 = l[j + 3];
        if (a0.Length <= j || a1.Length <= j + 1 || a2.Length <= j + 2 || a3.Length <= j + 3)
            throw new ArgumentException($"rows {j} … {j + 3} of L are too short", nameof(l));
        ref double q0 = ref MemoryMarshal.GetArrayDataReference(a0);
        ref double q1 = ref MemoryMarshal.GetArrayDataReference(a1);
        ref double q2 = ref MemoryMarshal.GetArrayDataReference(a2);
        ref double q3 = ref MemoryMarshal.GetArrayDataReference(a3);
        double v0 = Unsafe.Add(ref b, j), v1 = Unsafe.Add(ref b, j + 1), v2 = Unsafe.Add(ref b, j + 2), v3 = Unsafe.Add(ref b, j + 3);
        for (int k = 0; k < j; k++)
        {
            double x = Unsafe.Add(ref y, k);
            v0 -= x * Unsafe.Add(ref q0, k);
            v1 -= x * Unsafe.Add(ref q1, k);
            v2 -= x * Unsafe.Add(ref q2, k);
            v3 -= x * Unsafe.Add(ref q3, k);
        }
        double x0 = v0 / Unsafe.Add(ref q0, j);
        Unsafe.Add(ref y, j) = x0;
        v1 -= x0 * Unsafe.Add(ref q1, j);
        double x1 = v1 / Unsafe.Add(ref q1, j + 1);
        Unsafe.Add(ref y, j + 1) = x1;
        v2 -= x0 * Unsafe.Add(ref q2, j);
        v2 -= x1 * Unsafe.Add(ref q2, j + 1);
        double x2 = v2 / Unsafe.Add(ref q2, j + 2);
        Unsafe.Add(ref y, j + 2) = x2;
        v3 -= x0 * Unsafe.Add(ref q3, j);
        v3 -= x1 * Unsafe.Add(ref q3, j + 1);
        v3 -= x2 * Unsafe.Add(ref q3, j + 2);
        Unsafe.Add(ref y, j + 3) = v3 / Unsafe.Add(ref q3, j + 3);
    }

    /// <summary>The forward substitution's step for one unknown j: y_j = (b_j − Σ_{k&lt;j} L_jk y_k) / L_jj (in place when
    /// b and y are the same array).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OneUnknown(ref double b, ref double y, double[][] l, int j)
    {
        var lj = l[j];
        if (lj.Length <= j) throw new ArgumentException($"row {j} of L has {lj.Length} entries", nameof(l));
        ref double q = ref MemoryMarshal.GetArrayDataReference(lj);
        double v = Unsafe.Add(ref b, j);
        for (int k = 0; k < j; k++) v -= Unsafe.Add(ref y, k) * Unsafe.Add(ref q, k);
        Unsafe.Add(ref y, j) = v / Unsafe.Add(ref q, j);
    }

    /// <summary>
    /// Rows i … i + 3 together, entries <paramref name="from"/> on (diagonal included): the rows' entries before
    /// <paramref name="from"/> are given, rows 0 … i − 1 of L are done. Row i + r's entry j is lane r of a 256-bit vector,
    /// so one vector subtraction serves four rows (a panel keeps the four rows' entries k side by side), and four
    /// columns run side by side: sixteen independent sums, each the plain sum of <see cref="Row"/>, as lanes are rounded
    /// as scalars are. Writes the square roots onto the diagonal and the pivots before them into
    /// <paramref name="pivots"/>; a pivot that is not positive leaves NaN or infinities in the later entries, which the
    /// caller, refusing the factor, never reads. Needs <see cref="Vector256.IsHardwareAccelerated"/>.
    /// </summary>
    public static void FourRows(double[][] s, double[][] l, int i, int from, Span<double> pivots)
    {
        if (pivots.Length < 4 || from > i || i + 4 > l.Length || i + 4 > s.Length)
            throw new ArgumentException($"rows {i} … {i + 3} from {from}: {l.Length} rows of L, {s.Length} of S, {pivots.Length} pivots");
        for (int r = 0; r < 4; r++)
        {
            if (l[i + r].Length != i + r + 1) throw new ArgumentException($"row {i + r} of L has {l[i + r].Length} entries", nameof(l));
            if (s[i + r].Length <= i + r) throw new ArgumentException($"row {i + r} of S has {s[i + r].Length} entries", nameof(s));
        }
        for (int j = 0; j < i; j++)
            if (l[j].Length <= j) throw new ArgumentException($"row {j} of L has {l[j].Length} entries", nameof(l));

        var panel = Panel(i + 4);
        ref double p = ref MemoryMarshal.GetArrayDataReference(panel);
        double[] l0 = l[i], l1 = l[i + 1], l2 = l[i + 2], l3 = l[i + 3];
        double[] s0 = s[i], s1 = s[i + 1], s2 = s[i + 2], s3 = s[i + 3];
        for (int k = 0; k < from; k++) Vector256.Create(l0[k], l1[k], l2[k], l3[k]).StoreUnsafe(ref p, (nuint)(4 * k));

        int c = from;
        for (; c + 4 <= i; c += 4)
        {
            ref double q0 = ref MemoryMarshal.GetArrayDataReference(l[c]);
            ref double q1 = ref MemoryMarshal.GetArrayDataReference(l[c + 1]);
            ref double q2 = ref MemoryMarshal.GetArrayDataReference(l[c + 2]);
            ref double q3 = ref MemoryMarshal.GetArrayDataReference(l[c + 3]);
            var v0 = Vector256.Create(s0[c], s1[c], s2[c], s3[c]);
            var v1 = Vector256.Create(s0[c + 1], s1[c + 1], s2[c + 1], s3[c + 1]);
            var v2 = Vector256.Create(s0[c + 2], s1[c + 2], s2[c + 2], s3[c + 2]);
            var v3 = Vector256.Create(s0[c + 3], s1[c + 3], s2[c + 3], s3[c + 3]);
            for (int k = 0; k < c; k++)
            {
                var x = Vector256.LoadUnsafe(ref p, (nuint)(4 * k));
                v0 -= x * Vector256.Create(Unsafe.Add(ref q0, k));
                v1 -= x * Vector256.Create(Unsafe.Add(ref q1, k));
                v2 -= x * Vector256.Create(Unsafe.Add(ref q2, k));
                v3 -= x * Vector256.Create(Unsafe.Add(ref q3, k));
            }
            var x0 = v0 / Vector256.Create(Unsafe.Add(ref q0, c));
            x0.StoreUnsafe(ref p, (nuint)(4 * c));
            v1 -= x0 * Vector256.Create(Unsafe.Add(ref q1, c));
            var x1 = v1 / Vector256.Create(Unsafe.Add(ref q1, c + 1));
            x1.StoreUnsafe(ref p, (nuint)(4 * (c + 1)));
            v2 -= x0 * Vector256.Create(Unsafe.Add(ref q2, c));
            v2 -= x1 * Vector256.Create(Unsafe.Add(ref q2, c + 1));
            var x2 = v2 / Vector256.Create(Unsafe.Add(ref q2, c + 2));
            x2.StoreUnsafe(ref p, (nuint)(4 * (c + 2)));
            v3 -= x0 * Vector256.Create(Unsafe.Add(ref q3, c));
            v3 -= x1 * Vector256.Create(Unsafe.Add(ref q3, c + 1));
            v3 -= x2 * Vector256.Create(Unsafe.Add(ref q3, c + 2));
            var x3 = v3 / Vector256.Create(Unsafe.Add(ref q3, c + 3));
            x3.StoreUnsafe(ref p, (nuint)(4 * (c + 3)));
        }
        for (; c < i; c++)
        {
            ref double q = ref MemoryMarshal.GetArrayDataReference(l[c]);
            var v = Vector256.Create(s0[c], s1[c], s2[c], s3[c]);
            for (int k = 0; k < c; k++) v -= Vector256.LoadUnsafe(ref p, (nuint)(4 * k)) * Vector256.Create(Unsafe.Add(ref q, k));
            (v / Vector256.Create(Unsafe.Add(ref q, c))).StoreUnsafe(ref p, (nuint)(4 * c));
        }

        // The 4×4 corner: columns i + m of rows i + r ≥ i + m. Their terms k < i side by side (lane r of t_m; lanes r < m
        // unused), then each entry's own terms k = i … i + m − 1 one after another, in the order the plain loop takes.
        var t0 = Vector256.Create(s0[i], s1[i], s2[i], s3[i]);
        var t1 = Vector256.Create(0, s1[i + 1], s2[i + 1], s3[i + 1]);
        var t2 = Vector256.Create(0, 0, s2[i + 2], s3[i + 2]);
        var t3 = Vector256.Create(0, 0, 0, s3[i + 3]);
        for (int k = 0; k < i; k++)
        {
            var x = Vector256.LoadUnsafe(ref p, (nuint)(4 * k));
            t0 -= x * Vector256.Create(Unsafe.Add(ref p, 4 * k));
            t1 -= x * Vector256.Create(Unsafe.Add(ref p, 4 * k + 1));
            t2 -= x * Vector256.Create(Unsafe.Add(ref p, 4 * k + 2));
            t3 -= x * Vector256.Create(Unsafe.Add(ref p, 4 * k + 3));
        }
        for (int k = 0; k < i; k++)
        {
            l0[k] = Unsafe.Add(ref p, 4 * k);
            l1[k] = Unsafe.Add(ref p, 4 * k + 1);
            l2[k] = Unsafe.Add(ref p, 4 * k + 2);
            l3[k] = Unsafe.Add(ref p, 4 * k + 3);
        }

        // Row i.
        double d = t0.GetElement(0);
        pivots[0] = d;
        l0[i] = Math.Sqrt(d);
        // Row i + 1.
        l1[i] = t0.GetElement(1) / l0[i];
        d = t1.GetElement(1);
        d -= l1[i] * l1[i];
        pivots[1] = d;
        l1[i + 1] = Math.Sqrt(d);
        // Row i + 2.
        l2[i] = t0.GetElement(2) / l0[i];
        double v21 = t1.GetElement(2);
        v21 -= l2[i] * l1[i];
        l2[i + 1] = v21 / l1[i + 1];
        d = t2.GetElement(2);
        d -= l2[i] * l2[i];
        d -= l2[i + 1] * l2[i + 1];
        pivots[2] = d;
        l2[i + 2] = Math.Sqrt(d);
        // Row i + 3.
        l3[i] = t0.GetElement(3) / l0[i];
        double v31 = t1.GetElement(3);
        v31 -= l3[i] * l1[i];
        l3[i + 1] = v31 / l1[i + 1];
        double v32 = t2.GetElement(3);
        v32 -= l3[i] * l2[i];
        v32 -= l3[i + 1] * l2[i + 1];
        l3[i + 2] = v32 / l2[i + 2];
        d = t3.GetElement(3);
        d -= l3[i] * l3[i];
        d -= l3[i + 1] * l3[i + 1];
        d -= l3[i + 2] * l3[i + 2];
        pivots[3] = d;
        l3[i + 3] = Math.Sqrt(d);
    }

    [ThreadStatic] private static double[]? t_panel;

    /// <summary>This thread's panel of at least 4·<paramref name="rows"/> entries (every entry read is written first).</summary>
    private static double[] Panel(int rows)
    {
        var panel = t_panel;
        if (panel is null || panel.Length < 4 * rows) t_panel = panel = new double[4 * Math.Max(rows, 64)];
        return panel;
    }

    /// <summary>Forward substitution L y = b in place: y_i = (b_i − Σ_{k&lt;i} L_ik y_k) / L_ii.</summary>
    public static void Forward(double[][] l, double[] b)
    {
        int w = l.Length;
        if (b.Length < w) throw new ArgumentException($"b has {b.Length} entries for {w} rows", nameof(b));
        ref double y = ref MemoryMarshal.GetArrayDataReference(b);
        int i = 0;
        for (; i + 4 <= w; i += 4) FourUnknowns(ref y, ref y, l, i);
        for (; i < w; i++) OneUnknown(ref y, ref y, l, i);
    }
}
