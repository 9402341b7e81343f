using P2PFlex.IO;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Scenarios;

/// <summary>Scenario files that used to read silently wrong are located errors naming the file, the line and the key
/// (issue 22, "strict scenario files"); the bounds are documented in docs/data.md.</summary>
public class StrictScenarioFileTests
{
    private static void AssertLocated(string path, string field, string lineText)
    {
        var e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path));
        Assert.Equal(path, e.File);
        Assert.Equal(field, e.Field);
        Assert.Equal(File.ReadAllLines(path).ToList().FindIndex(l => l.Contains(lineText, StringComparison.Ordinal)) + 1, e.Line);
    }

    [Fact]
    public void A_null_market_design_is_an_error_not_the_default_design()
    {
        // Before: a CM1 file with "market_design": null ran as bilateral.
        string path = TestData.ScenarioCopy("cm1", t => t.Replace("\"market_design\": {\n    \"kind\": \"auction\",\n    \"mediator_aggregates\": true\n  }", "\"market_design\": null"));
        AssertLocated(path, "market_design", "\"market_design\"");
    }

    [Theory]
    [InlineData("intervention")]
    [InlineData("lfm")]
    [InlineData("study")]
    [InlineData("expected")]
    public void Null_where_an_object_is_expected_is_an_error(string key)
    {
        // Before: null read as "absent", so an intervention or voltage-aware LFM vanished without a word.
        string path = TestData.ScenarioCopy(key == "study" ? "1" : key == "intervention" ? "3-theta80" : "0-voltage", t =>
        {
            int start = t.IndexOf("\"" + key + "\": {", StringComparison.Ordinal);
            Assert.True(start >= 0, key);
            int end = t.IndexOf("\n  }", start, StringComparison.Ordinal) + 4;
            return t[..start] + "\"" + key + "\": null" + t[end..];
        });
        AssertLocated(path, key, "\"" + key + "\": null");
    }

    [Fact]
    public void A_design_that_needs_peers_without_peers_is_an_error()
    {
        string path = TestData.ScenarioCopy("cm1", t => t.Replace("\"peers\": \"subset\"", "\"peers\": \"none\""));
        AssertLocated(path, "market_design.kind", "\"kind\": \"auction\"");
    }

    [Theory]
    [InlineData("3-theta80", "\"epsilon_eur_per_mw2h\": 100", "\"epsilon_eur_per_mw2h\": 1e300", "market.epsilon_eur_per_mw2h", "epsilon_eur_per_mw2h")]
    [InlineData("3-theta80", "\"interval_hours\": 1", "\"interval_hours\": 1e308", "market.interval_hours", "interval_hours")]
    [InlineData("3-theta80", "\"theta\": 0.8", "\"theta\": 1e308", "intervention.theta", "\"theta\"")]
    [InlineData("3-theta80", "\"c0_eur_per_mwh\": 20", "\"c0_eur_per_mwh\": 1e300", "market.c0_eur_per_mwh", "c0_eur_per_mwh")]
    [InlineData("cm5", "\"requirement_scale\": 1.0", "\"requirement_scale\": 1e300", "market_design.requirement_scale", "requirement_scale")]
    [InlineData("cm5", "\"area_min_relief_mw_per_mw\": 0.5", "\"area_min_relief_mw_per_mw\": 1e-300", "market_design.area_min_relief_mw_per_mw", "area_min_relief")]
    [InlineData("0-voltage", "\"v_min_pu\": 0.9", "\"v_min_pu\": 1e-300", "lfm.v_min_pu", "v_min_pu")]
    public void Physically_absurd_values_are_located_errors(string scenario, string from, string to, string field, string lineText)
    {
        string path = TestData.ScenarioCopy(scenario, t =>
        {
            Assert.Contains(from, t);
            return t.Replace(from, to);
        });
        AssertLocated(path, field, lineText);
    }

    [Fact]
    public void A_missing_market_parameter_is_an_error_not_zero()
    {
        string path = TestData.ScenarioCopy("1", t => t.Replace("\"c0_eur_per_mwh\": 20,", ""));
        var e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path));
        Assert.Equal("market.c0_eur_per_mwh", e.Field);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void The_vocabulary_is_the_one_the_reader_and_the_export_use()
    {
        Assert.Equal(["base", "extreme"], ScenarioWords.State.Words);
        Assert.Equal(["none", "subset", "lateral-relief"], ScenarioWords.Peers.Words);
        Assert.Equal(["none", "block", "incentive"], ScenarioWords.Intervention.Words);
        Assert.Equal("'none', 'subset' or 'lateral-relief'", ScenarioWords.Peers.Describe());
        string path = TestData.ScenarioCopy("1", t => t.Replace("\"state\": \"base\"", "\"state\": \"Base\""));
        var e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(path));
        Assert.Equal("state", e.Field);
        Assert.Contains("'base' or 'extreme'", e.Message);
    }
}
