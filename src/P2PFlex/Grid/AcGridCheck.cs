using System.Globalization;

namespace P2PFlex.Grid;

/// <summary>
/// A voltage band [<paramref name="MinPu"/>, <paramref name="MaxPu"/>] (p.u.). The default, 0.90–1.10 p.u., is the
/// ±10 % supply-voltage range of EN 50160; <see cref="Tight"/> (0.95–1.05) is the narrower planning band also reported.
/// </summary>
public sealed record VoltageBand(double MinPu = 0.90, double MaxPu = 1.10)
{
    /// <summary>EN 50160's ±10 %.</summary>
    public static VoltageBand Default { get; } = new();

    /// <summary>±5 %, the narrower band the KPIs report beside the main one.</summary>
    public static VoltageBand Tight { get; } = new(0.95, 1.05);

    /// <summary>How far |V| lies outside the band (p.u., 0 inside).</summary>
    public double ViolationPu(double vmPu) => Math.Max(0, MinPu - vmPu) + Math.Max(0, vmPu - MaxPu);

    /// <summary>Throws unless 0 &lt; min &lt; max and both are finite; <paramref name="where"/> prefixes the message.</summary>
    public void Validate(string where)
    {
        if (!double.IsFinite(MinPu) || !double.IsFinite(MaxPu) || MinPu <= 0 || MaxPu <= MinPu)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{where}: the voltage band needs 0 < v_min_pu < v_max_pu (finite), is [{MinPu}, {MaxPu}]"));
    }
}

/// <summary>One bus in an AC check: voltage and the load the check put there.</summary>
public sealed record AcBusState(int Bus, double VmPu, double VaDeg, double LoadMw, double LoadMvar);

/// <summary>
/// One line in an AC check. <see cref="SMaxMva"/> is the larger apparent power of its two ends;
/// <see cref="LimitMva"/> the line's limit read as an apparent-power rating (see <see cref="AcGridCheck"/>);
/// <see cref="Loading"/> = S_max / limit.
/// </summary>
public sealed record AcLineState(
    int CaseIndex, int FromBus, int ToBus, double PFromMw, double QFromMvar, double PToMw, double QToMvar,
    double SMaxMva, double LimitMva, double Loading, bool Congested)
{
    public string Label => $"{FromBus}–{ToBus}";
}

/// <summary>
/// An AC power flow of the feeder at given active injections, read against line limits and a voltage band.
/// A state that did not converge keeps its status and message; its voltages and flows are the last iterate and the
/// KPI helpers return null for it.
/// </summary>
public sealed record AcGridState(
    AcPowerFlowResult PowerFlow,
    IReadOnlyList<AcBusState> Buses,
    IReadOnlyList<AcLineState> Lines,
    VoltageBand Band)
{
    public PowerFlowStatus Status => PowerFlow.Status;
    public bool Converged => PowerFlow.Converged;
    public double LossesMw => PowerFlow.LossesMw;

    /// <summary>The bus with the lowest |V| (first in file order on ties); an error when the power flow did not converge.</summary>
    public AcBusState MinimumVoltage => Converged
        ? Buses.Aggregate((a, b) => b.VmPu < a.VmPu ? b : a)
        : throw new InvalidOperationException($"the power flow did not converge ({PowerFlow.Status}: {PowerFlow.Message}); it has no minimum voltage");

    /// <summary>Number of buses outside a band (the state's own when null).</summary>
    public int BusesOutside(VoltageBand? band = null)
    {
        var b = band ?? Band;
        return Buses.Count(x => b.ViolationPu(x.VmPu) > 0);
    }

    /// <summary>Σ over buses of how far |V| lies outside the band, p.u.</summary>
    public double ViolationSumPu(VoltageBand? band = null)
    {
        var b = band ?? Band;
        double sum = 0;
        foreach (var x in Buses) sum += b.ViolationPu(x.VmPu);
        return sum;
    }

    /// <summary>The largest |V| violation of the band at one bus, p.u.</summary>
    public double MaxViolationPu => Buses.Count == 0 ? 0 : Buses.Max(x => Band.ViolationPu(x.VmPu));

    /// <summary>The largest apparent-power overload of one line, MVA (0 when none).</summary>
    public double MaxOverloadMva => Lines.Count == 0 ? 0 : Lines.Max(l => Math.Max(0, l.SMaxMva - l.LimitMva));

    /// <summary>Case indices of lines above their limit, ascending.</summary>
    public IReadOnlyList<int> CongestedLines => Lines.Where(l => l.Congested).Select(l => l.CaseIndex).ToArray();

    /// <summary>Bus numbers outside the band, in file order.</summary>
    public IReadOnlyList<int> BusesOutsideBand => Buses.Where(x => Band.ViolationPu(x.VmPu) > 0).Select(x => x.Bus).ToArray();
}

/// <summary>
/// The AC check of a DC market outcome: an AC power flow with the outcome's active injections, read against the line
/// limits and a voltage band. Pure function of (network, injections, limits, band).
/// <list type="bullet">
/// <item><b>Active loads.</b> The market works on net injections p (MW, positive into the grid; the network's base
/// injections plus whatever the markets moved). A bus's active load in the AC flow is Pd − (p − p_base): what the
/// markets added to a bus's injection is taken off its load (a net exporter becomes a negative load).</item>
/// <item><b>Reactive loads at the base power factor.</b> Every bus keeps the ratio tan φ = Qd/Pd of its base load,
/// so its reactive load is tan φ·P_load (a bus with Pd = 0 keeps its Qd). Flexibility and trades then move reactive
/// power in proportion, as loads that shift or shed do; a bus that turns exporter injects reactive power at the same
/// ratio. This is the named choice <see cref="ReactivePerActive"/>; holding Q at its base value instead would read
/// trades as pure active-power changes.</item>
/// <item><b>MW limit → MVA limit.</b> The DC model's limit F (MW) bounds the flow of a lossless, unity-power-factor
/// line, so it is read as the line's apparent-power rating: a line is congested in AC when the larger |S| of its two
/// ends exceeds F MVA by more than the tolerance. Reactive flow and losses thus eat into the same capacity.</item>
/// </list>
/// </summary>
public static class AcGridCheck
{
    /// <summary>Overload tolerance (MVA) below which a line does not count as congested, as the DC check's 1e-6 MW.</summary>
    public const double DefaultToleranceMva = 1e-6;

    /// <summary>tan φ per bus: Qd/Pd of the base load, 0 where Pd = 0 (such a bus keeps its Qd unchanged).</summary>
    public static double[] ReactivePerActive(GridNetwork network) =>
        network.Buses.Select(b => b.PdMw != 0 ? b.QdMvar / b.PdMw : 0.0).ToArray();

    /// <summary>The AC loads (MW, MVAr per bus) that realise net injections <paramref name="injectionMw"/>.</summary>
    public static (double[] LoadMw, double[] LoadMvar) Loads(GridNetwork network, IReadOnlyList<double> injectionMw)
    {
        int n = network.Buses.Count;
        if (injectionMw.Count != n) throw new ArgumentException($"injection vector has {injectionMw.Count} entries, the network has {n} buses", nameof(injectionMw));
        var p = new double[n];
        var q = new double[n];
        for (int i = 0; i < n; i++)
        {
            var b = network.Buses[i];
            double change = injectionMw[i] - network.BaseInjectionMw[i];
            if (!double.IsFinite(change)) throw new ArgumentException($"injection at bus {b.Number} is not finite", nameof(injectionMw));
            p[i] = b.PdMw - change;
            // Qd·(P/Pd) rather than (Qd/Pd)·P: an unchanged bus gets exactly its case-file Qd.
            q[i] = b.PdMw != 0 ? b.QdMvar * (p[i] / b.PdMw) : b.QdMvar;
        }
        return (p, q);
    }

    /// <summary>Runs the AC check. Never throws for a state that does not converge: that is its status.</summary>
    public static AcGridState Evaluate(GridNetwork network, IReadOnlyList<double> injectionMw, IReadOnlyList<double> limitMw,
        VoltageBand? band = null, AcPowerFlowOptions? options = null, double toleranceMva = DefaultToleranceMva)
    {
        band ??= VoltageBand.Default;
        band.Validate("AC check");
        if (limitMw.Count != network.Branches.Count)
            throw new ArgumentException($"expected {network.Branches.Count} line limits, got {limitMw.Count}", nameof(limitMw));
        var (loadMw, loadMvar) = Loads(network, injectionMw);
        var pf = SolvedPowerFlows.Solve(network, loadMw, loadMvar, options);
        var buses = new AcBusState[network.Buses.Count];
        for (int i = 0; i < buses.Length; i++)
            buses[i] = new AcBusState(pf.Voltages[i].Bus, pf.Voltages[i].VmPu, pf.Voltages[i].VaDeg, loadMw[i], loadMvar[i]);
        var lines = new AcLineState[network.Branches.Count];
        for (int l = 0; l < lines.Length; l++)
        {
            var f = pf.BranchFlows[l];
            double s = Math.Max(Math.Sqrt(f.PFromMw * f.PFromMw + f.QFromMvar * f.QFromMvar), Math.Sqrt(f.PToMw * f.PToMw + f.QToMvar * f.QToMvar));
            double limit = limitMw[l];
            lines[l] = new AcLineState(f.CaseIndex, f.FromBus, f.ToBus, f.PFromMw, f.QFromMvar, f.PToMw, f.QToMvar, s, limit, s / limit,
                pf.Converged && s - limit > toleranceMva);
        }
        return new AcGridState(pf, buses, lines, band);
    }
}
