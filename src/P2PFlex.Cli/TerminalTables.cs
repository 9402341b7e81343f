using System.Globalization;
using P2PFlex.Scenarios;
using Spectre.Console;

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
            output.WriteLine(ScenarioReport.Table(results));
            return;
        }
        foreach (var table in ScenarioReport.Tables(results)) terminal.Write(Render(table));
        if (ScenarioReport.PatternText(results) is string pattern)
        {
            terminal.WriteLine();
            terminal.Write(new Text(pattern));
        }
    }

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
        else terminal.Write(Render(table));
    }

    /// <summary>One table as a Spectre.Console table: its title, headers, and numeric columns right-aligned.</summary>
    public static Table Render(TextTable table)
    {
        var grid = new Table { Title = new TableTitle(Markup.Escape(table.Title)) };
        for (int c = 0; c < table.Headers.Count; c++)
        {
            var column = new TableColumn(Markup.Escape(table.Headers[c]));
            if (IsNumeric(table, c)) column.RightAligned();
            grid.AddColumn(column);
        }
        foreach (var row in table.Rows) grid.AddRow(row.Select(cell => new Text(cell)).ToArray<Spectre.Console.Rendering.IRenderable>());
        return grid;
    }

    /// <summary>A column is numeric when every non-blank cell other than "-" is an invariant number.</summary>
    private static bool IsNumeric(TextTable table, int column)
    {
        var cells = table.Rows.Select(r => column < r.Count ? r[column] : "").Where(v => v is not ("" or "-")).ToArray();
        return cells.Length > 0 && cells.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
    }
}
