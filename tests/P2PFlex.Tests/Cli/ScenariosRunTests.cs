using System.Text.Json;

namespace P2PFlex.Tests.Cli;

/// <summary><c>p2pflex scenarios run</c> carries the market-design KPIs beside Table 8's.</summary>
public class ScenariosRunTests
{
    [Fact]
    public void Text_output_keeps_Table_8_and_adds_the_DSO_cost_and_market_table()
    {
        var (code, output, err) = CliRunner.Run(["scenarios", "run", "1", "cm1", "cm3-v1", "cm5"]);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains("overflow sum (MW)", output);
        Assert.Contains("LFM cost (€)", output);
        Assert.Contains("DSO pays (€)", output);
        Assert.Contains("peers' welfare (€)", output);
        Assert.Contains("nodal prices (€/MWh)", output);
        var cm3 = output.Split('\n').Where(l => l.StartsWith("cm3-v1 ", StringComparison.Ordinal)).ToArray();
        Assert.True(cm3.Length >= 2, output);                  // a row in Table 8's table and in the market table
        Assert.Contains("not run", cm3[0]);                    // no LFM in CM3 variation 1
        Assert.Contains("not run", cm3[1]);
        Assert.Contains("every area's requirement covered", output);
    }

    [Fact]
    public void Json_carries_the_DSO_market_and_clearing_groups()
    {
        var (code, output, _) = CliRunner.Run(["scenarios", "run", "cm3-v2", "cm5", "--json"]);
        Assert.Equal(0, code);
        var items = JsonDocument.Parse(output).RootElement.EnumerateArray().ToArray();
        var cm3 = items.Single(i => i.GetProperty("name").GetString() == "cm3-v2");
        Assert.Equal("network-auction", cm3.GetProperty("market_design").GetString());
        Assert.True(cm3.GetProperty("market").GetProperty("nodal_price_max_eur_per_mwh").GetDouble() > cm3.GetProperty("market").GetProperty("nodal_price_min_eur_per_mwh").GetDouble());
        var cm5 = items.Single(i => i.GetProperty("name").GetString() == "cm5");
        Assert.Equal("NotRun", cm5.GetProperty("lfm_status").GetString());
        Assert.Equal(cm5.GetProperty("dso").GetProperty("capacity_payments_eur").GetDouble(), cm5.GetProperty("dso").GetProperty("total_eur").GetDouble());
        Assert.Equal("every area's requirement covered", cm5.GetProperty("clearing").GetProperty("status").GetString());
    }
}
