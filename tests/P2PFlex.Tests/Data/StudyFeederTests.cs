using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.IO;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Data;

/// <summary>The study's base state (scenario 0 before the LFM) and extreme state 0′ as the shipped data give them.</summary>
public class StudyFeederTests
{
    [Fact]
    public void Base_state_has_exactly_the_studys_two_congestions()
    {
        var check = StudyFeeder.Load(StudyState.Base).Check();
        Assert.Equal([44, 67], check.CongestedLines);        // 44–45 and 12–68
        Assert.Equal(0.04, check.OverflowSumMw, 1e-9);
        Assert.Equal(0.02, check.OverflowWeightedAverageMw, 1e-9);
        Assert.InRange(check.AverageOccupancy, 0.62, 0.68);  // study: about 65 %
        Assert.InRange(check.LinesAbove60Percent, 38, 44);   // study: 60.29 % of 68 = 41
        Assert.Equal(17, check.Lines.Count(l => l.Occupancy >= 0.8)); // study: 17 lines at risk for θ = 0.8
    }

    [Fact]
    public void Extreme_state_congests_about_half_the_lines()
    {
        var check = StudyFeeder.Load(StudyState.Extreme).Check();
        Assert.InRange(check.CongestedLineCount, 31, 37);     // study: 34 of 68
        Assert.Contains(44, check.CongestedLines);
        Assert.Contains(67, check.CongestedLines);
        Assert.Equal(3.8021 * 1.5, StudyFeeder.Load(StudyState.Extreme).Network.Buses.Sum(b => b.PdMw), 1e-9);
    }

    [Fact]
    public void Shipped_derived_data_is_exactly_what_the_rules_produce()
    {
        foreach (var (relative, content) in StudyDataGenerator.Files(DataPaths.Root, StudyStoryScreen.Instance))
            Assert.Equal(content, File.ReadAllText(DataPaths.Of(relative)));
    }

    [Fact]
    public void Limits_file_with_a_wrong_branch_or_value_names_line_and_field()
    {
        var network = GridNetwork.Load(TestData.CasePath("case69"));
        string good = File.ReadAllText(DataPaths.Of("limits", "case69_line_limits.csv"));
        string Write(string text)
        {
            string p = Path.Combine(Path.GetTempPath(), $"limits-{Guid.NewGuid():N}.csv");
            File.WriteAllText(p, text);
            return p;
        }
        var lines = good.Split('\n').ToList();
        int first = lines.FindIndex(l => l.StartsWith("1,", StringComparison.Ordinal));

        var wrongBus = lines.ToList(); wrongBus[first] = "1,1,3,3.8,0.5,7.6";
        var e1 = Assert.Throws<DataFormatException>(() => LineLimits.Read(Write(string.Join('\n', wrongBus)), network));
        Assert.Equal("from_bus", e1.Field);
        Assert.Equal(first + 1, e1.Line);

        var negative = lines.ToList(); negative[first] = "1,1,2,3.8,0.5,-1";
        Assert.Equal("limit_mw", Assert.Throws<DataFormatException>(() => LineLimits.Read(Write(string.Join('\n', negative)), network)).Field);

        var nan = lines.ToList(); nan[first] = "1,1,2,3.8,0.5,NaN";
        Assert.Contains("not a finite number", Assert.Throws<DataFormatException>(() => LineLimits.Read(Write(string.Join('\n', nan)), network)).Message);

        var missing = lines.ToList(); missing.RemoveAt(first);
        Assert.Contains("missing for 1 branch(es): 1 (1–2)", Assert.Throws<DataFormatException>(() => LineLimits.Read(Write(string.Join('\n', missing)), network)).Message);
    }
}
