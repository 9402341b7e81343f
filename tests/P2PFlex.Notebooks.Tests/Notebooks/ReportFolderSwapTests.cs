using System.Diagnostics;
using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Notebooks;

/// <summary>
/// The output folder of a batch holds the previous complete set or the new one, never a mix, and no hidden staging or
/// backup folder stays behind (<see cref="P2PFlex.IO.FolderSwap"/>).
/// </summary>
public sealed class ReportFolderSwapTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("p2pflex-swap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out => Path.Combine(_dir, "reports");

    private string Save(string name, params string[] cells)
    {
        var nb = Notebook.CreateCSharp();
        foreach (var c in cells) nb.AddCode(c);
        string path = Path.Combine(_dir, "in", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NotebookJson.Write(nb, path);
        return path;
    }

    /// <summary>An earlier complete set in <see cref="Out"/>: file name → content.</summary>
    private Dictionary<string, string> EarlierSet()
    {
        Directory.CreateDirectory(Out);
        var files = new Dictionary<string, string>
        {
            ["index.html"] = "<p>earlier run: every notebook ran</p>",
            ["old.html"] = "<p>old report</p>",
            ["old.ipynb"] = "{}",
        };
        foreach (var (name, content) in files) File.WriteAllText(Path.Combine(Out, name), content);
        return files;
    }

    private Dictionary<string, string> Contents() =>
        Directory.GetFiles(Out).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

    private string[] HiddenLeftovers() =>
        Directory.GetFileSystemEntries(_dir, ".*", SearchOption.AllDirectories).Select(Path.GetFileName).ToArray()!;

    /// <summary>Cancels <paramref name="cts"/> when a line containing <paramref name="trigger"/> is written.</summary>
    private sealed class CancelOn(string trigger, CancellationTokenSource cts) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.Contains(trigger, StringComparison.Ordinal)) cts.Cancel();
        }
    }

    [Fact]
    public async Task A_run_cancelled_midway_leaves_the_earlier_set_intact_and_nothing_hidden()
    {
        var earlier = EarlierSet();
        string first = Save("first.ipynb", "1 + 1");
        string second = Save("second.ipynb", "2 + 2");
        using var cts = new CancellationTokenSource();
        var progress = new CancelOn("first.ipynb: ok", cts);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            NotebookBatch.RunAsync([first, second], Out, new NotebookBatchOptions { Progress = progress }, cts.Token));

        Assert.Contains("first.ipynb: ok", progress.ToString());   // the first notebook was written (into staging)
        Assert.Equal(earlier, Contents());
        Assert.Empty(HiddenLeftovers());
    }

    [Fact]
    public async Task A_run_that_throws_while_writing_leaves_the_earlier_set_intact_and_nothing_hidden()
    {
        var earlier = EarlierSet();
        string first = Save("first.ipynb", "1 + 1");

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => NotebookBatch.RunAsync([first], Out, new NotebookBatchOptions
        {
            SummaryFactory = _ => throw new InvalidOperationException("summary broke"),
        }));

        Assert.Equal("summary broke", e.Message);
        Assert.Equal(earlier, Contents());
        Assert.Empty(HiddenLeftovers());
    }

    [Fact]
    public async Task A_complete_run_replaces_the_earlier_set_as_a_whole_and_names_the_final_paths()
    {
        EarlierSet();
        string first = Save("first.ipynb", "1 + 1");
        string second = Save("second.ipynb", "2 + 2");

        var result = await NotebookBatch.RunAsync([first, second], Out);

        Assert.True(result.AllSucceeded, result.Describe());
        Assert.Equal(["first.html", "first.ipynb", "index.html", "second.html", "second.ipynb"], Contents().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Path.Combine(Out, "index.html"), result.IndexPath);
        Assert.Equal(Path.Combine(Out, "first.html"), result.Notebooks[0].ReportPath);
        Assert.Equal(Path.Combine(Out, "first.ipynb"), result.Notebooks[0].ExecutedNotebookPath);
        Assert.Empty(HiddenLeftovers());
    }

    [Fact]
    public async Task A_run_with_a_failing_notebook_publishes_nothing_and_leaves_the_earlier_set_byte_identical()
    {
        var earlier = EarlierSet();
        string first = Save("first.ipynb", "1 + 1");
        string failing = Save("failing.ipynb", "throw new Exception(\"boom\");");
        var progress = new StringWriter();

        var result = await NotebookBatch.RunAsync([first, failing], Out, new NotebookBatchOptions { Progress = progress });

        Assert.False(result.AllSucceeded);
        Assert.Null(result.IndexPath);
        Assert.Contains("boom", result.Failures.Single().Error);
        Assert.All(result.Notebooks, n => Assert.Null(n.ReportPath));   // nothing of the failed set exists
        Assert.Contains("1 of 2 notebooks FAILED; nothing published", progress.ToString());
        Assert.Equal(earlier, Contents());
        Assert.Empty(HiddenLeftovers());
    }

    /// <summary>
    /// A full disk, for real: a 2 MiB tmpfs mounted for the test (root only — CI runs as root; elsewhere the test
    /// fails saying so rather than passing without checking). The earlier set fits; the new one, with a notebook whose
    /// output is 3 MB, does not.
    /// </summary>
    [Fact]
    public async Task A_full_disk_leaves_the_earlier_set_byte_identical_and_no_staging_folder()
    {
        Assert.True(OperatingSystem.IsLinux() && Environment.UserName == "root",
            "this test mounts a small tmpfs and needs root on Linux (CI runs as root)");
        string mount = Path.Combine(_dir, "small-disk");
        Directory.CreateDirectory(mount);
        Run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount);
        try
        {
            string outDir = Path.Combine(mount, "reports");
            string small = Save("small.ipynb", "1 + 1");
            var earlierRun = await NotebookBatch.RunAsync([small], outDir);
            Assert.True(earlierRun.AllSucceeded, earlierRun.Describe());
            var earlier = Directory.GetFiles(outDir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

            string big = Save("big.ipynb", "new string('x', 3_000_000)");
            var e = await Assert.ThrowsAsync<IOException>(() => NotebookBatch.RunAsync([small, big], outDir));

            Assert.Contains("writing the reports of big.ipynb failed", e.Message);
            Assert.Contains("is unchanged", e.Message);
            var now = Directory.GetFiles(outDir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
            Assert.Equal(earlier.Keys.Order(), now.Keys.Order());
            foreach (var (name, bytes) in earlier) Assert.Equal(bytes, now[name]);
            Assert.Equal(["reports"], Directory.GetFileSystemEntries(mount).Select(Path.GetFileName));   // no staging, no backup
        }
        finally
        {
            Run("umount", mount);
        }
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(" ", args)}: {err}");
    }

    [Fact]
    public void Leftovers_of_a_killed_run_are_recovered_by_the_next_one()
    {
        int dead = DeadProcessId();
        // Killed between the two renames: the previous set only in the backup, no target.
        string backup = Path.Combine(_dir, $".reports.previous-{dead}-0123456789abcdef0123456789abcdef");
        Directory.CreateDirectory(backup);
        File.WriteAllText(Path.Combine(backup, "index.html"), "previous");
        // Killed while writing: a staging folder.
        string staging = Path.Combine(_dir, $".reports.staging-{dead}-fedcba9876543210fedcba9876543210");
        Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Combine(staging, "half.html"), "half");

        using (var swap = NotebookBatch.BeginReportSwap(Out))
        {
            Assert.Equal("previous", File.ReadAllText(Path.Combine(Out, "index.html")));
            Assert.False(Directory.Exists(backup));
            Assert.False(Directory.Exists(staging));
            Assert.StartsWith(Path.Combine(_dir, ".reports.staging-"), swap.StagingPath);
        }
        Assert.Empty(HiddenLeftovers());
        Assert.Equal("previous", File.ReadAllText(Path.Combine(Out, "index.html")));
    }

    [Fact]
    public void The_folders_of_a_run_still_going_are_left_alone()
    {
        string other = Path.Combine(_dir, $".reports.staging-1-0123456789abcdef0123456789abcdef");   // pid 1 runs
        Directory.CreateDirectory(other);
        using (NotebookBatch.BeginReportSwap(Out)) { }
        Assert.True(Directory.Exists(other));
    }

    [Fact]
    public void A_file_or_a_folder_that_is_not_a_report_set_is_refused()
    {
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        Assert.Contains("is an existing file", Assert.Throws<ArgumentException>(() => NotebookBatch.BeginReportSwap(file)).Message);

        string notes = Path.Combine(_dir, "notes");
        Directory.CreateDirectory(notes);
        File.WriteAllText(Path.Combine(notes, "todo.txt"), "mine");
        Assert.Contains("holds no earlier reports", Assert.Throws<ArgumentException>(() => NotebookBatch.BeginReportSwap(notes)).Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(notes, "todo.txt")));
        Assert.Empty(HiddenLeftovers());
    }

    [Fact]
    public async Task A_notebook_inside_the_output_folder_is_refused()
    {
        EarlierSet();
        string inside = Path.Combine(Out, "mine.ipynb");
        File.Copy(Save("mine.ipynb", "1"), inside);
        await Assert.ThrowsAsync<ArgumentException>(() => NotebookBatch.RunAsync([inside], Out));
        Assert.True(File.Exists(inside));
    }

    /// <summary>The id of a process that has exited.</summary>
    private static int DeadProcessId()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }
}
