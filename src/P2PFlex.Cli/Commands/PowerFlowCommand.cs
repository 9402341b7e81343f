using System.CommandLine;
using P2PFlex.Grid;

namespace P2PFlex.Cli;

/// <summary>What <c>p2pflex powerflow</c> was asked for.</summary>
public sealed record PowerFlowOptions(string CasePath, bool Json);

/// <summary><c>p2pflex powerflow &lt;case.m&gt; [--json]</c>: AC power flow (Newton–Raphson) of a MATPOWER case.</summary>
public static class PowerFlowCommand
{
    public static Command Build()
    {
        var file = new Argument<string>("case.m") { Description = "a MATPOWER case file (format in docs/grid.md)" };
        var json = CliKit.Json("case, converged, status, iterations, max_mismatch_pu, message, losses_mw, buses, branches as JSON (state null unless converged)");
        var command = new Command("powerflow", "AC power flow (Newton–Raphson) of a MATPOWER case; exit 1 if it does not converge")
        {
            file, json,
        };
        command.SetAction(r => Run(new PowerFlowOptions(r.GetValue(file)!, r.GetValue(json)), CliKit.Out(r)));
        return command.WithExamples("""
            p2pflex powerflow data/cases/case69.m
            p2pflex powerflow data/cases/case69.m --json
            """);
    }

    public static int Run(PowerFlowOptions options, TextWriter output)
    {
        var network = GridNetwork.Load(options.CasePath);
        var result = AcPowerFlow.Solve(network);
        // Both forms come from the report, which keeps the state only when the run converged: the last iterate of a
        // run that did not converge (losses of 10^11 kW, |V| of 2458 p.u.) is not a result and is never printed as one.
        var report = PowerFlowReport.From(network, result);
        if (options.Json)
            output.WriteLine(report.ToJson());
        else
            WriteText(network, report, output);
        return report.Converged ? 0 : 1;
    }

    /// <summary>The plain-text form: the status first, then the state only if there is one.</summary>
    private static void WriteText(GridNetwork network, PowerFlowReport report, TextWriter output)
    {
        output.WriteLine(CliKit.Invariant($"{network.Name}: {network.Buses.Count} buses, {network.Branches.Count} in-service branches, base {network.BaseMva:G6} MVA"));
        string mismatch = report.MaxMismatchPu is double m ? CliKit.Invariant($"{m:G3} p.u.") : "not finite";
        output.WriteLine(CliKit.Invariant($"  status           {report.Status} after {report.Iterations} iteration(s), largest mismatch {mismatch}"));
        output.WriteLine($"  {report.Message}");
        output.WriteLine(CliKit.Invariant($"  total load       {network.Buses.Sum(b => b.PdMw),12:F6} MW  {network.Buses.Sum(b => b.QdMvar),12:F6} MVAr"));
        if (report is not { Converged: true, LossesMw: double lossesMw, Buses: { Count: > 0 } buses })
        {
            output.WriteLine("  losses           none: the power flow did not converge, so there are no voltages or losses to report");
            return;
        }
        var vmin = buses.MinBy(b => b.VmPu)!;
        var vmax = buses.MaxBy(b => b.VmPu)!;
        output.WriteLine(CliKit.Invariant($"  losses           {lossesMw * 1000,12:F3} kW"));
        output.WriteLine(CliKit.Invariant($"  minimum voltage  {vmin.VmPu,12:F6} p.u. at bus {vmin.Bus}"));
        output.WriteLine(CliKit.Invariant($"  maximum voltage  {vmax.VmPu,12:F6} p.u. at bus {vmax.Bus}"));
    }
}
