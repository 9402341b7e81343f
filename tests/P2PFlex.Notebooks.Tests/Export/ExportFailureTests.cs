using System.Xml.Linq;
using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Export;

/// <summary>Interrupted and failing exports (the previous figure set stays byte-identical), stale staging folders and a missing browser.</summary>
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

    /// <summary>Fails the export with a disk-full error once <paramref name="files"/> files have been reported written.</summary>
    private sealed class DiskFullAfter(int files) : StringWriter
    {
        private int _written;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (++_written == files) throw new IOException("No space left on device (injected)");
        }
    }

    /// <summary>Every file of a folder (name → bytes, in name order).</summary>
    private static List<(string Name, byte[] Bytes)> Snapshot(string dir) =>
        Directory.GetFiles(dir).Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToList();

    private static void AssertSame(List<(string Name, byte[] Bytes)> expected, string dir)
    {
        var actual = Snapshot(dir);
        Assert.Equal(expected.Select(f => f.Name), actual.Select(f => f.Name));
        for (int i = 0; i < expected.Count; i++) Assert.True(expected[i].Bytes.AsSpan().SequenceEqual(actual[i].Bytes), $"{expected[i].Name} changed");
    }

    [Fact]
    public async Task A_cancelled_or_failing_export_leaves_the_previous_set_byte_identical_and_no_staging_folder()
    {
        string parent = ExportFixture.TempDir("figures-interrupted");
        string dir = Path.Combine(parent, "figures");
        try
        {
            await StudyFigureExport.WriteAsync(dir, new FigureExportOptions { FigureIds = ["fig21-occupancy-histogram-scenario-0"] }, fixture.Data, fixture.Renderer);
            var previous = Snapshot(dir);
            Assert.Equal(["fig21-occupancy-histogram-scenario-0.svg", StudyFigureExport.ManifestFileName], previous.Select(f => f.Name));
            var next = new FigureExportOptions
            {
                Formats = [ChartImageFormat.Svg, ChartImageFormat.Pdf],
                FigureIds = ["fig21-occupancy-histogram-scenario-0", "kpi-vs-w-lfm-cost-scenario-3-theta80"],
            };

            // Cancelled after the first file of the new set …
            using var cts = new CancellationTokenSource();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                StudyFigureExport.WriteAsync(dir, next with { Progress = new CancelAfterFirstFile(cts) }, fixture.Data, fixture.Renderer, cts.Token));
            AssertSame(previous, dir);
            Assert.Equal(["figures"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));

            // … or failing with a full disk after two: the previous set stays, byte for byte, and no staging folder.
            var e = await Assert.ThrowsAsync<IOException>(() =>
                StudyFigureExport.WriteAsync(dir, next with { Progress = new DiskFullAfter(2) }, fixture.Data, fixture.Renderer));
            Assert.Contains("No space left on device", e.Message);
            AssertSame(previous, dir);
            Assert.Equal(["figures"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));

            // A complete export replaces the set as a whole: the new files, none of the old set's that it does not write.
            await StudyFigureExport.WriteAsync(dir, next with { FigureIds = ["kpi-vs-w-lfm-cost-scenario-3-theta80"] }, fixture.Data, fixture.Renderer);
            Assert.Equal(["figures.json", "kpi-vs-w-lfm-cost-scenario-3-theta80.pdf", "kpi-vs-w-lfm-cost-scenario-3-theta80.svg"],
                Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(["figures"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task A_staging_folder_of_a_killed_export_is_removed_by_the_next_one_and_a_foreign_folder_is_refused()
    {
        string parent = ExportFixture.TempDir("figures-stale");
        try
        {
            // What FolderSwap leaves when its process is killed while writing: a hidden staging folder named after the
            // target, the writer's process id and a GUID. Process id 2^22 + 1 is above Linux's pid_max.
            string dir = Path.Combine(parent, "figures");
            string stale = Path.Combine(parent, $".figures.staging-4194305-{Guid.NewGuid():N}");
            Directory.CreateDirectory(stale);
            File.WriteAllText(Path.Combine(stale, "fig21-occupancy-histogram-scenario-0.svg"), "<svg");
            await StudyFigureExport.WriteAsync(dir, new FigureExportOptions { FigureIds = ["fig21-occupancy-histogram-scenario-0"] },
                fixture.Data, fixture.Renderer);
            Assert.False(Directory.Exists(stale));
            Assert.True(File.Exists(Path.Combine(dir, "fig21-occupancy-histogram-scenario-0.svg")));
            Assert.True(File.Exists(Path.Combine(dir, StudyFigureExport.ManifestFileName)));

            // A folder that is not a figure set would be replaced as a whole: refused, untouched.
            string foreign = Path.Combine(parent, "notes");
            Directory.CreateDirectory(foreign);
            File.WriteAllText(Path.Combine(foreign, "notes.txt"), "kept");
            await Assert.ThrowsAsync<ArgumentException>(() => StudyFigureExport.WriteAsync(foreign,
                new FigureExportOptions { FigureIds = ["fig21-occupancy-histogram-scenario-0"] }, fixture.Data, fixture.Renderer));
            Assert.Equal(["notes.txt"], Directory.GetFiles(foreign).Select(Path.GetFileName));
            Assert.Equal("kept", File.ReadAllText(Path.Combine(foreign, "notes.txt")));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
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
