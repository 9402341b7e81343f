using System.Text.Json;
using P2PFlex.Data;

namespace P2PFlex.Tests.Cli;

/// <summary>
/// Research beyond the study without editing P2PFlex (issue 20), run as a user would: another feeder by name or by case
/// file path through every command that runs a scenario, a data folder of one's own, scenario files by path.
/// Every test works in a temporary data folder (<c>--data</c>): the built-in data stays untouched.
/// </summary>
public class OwnResearchTests
{
    private static string TempFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"p2pflex-own-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void Case85_by_name_runs_through_every_command_and_its_derived_files_verify()
    {
        string data = TempFolder();
        var run = CliRunner.Run("scenarios", "run", "0", "1", "--feeder", "case85", "--data", data);
        Assert.True(run.Code == 0, run.Err);
        Assert.Contains("derived limits/case85_line_limits.csv", run.Err);
        Assert.Contains($"feeder case85; data {data} (sha256:", run.Out);
        foreach (string file in FeederResolver.DerivedFiles("case85")) Assert.True(File.Exists(Path.Combine(data, file)), file);
        // The built-in data gained nothing.
        Assert.False(File.Exists(Path.Combine(DataPaths.BuiltIn, "limits", "case85_line_limits.csv")));

        // Second use: read from the data folder, nothing derived again.
        var again = CliRunner.Run("gridcheck", "--feeder", "case85", "--data", data, "--json");
        Assert.Equal(0, again.Code);
        Assert.DoesNotContain("derived", again.Err);
        var grid = JsonDocument.Parse(again.Out).RootElement;
        Assert.Equal("case85", grid.GetProperty("case").GetString());
        Assert.Equal(data, grid.GetProperty("data_folder").GetString());

        var sweep = CliRunner.Run("sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0.1", "--to", "0.2", "--step", "0.1", "--csv",
            "--feeder", "case85", "--data", data);
        Assert.True(sweep.Code == 0, sweep.Err);
        Assert.Equal(3, sweep.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("feeder case85", sweep.Err);

        string mc = Path.Combine(data, "mc");
        var montecarlo = CliRunner.Run("montecarlo", "--feeder", "case85", "--draws", "2", "--scenarios", "0,1", "--out", mc, "--data", data);
        Assert.True(montecarlo.Code == 0, montecarlo.Err);
        Assert.Contains("case85", montecarlo.Out);
        Assert.Equal(0, CliRunner.Run("montecarlo", "merge", mc).Code);

        string export = Path.Combine(data, "export");
        var exported = CliRunner.Run("scenarios", "export", "1", export, "--feeder", "case85", "--data", data);
        Assert.True(exported.Code == 0, exported.Err);
        Assert.Contains("on feeder case85", exported.Out);
        // The export's line table has one row per line of case85.
        int lines = P2PFlex.Grid.GridNetwork.Load(Path.Combine(DataPaths.BuiltIn, "cases", "case85.m")).Branches.Count;
        Assert.Equal(lines + 1, File.ReadAllLines(Path.Combine(export, "lines.csv")).Count(l => l.Length > 0 && !l.StartsWith('#')));

        var verify = CliRunner.Run("data", "verify", "--feeder", "case85", "--data", data);
        Assert.True(verify.Code == 0, verify.Out + verify.Err);
        Assert.Equal(5, verify.Out.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
        // An edited derived file is reported.
        File.AppendAllText(Path.Combine(data, "limits", "case85_line_limits.csv"), "\n");
        var stale = CliRunner.Run("data", "verify", "--data", data);
        Assert.Equal(1, stale.Code);
        Assert.Contains("STALE " + Path.Combine(data, "limits", "case85_line_limits.csv"), stale.Out);
    }

    [Fact]
    public void A_case_file_by_path_is_copied_derived_and_an_unrelievable_line_is_named()
    {
        string data = TempFolder();
        string mine = Path.Combine(TempFolder(), "mygrid.m");
        File.Copy(Path.Combine(DataPaths.BuiltIn, "cases", "case22.m"), mine);
        var (code, output, err) = CliRunner.Run("scenarios", "run", "0", "--case", mine, "--data", data);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(data, "cases", "mygrid.m")));
        Assert.Contains("feeder mygrid;", output);
        // The derived setup pins a congestion on line 17 (17–18) at a lateral's end, and bus 18 behind it has no bid:
        // no activation can relieve it.
        Assert.Contains("LFM infeasible in 0: no activation of the bids relieves line 17 (17–18) by 0.0124 MW", output);
        Assert.DoesNotContain(File.ReadAllLines(Path.Combine(data, "orderbook", "mygrid_orderbook.csv")).Where(l => !l.StartsWith('#')).Skip(1),
            l => l.Split(',')[1] == "18");

        // The same file again is fine; another file of the same name is refused, naming both.
        Assert.Equal(0, CliRunner.Run("gridcheck", "--feeder", mine, "--data", data).Code);
        string other = Path.Combine(TempFolder(), "mygrid.m");
        File.Copy(Path.Combine(DataPaths.BuiltIn, "cases", "case33bw.m"), other);
        var clash = CliRunner.Run("gridcheck", "--feeder", other, "--data", data);
        Assert.Equal(1, clash.Code);
        Assert.Contains("already holds a different case named 'mygrid'", clash.Err);

        var unknown = CliRunner.Run("scenarios", "run", "0", "--feeder", "case9999", "--data", data);
        Assert.Equal(2, unknown.Code);
        Assert.Contains("no feeder 'case9999'", unknown.Err);
        Assert.Contains("case85", unknown.Err);
        Assert.DoesNotContain("ShippedFeeders", unknown.Err);
    }

    [Fact]
    public void Figures_take_a_feeder()
    {
        string data = TempFolder();
        string outDir = Path.Combine(data, "figures");
        var (code, output, err) = CliRunner.Run("figures", "--figure", "fig20-occupancy-per-line-scenario-0", "--feeder", "case33bw", "--out", outDir, "--data", data);
        Assert.True(code == 0, err);
        Assert.Contains("feeder case33bw", output);
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "figures.json"))).RootElement;
        Assert.Equal("case33bw", manifest.GetProperty("feeder").GetString());
        Assert.Equal(data, manifest.GetProperty("data_folder").GetString());
    }

    [Fact]
    public void A_scenario_file_by_path_runs_without_the_studys_values_and_stays_out_of_Monte_Carlo()
    {
        string folder = TempFolder();
        string mine = Path.Combine(folder, "my-w035.json");
        File.WriteAllText(mine, File.ReadAllText(Path.Combine(DataPaths.BuiltIn, "scenarios", "3-theta80.json"))
            .Replace("\"name\": \"3-theta80\"", "\"name\": \"my-w035\"").Replace("\"w\": 0.2", "\"w\": 0.35"));
        var (code, output, err) = CliRunner.Run("scenarios", "run", mine, "3-theta80");
        Assert.True(code == 0, err);
        var mineRow = output.Split('\n').First(l => l.StartsWith("my-w035 ", StringComparison.Ordinal));
        var studyRow = output.Split('\n').First(l => l.StartsWith("3-theta80 ", StringComparison.Ordinal));
        // The copied study block is not shown as the study's values for a scenario the study never ran.
        Assert.Contains("13.030", studyRow);
        Assert.DoesNotContain("13.030", mineRow);
        Assert.DoesNotContain("0.85", mineRow);

        // Dropped into a data folder it is one of the data folder's scenarios, but a Monte Carlo run leaves it out
        // unless named, and says so.
        string data = TempFolder();
        Directory.CreateDirectory(Path.Combine(data, "scenarios"));
        File.Copy(mine, Path.Combine(data, "scenarios", "my-w035.json"));
        Assert.Contains("my-w035", CliRunner.Run("scenarios", "run", "my-w035", "--data", data).Out);
        var mc = CliRunner.Run("montecarlo", "--draws", "1", "--out", Path.Combine(data, "mc"), "--data", data);
        Assert.True(mc.Code == 0, mc.Err);
        Assert.Contains("not run (not shipped with P2PFlex; name them with --scenarios to include them): my-w035", mc.Err);
        var named = CliRunner.Run("montecarlo", "--draws", "1", "--scenarios", "0,my-w035", "--out", Path.Combine(data, "mc2"), "--data", data);
        Assert.True(named.Code == 0, named.Err);
    }

    [Fact]
    public void A_broken_or_duplicate_scenario_file_is_an_error_about_that_file_only()
    {
        string data = TempFolder();
        string scenarios = Path.Combine(data, "scenarios");
        Directory.CreateDirectory(scenarios);
        string broken = Path.Combine(scenarios, "broken.json");
        File.WriteAllText(broken, "{ \"name\": \"broken\", ");
        string duplicate = Path.Combine(scenarios, "zz-copy.json");
        File.Copy(Path.Combine(DataPaths.BuiltIn, "scenarios", "1.json"), duplicate);

        var all = CliRunner.Run("scenarios", "run", "--data", data);
        Assert.Equal(1, all.Code);
        Assert.Matches($@"p2pflex: warning: {System.Text.RegularExpressions.Regex.Escape(broken)}:\d+: file: not a valid scenario file", all.Err);   // located: file and line
        Assert.Contains($"p2pflex: warning: {duplicate}: field 'name': scenario '1' is already defined by", all.Err);
        Assert.Contains("2 scenario file(s) could not be read", all.Err);
        Assert.Contains("3-theta80", all.Out);                   // the others ran

        var one = CliRunner.Run("scenarios", "run", "0", "--data", data);
        Assert.Equal(0, one.Code);
        Assert.Contains(broken, one.Err);

        var asked = CliRunner.Run("scenarios", "run", broken, "--data", data);
        Assert.Equal(1, asked.Code);
        Assert.Matches($@"p2pflex: error: {System.Text.RegularExpressions.Regex.Escape(broken)}:\d+: file: not a valid scenario file", asked.Err);
    }

    [Fact]
    public void The_data_folder_comes_from_the_environment_too_and_is_named()
    {
        // P2PFLEX_DATA is read once per process; the --data option is the same folder choice per command.
        var (code, output, _) = CliRunner.Run("scenarios", "run", "0");
        Assert.Equal(0, code);
        Assert.Contains($"data {DataPaths.Root} (sha256:", output);
        var help = CliRunner.Run("scenarios", "run", "--help");
        Assert.Contains("--data", help.Out);
        Assert.Contains(DataPaths.EnvironmentVariable, help.Out);
    }
}
