namespace P2PFlex.Tests.Cli;

/// <summary><c>p2pflex scenarios run --feeder &lt;SimBench folder&gt; --study-case …</c> on the shared LV grid.</summary>
public class SimBenchCliTests
{
    [Fact]
    public void Scenarios_run_on_a_SimBench_folder_at_a_study_case()
    {
        var (code, output, err) = CliRunner.Run("scenarios", "run", "0", "2", "--feeder", SharedData.SimBenchLvRural1, "--study-case", "hPV", "--json");
        Assert.True(code == 0, err);
        Assert.Contains("\"name\": \"0\"", output);
        Assert.Contains("\"name\": \"2\"", output);
        var (textCode, text, _) = CliRunner.Run("scenarios", "run", "2", "--feeder", SharedData.SimBenchLvRural1, "--study-case", "lW");
        Assert.Equal(0, textCode);
        Assert.Contains("SimBench grid 1-LV-rural1--0-no_sw, study case lW", text);
    }

    [Fact]
    public void An_unknown_study_case_is_a_usage_error_naming_the_cases()
    {
        var (code, _, err) = CliRunner.Run("scenarios", "run", "0", "--feeder", SharedData.SimBenchLvRural1, "--study-case", "xx");
        Assert.NotEqual(0, code);
        Assert.Contains("hL, n1, hW, hPV, lW, lPV", err);
    }
}
