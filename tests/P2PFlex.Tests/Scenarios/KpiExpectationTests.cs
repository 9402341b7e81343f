using System.Text.Json;
using P2PFlex.IO;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Scenarios;

/// <summary>Expected and study KPIs are keyed by the KPI columns and checked generically, so a new KPI is added once.</summary>
public class KpiExpectationTests
{
    private static Lazy<StudyContext> Context => TestData.Study;

    private static ScenarioKpis Kpis(ScenarioDefinition s) => ScenarioReport.Kpis(ScenarioRunner.Run(s, Context.Value, acCheck: false));

    [Fact]
    public void Every_expected_and_study_key_is_a_KPI_column()
    {
        var names = KpiColumns.Names().ToHashSet();
        foreach (var s in StudyContext.LoadScenarios())
        {
            Assert.All(s.Expected!.Values.Names, n => Assert.Contains(n, names));
            if (s.Study is { } study) Assert.All(study.Values.Names, n => Assert.Contains(n, names));
        }
    }

    [Fact]
    public void Any_KPI_column_can_be_expected_and_a_wrong_value_is_a_mismatch_naming_it()
    {
        // dso_incentives_paid_eur is no field of any typed record of expectations: the column alone makes it checkable.
        string path = TestData.ScenarioCopy("3-theta80", t => t.Replace("\"relative_tolerance\"", "\"dso_incentives_paid_eur\": 1e9,\n    \"clearing_status\": \"cleared\",\n    \"relative_tolerance\""));
        var s = ScenarioDefinition.Read(path);
        var mismatches = s.Expected!.Mismatches(Kpis(s));
        Assert.Single(mismatches);
        Assert.StartsWith("dso_incentives_paid_eur: expected 1e9, got ", mismatches[0]);
    }

    [Fact]
    public void Line_lists_texts_and_nulls_are_compared_as_the_columns_write_them()
    {
        string path = TestData.ScenarioCopy("1p", t => t.Replace("\"lfm_status\": \"Optimal\"", "\"lfm_status\": \"NotRun\"")
            .Replace("\"relative_tolerance\"", "\"market_mediator_revenue_eur\": 0,\n    \"relative_tolerance\""));
        var s = ScenarioDefinition.Read(path);
        var k = Kpis(s);
        var mismatches = s.Expected!.Mismatches(k);
        // 1p's LFM ran and a bilateral market has no mediator: both stated values are wrong, the line list holds.
        Assert.Equal(2, mismatches.Count);
        Assert.Contains(mismatches, m => m.StartsWith("lfm_status: expected \"NotRun\", got Optimal", StringComparison.Ordinal));
        Assert.Contains(mismatches, m => m.StartsWith("market_mediator_revenue_eur: expected 0, got null", StringComparison.Ordinal));
    }

    [Fact]
    public void An_expected_key_that_is_no_KPI_column_is_a_located_error()
    {
        string path = TestData.ScenarioCopy("cm1", t => t.Replace("\"clearing_status\"", "\"market_status\""));
        var e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path));
        Assert.Equal("expected.market_status", e.Field);
        Assert.Equal(File.ReadAllLines(path).ToList().FindIndex(l => l.Contains("\"market_status\"")) + 1, e.Line);
    }

    [Fact]
    public void An_expected_value_of_the_wrong_kind_is_a_located_error()
    {
        string path = TestData.ScenarioCopy("1", t => t.Replace("\"congested_lines\": 9", "\"congested_lines\": \"nine\""));
        var e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path));
        Assert.Equal("expected.congested_lines", e.Field);
        Assert.Contains("must be an integer", e.Message);
    }

    [Fact]
    public void The_LFM_status_is_an_enum_and_still_text_in_JSON_and_columns()
    {
        var k = Kpis(StudyContext.LoadScenarios().Single(s => s.Name == "1p"));
        Assert.Equal(P2PFlex.Markets.Lfm.LfmStatus.Optimal, k.LfmStatus);
        Assert.Equal("Optimal", k.Columns().Single(c => c.Key == "lfm_status").Value);
        Assert.Contains(KpiColumns.Types(), c => c.Name == "lfm_status" && c.Type == typeof(string));
        string json = JsonSerializer.Serialize(k, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        Assert.Contains("\"lfm_status\":\"Optimal\"", json);
    }

    [Fact]
    public void A_key_given_twice_is_a_located_error_not_a_last_value_wins()
    {
        string path = TestData.ScenarioCopy("1", t => t.Replace("\"state\": \"base\",", "\"state\": \"base\",\n  \"state\": \"extreme\","));
        var e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path));
        Assert.Equal(path, e.File);
        Assert.Equal("state", e.Field);
        Assert.Equal(File.ReadAllLines(path).ToList().FindLastIndex(l => l.Contains("\"state\"")) + 1, e.Line);
        Assert.Contains("given twice", e.Message);
    }
}
