using P2PFlex.IO;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Scenarios;

/// <summary>The scenario file's <c>"lfm"</c> keys and the voltage KPI columns.</summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class ScenarioVoltageOptionTests
{
    [Fact]
    public void Without_an_lfm_key_the_LFM_is_the_studys_and_the_band_is_EN_50160()
    {
        var s = ScenarioDefinition.Read(Path.Combine(P2PFlex.Data.DataPaths.Root, "scenarios", "1.json"));
        Assert.Equal(LfmSpec.Default, s.Lfm);
        Assert.False(s.Lfm.VoltageAware);
        Assert.Equal(0.90, s.Lfm.VMinPu);
        Assert.Equal(1.10, s.Lfm.VMaxPu);
    }

    [Fact]
    public void The_lfm_keys_are_read()
    {
        var s = ScenarioDefinition.Read(TestData.ScenarioCopy("1-voltage", t => t.Replace("\"v_min_pu\": 0.9", "\"v_min_pu\": 0.95").Replace("\"max_iterations\": 10", "\"max_iterations\": 4")));
        Assert.Equal(new LfmSpec(true, 0.95, 1.10, 4), s.Lfm);
    }

    [Fact]
    public void A_misspelt_lfm_key_is_an_error_with_a_suggestion()
    {
        string path = TestData.ScenarioCopy("0-voltage", t => t.Replace("\"v_min_pu\"", "\"v_mn_pu\""));
        var e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path));
        Assert.Equal("lfm.v_mn_pu", e.Field);
        Assert.Contains("did you mean 'lfm.v_min_pu'", e.Message);
    }

    [Theory]
    [InlineData("\"v_min_pu\": 0.9", "\"v_min_pu\": 1.2", "lfm.v_min_pu")]
    [InlineData("\"v_min_pu\": 0.9", "\"v_min_pu\": 0", "lfm.v_min_pu")]
    [InlineData("\"max_iterations\": 10", "\"max_iterations\": 0", "lfm.max_iterations")]
    public void Bad_lfm_values_are_refused_naming_the_field(string from, string to, string field)
    {
        string path = TestData.ScenarioCopy("0-voltage", t => t.Replace(from, to));
        var e = Assert.Throws<ArgumentException>(() => ScenarioDefinition.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void Voltage_KPIs_are_one_group_flattened_into_columns()
    {
        var names = KpiColumns.Names();
        foreach (var c in new[]
        {
            "voltage_band_min_pu", "voltage_before_lfm_min_vm_pu", "voltage_before_lfm_min_vm_bus", "voltage_before_lfm_buses_outside_band",
            "voltage_before_lfm_buses_outside_tight_band", "voltage_before_lfm_violation_sum_pu", "voltage_before_lfm_losses_mw",
            "voltage_before_lfm_ac_congested_lines", "voltage_before_lfm_dc_ac_disagreements", "voltage_after_lfm_min_vm_pu",
            "voltage_lfm_mode", "voltage_voltage_aware_status", "voltage_infeasible_buses",
        })
            Assert.Contains(c, names);
        Assert.Equal("voltage_infeasible_lines", names[^1]); // the group is the record's last property
    }

    [Fact]
    public void The_text_report_has_the_AC_table()
    {
        var context = TestData.Study.Value;
        var s = StudyContext.LoadScenarios().Where(x => x.Name is "0" or "1-voltage").ToArray();
        string table = ScenarioReport.Table(s.Select(x => ScenarioRunner.Run(x, context)));
        Assert.Contains("AC check", table);
        Assert.Contains("0.9092 (65)", table);
        Assert.Contains("V-aware Converged", table);
        // Without the AC check the second table is left out.
        Assert.DoesNotContain("AC check", ScenarioReport.Table(s.Select(x => ScenarioRunner.Run(x, context, acCheck: false))));
    }

    [Fact]
    public void The_export_carries_the_AC_voltages_and_apparent_powers()
    {
        var context = TestData.Study.Value;
        var r = ScenarioRunner.Run(StudyContext.LoadScenarios().Single(x => x.Name == "1-voltage"), context);
        var files = ScenarioExport.Files(r, context.Orderbook);
        double[] Column(string file, string column)
        {
            var rows = files[file].Split('\n', StringSplitOptions.RemoveEmptyEntries);
            int c = Array.IndexOf(rows[0].Split(','), column);
            Assert.True(c >= 0, $"{file} has no column {column}");
            return rows.Skip(1).Select(row => double.Parse(row.Split(',')[c], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        var v = ScenarioReport.Voltage(r)!;
        Assert.Equal(v.BeforeLfm.MinVmPu, Column("buses.csv", "vm_before_lfm_pu").Min());
        Assert.Equal(v.AfterLfm!.MinVmPu, Column("buses.csv", "vm_after_lfm_pu").Min());
        var limits = Column("lines.csv", "limit_mw");
        var sAfter = Column("lines.csv", "s_after_lfm_mva");
        Assert.Equal(v.AfterLfm.MaxLoading!.Value, sAfter.Select((s, l) => s / limits[l]).Max(), 1e-12);
        // The voltage-aware LFM leaves every line within its rating in AC.
        Assert.All(sAfter.Select((s, l) => s - limits[l]), excess => Assert.True(excess <= 1e-5));
    }
}
