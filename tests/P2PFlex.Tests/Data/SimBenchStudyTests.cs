using System.Globalization;
using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.IO;
using P2PFlex.Scenarios;
using P2PFlex.Tests.Grid.SimBench;
using P2PFlex.TimeSeries;
using Xunit.Abstractions;

namespace P2PFlex.Tests.Data;

/// <summary>The study on the shared SimBench LV grid: every scenario file at every stress case, and the year's profiles.</summary>
public class SimBenchStudyTests(ITestOutputHelper output)
{
    private static readonly Lazy<SimBenchStudy> Study = new(() => SimBenchStudy.Read(SharedData.SimBenchLvRural1));

    public static TheoryData<string> StressCases => new(["hL", "n1", "hW", "hPV", "lW", "lPV"]);

    [Theory]
    [MemberData(nameof(StressCases))]
    public void Every_scenario_file_runs_on_the_SimBench_grid_with_finite_KPIs(string studyCase)
    {
        var study = Study.Value;
        var context = study.Context(studyCase);
        // Real ratings: the limits are the grid's own, whatever the case.
        Assert.Equal(study.Grid.RatingsMva, context.BaseFeeder.Limits.LimitMw);
        Assert.Equal(study.Grid.StudyCase(studyCase).SlackVmPu, context.BaseFeeder.Network.Buses[context.BaseFeeder.Network.SlackIndex].VmPu);
        var scenarios = StudyContext.LoadScenarios();
        Assert.True(scenarios.Count >= 12);
        foreach (var scenario in scenarios)
        {
            var result = ScenarioRunner.Run(scenario, context);
            var kpis = ScenarioReport.Kpis(result);
            foreach (var (name, value) in kpis.Columns())
                if (value is double d) Assert.True(double.IsFinite(d), $"{studyCase} / {scenario.Name}: {name} = {d}");
            Assert.True(kpis.CongestedLines >= 0);
            Assert.True(double.IsFinite(kpis.P2PVolumeMw));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {studyCase} | {scenario.Name} | {kpis.CongestedLines} | {kpis.OverflowSumMw:F6} | {kpis.LfmStatus} | {kpis.LfmCostEur:F4} | {kpis.P2PVolumeMw:F6} | {result.Ac?.BeforeLfm.Buses.Min(b => b.VmPu):F4} | {result.Ac?.BeforeLfm.Buses.Max(b => b.VmPu):F4} |"));
        }
    }

    [Fact]
    public void Orderbook_and_peers_follow_the_studys_rule_scaled_to_the_grid()
    {
        var study = Study.Value;
        // 13 buses with load: round(13·46/48) = 12 bid buses, round(12·172/46) = 45 bids, round(45·70/172) = 18 peers.
        Assert.Equal((12, 45, 18), (study.Orderbook.BusCount, study.Orderbook.BidCount, study.P2PSubset.Count));
        var hl = study.Context("hL");
        var lw = study.Context("lW");
        Assert.Equal(45, hl.Orderbook.Bids.Count);
        Assert.Equal(hl.Orderbook.Bids.Select(b => (b.Id, b.Bus, b.Direction)), lw.Orderbook.Bids.Select(b => (b.Id, b.Bus, b.Direction)));
        // Volumes scale with the case's loads (lW: 0.1 × pLoad), up to the orderbook's 1e-6 MW rounding.
        for (int k = 0; k < 45; k++) Assert.Equal(0.1 * hl.Orderbook.Bids[k].VolumeMw, lw.Orderbook.Bids[k].VolumeMw, 6);
        Assert.All(hl.P2PSubset, id => Assert.True(hl.Orderbook.Contains(id)));
    }

    [Fact]
    public void The_years_profiles_are_read_into_the_profile_types()
    {
        var study = Study.Value;
        var profiles = study.Profiles!;
        Assert.Equal(TimeAxis.Year(2016), profiles.Axis);
        Assert.Equal(35136, profiles.Axis.Count);
        Assert.Equal(17, profiles.Bindings.Count);
        // First row of LoadProfile.csv: H0-A_qload −0.067519 (negative: a capacitive load), L2-A_pload 0.321053.
        Assert.Equal(-0.067519, profiles.Set["H0-A_qload"][0]);
        Assert.Equal(0.321053, profiles.Set["L2-A_pload"][0]);
        Assert.Contains("H0-A_qload", profiles.Set.SignedProfiles);
        // 28.03.2016 13:00, PV8 from RESProfile.csv, drives unit SGen 2 (78.381 kW at Bus 11).
        int i = profiles.Axis.IndexOf(new DateTime(2016, 3, 28, 13, 0, 0));
        var point = study.OperatingPointAt(i);
        Assert.Equal(profiles.Set["PV8"][i], point.ResPFactor[1]);
        Assert.Equal(profiles.Set["L2-A_pload"][i], point.LoadPFactor[0]);
        Assert.Equal(profiles.Set["L2-A_qload"][i], point.LoadQFactor[0]);
        Assert.Equal(PowerFlowStatus.Converged, AcPowerFlow.Solve(study.Grid.Network(point)).Status);
    }

    public static TheoryData<string, int, string, Func<string, string>> MalformedProfiles => new()
    {
        { "LoadProfile.csv", 3, "time", s => s.Replace("01.01.2016 00:15;", "01.01.2016 00:00;") },
        { "LoadProfile.csv", 4, "time", s => s.Replace("01.01.2016 00:30;", "2016-01-01 00:30;") },
        { "LoadProfile.csv", 5, "L2-A_pload", s => s.Replace("0.395067;0.373684", "0.395067;-0.373684") },
        { "RESProfile.csv", 6, "PV6", s => s.Replace("01.01.2016 01:00;0;0;0", "01.01.2016 01:00;0;x;0") },
        { "RESProfile.csv", 6, "time", s => s.Replace("01.01.2016 01:00;0;0;0\n", "") },
    };

    [Theory]
    [MemberData(nameof(MalformedProfiles))]
    public void A_malformed_profile_file_is_refused_with_file_line_and_column(string file, int line, string field, Func<string, string> edit)
    {
        string folder = SimBenchGridTests.CopyWith(file, s => s);
        string source = File.ReadAllText(Path.Combine(SharedData.SimBenchLvRural1, file)).Replace("\r\n", "\n");
        File.WriteAllText(Path.Combine(folder, file), edit(source));
        string other = file == "LoadProfile.csv" ? "RESProfile.csv" : "LoadProfile.csv";
        File.Copy(Path.Combine(SharedData.SimBenchLvRural1, other), Path.Combine(folder, other));
        try
        {
            var e = Assert.Throws<DataFormatException>(() => SimBenchStudy.Read(folder));
            Assert.Equal((Path.Combine(folder, file), line, field), (e.File, e.Line, e.Field));
        }
        finally { Directory.Delete(Path.GetDirectoryName(folder)!, true); }
    }

    [Fact]
    public void A_load_whose_profile_is_missing_is_named_in_Load_csv()
    {
        string folder = SimBenchGridTests.CopyWith("Load.csv", s => s.Replace(";H0-B;", ";H0-Z;"));
        foreach (string f in new[] { "LoadProfile.csv", "RESProfile.csv" }) File.Copy(Path.Combine(SharedData.SimBenchLvRural1, f), Path.Combine(folder, f));
        try
        {
            var e = Assert.Throws<DataFormatException>(() => SimBenchStudy.Read(folder));
            Assert.Equal((Path.Combine(folder, "Load.csv"), 5, "profile"), (e.File, e.Line, e.Field));
        }
        finally { Directory.Delete(Path.GetDirectoryName(folder)!, true); }
    }
}
