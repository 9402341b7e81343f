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
        Assert.Equal(ScenarioReport.Table(Results.Value) + Environment.NewLine, writer.ToString());
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
}
