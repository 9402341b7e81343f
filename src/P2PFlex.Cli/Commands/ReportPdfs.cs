using System.Diagnostics;
using P2PFlex.Data;
using P2PFlex.Notebooks;

namespace P2PFlex.Cli;

/// <summary>
/// The <c>--pdf</c> step of <c>notebooks run</c> and <c>reproduce</c>: one headless Chromium prints every report of
/// the batch (and its index) to a PDF beside it, with the software and data version on the first page.
/// </summary>
public static class ReportPdfs
{
    /// <summary>Prints the batch's reports; one line per PDF on <paramref name="output"/>.</summary>
    /// <exception cref="BrowserNotFoundException">No Chromium (the HTML reports are written already; the message says so).</exception>
    public static IReadOnlyList<ReportPdf> Write(NotebookBatchResult batch, TextWriter output, TextWriter progress)
    {
        var clock = Stopwatch.StartNew();
        ChromiumBrowser browser;
        try
        {
            browser = ChromiumBrowser.LaunchAsync().GetAwaiter().GetResult();
        }
        catch (BrowserNotFoundException e)
        {
            throw new BrowserNotFoundException($"the HTML reports are written, but not their PDFs: {e.Message}", e);
        }
        try
        {
            progress.WriteLine($"printing the reports to PDF with {browser.Version}");
            var pdfs = PdfExport.WriteForBatchAsync(browser, batch,
                [new("P2PFlex", Provenance.SoftwareVersion), new("data", Provenance.DataVersion())]).GetAwaiter().GetResult();
            foreach (var p in pdfs)
                output.WriteLine(CliKit.Invariant($"pdf: {p.PdfPath} ({new FileInfo(p.PdfPath).Length / 1024.0:F0} KB, {p.Charts} charts)"));
            output.WriteLine(CliKit.Invariant($"{pdfs.Count} PDFs in {clock.Elapsed.TotalSeconds:F1} s"));
            return pdfs;
        }
        finally
        {
            browser.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
