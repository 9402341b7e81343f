using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using P2PFlex.Data;
using P2PFlex.Display;

using P2PFlex.IO;

namespace P2PFlex.Notebooks;

/// <summary>What <see cref="StudyFigureExport.WriteAsync"/> writes.</summary>
public sealed record FigureExportOptions
{
    /// <summary>One file per figure and format (default: SVG).</summary>
    public IReadOnlyList<ChartImageFormat> Formats { get; init; } = [ChartImageFormat.Svg];

    /// <summary>Printed size and PNG dpi; a null width prints each figure in one column or at full width, a null height
    /// keeps the chart's aspect ratio (<see cref="PrintSize"/>).</summary>
    public PrintSize Size { get; init; } = new();

    /// <summary>Ids of the figures to write (<see cref="StudyFigures.Catalogue"/>); null or empty for all.</summary>
    public IReadOnlyList<string>? FigureIds { get; init; }

    /// <summary>The browser executable; null to find one (<see cref="ChromiumLocator"/>).</summary>
    public string? ChromiumPath { get; init; }

    /// <summary>One line per file written (e.g. <c>Console.Error</c>); null for none.</summary>
    public TextWriter? Progress { get; init; }
}

/// <summary>One file written.</summary>
public sealed record ExportedFigure(StudyFigure Figure, string FileName, ChartImageFormat Format, int WidthPx, int HeightPx, double Scale, long Bytes, string Sha256)
{
    /// <summary>The printed size (and a PNG's dpi and pixels).</summary>
    public PaperSize? Paper { get; init; }
}

/// <summary>The export: the files in catalogue order, the manifest, the time it took.</summary>
public sealed record FigureExportResult(string OutputDirectory, string ManifestPath, IReadOnlyList<ExportedFigure> Files, TimeSpan Elapsed, string Renderer);

/// <summary>
/// Writes the study's figures (<see cref="StudyFigures.Catalogue"/>) as SVG, PNG and/or PDF files named
/// <c>&lt;figure id&gt;.&lt;ext&gt;</c> into a folder, then <c>figures.json</c>, the manifest (docs/figures.md). The
/// folder is replaced as a whole (<see cref="FolderSwap"/>, as <c>reproduce</c> replaces its report set): every file
/// goes into a staging folder next to the target, which is swapped in only when the set is complete and flushed. Any
/// failure — a cancellation, a full disk, a browser that dies — leaves the previous set byte-identical and removes the
/// staging folder; a staging folder left by a killed export is removed by the next one.
/// </summary>
public static class StudyFigureExport
{
    public const string ManifestFileName = "figures.json";
    public const int ManifestFormatVersion = 1;

    // Readable text (θ, ′, +) instead of \uXXXX escapes; the manifest is never embedded in HTML.
    private static readonly JsonSerializerOptions ManifestJson = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <param name="outDir">Target folder: missing, empty, or an earlier figure set (it holds <c>figures.json</c>), which
    /// is replaced as a whole; any other folder is refused untouched.</param>
    /// <param name="options">Formats, size, figures.</param>
    /// <param name="data">The study's runs; null to load the shipped data.</param>
    /// <param name="renderer">A renderer to reuse; null to start a browser for this export only.</param>
    /// <param name="cancellationToken">Checked between files: a cancelled export leaves the target as it was.</param>
    public static async Task<FigureExportResult> WriteAsync(string outDir, FigureExportOptions? options = null, StudyFigureData? data = null,
        ChartRenderer? renderer = null, CancellationToken cancellationToken = default)
    {
        options ??= new FigureExportOptions();
        options.Size.Validate();
        if (options.Formats.Count == 0) throw new ArgumentException("no figure format asked for", nameof(options));
        var figures = options.FigureIds is { Count: > 0 } ids ? ids.Select(StudyFigures.Find).ToArray() : StudyFigures.Catalogue.ToArray();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (renderer is null) ChromiumLocator.Find(options.ChromiumPath);   // no browser: fail before touching the folder
        string outFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir));
        if (File.Exists(outFull)) throw new IOException($"{outFull} is a file, not a folder");

        data ??= StudyFigureData.Load();
        using var swap = BeginFigureSwap(outFull);
        ChromiumBrowser? ownBrowser = null;
        ChartRenderer? ownRenderer = null;
        try
        {
            if (renderer is null)
            {
                ownBrowser = await ChromiumBrowser.LaunchAsync(options.ChromiumPath).ConfigureAwait(false);
                renderer = ownRenderer = await ChartRenderer.CreateAsync(ownBrowser).ConfigureAwait(false);
            }
            var written = new List<ExportedFigure>();
            foreach (var figure in figures)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chart = StudyFigures.Chart(figure, data);
                foreach (var format in options.Formats.Distinct())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var image = await renderer.RenderForPrintAsync(chart, format, options.Size, cancellationToken).ConfigureAwait(false);
                    string fileName = figure.Id + ChartImage.Extension(format);
                    AtomicFile.WriteAllBytes(Path.Combine(swap.StagingPath, fileName), image.Bytes);
                    written.Add(new ExportedFigure(figure, fileName, format, image.WidthPx, image.HeightPx, image.Scale, image.Bytes.Length,
                        Convert.ToHexStringLower(SHA256.HashData(image.Bytes)))
                    { Paper = image.Paper });
                    var paper = image.Paper!;
                    options.Progress?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{fileName,-52} {image.Bytes.Length / 1024.0,8:F1} KB  {paper.Width.Cm:0.##} × {paper.Height.Cm:0.##} cm{(paper.Dpi is double dpi ? $", {paper.PixelWidth}×{paper.PixelHeight} px at {dpi:0.##} dpi" : "")}"));
                }
            }
            cancellationToken.ThrowIfCancellationRequested();
            AtomicFile.WriteAllText(Path.Combine(swap.StagingPath, ManifestFileName),
                Manifest(written, data, renderer.Browser.Version, DateTimeOffset.UtcNow).ToJsonString(ManifestJson) + "\n");
            swap.Commit();
            return new FigureExportResult(outFull, Path.Combine(outFull, ManifestFileName), written, clock.Elapsed, renderer.Browser.Version);
        }
        finally
        {
            if (ownRenderer is not null) await ownRenderer.DisposeAsync().ConfigureAwait(false);
            if (ownBrowser is not null) await ownBrowser.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The manifest: provenance, then one entry per file (docs/figures.md).</summary>
    public static JsonObject Manifest(IReadOnlyList<ExportedFigure> files, StudyFigureData data, string renderer, DateTimeOffset generated)
    {
        var notebooks = new Dictionary<string, JsonArray?>(StringComparer.Ordinal);
        var entries = new JsonArray();
        foreach (var f in files)
        {
            var fig = f.Figure;
            entries.Add(new JsonObject
            {
                ["file"] = f.FileName,
                ["id"] = fig.Id,
                ["format"] = f.Format.ToString().ToLowerInvariant(),
                ["title"] = fig.Title,
                ["study_figure"] = fig.StudyFigureNumber,
                ["scenarios"] = new JsonArray(fig.Scenarios.Select(s => (JsonNode?)s).ToArray()),
                ["notebook"] = "notebooks/" + fig.Notebook,
                ["cell_id"] = fig.CellId,
                ["cell_index"] = CellIndex(notebooks, fig),
                ["width_cm"] = f.Paper is { } p ? Math.Round(p.Width.Cm, 4) : null,
                ["height_cm"] = f.Paper is { } p2 ? Math.Round(p2.Height.Cm, 4) : null,
                ["dpi"] = f.Paper?.Dpi,
                ["pixel_width"] = f.Paper?.PixelWidth,
                ["pixel_height"] = f.Paper?.PixelHeight,
                ["width_px"] = f.WidthPx,
                ["height_px"] = f.HeightPx,
                ["scale"] = f.Scale,
                ["bytes"] = f.Bytes,
                ["sha256"] = f.Sha256,
            });
        }
        return new JsonObject
        {
            ["format_version"] = ManifestFormatVersion,
            ["generated_utc"] = generated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["p2pflex_version"] = Provenance.SoftwareVersion,
            ["data_version"] = Provenance.DataVersion(),
            ["data_folder"] = DataPaths.Root,
            ["feeder"] = data.Context.FeederName,
            ["plotly_js_version"] = PlotlyJs.Version,
            ["renderer"] = renderer,
            ["parameters"] = new JsonObject { ["W"] = data.W, ["theta"] = data.Theta },
            ["figures"] = entries,
        };
    }

    /// <summary>0-based index of the figure's cell in its notebook, when the notebooks folder is beside the data folder.</summary>
    private static int? CellIndex(Dictionary<string, JsonArray?> cache, StudyFigure figure)
    {
        if (!cache.TryGetValue(figure.Notebook, out var cells))
        {
            string path = Path.Combine(Path.GetDirectoryName(DataPaths.BuiltIn)!, "notebooks", figure.Notebook);
            cells = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))?["cells"] as JsonArray : null;
            cache[figure.Notebook] = cells;
        }
        if (cells is null) return null;
        for (int i = 0; i < cells.Count; i++)
            if ((string?)cells[i]?["id"] == figure.CellId) return i;
        return null;
    }

    /// <summary>The swap of a figure folder: an earlier set holds the manifest.</summary>
    public static FolderSwap BeginFigureSwap(string target) =>
        FolderSwap.Begin(target, dir => File.Exists(Path.Combine(dir, ManifestFileName)), $"figure set ({ManifestFileName})");
}
