namespace P2PFlex.Markets.P2P;

/// <summary>
/// Exact solution of one peer's local problem in the ADMM negotiation:
/// minimise −(α x − ½ β x²) + Σ_p (½ h t_p² + e_p t_p) over t_p ∈ [0, cap_p] with x = Σ_p t_p ∈ [0, V].
/// </summary>
/// <remarks>
/// A buyer has α = λ, β = b; a seller has α = −π, β = a (its cost π x + ½ a x² written in the same form).
/// With w the multiplier of x = Σ t_p (the peer's marginal value of one more MW through trades), every trade
/// is t_p(w) = clip((w − e_p)/h, 0, cap_p) and the peer's own volume is x(w) = clip((α − w)/β, 0, V).
/// F(w) = Σ_p t_p(w) − x(w) is continuous, nondecreasing and piecewise linear with kinks at
/// e_p, e_p + h·cap_p, α − βV and α, so its root is exact: sort the kinks, bisect over them, interpolate
/// linearly in the bracketing piece. O(k log k) for k trades, no iteration tolerance, no generic solver.
/// </remarks>
internal static class PeerSubproblem
{
    /// <summary>
    /// Returns the root w and writes the trades into <paramref name="trades"/>.
    /// <paramref name="scratch"/> needs 2k + 2 entries.
    /// </summary>
    public static double Solve(
        double alpha, double beta, double maxVolume,
        ReadOnlySpan<double> e, ReadOnlySpan<double> cap, double h,
        Span<double> trades, Span<double> scratch)
    {
        int k = e.Length;
        int count = 0;
        for (int p = 0; p < k; p++)
        {
            scratch[count++] = e[p];
            double top = e[p] + h * cap[p];
            if (double.IsFinite(top)) scratch[count++] = top;
        }

        scratch[count++] = alpha - beta * maxVolume;
        scratch[count++] = alpha;
        var kinks = scratch[..count];
        kinks.Sort();

        double w;
        double f0 = Excess(kinks[0], alpha, beta, maxVolume, e, cap, h);
        if (f0 >= 0)
        {
            // Left of every kink F = −V; F(kink₀) ≥ 0 means V = 0 and F ≡ 0 there: any such w is a root.
            w = kinks[0];
        }
        else
        {
            int first = 1, last = count; // smallest index with F ≥ 0
            while (first < last)
            {
                int mid = (first + last) >>> 1;
                if (Excess(kinks[mid], alpha, beta, maxVolume, e, cap, h) >= 0) last = mid;
                else first = mid + 1;
            }

            double left = kinks[first - 1];
            double fLeft = Excess(left, alpha, beta, maxVolume, e, cap, h);
            if (first < count)
            {
                double right = kinks[first];
                double fRight = Excess(right, alpha, beta, maxVolume, e, cap, h);
                w = fRight == fLeft ? right : left - fLeft * (right - left) / (fRight - fLeft);
                if (!(w >= left)) w = left;
                if (!(w <= right)) w = right;
            }
            else
            {
                // Right of every kink only uncapped trades still grow, with slope (their count)/h.
                int free = 0;
                for (int p = 0; p < k; p++) if (double.IsPositiveInfinity(cap[p])) free++;
                w = free == 0 ? left : left - fLeft * h / free;
            }
        }

        for (int p = 0; p < k; p++) trades[p] = Clip((w - e[p]) / h, cap[p]);
        return w;
    }

    private static double Excess(
        double w, double alpha, double beta, double maxVolume,
        ReadOnlySpan<double> e, ReadOnlySpan<double> cap, double h)
    {
        double sum = 0;
        for (int p = 0; p < e.Length; p++) sum += Clip((w - e[p]) / h, cap[p]);
        return sum - Clip((alpha - w) / beta, maxVolume);
    }

    private static double Clip(double u, double upper) => u <= 0 ? 0 : u >= upper ? upper : u;
}
