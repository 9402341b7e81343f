using System.Text.Json;
using System.Text.Json.Serialization;

namespace P2PFlex.Grid;

/// <summary>Voltage of one bus in a <see cref="PowerFlowReport"/>.</summary>
public sealed record PowerFlowBusReport(int Bus, double VmPu, double VaDeg);

/// <summary>Flow on one branch in a <see cref="PowerFlowReport"/> (MATPOWER's PF, QF, PT, QT).</summary>
public sealed record PowerFlowBranchReport(int Index, int FromBus, int ToBus, double PFromMw, double QFromMvar, double PToMw, double QToMvar);

/// <summary>
/// What <c>p2pflex powerflow --json</c> prints: the outcome of an AC power flow in a form that is always valid JSON.
/// JSON has no NaN or Infinity, and a diverged Newton iteration ends at non-finite or meaningless voltages, so the
/// state is only reported when the run converged: otherwise <c>losses_mw</c>, <c>buses</c> and <c>branches</c> are
/// null, and <c>max_mismatch_pu</c> is the final mismatch when finite, else null (docs/grid.md, "powerflow --json").
/// </summary>
public sealed record PowerFlowReport(
    string Case,
    bool Converged,
    string Status,
    int Iterations,
    double? MaxMismatchPu,
    string Message,
    double? LossesMw,
    IReadOnlyList<PowerFlowBusReport>? Buses,
    IReadOnlyList<PowerFlowBranchReport>? Branches)
{
    private static readonly JsonSerializerOptions Options = IO.LibraryJson.With(new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Null fields are written (as null) so that the document always has the same keys.
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    }, GridJsonContext.Default, IO.IoJsonContext.Default);

    /// <summary>The report of a power flow run on <paramref name="network"/>.</summary>
    public static PowerFlowReport From(GridNetwork network, AcPowerFlowResult result)
    {
        // A converged run has finite values by construction (the mismatch is below the tolerance); the check is kept
        // anyway so that no future status can put a non-finite number into the document.
        bool stateValid = result.Converged
            && double.IsFinite(result.LossesMw)
            && result.Voltages.All(v => double.IsFinite(v.VmPu) && double.IsFinite(v.VaDeg))
            && result.BranchFlows.All(f => double.IsFinite(f.PFromMw) && double.IsFinite(f.QFromMvar) && double.IsFinite(f.PToMw) && double.IsFinite(f.QToMvar));
        return new PowerFlowReport(
            network.Name,
            result.Converged && stateValid,
            stateValid || !result.Converged ? result.Status.ToString() : PowerFlowStatus.Diverged.ToString(),
            result.Iterations,
            FiniteOrNull(result.MaxMismatchPu),
            result.Message,
            stateValid ? result.LossesMw : null,
            stateValid ? result.Voltages.Select(v => new PowerFlowBusReport(v.Bus, v.VmPu, v.VaDeg)).ToArray() : null,
            stateValid ? result.BranchFlows.Select(f => new PowerFlowBranchReport(f.CaseIndex, f.FromBus, f.ToBus, f.PFromMw, f.QFromMvar, f.PToMw, f.QToMvar)).ToArray() : null);
    }

    /// <summary>The report as indented JSON with snake_case keys.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    private static double? FiniteOrNull(double v) => double.IsFinite(v) ? v : null;
}
