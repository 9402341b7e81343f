using System.Xml.Linq;
using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Export;

/// <summary>Interrupted exports, stale temporaries and a missing browser.</summary>
[Collection(ExportCollection.Name)]
public class ExportFailureTests(ExportFixture fixture)
{
    /// <summary>Cancels the export as soon as the first file has been reported written.</summary>
    private sealed class CancelAfterFirstFile(CancellationTokenSource cts) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            cts.Cancel();
        }
    }

    [Fact]
    public async Task An_interrupted_export_leaves_complete_files_only_and_no_manifest()
    {
        string dir = ExportFixture.TempDir("figures-interrupted");
        try
        {
            using var cts = new CancellationTokenSource();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StudyFigureExport.WriteAsync(dir, new FigureExportOptions
            {
                Formats = [ChartImageFormat.Svg, ChartImageFormat.Pdf],
                FigureIds = ["fig21-occupancy-histogram-scenario-0", "kpi-vs-w-lfm-cost-scenario-3-theta80"],
                Progress = new CancelAfterFirstFile(cts),
            }, fixture.Data, fixture.Renderer, cts.Token));
            // The first file is complete (it parses); nothing else is there, not even a temporary file.
            Assert.Equal(["fig21-occupancy-histogram-scenario-0.svg"], Directory.GetFiles(dir).Select(Path.GetFileName));
            Assert.Equal("svg", XDocument.Load(Path.Combine(dir, "fig21-occupancy-histogram-scenario-0.svg")).Root!.Name.LocalName);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Temporary_files_of_a_killed_export_are_removed_by_the_next_one()
    {
        string dir = ExportFixture.TempDir("figures-stale");
        try
        {
            // What AtomicFile leaves when its process is killed between writing and renaming: a hidden temporary
            // named after the target, the writer's process id and a GUID. Process id 2^22 + 1 is above Linux's pid_max.
            string stale = Path.Combine(dir, $".fig21-occupancy-histogram-scenario-0.svg.4194305.{Guid.NewGuid():N}.tmp");
            File.WriteAllText(stale, "<svg");
            string other = Path.Combine(dir, "notes.txt");
            File.WriteAllText(other, "kept");
            await StudyFigureExport.WriteAsync(dir, new FigureExportOptions { FigureIds = ["fig21-occupancy-histogram-scenario-0"] },
                fixture.Data, fixture.Renderer);
            Assert.False(File.Exists(stale));
            Assert.True(File.Exists(other));
            Assert.True(File.Exists(Path.Combine(dir, "fig21-occupancy-histogram-scenario-0.svg")));
            Assert.True(File.Exists(Path.Combine(dir, StudyFigureExport.ManifestFileName)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_missing_browser_is_named_with_how_to_install_one()
    {
        var e = Assert.Throws<BrowserNotFoundException>(() => ChromiumLocator.Find(null, null, ["/nonexistent/chromium", "/nonexistent/google-chrome"]));
        Assert.Contains("no Chromium found", e.Message);
        Assert.Contains("/nonexistent/chromium, /nonexistent/google-chrome", e.Message);
        Assert.Contains("apt-get install chromium", e.Message);
        Assert.Contains(ChromiumLocator.EnvironmentVariable, e.Message);

        e = Assert.Throws<BrowserNotFoundException>(() => ChromiumLocator.Find(null, "/nonexistent/chrome", ChromiumLocator.Candidates));
        Assert.Contains("P2PFLEX_CHROMIUM=/nonexistent/chrome: no such file", e.Message);
        e = Assert.Throws<BrowserNotFoundException>(() => ChromiumLocator.Find("/nonexistent/chrome"));
        Assert.Contains("/nonexistent/chrome", e.Message);
        Assert.IsAssignableFrom<InvalidOperationException>(e);   // the CLI reports it as an error (exit 1), not a crash

        // The environment variable wins over the candidates; an explicit path over both.
        Assert.Equal("/usr/bin/chromium", ChromiumLocator.Find(null, "/usr/bin/chromium", ["/nonexistent/x"]));
    }

    [Fact]
    public async Task A_browser_that_does_not_start_is_an_error_naming_it()
    {
        var e = await Assert.ThrowsAsync<BrowserNotFoundException>(() => ChromiumBrowser.LaunchAsync("/bin/false"));
        Assert.Contains("cannot start the browser /bin/false", e.Message);
    }
}
