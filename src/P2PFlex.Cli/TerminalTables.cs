using System.Globalization;
using P2PFlex.Scenarios;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace P2PFlex.Cli;

/// <summary>
/// Result tables on stdout: Spectre.Console tables when stdout is a terminal, the plain text tables otherwise (pipes,
/// files, CI, tests), aligned by <see cref="TextTable.ToPlainText"/>. Both come from the same formatted cells
/// (<see cref="ScenarioReport"/>).
/// </summary>
public static class TerminalTables
{
    /// <summary>True when <paramref name="writer"/> is this process's stdout and that is a terminal that draws.</summary>
    public static bool IsTerminal(TextWriter writer) =>
        ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected
        && Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb");

    /// <summary>
    /// Writes the scenario tables of <c>p2pflex scenarios run</c>: on <paramref name="terminal"/> (tests) or, by default,
    /// on stdout when <see cref="IsTerminal"/>, as Spectre.Console tables; otherwise <see cref="ScenarioReport.Table"/>.
    /// </summary>
    public static void Scenarios(TextWriter output, IReadOnlyList<ScenarioResult> results, IAnsiConsole? terminal = null)
    {
        terminal ??= IsTerminal(output)
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) })
            : null;
        if (terminal is null)
        {
            output.WriteLine(ScenarioReport.Table(results, PlainWidth()));
            return;
        }
        foreach (var table in ScenarioReport.Tables(results)) terminal.Write(Render(table, terminal.Profile.Width));
        if (ScenarioReport.PatternText(results) is string pattern)
        {
            terminal.WriteLine();
            terminal.Write(new Text(pattern));
        }
    }

    /// <summary>The longest line of tables written to a pipe or file.</summary>
    public const int DefaultPlainWidth = 160;

    /// <summary>
    /// The longest line of tables written to a pipe or a file: <c>COLUMNS</c> when set to a width of at least 60 (as a
    /// shell exports it, or as a user sets it for a log), else <see cref="DefaultPlainWidth"/>. Texts in a table's last
    /// column wrap onto lines of their own beyond it, so a long market status no longer makes a 350-character line.
    /// </summary>
    public static int PlainWidth() =>
        int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), NumberStyles.None, CultureInfo.InvariantCulture, out int w) && w >= 60 ? w : DefaultPlainWidth;

    /// <summary>
    /// Writes one result table: as a Spectre.Console table on <paramref name="terminal"/> (tests) or, by default, on
    /// stdout when <see cref="IsTerminal"/>; otherwise <paramref name="writePlain"/> prints the plain text lines.
    /// </summary>
    public static void Write(TextWriter output, TextTable table, Action writePlain, IAnsiConsole? terminal = null)
    {
        terminal ??= IsTerminal(output)
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) })
            : null;
        if (terminal is null) writePlain();
        else terminal.Write(Render(table, terminal.Profile.Width));
    }

    /// <summary>
    /// One table for a terminal <paramref name="width"/> characters wide (null: no limit), as Spectre.Console draws it:
    /// its title, headers (a group's name before its column's: "LFM cost (€) ours"), numeric columns right-aligned.
    /// No word is ever cut: a table wider than the terminal first narrows its widest columns, wrapping headers and
    /// texts at spaces, down to each column's longest word; a table that does not fit even then is written one block
    /// per row, each header beside its value (<see cref="Blocks"/>).
    /// </summary>
    public static IRenderable Render(TextTable table, int? width = null)
    {
        var columns = table.Columns;
        var natural = Enumerable.Range(0, columns.Count).Select(c => Math.Max(columns[c].FullHeader.Length, table.Rows.Select(r => r[c].Length).DefaultIfEmpty(0).Max())).ToArray();
        var narrowest = Enumerable.Range(0, columns.Count).Select(c => Math.Max(LongestWord(columns[c].FullHeader),
            table.Rows.Select(r => columns[c].Numeric ? r[c].Length : LongestWord(r[c])).DefaultIfEmpty(0).Max())).ToArray();
        int room = width is int w ? w - Overhead(columns.Count) : int.MaxValue;
        if (narrowest.Sum() > room) return Blocks(table);
        var widths = natural.ToArray();
        bool narrowed = widths.Sum() > room;
        while (widths.Sum() > room)
        {
            // narrow the column with the most room above its longest word, one character at a time
            int c = Enumerable.Range(0, widths.Length).MaxBy(i => widths[i] - narrowest[i]);
            widths[c]--;
        }
        var grid = new Table { Title = new TableTitle(Markup.Escape(table.Title)) };
        for (int c = 0; c < columns.Count; c++)
        {
            var column = new Spectre.Console.TableColumn(new Text(columns[c].FullHeader));
            if (columns[c].Numeric) column.RightAligned();
            if (narrowed) column.Width(widths[c]);
            grid.AddColumn(column);
        }
        foreach (var row in table.Rows) grid.AddRow(row.Select(cell => new Text(cell)).ToArray<IRenderable>());
        return grid;
    }

    /// <summary>What Spectre.Console's default table adds around its cells: a border and a space each side of every cell.</summary>
    private static int Overhead(int columns) => 3 * columns + 1;

    private static int LongestWord(string text) => text.Split(' ').Select(w => w.Length).DefaultIfEmpty(0).Max();

    /// <summary>
    /// A table too wide for the terminal even with every column at its longest word: its title, then per row a block
    /// headed by the row's first cell, every other header beside its value (texts wrapped at spaces by the terminal).
    /// </summary>
    public static IRenderable Blocks(TextTable table)
    {
        var columns = table.Columns;
        var parts = new List<IRenderable> { new Text(table.Title + Environment.NewLine) };
        foreach (var row in table.Rows)
        {
            var block = new Spectre.Console.Grid();
            block.AddColumn(new GridColumn().NoWrap().PadRight(2));
            block.AddColumn(new GridColumn());
            for (int c = 1; c < columns.Count; c++)
                if (row[c] != "") block.AddRow(new Text(columns[c].FullHeader), new Text(row[c]));
            parts.Add(new Panel(block) { Header = new PanelHeader(Markup.Escape($"{columns[0].FullHeader} {row[0]}")), Expand = true });
        }
        return new Rows(parts);
    }
}
