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
        if (options.Json)
        {
            // Valid JSON whatever the iteration did: a run that did not converge has a null state (docs/grid.md).
            output.WriteLine(PowerFlowReport.From(network, result).ToJson());
        }
        else
        {
            var vmin = result.MinimumVoltage;
            var vmax = result.Voltages.MaxBy(v => v.VmPu)!;
            output.WriteLine(CliKit.Invariant($"{network.Name}: {network.Buses.Count} buses, {network.Branches.Count} in-service branches, base {network.BaseMva:G6} MVA"));
            output.WriteLine($"  {result.Message}");
            output.WriteLine(CliKit.Invariant($"  total load       {network.Buses.Sum(b => b.PdMw),12:F6} MW  {network.Buses.Sum(b => b.QdMvar),12:F6} MVAr"));
            output.WriteLine(CliKit.Invariant($"  losses           {result.LossesMw * 1000,12:F3} kW"));
            output.WriteLine(CliKit.Invariant($"  minimum voltage  {vmin.VmPu,12:F6} p.u. at bus {vmin.Bus}"));
            output.WriteLine(CliKit.Invariant($"  maximum voltage  {vmax.VmPu,12:F6} p.u. at bus {vmax.Bus}"));
        }
        return result.Converged ? 0 : 1;
    }
}
