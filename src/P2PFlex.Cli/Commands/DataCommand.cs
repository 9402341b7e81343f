using System.CommandLine;
using P2PFlex.Data;
using P2PFlex.IO;
using P2PFlex.Scenarios;

namespace P2PFlex.Cli;

/// <summary>
/// <c>p2pflex data generate [--feeder F]</c> (re)writes the derived data files (limits, loading states, orderbook, P2P
/// subset) from their rules into the data folder; <c>p2pflex data verify [--feeder F]</c> checks the data folder's
/// files against them (exit 1 if any differs). Without <c>--feeder</c>: the shipped feeders in the built-in data, and
/// every feeder with a case file in another data folder (<c>--data</c>).
/// <c>p2pflex data cases --from DIR [--check]</c> writes the feeder cases of <c>data/cases/</c> from the published MATPOWER
/// case files in DIR (or checks the shipped ones against them); runs never need DIR.
/// </summary>
public static class DataCommand
{
    public static Command Build()
    {
        var generateFeeder = FeederOption();
        var generate = new Command("generate", "(re)write the derived data files (limits, loading states, orderbook, P2P subset) from their rules") { generateFeeder };
        generate.SetAction(r => Run(write: true, r.GetValue(generateFeeder), CliKit.Out(r), CliKit.Err(r)));
        var verifyFeeder = FeederOption();
        var verify = new Command("verify", "check the data folder's derived files against their rules (exit 1 if one differs)") { verifyFeeder };
        verify.SetAction(r => Run(write: false, r.GetValue(verifyFeeder), CliKit.Out(r), CliKit.Err(r)));
        var from = new Option<string>("--from")
        {
            Description = "the folder with the published MATPOWER case files (case69.m, …)",
            HelpName = "DIR",
            Required = true,
        };
        var check = new Option<bool>("--check") { Description = "only compare the shipped cases with what DIR gives (exit 1 if one differs)" };
        var cases = new Command("cases", "write data/cases/*.m (our format, MW and per unit) from the published MATPOWER case files")
        {
            from, check,
        };
        cases.SetAction(r => RunCases(r.GetValue(from)!, write: !r.GetValue(check), CliKit.Out(r)));
        var command = new Command("data", "the derived data files of the data folder (docs/data.md)") { generate, verify, cases };
        return command.WithExamples("""
            p2pflex data verify                                 the study's data == its rules
            p2pflex data generate --feeder case85 --data ~/study/data   derive case85's files into your data folder
            p2pflex data generate --feeder ~/grids/my.m --data ~/study/data
            p2pflex data verify --data ~/study/data             every feeder of that folder
            p2pflex data cases --from ~/matpower/data --check
            """);
    }

    /// <summary>Writes (or with <paramref name="write"/> false, checks) the shipped cases from the sources in
    /// <paramref name="sourceFolder"/>.</summary>
    public static int RunCases(string sourceFolder, bool write, TextWriter output)
    {
        if (!Directory.Exists(sourceFolder))
            throw new UsageException($"--from: the folder {sourceFolder} does not exist");
        int stale = 0;
        foreach (var (relative, content) in CaseFileGenerator.Files(sourceFolder))
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

    private static Option<string?> FeederOption()
    {
        var feeder = new Option<string?>("--feeder", "--case")
        {
            Description = "only this feeder: a case name or a MATPOWER case file's path (copied into the data folder's cases/)",
            HelpName = "case|file.m",
        };
        feeder.CompletionSources.Add(_ => FeederResolver.KnownCases().Select(n => new System.CommandLine.Completions.CompletionItem(n)));
        return feeder;
    }

    public static int Run(bool write, string? feeder, TextWriter output, TextWriter? log = null)
    {
        string root = DataPaths.Root;
        IReadOnlyList<(string Name, string CaseRoot)> feeders;
        if (feeder is not null)
        {
            // A case file given by path is copied into cases/ first; a name must be a case of the data folders.
            var resolved = CliKit.ResolveFeeder(feeder, log ?? TextWriter.Null);
            feeders = [(resolved.Name, Path.GetDirectoryName(Path.GetDirectoryName(resolved.CasePath)!)!)];
        }
        else if (DataPaths.TryBuiltIn() is string builtIn && DataPaths.SameFolder(builtIn, root))
            feeders = FeederSetup.ShippedFeeders.Select(f => (f, root)).ToArray();
        else
        {
            // Every feeder the folder has a case file or derived limits of (a built-in case's files derived into it).
            string cases = Path.Combine(root, "cases"), limits = Path.Combine(root, "limits");
            const string limitsSuffix = "_line_limits.csv";
            var names = (Directory.Exists(cases) ? Directory.GetFiles(cases, "*.m") : []).Select(f => Path.GetFileNameWithoutExtension(f)!)
                .Concat((Directory.Exists(limits) ? Directory.GetFiles(limits, "*" + limitsSuffix) : []).Select(f => Path.GetFileName(f)[..^limitsSuffix.Length]))
                .Distinct().Order(StringComparer.Ordinal).ToArray();
            feeders = names.Select(n => (n, DataPaths.Find(Path.Combine("cases", n + ".m"), root)))
                .Select(f => (f.n, f.Item2 is string c ? Path.GetDirectoryName(Path.GetDirectoryName(c)!)! : throw new FileNotFoundException($"{root}: derived files of '{f.n}' but no cases/{f.n}.m")))
                .ToArray();
            if (feeders.Count == 0)
                throw new UsageException($"the data folder {root} has no feeder (cases/*.m or limits/*{limitsSuffix}); name one (--feeder case85 or --feeder path/to/case.m)");
        }
        output.WriteLine(Provenance.DataDescription());
        int stale = 0;
        foreach (var (name, caseRoot) in feeders)
        {
            foreach (var (relative, content) in StudyDataGenerator.FeederFiles(caseRoot, name, StudyStoryScreen.Instance))
            {
                string path = Path.Combine(root, relative);
                bool same = File.Exists(path) && File.ReadAllText(path) == content;
                if (write)
                {
                    if (!same) AtomicFile.WriteAllText(path, content);
                    output.WriteLine($"{(same ? "unchanged" : "written  ")} {path}");
                }
                else if (!File.Exists(path) && DataPaths.Find(relative, root) is string shipped && !DataPaths.SameFolder(Path.GetDirectoryName(Path.GetDirectoryName(shipped)!)!, root))
                {
                    // Not in this data folder: the built-in file is used; it is checked when the built-in data is.
                    output.WriteLine($"built-in {shipped}");
                }
                else
                {
                    output.WriteLine($"{(same ? "ok   " : File.Exists(path) ? "STALE" : "MISSING")} {path}");
                    if (!same) stale++;
                }
            }
        }
        if (!write && stale > 0)
            output.WriteLine($"{stale} file(s) differ from their rule; 'p2pflex data generate' rewrites them (a file of your own, e.g. an orderbook, differs on purpose)");
        return stale == 0 ? 0 : 1;
    }
}
