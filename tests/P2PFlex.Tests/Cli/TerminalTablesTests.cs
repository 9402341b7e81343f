using P2PFlex.Cli;
using P2PFlex.Scenarios;
using Spectre.Console;

namespace P2PFlex.Tests.Cli;

/// <summary><c>p2pflex scenarios run</c>'s tables: Spectre.Console tables on a terminal, the plain text otherwise.</summary>
public class TerminalTablesTests
{
    private static readonly Lazy<ScenarioResult[]> Results = new(() =>
    {
        var context = TestData.Study.Value;
        return StudyContext.LoadScenarios().Where(s => ScenarioReport.StudyScenarioNames.Contains(s.Name))
            .Select(s => ScenarioRunner.Run(s, context)).ToArray();
    });

    [Fact]
    public void Without_a_terminal_the_tables_are_the_plain_text_unchanged()
    {
        var writer = new StringWriter();
        Assert.False(TerminalTables.IsTerminal(writer));
        TerminalTables.Scenarios(writer, Results.Value);
        Assert.Equal(ScenarioReport.Table(Results.Value, TerminalTables.PlainWidth()) + Environment.NewLine, writer.ToString());
        Assert.DoesNotContain('\u001b', writer.ToString());
        Assert.DoesNotContain('┌', writer.ToString());
    }

    [Fact]
    public void On_a_terminal_the_tables_are_drawn_by_Spectre_Console_with_every_header_and_value()
    {
        var screen = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(screen), Ansi = AnsiSupport.No });
        terminal.Profile.Width = 1000;   // no wrapping: every cell stays on its row's line
        var plain = new StringWriter();
        TerminalTables.Scenarios(plain, Results.Value, terminal);
        Assert.Equal("", plain.ToString());
        string text = screen.ToString();
        var lines = text.Split('\n');
        Assert.Contains('┌', text);
        var tables = ScenarioReport.Tables(Results.Value);
        Assert.Equal(3, tables.Count);   // Table 8, DSO cost and market, AC check
        foreach (var table in tables)
        {
            Assert.Contains(table.Title, text);
            var header = Assert.Single(lines, l => table.Headers.All(h => l.Contains($" {h} ", StringComparison.Ordinal)));
            Assert.Equal(Results.Value.Length, table.Rows.Count);
            foreach (var row in table.Rows)
            {
                Assert.Equal(table.Headers.Count, row.Count);
                // the row's line: starts with its scenario and holds each of its cells, in order
                var line = Assert.Single(lines, l => l.StartsWith($"│ {row[0]} ", StringComparison.Ordinal)
                    && Array.IndexOf(lines, l) > Array.IndexOf(lines, header) && Array.IndexOf(lines, l) < Array.IndexOf(lines, header) + Results.Value.Length + 2);
                int at = 0;
                foreach (var cell in row.Where(c => c != ""))
                {
                    int found = line.IndexOf(cell, at, StringComparison.Ordinal);
                    Assert.True(found >= 0, $"'{cell}' missing after column {at} in: {line}");
                    at = found + cell.Length;
                }
            }
        }
        Assert.Contains(ScenarioReport.PatternText(Results.Value)!.Split('\n')[0].TrimEnd(), text);
    }

    [Fact]
    public void The_cells_carry_the_text_tables_values()
    {
        string plain = ScenarioReport.Table(Results.Value);
        foreach (var table in ScenarioReport.Tables(Results.Value))
            foreach (var row in table.Rows)
                foreach (var cell in row.Where(c => c != "").SelectMany(c => c.Split(" → ")))
                    Assert.Contains(cell.Trim(), plain);
    }

    [Fact]
    public void A_single_table_goes_to_the_terminal_as_Spectre_and_otherwise_to_its_plain_writer()
    {
        var table = new TextTable("steady-state timings", ["operation", "median ms"], [["acpf-case69", "0.033"], ["lfm-scenario0", "1.000"]]);
        var screen = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(screen), Ansi = AnsiSupport.No });
        terminal.Profile.Width = 200;
        var plain = new StringWriter();
        bool plainCalled = false;
        TerminalTables.Write(plain, table, () => plainCalled = true, terminal);
        Assert.False(plainCalled);
        Assert.Equal("", plain.ToString());
        var row = screen.ToString().Split('\n').Single(l => l.Contains("acpf-case69"));
        Assert.Contains("0.033", row);
        Assert.Contains("median ms", screen.ToString());
        Assert.Contains("steady-state timings", screen.ToString());

        TerminalTables.Write(plain, table, () => { plainCalled = true; plain.Write("plain"); });
        Assert.True(plainCalled);   // a StringWriter is not the process's terminal
        Assert.Equal("plain", plain.ToString());
    }

    /// <summary>Every word of every header and cell of the tables (what a reader must find whole).</summary>
    private static IEnumerable<string> Words(IEnumerable<TextTable> tables) =>
        tables.SelectMany(t => t.Columns.Select(c => c.FullHeader).Concat(t.Rows.SelectMany(r => r)))
            .SelectMany(text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct();

    [Theory]
    [InlineData(120)]
    [InlineData(100)]
    public void On_a_narrow_terminal_the_tables_fit_its_width_and_cut_no_word(int width)
    {
        var screen = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(screen), Ansi = AnsiSupport.No });
        terminal.Profile.Width = width;
        TerminalTables.Scenarios(new StringWriter(), Results.Value, terminal);
        var lines = screen.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.All(lines, l => Assert.True(l.Length <= width, $"{l.Length} > {width}: {l}"));
        // a word cut in two would be missing as a whole from every line
        var tokens = lines.SelectMany(l => l.Split([' ', '│', '┃', '║'], StringSplitOptions.RemoveEmptyEntries)).ToHashSet();
        var tables = ScenarioReport.Tables(Results.Value);
        Assert.All(Words(tables), w => Assert.True(tokens.Contains(w), $"'{w}' is cut or missing at width {width}"));
    }

    [Fact]
    public void A_table_that_cannot_fit_even_at_its_longest_words_is_written_one_block_per_row()
    {
        var table = ScenarioReport.MarketCells(Results.Value);
        var screen = new StringWriter();
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(screen), Ansi = AnsiSupport.No });
        terminal.Profile.Width = 60;
        terminal.Write(TerminalTables.Render(table, 60));
        var lines = screen.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.All(lines, l => Assert.True(l.Length <= 60, $"{l.Length} > 60: {l}"));
        foreach (var row in table.Rows) Assert.Contains(lines, l => l.Contains($"─scenario {row[0]}─", StringComparison.Ordinal));   // a block per row
        Assert.Contains(lines, l => l.Contains("DSO pays (€) total", StringComparison.Ordinal) && l.Contains("26.519", StringComparison.Ordinal));
    }

    [Fact]
    public void Piped_tables_wrap_their_last_column_instead_of_making_lines_hundreds_of_characters_long()
    {
        string wide = ScenarioReport.Table(Results.Value);
        Assert.True(wide.Split('\n').Max(l => l.Length) > 250, "the study's tables have a long last column (market status, DC/AC line lists)");
        string text = ScenarioReport.Table(Results.Value, 160);
        int longest = text.Split('\n').Max(l => l.TrimEnd('\r').Length);
        Assert.True(longest <= 160 + PlainTextLayout.MinWrappedWidth + 40, $"{longest} characters");
        // nothing lost: every word of every cell is still there, whole
        var tokens = text.Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.All(Words(ScenarioReport.Tables(Results.Value)).Where(w => w != "→"), w => Assert.Contains(w, tokens));
    }
}
