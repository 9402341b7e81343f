using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;
using System.Globalization;

namespace P2PFlex.Cli;

/// <summary>A command-line usage error found after parsing (e.g. an unknown scenario name): stderr, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Pieces every command file shares: the writers of the current invocation, the <c>--json</c> flag, numbers parsed in
/// the invariant culture with the option named in the error, scenario-name completion and the examples shown in help.
/// </summary>
public static class CliKit
{
    /// <summary>Where a command writes its result (stdout, or the test's writer).</summary>
    public static TextWriter Out(ParseResult r) => r.InvocationConfiguration.Output;

    /// <summary>Where a command writes progress and warnings (stderr, or the test's writer).</summary>
    public static TextWriter Err(ParseResult r) => r.InvocationConfiguration.Error;

    public static Option<bool> Json(string description = "write JSON to stdout instead of text") => new("--json") { Description = description };

    /// <summary>
    /// An option holding a finite number written with a decimal point (invariant culture; a comma, NaN or ∞ is an
    /// error naming the option): <c>--from needs a number, not 'x'</c>.
    /// </summary>
    public static Option<double?> Number(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "number",
        CustomParser = r => ParseFinite(r, name),
    };

    /// <summary>An integer option at least <paramref name="minimum"/>: <c>--runs needs a positive integer, not '0'</c>.</summary>
    public static Option<int?> Integer(string name, int minimum, string description) => new(name)
    {
        Description = description,
        HelpName = "n",
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= minimum) return v;
            r.AddError($"{name} needs a {(minimum > 0 ? "positive" : "non-negative")} integer, not '{text}'");
            return null;
        },
    };

    private static double? ParseFinite(ArgumentResult r, string name)
    {
        string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) r.AddError($"{name} needs a number, not '{text}'");
        else if (!double.IsFinite(v)) r.AddError($"{name} needs a finite number, not '{text}'");
        else return v;
        return null;
    }

    /// <summary>Offers the scenario names of the data folder when completing (nothing if the data cannot be read).</summary>
    public static IEnumerable<CompletionItem> ScenarioNames(CompletionContext _)
    {
        IReadOnlyList<string> names;
        try
        {
            names = Scenarios.ScenarioCatalog.Load().Scenarios.Select(s => s.Name).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                                      or IO.DataFormatException)
        {
            names = [];
        }
        return names.Select(n => new CompletionItem(n));
    }

    /// <summary>
    /// The <c>--feeder</c> option (alias <c>--case</c>) of every command that runs a scenario: a case name or a MATPOWER
    /// case file's path, resolved by <see cref="ResolveFeeder"/>.
    /// </summary>
    public static Option<string> Feeder()
    {
        var feeder = new Option<string>("--feeder", "--case")
        {
            Description = "the feeder: a case name (case69, case85, …) or a MATPOWER case file's path; data it lacks is derived into the data folder on first use (docs/data.md, \"Your own feeder\"; default case69)",
            HelpName = "case|file.m",
            DefaultValueFactory = _ => Data.FeederSetup.StudyFeederName,
        };
        feeder.CompletionSources.Add(_ =>
        {
            try
            {
                return Data.FeederResolver.KnownCases().Select(n => new CompletionItem(n));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return [];
            }
        });
        return feeder;
    }

    /// <summary>
    /// Resolves a feeder argument (<see cref="Data.FeederResolver.Resolve"/>), telling <paramref name="log"/> (stderr)
    /// what was copied or derived; an unknown name is a usage error.
    /// </summary>
    public static Data.ResolvedFeeder ResolveFeeder(string feeder, TextWriter log)
    {
        try
        {
            return Data.FeederResolver.Resolve(feeder, log: log);
        }
        catch (Data.UnknownFeederException e)
        {
            throw new UsageException("--feeder: " + e.Message);
        }
    }

    /// <summary>The global <c>--data DIR</c> option: the data folder of the run (docs/data.md).</summary>
    public static Option<string?> DataFolder() => new("--data")
    {
        Description = $"the data folder (default: ${Data.DataPaths.EnvironmentVariable}, else the study's data/); files it lacks come from the study's data, a new feeder's derived files are written into it",
        HelpName = "DIR",
        Recursive = true,
    };

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Command, string> ExamplesOf = new();

    /// <summary>Examples printed at the end of the command's <c>--help</c>, one command line each.</summary>
    public static T WithExamples<T>(this T command, string examples) where T : Command
    {
        ExamplesOf.AddOrUpdate(command, examples);
        return command;
    }

    internal static string? Examples(Command command) => ExamplesOf.TryGetValue(command, out var e) ? e : null;

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
