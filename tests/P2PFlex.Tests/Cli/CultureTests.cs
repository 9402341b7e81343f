using System.Globalization;
using System.Text.RegularExpressions;
using P2PFlex.TestSupport;

namespace P2PFlex.Tests.Cli;

/// <summary>Text outputs do not depend on the machine's locale: under a German culture they are byte-identical to the invariant run.</summary>
public class CultureTests
{
    /// <summary>Runs <paramref name="action"/> with <paramref name="culture"/> as current (and UI) culture.</summary>
    public static T Under<T>(CultureInfo culture, Func<T> action)
    {
        var (before, beforeUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            return action();
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
            CultureInfo.CurrentUICulture = beforeUi;
        }
    }

    [Fact]
    public void The_german_culture_really_writes_decimal_commas()
    {
        Assert.Equal("1,5", Under(TestCultures.German(), () => $"{1.5}"));
    }

    [Theory]
    [InlineData("powerflow", "case69")]
    [InlineData("powerflow", "case33bw")]
    [InlineData("gridcheck", "--state", "extreme")]
    [InlineData("scenarios", "run", "0", "1", "3-theta80")]
    [InlineData("scenarios", "run", "2", "--json")]
    [InlineData("sweep", "--scenario", "3-theta80", "--param", "W", "--from", "0.1", "--to", "0.3", "--step", "0.1", "--csv")]
    [InlineData("sweep", "--scenario", "3-theta80", "--param", "theta", "--from", "0.8", "--to", "0.9", "--step", "0.05")]
    [InlineData("help", "sweep")]
    public void Text_outputs_are_identical_under_a_german_culture(params string[] args)
    {
        if (args[0] == "powerflow") args = [args[0], TestData.CasePath(args[1])];
        var invariant = Under(CultureInfo.InvariantCulture, () => CliRunner.Run(args));
        var german = Under(TestCultures.German(), () => CliRunner.Run(args));
        Assert.True(invariant.Code == 0, invariant.Err);
        Assert.Equal(invariant.Out, german.Out);
        Assert.Equal(Normalise(invariant.Err), Normalise(german.Err));
        Assert.DoesNotMatch(new Regex(@"\d,\d{2}"), args.Contains("--csv") || args.Contains("--json") ? "" : german.Out);
    }

    [Theory]
    [InlineData(1.0, 0, "base 10.5 MVA")]
    [InlineData(15.0, 1, "did not converge")]
    public void Powerflow_text_of_a_fractional_base_and_of_a_diverging_case_has_decimal_points(double loadFactor, int exitCode, string expected)
    {
        // baseMVA 10.5 (a non-integer base) and, for the second case, every load multiplied: Newton-Raphson stops at
        // its iteration limit and the text gives the largest mismatch.
        string text = File.ReadAllText(TestData.PublishedCase("case69"))
            .Replace("mpc.baseMVA = 10;", "mpc.baseMVA = 10.5;")
            .Replace("mpc.bus(:, [PD, QD]) = mpc.bus(:, [PD, QD]) / 1e3;", FormattableString.Invariant($"mpc.bus(:, [PD, QD]) = mpc.bus(:, [PD, QD]) / 1e3 * {loadFactor};"));
        string path = TestData.TempCase(text);
        var invariant = Under(CultureInfo.InvariantCulture, () => CliRunner.Run("powerflow", path));
        var german = Under(TestCultures.German(), () => CliRunner.Run("powerflow", path));
        Assert.Equal(exitCode, invariant.Code);
        Assert.Contains(expected, invariant.Out);
        Assert.Equal(invariant.Out, german.Out);
        Assert.DoesNotMatch(new Regex(@"\d,\d"), german.Out);
    }

    /// <summary>Progress lines carry elapsed times, which differ between two runs.</summary>
    private static string Normalise(string err) => Regex.Replace(err, @"\d+(\.\d+)? s\b", "N s");
}
