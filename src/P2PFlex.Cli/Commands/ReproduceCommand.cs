using System.CommandLine;
using P2PFlex.Notebooks;

namespace P2PFlex.Cli;

/// <summary>
/// <c>p2pflex reproduce [--out DIR] [--pdf]</c>, the main job: every study notebook into DIR (executed .ipynb + HTML), then the
/// index and the study's Table 8 beside ours.
/// </summary>
public static class ReproduceCommand
{
    public static Command Build()
    {
        var outDir = NotebooksCommand.OutOption();
        var pdf = NotebooksCommand.PdfOption();
        var plotlyJs = NotebooksCommand.PlotlyJsOption(PlotlyJsMode.Directory);
        var command = new Command("reproduce", "the main job: run every study notebook into DIR (executed .ipynb + HTML) and print Table 8 beside the study's")
        {
            outDir, pdf, plotlyJs,
        };
        command.SetAction(r => NotebooksCommand.RunNotebooks(NotebooksCommand.StudyNotebooks().Select(p => new NotebookJob(p)).ToList(), r.GetValue(outDir)!,
            CliKit.Out(r), CliKit.Err(r), r.GetValue(pdf), r.GetValue(plotlyJs), studyTables: true));
        return command.WithExamples("""
            p2pflex reproduce
            p2pflex reproduce --out /tmp/reports
            p2pflex reproduce --pdf                a PDF beside each HTML report
            p2pflex reproduce --plotlyjs embed     single-file pages (plotly.js inside each)
            """);
    }
}
