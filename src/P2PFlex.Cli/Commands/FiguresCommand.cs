using System.CommandLine;
using System.CommandLine.Completions;
using System.Globalization;
using P2PFlex.Display;
using P2PFlex.Notebooks;

namespace P2PFlex.Cli;

/// <summary>What <c>p2pflex figures</c> was asked for.</summary>
/// <param name="OutDirectory">Target folder.</param>
/// <param name="Formats">One file per figure and format.</param>
/// <param name="Width">Printed width; null for one column (8.8 cm) or the full width (17.8 cm), by figure.</param>
/// <param name="Height">Printed height; null for the chart's aspect ratio.</param>
/// <param name="Dpi">PNG dots per inch; null for 300 (or <paramref name="Scale"/>).</param>
/// <param name="Scale">PNG pixels per CSS pixel (dpi / 96), the former way to say the dpi; null when not given.</param>
/// <param name="FigureIds">Figures to write; empty for all.</param>
/// <param name="ChromiumPath">Browser executable; null to find one.</param>
/// <param name="List">Only list the catalogue.</param>
/// <param name="Feeder">The feeder (a case name or a case file's path).</param>
public sealed record FiguresOptions(string OutDirectory, IReadOnlyList<ChartImageFormat> Formats, PrintLength? Width, PrintLength? Height, double? Dpi, double? Scale,
    IReadOnlyList<string> FigureIds, string? ChromiumPath, bool List = false, string Feeder = Data.FeederSetup.StudyFeederName);

/// <summary>
/// <c>p2pflex figures [--format svg|png|pdf]… [--width LENGTH --height LENGTH --dpi N] [--figure ID]… [--out DIR]</c>: the
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
        var width = Length("--width", "printed width: 8.8cm, 88mm, 3.5in, 1100px, 'column' (8.8 cm) or 'full' (17.8 cm); default: full for the wide charts (occupancy per line, the feeder), column for the others");
        var height = Length("--height", "printed height (same units); default: the chart's aspect ratio");
        var dpi = CliKit.Number("--dpi", "PNG resolution in dots per inch, written into the file (default 300); SVG and PDF are vector");
        dpi.HelpName = "N";
        var scale = CliKit.Number("--scale", "PNG pixels per CSS pixel, another way to give the dpi (dpi = 96 × S)");
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
            format, width, height, dpi, scale, figure, outDir, feeder, chromium, list,
        };
        command.SetAction(r => Run(new FiguresOptions(
                r.GetValue(outDir)!,
                (r.GetValue(format) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.TrimEntries)).Select(ChartImage.ParseFormat).Distinct().ToArray(),
                r.GetValue(width), r.GetValue(height), r.GetValue(dpi), r.GetValue(scale), r.GetValue(figure) ?? [], r.GetValue(chromium), r.GetValue(list), r.GetValue(feeder)!),
            CliKit.Out(r), CliKit.Err(r)));
        return command.WithExamples("""
            p2pflex figures --out figures/                       every figure as SVG, in one column or at full width
            p2pflex figures --format png,pdf --width 8.8cm --dpi 600 --out figures/   one journal column, 600 dpi
            p2pflex figures --format pdf --width full --height 8cm --out figures/
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
        if (options.Scale is not null && options.Dpi is not null) throw new UsageException("give --dpi or --scale, not both (--scale S is --dpi 96×S)");
        double dpiValue = options.Dpi ?? (options.Scale is double sc ? sc * PrintLength.CssPxPerInch : PrintSize.DefaultDpi);
        if (!(dpiValue >= PrintSize.MinDpi && dpiValue <= PrintSize.MaxDpi))
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--dpi must be {PrintSize.MinDpi}–{PrintSize.MaxDpi}, is {dpiValue:0.##}"));

        var resolved = CliKit.ResolveFeeder(options.Feeder, progress);
        var data = new StudyFigureData(Scenarios.StudyContext.Load(feeder: resolved.Name), Scenarios.StudyContext.LoadScenarios());
        output.WriteLine($"feeder {resolved.Name}; {Data.Provenance.DataDescription()}");
        var result = StudyFigureExport.WriteAsync(options.OutDirectory, new FigureExportOptions
        {
            Formats = options.Formats,
            Size = new PrintSize(options.Width, options.Height, dpiValue),
            FigureIds = options.FigureIds,
            ChromiumPath = options.ChromiumPath,
            Progress = output,
        }, data).GetAwaiter().GetResult();
        long bytes = result.Files.Sum(f => f.Bytes);
        output.WriteLine(CliKit.Invariant(
            $"{result.Files.Count} files ({bytes / 1024.0:F0} KB) and {StudyFigureExport.ManifestFileName} in {result.OutputDirectory}; {result.Elapsed.TotalSeconds:F1} s ({result.Renderer})"));
        return 0;
    }

    /// <summary>A printed length (<see cref="PrintLength.Parse"/>): <c>--width needs a length …</c> on bad input.</summary>
    private static Option<PrintLength?> Length(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "LENGTH",
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            try { return PrintLength.Parse(text); }
            catch (FormatException e)
            {
                r.AddError($"{name} needs a length: {e.Message}");
                return null;
            }
        },
    };
}
