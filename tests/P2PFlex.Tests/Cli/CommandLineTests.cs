using P2PFlex.Cli;

namespace P2PFlex.Tests.Cli;

/// <summary>The command line itself (System.CommandLine): help, typo suggestions, completion, usage errors.</summary>
public class CommandLineTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void No_arguments_and_help_print_the_overview_listing_every_command()
    {
        foreach (var args in new[] { Array.Empty<string>(), ["help"], ["--help"], ["-h"] })
        {
            var (code, output, err) = Run(args);
            Assert.Equal(0, code);
            Assert.Equal("", err);
            Assert.Contains("Usage:", output);
            foreach (var c in new[] { "reproduce", "notebooks", "powerflow", "gridcheck", "scenarios", "sweep", "bench", "data", "kernel", "completion" })
                Assert.Contains($"  {c}", output);
        }
    }

    [Theory]
    [InlineData("--step <number>", "sweep", "--help")]
    [InlineData("--step <number>", "help", "sweep")]
    [InlineData("--state <base|extreme>", "gridcheck", "--help")]
    [InlineData("NAME=VALUE", "notebooks", "run", "--help")]
    [InlineData("--out <DIR>", "reproduce", "-h")]
    [InlineData("<case.m>", "powerflow", "--help")]
    [InlineData("export <name|file.json> <dir>", "scenarios", "--help")]
    [InlineData("--memory-runs <n>", "bench", "--help")]
    [InlineData("--display-name <TEXT>", "help", "kernel", "install")]
    public void Every_command_has_its_own_help(string expected, params string[] args)
    {
        var (code, output, _) = Run(args);
        Assert.Equal(0, code);
        Assert.Contains(expected, output);
        Assert.Contains("p2pflex", output);
    }

    [Fact]
    public void Help_is_the_same_whatever_the_terminal_width_and_names_help_for_an_unknown_command_a_usage_error()
    {
        Assert.Equal(Run("sweep", "--help").Out, Run("help", "sweep").Out);
        var (code, _, err) = Run("help", "swep");
        Assert.Equal(2, code);
        Assert.Contains("no command 'swep'", err);
    }

    [Theory]
    [InlineData("powrflow", "powerflow")]
    [InlineData("scenario", "scenarios")]
    [InlineData("gridchek", "gridcheck")]
    public void A_mistyped_command_is_a_usage_error_suggesting_the_right_one(string typo, string suggestion)
    {
        var (code, output, err) = Run(typo, "x");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains($"'{typo}'", err);
        Assert.Contains("Did you mean", err);
        Assert.Contains($"p2pflex:   {suggestion}", err);
        Assert.All(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.StartsWith("p2pflex: ", l));
    }

    [Fact]
    public void A_mistyped_option_suggests_the_right_one()
    {
        var (code, _, err) = Run("powerflow", TestData.CasePath("case69"), "--jsn");
        Assert.Equal(2, code);
        Assert.Contains("p2pflex:   --json", err);
        Assert.Contains("run 'p2pflex powerflow --help'", err);
    }

    [Theory]
    [InlineData("data")]
    [InlineData("scenarios")]
    [InlineData("notebooks")]
    [InlineData("kernel")]
    [InlineData("powerflow")]
    [InlineData("scenarios", "export", "1")]
    [InlineData("gridcheck", "extra")]
    [InlineData("reproduce", "--out")]
    [InlineData("completion", "fish")]
    public void Missing_or_extra_arguments_are_usage_errors_on_stderr(params string[] args)
    {
        var (code, output, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("p2pflex: ", err);
    }

    [Fact]
    public void The_suggest_directive_completes_commands_options_values_and_scenario_names()
    {
        static string[] Complete(string line) =>
            Run($"[suggest:{line.Length}]", line).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("scenarios", Complete("p2pflex sc"));
        Assert.Contains("--state", Complete("p2pflex gridcheck --st"));
        Assert.Equal(["theta", "W"], Complete("p2pflex sweep --param "));
        Assert.Contains("3-theta80", Complete("p2pflex sweep --scenario "));
        Assert.Contains("1pp", Complete("p2pflex scenarios run "));
    }

    [Theory]
    [InlineData("bash")]
    [InlineData("zsh")]
    public void Completion_script_registers_a_completer_that_asks_the_cli(string shell)
    {
        var (code, output, _) = Run("completion", shell);
        Assert.Equal(0, code);
        Assert.Contains("complete -o default -F _p2pflex_complete p2pflex", output);
        Assert.Contains("[suggest:${COMP_POINT}]", output);
        Assert.Contains("p2pflex.dll", output);
        if (shell == "zsh") Assert.Contains("bashcompinit", output);
    }
}
