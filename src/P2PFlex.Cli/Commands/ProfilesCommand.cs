using System.CommandLine;
using P2PFlex.Data;
using P2PFlex.IO;
using P2PFlex.TimeSeries;

namespace P2PFlex.Cli;

/// <summary>
/// <c>p2pflex profiles bdew TABLE</c> converts a BDEW standard load profile table (h25.csv …) into the project's own
/// format (docs/timeseries.md).
/// </summary>
public static class ProfilesCommand
{
    public static Command Build()
    {
        var table = new Argument<string>("table") { Description = "BDEW's wide table (96 quarter-hours × month × SA/FT/WT), e.g. h25.csv" };
        var output = new Option<string?>("--out") { Description = "file to write (default: data/profiles/bdew_<name>.csv)", HelpName = "file" };
        var bdew = new Command("bdew", "convert a BDEW 2025 standard load profile table into the project's format") { table, output };
        bdew.SetAction(r =>
        {
            string source = r.GetValue(table)!;
            string text = StudyProfiles.ConvertBdew(source);
            string target = r.GetValue(output) ?? DataPaths.Of("profiles", "bdew_" + Path.GetFileNameWithoutExtension(source) + ".csv");
            AtomicFile.WriteAllText(target, text);
            CliKit.Out(r).WriteLine($"written {target}");
            return 0;
        });
        return new Command("profiles", "load and generation profiles for time series (docs/timeseries.md)") { bdew }
            .WithExamples("""
                p2pflex profiles bdew ~/bdew/h25.csv                rewrite data/profiles/bdew_h25.csv from BDEW's table
                """);
    }
}
