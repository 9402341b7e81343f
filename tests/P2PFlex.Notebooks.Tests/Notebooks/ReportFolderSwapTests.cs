using System.Diagnostics;
using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Notebooks;

/// <summary>
/// The output folder of a batch holds the previous complete set or the new one, never a mix, and no hidden staging or
/// backup folder stays behind (<see cref="ReportFolderSwap"/>).
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
        string failing = Save("failing.ipynb", "throw new Exception(\"boom\");");

        var result = await NotebookBatch.RunAsync([first, failing], Out);

        Assert.False(result.AllSucceeded);   // a failed notebook is part of a complete set: its report says where it failed
        Assert.Equal(["failing.html", "failing.ipynb", "first.html", "first.ipynb", "index.html"], Contents().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Path.Combine(Out, "index.html"), result.IndexPath);
        Assert.Equal(Path.Combine(Out, "first.html"), result.Notebooks[0].ReportPath);
        Assert.Equal(Path.Combine(Out, "first.ipynb"), result.Notebooks[0].ExecutedNotebookPath);
        Assert.Empty(HiddenLeftovers());
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

        using (var swap = ReportFolderSwap.Begin(Out))
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
        using (ReportFolderSwap.Begin(Out)) { }
        Assert.True(Directory.Exists(other));
    }

    [Fact]
    public void A_file_or_a_folder_that_is_not_a_report_set_is_refused()
    {
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        Assert.Contains("is an existing file", Assert.Throws<ArgumentException>(() => ReportFolderSwap.Begin(file)).Message);

        string notes = Path.Combine(_dir, "notes");
        Directory.CreateDirectory(notes);
        File.WriteAllText(Path.Combine(notes, "todo.txt"), "mine");
        Assert.Contains("holds no earlier reports", Assert.Throws<ArgumentException>(() => ReportFolderSwap.Begin(notes)).Message);
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
