using System.Collections.Immutable;
using System.Globalization;
using P2PFlex.Numerics;

namespace P2PFlex.Markets.Capacity;

/// <summary>
/// A peer that can deliver flexibility capacity (MW of injection change in the direction that relieves the areas it
/// belongs to) at cost π y + ½ a y² per hour, y ∈ [0, V].
/// </summary>
/// <param name="Id">Label for reports.</param>
/// <param name="MaxCapacityMw">V ≥ 0.</param>
/// <param name="LinearCostEurPerMwh">π ≥ 0: delivering capacity costs the peer something.</param>
/// <param name="QuadraticCostEurPerMw2h">a &gt; 0.</param>
public sealed record CapacityProvider(string Id, double MaxCapacityMw, double LinearCostEurPerMwh, double QuadraticCostEurPerMw2h);

/// <summary>
/// An area the DSO asks capacity from: the peers in it must together deliver at least <paramref name="RequirementMw"/>.
/// </summary>
/// <param name="Name">Label (e.g. the congested line), used in statuses and errors.</param>
/// <param name="RequirementMw">R ≥ 0, finite: the DSO's need, MW.</param>
/// <param name="Providers">Indices into <see cref="CapacityProblem.Providers"/> of the peers in the area.</param>
public sealed record CapacityArea(string Name, double RequirementMw, IReadOnlyList<int> Providers);

/// <summary>
/// The P2P capacity trade of the study's CM5 as a generalised Nash game: every provider minimises its own cost minus
/// what it is paid, subject to the shared constraints Σ_{i∈A} y_i ≥ R_A (one per area). Its variational equilibrium (one
/// common multiplier per shared constraint) is the minimiser of Σ cost subject to the shared constraints, and the
/// multipliers are the areas' capacity prices. Areas may overlap (a peer then counts for each).
/// </summary>
public sealed record CapacityProblem(IReadOnlyList<CapacityProvider> Providers, IReadOnlyList<CapacityArea> Areas, double IntervalHours = 1.0)
{
    /// <summary>Throws an <see cref="ArgumentException"/> whose ParamName names the field (e.g. "Areas[0].RequirementMw").</summary>
    public void Validate()
    {
        if (!(IntervalHours > 0) || !double.IsFinite(IntervalHours)) throw new ArgumentException($"IntervalHours must be > 0 and finite, is {IntervalHours}", nameof(IntervalHours));
        for (int i = 0; i < Providers.Count; i++)
        {
            var p = Providers[i];
            if (!(p.MaxCapacityMw >= 0) || !double.IsFinite(p.MaxCapacityMw)) throw new ArgumentException($"Providers[{i}].MaxCapacityMw must be ≥ 0 and finite, is {p.MaxCapacityMw}", $"Providers[{i}].MaxCapacityMw");
            if (!(p.LinearCostEurPerMwh >= 0) || !double.IsFinite(p.LinearCostEurPerMwh)) throw new ArgumentException($"Providers[{i}].LinearCostEurPerMwh must be ≥ 0 and finite, is {p.LinearCostEurPerMwh}", $"Providers[{i}].LinearCostEurPerMwh");
            if (!(p.QuadraticCostEurPerMw2h > 0) || !double.IsFinite(p.QuadraticCostEurPerMw2h)) throw new ArgumentException($"Providers[{i}].QuadraticCostEurPerMw2h must be > 0 and finite, is {p.QuadraticCostEurPerMw2h}", $"Providers[{i}].QuadraticCostEurPerMw2h");
        }
        for (int a = 0; a < Areas.Count; a++)
        {
            var area = Areas[a];
            if (!(area.RequirementMw >= 0) || !double.IsFinite(area.RequirementMw))
                throw new ArgumentException($"Areas[{a}].RequirementMw ({area.Name}) must be ≥ 0 and finite, is {area.RequirementMw.ToString(CultureInfo.InvariantCulture)}", $"Areas[{a}].RequirementMw");
            foreach (int i in area.Providers)
                if (i < 0 || i >= Providers.Count) throw new ArgumentException($"Areas[{a}].Providers has {i}, not a provider index", $"Areas[{a}].Providers");
            if (area.Providers.Distinct().Count() != area.Providers.Count) throw new ArgumentException($"Areas[{a}].Providers lists a provider twice", $"Areas[{a}].Providers");
        }
    }
}

/// <summary>Whether every area's requirement was covered.</summary>
public enum CapacityStatus
{
    Covered,
    /// <summary>At least one area has less capacity than the DSO asked for; its providers deliver all they have.</summary>
    Shortfall,
}

/// <summary>An area whose peers cannot cover the requirement.</summary>
public sealed record AreaShortfall(int AreaIndex, string Name, double RequirementMw, double AvailableMw)
{
    public double ShortfallMw => RequirementMw - AvailableMw;
    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "area {0}: requirement {1:F6} MW, its peers offer {2:F6} MW, shortfall {3:F6} MW", Name, RequirementMw, AvailableMw, ShortfallMw);
}

/// <summary>
/// Outcome of the capacity trade.
/// </summary>
/// <param name="Status">Covered or shortfall.</param>
/// <param name="DeliveredMw">Per provider, y_i.</param>
/// <param name="AreaPriceEurPerMwh">Per area, the capacity price ρ_A ≥ 0 (the shared constraint's multiplier).</param>
/// <param name="ProviderPriceEurPerMwh">Per provider, Σ of the prices of its areas: what it earns per MWh delivered.</param>
/// <param name="AreaDeliveredMw">Per area, Σ_{i∈A} y_i.</param>
/// <param name="Shortfalls">Areas whose requirement exceeds their peers' capacity (empty when covered).</param>
/// <param name="CapacityPaymentsEur">Σ_i price_i y_i Δt: what the DSO pays.</param>
/// <param name="SurplusEur">Per provider: payment − cost.</param>
/// <param name="PeersWelfareEur">Σ surpluses.</param>
/// <param name="TradedCapacityMw">Σ y.</param>
/// <param name="Iterations">Active-set iterations.</param>
public sealed record CapacityResult(
    CapacityStatus Status,
    ImmutableArray<double> DeliveredMw,
    ImmutableArray<double> AreaPriceEurPerMwh,
    ImmutableArray<double> ProviderPriceEurPerMwh,
    ImmutableArray<double> AreaDeliveredMw,
    ImmutableArray<AreaShortfall> Shortfalls,
    double CapacityPaymentsEur,
    ImmutableArray<double> SurplusEur,
    double PeersWelfareEur,
    double TradedCapacityMw,
    int Iterations)
{
    /// <summary>"covered", or every shortfall named with its area and size.</summary>
    public string Message => Status == CapacityStatus.Covered ? "covered" : string.Join("; ", Shortfalls.Select(s => s.ToString()));
}

/// <summary>
/// Clears the capacity trade: the variational equilibrium of the providers' game with the DSO's requirement as the
/// shared constraint, computed as the convex QP min Σ (π y + ½ a y²) s.t. Σ_{i∈A} y_i ≥ R_A, 0 ≤ y ≤ V with the
/// active-set method (start y = V, which covers every requirement that can be covered). An area whose peers offer less
/// than its requirement is a <see cref="CapacityStatus.Shortfall"/>: its requirement is capped at what is on offer and
/// the status names the area and the shortfall; it is never an exception.
/// </summary>
public static class CapacityMarket
{
    public static CapacityResult Clear(CapacityProblem problem)
    {
        problem.Validate();
        int n = problem.Providers.Count, m = problem.Areas.Count;
        var shortfalls = new List<AreaShortfall>();
        var rows = new double[m][];
        var lo = new double[m];
        var hi = new double[m];
        for (int a = 0; a < m; a++)
        {
            var area = problem.Areas[a];
            rows[a] = new double[n];
            double available = 0;
            foreach (int i in area.Providers) { rows[a][i] = 1; available += problem.Providers[i].MaxCapacityMw; }
            if (area.RequirementMw > available) shortfalls.Add(new AreaShortfall(a, area.Name, area.RequirementMw, available));
            lo[a] = Math.Min(area.RequirementMw, available);
            hi[a] = double.PositiveInfinity;
        }
        var qp = new SeparableQp(
            problem.Providers.Select(p => p.QuadraticCostEurPerMw2h).ToArray(),
            problem.Providers.Select(p => p.LinearCostEurPerMwh).ToArray(),
            new double[n],
            problem.Providers.Select(p => p.MaxCapacityMw).ToArray(),
            rows, lo, hi);
        var solution = ActiveSetQpSolver.Solve(qp, qp.Upper);
        if (solution.Status != QpStatus.Optimal)
            throw new InvalidOperationException($"capacity trade: the active-set QP stopped after {solution.Iterations} iterations without proving optimality");
        var y = solution.X;
        // A ≥ row binds at its lower side, where the solver's multiplier is ≤ 0: the price is its negative.
        var areaPrice = solution.RowDual.Select(d => Math.Max(0, -d)).ToArray();
        var providerPrice = new double[n];
        for (int a = 0; a < m; a++) foreach (int i in problem.Areas[a].Providers) providerPrice[i] += areaPrice[a];
        var areaDelivered = problem.Areas.Select(area => area.Providers.Sum(i => y[i])).ToArray();
        var surplus = new double[n];
        double payments = 0;
        for (int i = 0; i < n; i++)
        {
            var p = problem.Providers[i];
            double pay = providerPrice[i] * y[i] * problem.IntervalHours;
            payments += pay;
            surplus[i] = pay - (p.LinearCostEurPerMwh * y[i] + 0.5 * p.QuadraticCostEurPerMw2h * y[i] * y[i]) * problem.IntervalHours;
        }
        return new CapacityResult(shortfalls.Count == 0 ? CapacityStatus.Covered : CapacityStatus.Shortfall,
            [.. y], [.. areaPrice], [.. providerPrice], [.. areaDelivered], [.. shortfalls], payments, [.. surplus],
            surplus.Sum(), y.Sum(), solution.Iterations);
    }
}

/// <summary>
/// Checks a capacity-trade result against the variational-equilibrium conditions, independently of how it was
/// computed: bounds; every area covered up to what its peers offer; prices ≥ 0 and zero where an area is over-covered
/// (complementarity); and every provider's delivery its own best response to its price,
/// y_i = clamp((price_i − π_i)/a_i, 0, V_i). Returns the violations (empty when the result is an equilibrium).
/// </summary>
public static class CapacityKktChecker
{
    public static IReadOnlyList<string> Check(CapacityProblem problem, CapacityResult result, double toleranceMw = 1e-9, double tolerancePrice = 1e-7)
    {
        var ci = CultureInfo.InvariantCulture;
        var violations = new List<string>();
        int n = problem.Providers.Count;
        var price = new double[n];
        for (int a = 0; a < problem.Areas.Count; a++)
        {
            var area = problem.Areas[a];
            double rho = result.AreaPriceEurPerMwh[a];
            if (rho < -tolerancePrice) violations.Add(string.Format(ci, "area {0}: negative price {1}", area.Name, rho));
            double delivered = area.Providers.Sum(i => result.DeliveredMw[i]);
            double available = area.Providers.Sum(i => problem.Providers[i].MaxCapacityMw);
            double needed = Math.Min(area.RequirementMw, available);
            if (delivered < needed - toleranceMw) violations.Add(string.Format(ci, "area {0}: delivers {1} MW of {2} MW", area.Name, delivered, needed));
            if (rho > tolerancePrice && delivered > needed + toleranceMw) violations.Add(string.Format(ci, "area {0}: price {1} although over-covered by {2} MW", area.Name, rho, delivered - needed));
            foreach (int i in area.Providers) price[i] += rho;
        }
        for (int i = 0; i < n; i++)
        {
            var p = problem.Providers[i];
            double y = result.DeliveredMw[i];
            if (y < -toleranceMw || y > p.MaxCapacityMw + toleranceMw) violations.Add(string.Format(ci, "provider {0}: {1} MW outside [0, {2}]", p.Id, y, p.MaxCapacityMw));
            double best = Math.Clamp((price[i] - p.LinearCostEurPerMwh) / p.QuadraticCostEurPerMw2h, 0, p.MaxCapacityMw);
            // Compare in price units: a slope a turns a quantity gap into a marginal-cost gap.
            if (Math.Abs(best - y) * p.QuadraticCostEurPerMw2h > tolerancePrice * Math.Max(1, Math.Abs(price[i])) && Math.Abs(best - y) > toleranceMw)
                violations.Add(string.Format(ci, "provider {0}: delivers {1} MW, its best response to {2} EUR/MWh is {3} MW", p.Id, y, price[i], best));
        }
        return violations;
    }
}
