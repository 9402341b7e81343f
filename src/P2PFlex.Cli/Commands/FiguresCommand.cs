using System.CommandLine;
using System.CommandLine.Completions;
using System.Globalization;
using P2PFlex.Display;
using P2PFlex.Notebooks;

namespace P2PFlex.Cli;

/// <summary>What <c>p2pflex figures</c> was asked for.</summary>
/// <param name="OutDirectory">Target folder.</param>
/// <param name="Formats">One file per figure and format.</param>
/// <param name="WidthPx">Width in CSS pixels; null for each chart's own.</param>
/// <param name="HeightPx">Height in CSS pixels; null for each chart's own.</param>
/// <param name="Scale">PNG scale; null for 2.</param>
/// <param name="FigureIds">Figures to write; empty for all.</param>
/// <param name="ChromiumPath">Browser executable; null to find one.</param>
/// <param name="List">Only list the catalogue.</param>
/// <param name="Feeder">The feeder (a case name or a case file's path).</param>
public sealed record FiguresOptions(string OutDirectory, IReadOnlyList<ChartImageFormat> Formats, int? WidthPx, int? HeightPx, double? Scale,
    IReadOnlyList<string> FigureIds, string? ChromiumPath, bool List = false, string Feeder = Data.FeederSetup.StudyFeederName);

/// <summary>
/// <c>p2pflex figures [--format svg|png|pdf]… [--width PX --height PX --scale S] [--figure ID]… [--out DIR]</c>: the
/// study's figures (<see cref="StudyFigures.Catalogue"/>) as static files plus <c>figures.json</c>, drawn by a headless
/// Chromium from the charts the notebooks show (docs/figures.md).
/// </summary>
public static class FiguresCommand
{
    public const string DefaultOutDirectory = "figures";

    public static Command Build()
    {
        var format = new Option<string[]>("--format", "-f")
        {
            Description = "svg, png or pdf (repeatable, or comma-separated: --format svg,png,pdf)",
            HelpName = "svg|png|pdf",
            DefaultValueFactory = _ => ["svg"],
        };
        format.CompletionSources.Add("svg", "png", "pdf", "svg,png,pdf");
        format.Validators.Add(r =>
        {
            foreach (var t in r.Tokens)
                foreach (var f in t.Value.Split(',', StringSplitOptions.TrimEntries))
                    if (f is not ("svg" or "png" or "pdf")) r.AddError($"--format must be svg, png or pdf, not '{f}'");
        });
        var width = CliKit.Integer("--width", 1, "width in CSS pixels (default: each chart's own, e.g. 1100 for occupancy per line)");
        width.HelpName = "PX";
        var height = CliKit.Integer("--height", 1, "height in CSS pixels (default: each chart's own)");
        height.HelpName = "PX";
        var scale = CliKit.Number("--scale", "PNG pixels per CSS pixel (default 2, for print; SVG and PDF are vector)");
        scale.HelpName = "S";
        var figure = new Option<string[]>("--figure")
        {
            Description = "write only this figure (repeatable; see --list)",
            HelpName = "ID",
        };
        figure.CompletionSources.Add(_ => StudyFigures.Catalogue.Select(f => new CompletionItem(f.Id)));
        var outDir = new Option<string>("--out", "-o")
        {
            Description = "folder for the files and figures.json",
            HelpName = "DIR",
            DefaultValueFactory = _ => DefaultOutDirectory,
        };
        var chromium = new Option<string?>("--chromium")
        {
            Description = $"the Chromium/Chrome executable (default: ${ChromiumLocator.EnvironmentVariable}, else /usr/bin/chromium and other usual places)",
            HelpName = "PATH",
        };
        var list = new Option<bool>("--list") { Description = "list the figures (id, study figure, notebook, title) and exit" };
        var feeder = CliKit.Feeder();
        var command = new Command("figures", "write the study's figures as SVG/PNG/PDF files plus figures.json (needs Chromium)")
        {
            format, width, height, scale, figure, outDir, feeder, chromium, list,
        };
        command.SetAction(r => Run(new FiguresOptions(
                r.GetValue(outDir)!,
                (r.GetValue(format) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.TrimEntries)).Select(ChartImage.ParseFormat).Distinct().ToArray(),
                r.GetValue(width), r.GetValue(height), r.GetValue(scale), r.GetValue(figure) ?? [], r.GetValue(chromium), r.GetValue(list), r.GetValue(feeder)!),
            CliKit.Out(r), CliKit.Err(r)));
        return command.WithExamples("""
            p2pflex figures --out figures/                       every figure as SVG
            p2pflex figures --format png --scale 3 --out figures/
            p2pflex figures --format svg,png,pdf --figure fig20-occupancy-per-line-scenario-0 --out /tmp/fig20
            p2pflex figures --list
            p2pflex figures --feeder case85 --out figures-case85/  the same figures on another feeder
            """);
    }

    public static int Run(FiguresOptions options, TextWriter output, TextWriter progress)
    {
        if (options.List)
        {
            foreach (var f in StudyFigures.Catalogue)
                output.WriteLine($"{f.Id,-48} {(f.StudyFigureNumber is int n ? $"Fig. {n}" : "–"),-8} {f.Notebook,-20} {f.Title}");
            return 0;
        }
        var known = StudyFigures.Catalogue.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in options.FigureIds)
            if (!known.Contains(id)) throw new UsageException($"unknown figure '{id}'; run 'p2pflex figures --list' for the ids");
        if (options.Scale is double s && !(s > 0 && s <= 10)) throw new UsageException($"--scale must be in (0, 10], is {s.ToString(CultureInfo.InvariantCulture)}");
        if (options.WidthPx > 20_000 || options.HeightPx > 20_000) throw new UsageException("--width and --height must be at most 20000 px");

        var resolved = CliKit.ResolveFeeder(options.Feeder, progress);
        var data = new StudyFigureData(Scenarios.StudyContext.Load(feeder: resolved.Name), Scenarios.StudyContext.LoadScenarios());
        output.WriteLine($"feeder {resolved.Name}; {Data.Provenance.DataDescription()}");
        var result = StudyFigureExport.WriteAsync(options.OutDirectory, new FigureExportOptions
        {
            Formats = options.Formats,
            Image = new ChartImageOptions(options.WidthPx, options.HeightPx, options.Scale),
            FigureIds = options.FigureIds,
            ChromiumPath = options.ChromiumPath,
            Progress = output,
        }, data).GetAwaiter().GetResult();
        long bytes = result.Files.Sum(f => f.Bytes);
        output.WriteLine(CliKit.Invariant(
            $"{result.Files.Count} files ({bytes / 1024.0:F0} KB) and {StudyFigureExport.ManifestFileName} in {result.OutputDirectory}; {result.Elapsed.TotalSeconds:F1} s ({result.Renderer})"));
        return 0;
    }
}
