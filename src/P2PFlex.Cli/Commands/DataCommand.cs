using System.CommandLine;
using P2PFlex.Data;
using P2PFlex.IO;

namespace P2PFlex.Cli;

/// <summary>
/// <c>p2pflex data generate</c> rewrites the derived data files (limits, loading states) from their rules;
/// <c>p2pflex data verify</c> checks the shipped ones against them (exit 1 if any is stale).
/// </summary>
public static class DataCommand
{
    public static Command Build()
    {
        var generate = new Command("generate", "rewrite the derived data files (limits, loading states) from their rules");
        generate.SetAction(r => Run(write: true, CliKit.Out(r)));
        var verify = new Command("verify", "check the shipped derived data files against their rules (exit 1 if one is stale)");
        verify.SetAction(r => Run(write: false, CliKit.Out(r)));
        var command = new Command("data", "the derived data files of data/ (docs/data.md)") { generate, verify };
        return command;
    }

    public static int Run(bool write, TextWriter output)
    {
        int stale = 0;
        foreach (var (relative, content) in StudyDataGenerator.Files(DataPaths.Root))
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
