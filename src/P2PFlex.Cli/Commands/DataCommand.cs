using System.CommandLine;
using P2PFlex.Data;
using P2PFlex.IO;

namespace P2PFlex.Cli;

/// <summary>
/// <c>p2pflex data generate</c> rewrites the derived data files (limits, loading states) from their rules;
/// <c>p2pflex data verify</c> checks the shipped ones against them (exit 1 if any is stale).
/// <c>p2pflex data cases --from DIR [--check]</c> writes the feeder cases of <c>data/cases/</c> from the published MATPOWER
/// case files in DIR (or checks the shipped ones against them); runs never need DIR.
/// </summary>
public static class DataCommand
{
    public static Command Build()
    {
        var generate = new Command("generate", "rewrite the derived data files (limits, loading states) from their rules");
        generate.SetAction(r => Run(write: true, CliKit.Out(r)));
        var verify = new Command("verify", "check the shipped derived data files against their rules (exit 1 if one is stale)");
        verify.SetAction(r => Run(write: false, CliKit.Out(r)));
        var from = new Option<string>("--from")
        {
            Description = "the folder with the published MATPOWER case files (case69.m, …)", HelpName = "DIR", Required = true,
        };
        var check = new Option<bool>("--check") { Description = "only compare the shipped cases with what DIR gives (exit 1 if one differs)" };
        var cases = new Command("cases", "write data/cases/*.m (our format, MW and per unit) from the published MATPOWER case files")
        {
            from, check,
        };
        cases.SetAction(r => RunCases(r.GetValue(from)!, write: !r.GetValue(check), CliKit.Out(r)));
        var command = new Command("data", "the derived data files of data/ (docs/data.md)") { generate, verify, cases }
            .WithExamples("""
                p2pflex data verify
                p2pflex data cases --from ../shared/data/matpower --check
                """);
        return command;
    }

    /// <summary>Writes (or with <paramref name="write"/> false, checks) the shipped cases from the sources in
    /// <paramref name="sourceFolder"/>.</summary>
    public static int RunCases(string sourceFolder, bool write, TextWriter output)
    {
        if (!Directory.Exists(sourceFolder))
            throw new UsageException($"--from: the folder {sourceFolder} does not exist");
        return Compare(CaseFileGenerator.Files(sourceFolder), write, output);
    }

    public static int Run(bool write, TextWriter output) => Compare(StudyDataGenerator.Files(DataPaths.Root), write, output);

    private static int Compare(IReadOnlyDictionary<string, string> files, bool write, TextWriter output)
    {
        int stale = 0;
        foreach (var (relative, content) in files)
        {
            string path = DataPaths.Of(relative);
            bool same = File.Exists(path) && File.ReadAllText(path) == content;
            if (write)
            {
                if (!same) AtomicFile.WriteAllText(path, content);
                output.WriteLine($"{(same ? "unchanged" : "written  ")} {path}");
            }
            else
            {
                output.WriteLine($"{(same ? "ok   " : "STALE")} {path}");
                if (!same) stale++;
            }
        }
        return stale == 0 ? 0 : 1;
    }
}
