using P2PFlex.Cli;
using P2PFlex.Notebooks;
using Spectre.Console;

namespace P2PFlex.Tests.Cli;

public class TerminalProgressTests
{
    [Fact]
    public void Without_a_terminal_progress_is_a_few_plain_lines_ending_with_the_last_step()
    {
        var writer = new StringWriter();
        Assert.False(TerminalProgress.IsTerminal(writer));
        int result = TerminalProgress.Run(writer, "sweep", 1000, report =>
        {
            for (int k = 0; k < 1000; k++) report(k, $"W = {k}");
            return 7;
        });
        Assert.Equal(7, result);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 2, TerminalProgress.PlainLines + 1);
        Assert.Equal("sweep: 1/1000 W = 0", lines[0]);
        Assert.Equal("sweep: 1000/1000 W = 999", lines[^1]);
        Assert.DoesNotContain('\u001b', writer.ToString());   // no escape sequences in a log
    }

    [Fact]
    public void On_a_terminal_progress_is_a_live_bar_drawn_by_Spectre_Console()
    {
        var screen = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(screen),
            Interactive = InteractionSupport.Yes,
            Ansi = AnsiSupport.Yes,
        });
        var plain = new StringWriter();
        int result = TerminalProgress.Run(plain, "sweep", 3, report =>
        {
            for (int k = 0; k < 3; k++) report(k, $"theta = 0.{k}");
            return 42;
        }, terminal);
        Assert.Equal(42, result);
        Assert.Equal("", plain.ToString());
        Assert.Contains("\u001b[", screen.ToString());   // drawn with cursor movements
        Assert.Contains("sweep", screen.ToString());
    }

    [Fact]
    public void A_notebook_batch_on_a_terminal_draws_one_bar_per_notebook_and_prints_warnings_after()
    {
        var screen = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(screen),
            Interactive = InteractionSupport.Yes,
            Ansi = AnsiSupport.Yes,
        });
        var writer = new StringWriter();
        string result = TerminalProgress.Notebooks(writer, 1, observer =>
        {
            Assert.NotNull(observer);
            var cell = new CellRef(0, "c0", 1, 1);
            observer.Report(new NotebookProgress(NotebookProgressKind.NotebookStarted, "grid.ipynb", null, TimeSpan.Zero, Message: "1 code cell"));
            observer.Report(new NotebookProgress(NotebookProgressKind.Warning, "grid.ipynb", null, TimeSpan.Zero, Message: "parameter 'x' is not declared"));
            observer.Report(new NotebookProgress(NotebookProgressKind.CellStarted, "grid.ipynb", cell, TimeSpan.Zero));
            observer.Report(new NotebookProgress(NotebookProgressKind.CellFinished, "grid.ipynb", cell, TimeSpan.Zero, TimeSpan.Zero));
            observer.Report(new NotebookProgress(NotebookProgressKind.NotebookFinished, "grid.ipynb", null, TimeSpan.Zero));
            return "done";
        }, terminal);
        Assert.Equal("done", result);
        Assert.Contains("[1/1] grid.ipynb  ok", screen.ToString());
        Assert.Equal("grid.ipynb: warning: parameter 'x' is not declared\n", writer.ToString().Replace("\r", ""));

        // Without a terminal the batch prints its own lines: no observer.
        Assert.Null(TerminalProgress.Notebooks(new StringWriter(), 1, observer => observer));
    }

    [Fact]
    public void Notebooks_that_run_at_once_each_advance_their_own_bar()
    {
        var screen = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(screen),
            Interactive = InteractionSupport.Yes,
            Ansi = AnsiSupport.Yes,
        });
        TerminalProgress.Notebooks(new StringWriter(), 2, observer =>
        {
            Assert.NotNull(observer);
            var first = new CellRef(0, "a0", 1, 2);
            var second = new CellRef(1, "b1", 2, 2);
            // the second job starts first and the events of the two interleave, as in a batch that runs both at once
            observer.Report(new NotebookProgress(NotebookProgressKind.NotebookStarted, "b.ipynb", null, TimeSpan.Zero, Message: "2 code cells", Job: 1));
            observer.Report(new NotebookProgress(NotebookProgressKind.NotebookStarted, "a.ipynb", null, TimeSpan.Zero, Message: "2 code cells", Job: 0));
            observer.Report(new NotebookProgress(NotebookProgressKind.CellStarted, "b.ipynb", second, TimeSpan.Zero, Job: 1));
            observer.Report(new NotebookProgress(NotebookProgressKind.CellStarted, "a.ipynb", first, TimeSpan.Zero, Job: 0));
            observer.Report(new NotebookProgress(NotebookProgressKind.NotebookFinished, "a.ipynb", null, TimeSpan.Zero, Succeeded: false, Job: 0));
            observer.Report(new NotebookProgress(NotebookProgressKind.CellFinished, "b.ipynb", second, TimeSpan.Zero, TimeSpan.Zero, Job: 1));
            observer.Report(new NotebookProgress(NotebookProgressKind.NotebookFinished, "b.ipynb", null, TimeSpan.Zero, Job: 1));
            return 0;
        }, terminal);
        string drawn = screen.ToString();
        Assert.Contains("[1/2] a.ipynb  FAILED at", drawn);
        Assert.Contains("[2/2] b.ipynb  ok", drawn);
    }
}
