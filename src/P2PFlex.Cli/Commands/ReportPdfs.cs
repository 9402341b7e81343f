using System.Diagnostics;
using P2PFlex.Data;
using P2PFlex.Notebooks;

namespace P2PFlex.Cli;

/// <summary>
/// The <c>--pdf</c> step of <c>notebooks run</c> and <c>reproduce</c>: one headless Chromium prints every report of
/// the batch (and its index) to a PDF beside it, with the software and data version on the first page. The PDFs are
/// written into the batch's staging folder, so they arrive with the HTML reports in one swap, or not at all.
/// </summary>
public static class ReportPdfs
{
    /// <summary>Fails at once, naming the missing browser and how to install it, when there is no Chromium.</summary>
    public static void CheckBrowser() => ChromiumLocator.Find();

    /// <summary>The <see cref="NotebookBatchOptions.BeforeCommit"/> step; one line per PDF on <paramref name="output"/>.</summary>
    /// <remarks>It writes nothing to stderr: a terminal progress display may own it while the batch runs.</remarks>
    public static Func<NotebookBatchResult, CancellationToken, Task> Step(TextWriter output) => async (staged, cancellationToken) =>
    {
        var clock = Stopwatch.StartNew();
        await using var browser = await ChromiumBrowser.LaunchAsync().ConfigureAwait(false);
        var pdfs = await PdfExport.WriteForBatchAsync(browser, staged,
            [new("P2PFlex", Provenance.SoftwareVersion), new("data", Provenance.DataVersion())], cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var p in pdfs)
            output.WriteLine(CliKit.Invariant($"pdf: {Path.GetFileName(p.PdfPath)} ({new FileInfo(p.PdfPath).Length / 1024.0:F0} KB, {p.Charts} chart{(p.Charts == 1 ? "" : "s")})"));
        output.WriteLine(CliKit.Invariant($"{pdfs.Count} PDFs in {clock.Elapsed.TotalSeconds:F1} s ({browser.Version})"));
    };
}
