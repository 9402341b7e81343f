using System.Text.Json;
using P2PFlex.Cli;

namespace P2PFlex.Tests.Cli;

public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => P2PFlex.Tests.Cli.CliRunner.Run(args);

    [Fact]
    public void Powerflow_json_has_the_documented_fields()
    {
        var (code, output, _) = Run("powerflow", TestData.CasePath("case69"), "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("converged").GetBoolean());
        Assert.Equal(4, root.GetProperty("iterations").GetInt32());
        Assert.Equal(0.22499169, root.GetProperty("losses_mw").GetDouble(), 1e-8);
        var buses = root.GetProperty("buses");
        Assert.Equal(69, buses.GetArrayLength());
        Assert.Equal(65, buses[64].GetProperty("bus").GetInt32());
        Assert.Equal(0.90918771, buses[64].GetProperty("vm_pu").GetDouble(), 1e-8);
        Assert.True(buses[64].TryGetProperty("va_deg", out _));
        var branch = root.GetProperty("branches")[43];
        Assert.Equal(44, branch.GetProperty("index").GetInt32());
        Assert.Equal(44, branch.GetProperty("from_bus").GetInt32());
        Assert.Equal(45, branch.GetProperty("to_bus").GetInt32());
        foreach (var f in new[] { "p_from_mw", "q_from_mvar", "p_to_mw", "q_to_mvar" }) Assert.True(branch.TryGetProperty(f, out _), f);
    }

    [Fact]
    public void Gridcheck_json_lists_lines_and_KPIs()
    {
        var (code, output, _) = Run("gridcheck", "--state", "base", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var lines = doc.RootElement.GetProperty("lines");
        Assert.Equal(68, lines.GetArrayLength());
        var l44 = lines[43];
        foreach (var f in new[] { "index", "from_bus", "to_bus", "flow_mw", "limit_mw", "occupancy", "overflow_mw" })
            Assert.True(l44.TryGetProperty(f, out _), f);
        Assert.Equal(0.02, l44.GetProperty("overflow_mw").GetDouble(), 1e-9);
        var kpis = doc.RootElement.GetProperty("kpis");
        Assert.Equal(2, kpis.GetProperty("congested_lines").GetInt32());
        Assert.Equal(0.04, kpis.GetProperty("overflow_sum_mw").GetDouble(), 1e-9);

        var (code2, extreme, _) = Run("gridcheck", "--state", "extreme", "--json");
        Assert.Equal(0, code2);
        using var doc2 = JsonDocument.Parse(extreme);
        Assert.InRange(doc2.RootElement.GetProperty("kpis").GetProperty("congested_lines").GetInt32(), 31, 37);
    }

    [Fact]
    public void Errors_go_to_stderr_with_nonzero_exit_codes()
    {
        var missing = Run("powerflow", "/nonexistent/case.m");
        Assert.Equal(1, missing.Code);
        Assert.Contains("/nonexistent/case.m", missing.Err);
        Assert.Equal("", missing.Out);

        string bad = TestData.TempCase("function mpc = x\nmpc.version = '2';\nmpc.baseMVA = 1;\nmpc.bus = [1 3 0];\n");
        var malformed = Run("powerflow", bad);
        Assert.Equal(1, malformed.Code);
        Assert.Contains("at least 13", malformed.Err);

        Assert.Equal(2, Run("gridcheck", "--state", "hot").Code);
        Assert.Equal(2, Run("frobnicate").Code);
        Assert.Equal(2, Run("powerflow", TestData.CasePath("case69"), "--jsn").Code);
    }

    [Fact]
    public void Shipped_data_verifies()
    {
        var (code, output, _) = Run("data", "verify");
        Assert.Equal(0, code);
        Assert.DoesNotContain("STALE", output);
    }

    [Fact]
    public void Shipped_cases_check_against_the_published_files_and_a_missing_source_folder_is_a_usage_error()
    {
        var (code, output, _) = Run("data", "cases", "--from", SharedData.Path("matpower"), "--check");
        Assert.Equal(0, code);
        Assert.Equal(TestData.AllCases.Length, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("ok ")));
        Assert.DoesNotContain("STALE", output);
        var missing = Run("data", "cases", "--from", Path.Combine(Path.GetTempPath(), $"p2pflex-no-such-{Guid.NewGuid():N}"), "--check");
        Assert.Equal(2, missing.Code);
        Assert.Contains("does not exist", missing.Err);
        Assert.Equal(2, Run("data", "cases", "--check").Code);
    }
}
