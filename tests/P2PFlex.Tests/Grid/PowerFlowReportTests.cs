using System.Text.Json;
using P2PFlex.Grid;
using P2PFlex.Grid.Matpower;
using P2PFlex.Tests.Cli;

namespace P2PFlex.Tests.Grid;

/// <summary><c>powerflow --json</c> is valid JSON whatever the Newton iteration does (issue 13).</summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class PowerFlowReportTests
{
    private static (GridNetwork, AcPowerFlowResult) Case69TimesLoad(double factor)
    {
        string text = File.ReadAllText(TestData.PublishedCase("case69"));
        var c = MatpowerReader.Parse(text + $"\nmpc.bus(:, PD) = mpc.bus(:, PD) * {factor:R};\n", "case69-scaled.m");
        var network = GridNetwork.FromCase(c);
        return (network, AcPowerFlow.Solve(network));
    }

    [Fact]
    public void A_diverged_power_flow_is_not_converged_with_null_state_and_no_NaN_token()
    {
        // Loads of 1e200 × the case's: the first Newton step overflows and the mismatch becomes NaN.
        var (network, result) = Case69TimesLoad(1e200);
        Assert.Equal(PowerFlowStatus.Diverged, result.Status);
        Assert.True(double.IsNaN(result.MaxMismatchPu));
        string json = PowerFlowReport.From(network, result).ToJson();
        Assert.DoesNotContain("NaN", json);
        Assert.DoesNotContain("Infinity", json);
        var root = JsonDocument.Parse(json).RootElement;
        Assert.False(root.GetProperty("converged").GetBoolean());
        Assert.Equal("Diverged", root.GetProperty("status").GetString());
        Assert.Equal(1, root.GetProperty("iterations").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("max_mismatch_pu").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("losses_mw").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("buses").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("branches").ValueKind);
    }

    [Fact]
    public void A_power_flow_stopped_at_the_iteration_limit_reports_its_finite_mismatch()
    {
        var (network, result) = Case69TimesLoad(1e6);
        Assert.Equal(PowerFlowStatus.MaxIterationsReached, result.Status);
        var root = JsonDocument.Parse(PowerFlowReport.From(network, result).ToJson()).RootElement;
        Assert.False(root.GetProperty("converged").GetBoolean());
        Assert.Equal(10, root.GetProperty("iterations").GetInt32());
        Assert.Equal(result.MaxMismatchPu, root.GetProperty("max_mismatch_pu").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("buses").ValueKind);
    }

    [Fact]
    public void A_converged_power_flow_reports_every_bus_and_branch()
    {
        var network = GridNetwork.Load(TestData.CasePath("case69"));
        var report = PowerFlowReport.From(network, AcPowerFlow.Solve(network));
        var root = JsonDocument.Parse(report.ToJson()).RootElement;
        Assert.True(root.GetProperty("converged").GetBoolean());
        Assert.Equal(4, root.GetProperty("iterations").GetInt32());
        Assert.Equal(0.22499169, root.GetProperty("losses_mw").GetDouble(), 1e-8);
        Assert.Equal(69, root.GetProperty("buses").GetArrayLength());
        Assert.Equal(68, root.GetProperty("branches").GetArrayLength());
        Assert.Equal(0.90918771, root.GetProperty("buses")[64].GetProperty("vm_pu").GetDouble(), 1e-8);
    }

    [Fact]
    public void Powerflow_json_on_a_diverging_case_exits_1_with_valid_json()
    {
        string path = TestData.TempCase(File.ReadAllText(TestData.PublishedCase("case69")) + "\nmpc.bus(:, PD) = mpc.bus(:, PD) * 1e200;\n");
        try
        {
            var (code, output, _) = CliRunner.Run("powerflow", path, "--json");
            Assert.Equal(1, code);
            var root = JsonDocument.Parse(output).RootElement;
            Assert.False(root.GetProperty("converged").GetBoolean());
            Assert.Equal("Diverged", root.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("buses").ValueKind);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(1e200, "Diverged")]
    [InlineData(1e6, "MaxIterationsReached")]
    public void Powerflow_text_on_a_run_that_did_not_converge_prints_its_status_and_no_voltages_or_losses(double factor, string status)
    {
        // Issue 20: the text form printed the last iterate as results ("losses 138380428797.509 kW", "maximum voltage
        // 2457.999215 p.u."). Now the status comes first and no number of the state is printed.
        string path = TestData.TempCase(File.ReadAllText(TestData.PublishedCase("case69")) + $"\nmpc.bus(:, PD) = mpc.bus(:, PD) * {factor:R};\n");
        try
        {
            var (code, output, _) = CliRunner.Run("powerflow", path);
            Assert.Equal(1, code);
            Assert.Contains($"status           {status} after ", output);
            Assert.Contains("there are no voltages or losses to report", output);
            Assert.DoesNotContain(" kW", output);
            Assert.DoesNotContain("p.u. at bus", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Powerflow_text_on_a_converged_run_prints_status_losses_and_voltages()
    {
        var (code, output, _) = CliRunner.Run("powerflow", TestData.CasePath("case69"));
        Assert.Equal(0, code);
        Assert.Contains("status           Converged after 4 iteration(s)", output);
        Assert.Contains("losses                224.992 kW", output);
        Assert.Contains("minimum voltage      0.909188 p.u. at bus 65", output);
    }

    [Fact]
    public void A_run_that_did_not_converge_has_no_minimum_voltage()
    {
        var (_, result) = Case69TimesLoad(1e6);
        var e = Assert.Throws<InvalidOperationException>(() => result.MinimumVoltage);
        Assert.Contains("did not converge (MaxIterationsReached", e.Message);
    }
}
