using System.Text.RegularExpressions;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Scenarios;

/// <summary>
/// The plain text tables are the cells laid out (<see cref="TextTable.ToPlainText"/>): every cell in its row, in
/// order; every column (and every " | " separator) at the same place in every line, headers included, whatever the
/// cells hold (a long scenario name, "infeasible"); a space between every cell and every separator; the rule as wide as
/// the table.
/// </summary>
public class ScenarioReportTextTests
{
    private static readonly string NL = Environment.NewLine;

    /// <summary>A scenario name far longer than the first column's 12 characters.</summary>
    private const string LongName = "3-theta100-penalty-only-with-a-longer-name";

    /// <summary>Every scenario file on case69, the even ones with the AC check and the odd ones without (so the AC
    /// table has note rows), Table 8's order first.</summary>
    private static readonly Lazy<ScenarioResult[]> Results = new(() =>
    {
        var context = TestData.Study.Value;
        return StudyContext.LoadScenarios().Select((s, i) => ScenarioRunner.Run(s, context, acCheck: i % 2 == 0)).ToArray();
    });

    [Fact]
    public void A_table_is_laid_out_cell_by_cell_with_pairs_and_note_rows()
    {
        var table = new TextTable("t", ["name", "value", "change"], [["a", "1.5", "1 → 22"], ["longname", "10", "3 → 4"], ["b", "(note)", ""]]);
        var layout = new PlainTextLayout([PlainColumn.Left(4), PlainColumn.Right(5), PlainColumn.Pair(new(2, true), new(3), "")], ShowTitle: true);
        // "longname" widens the first column, the note "(note)" the second; a header takes its column's side; no line
        // ends in spaces
        Assert.Equal(string.Join(NL, "t", "name     |  value | change", new string('-', 27), "a        |    1.5 |  1 → 22",
                "longname |     10 |  3 → 4", "b        | (note)", ""),
            table.ToPlainText(layout));
    }

    [Fact]
    public void A_header_longer_than_its_column_widens_it_and_the_rule_is_as_wide_as_the_table()
    {
        var table = new TextTable("t", ["id", "a long header", "x"], [["r", "1", "2"], ["s", "10", "a much longer last cell"]]);
        var layout = new PlainTextLayout([PlainColumn.Left(3), PlainColumn.Right(2), PlainColumn.Left(0, "")]);
        Assert.Equal(string.Join(NL, "id  | a long header | x", new string('-', 45), "r   |             1 | 2",
            "s   |            10 | a much longer last cell", ""), table.ToPlainText(layout));
    }

    [Fact]
    public void Group_headers_go_on_one_line_and_their_subs_below_each_over_its_column()
    {
        var table = new TextTable("g", ["id", "x ours", "x study", "a long group ours", "a long group study"],
            [["r", "1", "2", "3", "4"], ["longer id", "10", "infeasible", "5", ""]]);
        var layout = new PlainTextLayout([PlainColumn.Left(3), PlainColumn.Right(3, "  "), PlainColumn.Left(3),
            PlainColumn.Right(3, "  "), PlainColumn.Right(3, "")], GroupedHeader: true);
        // "infeasible" widens x's study column; "a long group" widens its group's last column
        Assert.Equal(string.Join(NL,
                "id        | x                | a long group",
                "          | ours  study      | ours   study",
                new string('-', 43),
                "r         |    1  2          |    3       4",
                "longer id |   10  infeasible |    5",
                ""),
            table.ToPlainText(layout));
    }

    [Fact]
    public void A_layout_that_does_not_fit_the_cells_is_an_error_naming_the_table()
    {
        var layout = new PlainTextLayout([PlainColumn.Left(3), PlainColumn.Pair(new(2), new(2), "")]);
        var e = Assert.Throws<ArgumentException>(() => new TextTable("pairs", ["a", "b"], [["x", "no arrow"]]).ToPlainText(layout));
        Assert.Contains("'pairs'", e.Message);
        Assert.Contains("no arrow", e.Message);
        Assert.Throws<ArgumentException>(() => new TextTable("three", ["a", "b", "c"], []).ToPlainText(layout));
        Assert.Throws<ArgumentException>(() => new TextTable("short", ["a", "b"], [["x"]]).ToPlainText(layout));
    }

    [Theory]
    [InlineData("|", "")]     // a separator that would touch the cell before it
    [InlineData(" |", "")]    // ... or the one after it
    [InlineData("", "")]      // no separator between two columns
    [InlineData(" | ", " | ")]   // a separator after the last column
    public void A_separator_must_keep_a_space_on_each_side_and_the_last_column_has_none(string between, string last)
    {
        var e = Assert.Throws<ArgumentException>(() => new PlainTextLayout([PlainColumn.Left(3, between), PlainColumn.Left(3, last)]));
        Assert.Contains("separator", e.Message);
    }

    [Fact]
    public void Table_is_the_three_cell_tables_and_the_pattern_in_order()
    {
        var r = Results.Value;
        string expected = ScenarioReport.Table8Cells(r).ToPlainText(ScenarioReport.Table8Layout) + NL + ScenarioReport.MarketTable(r)
            + NL + ScenarioReport.PatternText(r) + NL + ScenarioReport.VoltageTable(r);
        Assert.Equal(expected, ScenarioReport.Table(r));
        Assert.Equal(3, ScenarioReport.Tables(r).Count);
        Assert.Equal(ScenarioReport.MarketCells(r).ToPlainText(ScenarioReport.MarketLayout), ScenarioReport.MarketTable(r));
        Assert.Equal(ScenarioReport.VoltageCells(r).ToPlainText(ScenarioReport.VoltageLayout), ScenarioReport.VoltageTable(r));
    }

    [Fact]
    public void The_shipped_scenarios_hold_a_long_name_and_an_infeasible_cost_so_the_tables_below_are_tested_with_them()
    {
        var table8 = ScenarioReport.Table8Cells(Results.Value);
        Assert.Contains(table8.Rows, row => row[0].Length > ScenarioReport.Table8Layout.Columns[0].Pads[0].MinWidth);
        Assert.Contains(table8.Rows, row => row.Contains("infeasible"));
    }

    /// <summary>The three tables of the shipped scenarios, and each again with one more row: a long scenario name and
    /// "infeasible" LFM costs.</summary>
    public static TheoryData<string> TableNames => new() { "table8", "market", "voltage", "table8+long", "market+long", "voltage+long" };

    private static (TextTable Cells, PlainTextLayout Layout, string Text, int HeaderLines) Of(string name)
    {
        var (cells, layout, headerLines) = name.Split('+')[0] switch
        {
            "table8" => (ScenarioReport.Table8Cells(Results.Value), ScenarioReport.Table8Layout, 2),
            "market" => (ScenarioReport.MarketCells(Results.Value), ScenarioReport.MarketLayout, 2),
            _ => (ScenarioReport.VoltageCells(Results.Value), ScenarioReport.VoltageLayout, 2),   // title + header
        };
        if (name.EndsWith("+long", StringComparison.Ordinal))
        {
            var extra = cells.Rows.First(r => r.All(c => c != "")).ToArray();
            extra[0] = LongName;
            if (name.StartsWith("table8", StringComparison.Ordinal)) extra[7] = extra[8] = "infeasible";
            if (name.StartsWith("market", StringComparison.Ordinal)) (extra[2], extra[3]) = ("(LFM infeas.)", "infeasible");
            if (name.StartsWith("voltage", StringComparison.Ordinal)) extra[1] = "Infeasible";
            cells = cells with { Rows = [.. cells.Rows.Take(2), extra, .. cells.Rows.Skip(2)] };
        }
        return (cells, layout, cells.ToPlainText(layout), headerLines);
    }

    [Theory]
    [MemberData(nameof(TableNames))]
    public void Every_row_line_holds_its_cells_in_order_and_nothing_else(string name)
    {
        var (cells, _, text, headerLines) = Of(name);
        var lines = text.Split(NL);
        Assert.Equal("", lines[^1]);
        Assert.Equal(headerLines + 1 + cells.Rows.Count + 1, lines.Length);
        for (int i = 0; i < cells.Rows.Count; i++)
        {
            string line = lines[headerLines + 1 + i];
            var row = cells.Rows[i];
            Assert.StartsWith(row[0] + " ", line, StringComparison.Ordinal);
            // Without its cells' values (each side of a before → after pair), in order, a row line is padding and separators.
            Assert.Matches(@"^[ |→]*$", Strip(line, row));
        }
    }

    [Theory]
    [MemberData(nameof(TableNames))]
    public void The_rule_is_as_wide_as_the_table_and_no_line_ends_in_a_space(string name)
    {
        var (_, layout, text, headerLines) = Of(name);
        var lines = text.Split(NL)[..^1];
        var table = lines.Skip(layout.ShowTitle ? 1 : 0).Where((_, i) => i != headerLines - (layout.ShowTitle ? 1 : 0)).ToArray();
        Assert.Equal(new string('-', table.Max(l => l.Length)), lines[headerLines]);
        Assert.All(lines, l => Assert.False(l.EndsWith(' '), $"ends in a space: '{l}'"));
    }

    /// <summary>
    /// The brief's alignment: every " | " of a table in the same columns in every line (the header lines, Table 8's
    /// group line, every row; a note row up to its note), no "|" anywhere else but inside a cell ("min |V|"), so no cell
    /// touches a separator; and each cell in its column: left-aligned values (and headers) starting, right-aligned ones
    /// ending, at the same column in every line, the arrows of every before → after column one under the other.
    /// </summary>
    [Theory]
    [MemberData(nameof(TableNames))]
    public void Every_separator_and_every_column_stands_at_the_same_place_in_every_line(string name)
    {
        var (cells, layout, text, headerLines) = Of(name);
        var lines = text.Split(NL);
        string[] header = lines[(layout.ShowTitle ? 1 : 0)..headerLines];
        string[] rows = lines[(headerLines + 1)..^1];
        // a row's cells up to its last non-empty one are written (a note row ends with its note)
        static int written(IReadOnlyList<string> row) => row.Count - row.Reverse().TakeWhile(c => c == "").Count();
        var full = rows.Where((_, i) => written(cells.Rows[i]) == cells.Headers.Count).ToArray();
        Assert.True(full.Length >= 5);
        int[] bars = Bars(full[0]);
        Assert.Equal(layout.Columns.Count(c => c.After.Contains('|')), bars.Length);   // Table 8: ours and study share a group
        foreach (var line in full) Assert.Equal(bars, Bars(line));
        foreach (var line in header) Assert.Equal(bars.Take(Bars(line).Length), Bars(line));   // the line under the groups ends with the last group
        Assert.Equal(bars, Bars(header[0]));
        for (int i = 0; i < rows.Length; i++)
            Assert.Equal(bars.Take(Bars(rows[i]).Length), Bars(rows[i]));
        // no "|" but the separators' and those written in a cell or header
        foreach (var (line, texts) in header.Select(l => (l, (IEnumerable<string>)cells.Headers)).Concat(rows.Select((l, i) => (l, (IEnumerable<string>)cells.Rows[i]))))
            Assert.Equal(Bars(line).Length + texts.Where(t => line.Contains(t, StringComparison.Ordinal)).Sum(t => t.Count(ch => ch == '|')), line.Count(ch => ch == '|'));

        // each value in its column: left edges (left-aligned) or right edges (right-aligned) the same in every line
        string headerLine = header[^1];
        var headerTexts = layout.GroupedHeader ? cells.Columns.Select(c => c.Group is null ? "" : c.Header).ToArray() : cells.Headers.ToArray();
        var headerAt = Spans(headerLine, headerTexts.Select(h => new[] { h }).ToArray());
        var edges = new Dictionary<(int Column, int Pad), HashSet<int>>();
        for (int i = 0; i < rows.Length; i++)
        {
            var row = cells.Rows[i];
            var values = row.Take(written(row)).Select((c, col) => layout.Columns[col].Pads.Count == 2 ? c.Split(PlainColumn.Arrow) : new[] { c }).ToArray();
            var spans = Spans(rows[i], values);
            for (int c = 0; c < spans.Length; c++)
                for (int p = 0; p < spans[c].Length; p++)
                {
                    if (values[c][p] == "") continue;
                    bool right = layout.Columns[c].Pads[p].RightAligned;
                    var edge = right ? spans[c][p].Start + values[c][p].Length : spans[c][p].Start;
                    if (!edges.TryGetValue((c, p), out var set)) edges[(c, p)] = set = [];
                    set.Add(edge);
                }
        }
        foreach (var ((c, p), set) in edges)
        {
            Assert.True(set.Count == 1, $"column {c} ('{cells.Headers[c]}') value {p}: edges at {string.Join(",", set)}");
            // the header over it: a single-value column's header on the same edge
            if (headerTexts[c] == "" || layout.Columns[c].Pads.Count != 1) continue;
            Assert.Equal(set.Single(), layout.Columns[c].Pads[0].RightAligned ? headerAt[c][0].Start + headerTexts[c].Length : headerAt[c][0].Start);
        }
        if (!layout.GroupedHeader)
            Assert.Equal(cells.Headers, headerLine.Split(" | ").Select(h => h.Trim()));   // every header alone in its column
        if (layout.GroupedHeader)
        {
            // each group's name alone between the separators that bound its columns
            var groups = header[0].Split(" | ");
            Assert.Equal(cells.Columns.Select(c => c.Group ?? c.Header).Distinct(), groups.Select(g => g.Trim()));
        }
    }

    [Fact]
    public void Table8s_header_puts_each_group_on_the_first_line_and_ours_and_study_under_it()
    {
        var (cells, _, text, _) = Of("table8");
        var lines = text.Split(NL);
        Assert.Equal(Bars(lines[0]), Bars(lines[1]));
        Assert.StartsWith("scenario ", lines[0], StringComparison.Ordinal);
        var groupEnds = Bars(lines[0]).Append(lines[0].Length).ToArray();
        int from = 0;
        foreach (var column in cells.Columns.Skip(1))
        {
            string group = column.Group!, sub = column.Header;
            int g = lines[0].IndexOf(group, StringComparison.Ordinal);
            Assert.True(g > 0, $"group '{group}' missing");
            int s = lines[1].IndexOf(sub, Math.Max(from, g), StringComparison.Ordinal);
            Assert.True(s >= g && s < groupEnds.First(e => e > g), $"'{sub}' of '{group}' is not under it");
            from = s + sub.Length;
        }
    }

    [Fact]
    public void A_run_without_the_AC_check_is_one_note_in_the_AC_table()
    {
        var (cells, _, text, headerLines) = Of("voltage");
        var lines = text.Split(NL);
        var without = Results.Value.Where(r => r.Ac is null).Select(r => r.Name).ToHashSet();
        Assert.NotEmpty(without);
        for (int i = 0; i < cells.Rows.Count; i++)
        {
            bool note = without.Contains(cells.Rows[i][0]);
            Assert.Equal(note, cells.Rows[i].Skip(2).All(c => c == ""));
            Assert.Equal(note, lines[headerLines + 1 + i].EndsWith(" | (no AC check)", StringComparison.Ordinal));
        }
    }

    /// <summary>The line without its cells' values, left to right (each value once, after the previous one).</summary>
    private static string Strip(string line, IReadOnlyList<string> row)
    {
        var sb = new System.Text.StringBuilder();
        int at = 0;
        foreach (var value in row.SelectMany(c => c.Split(PlainColumn.Arrow)).Where(v => v != ""))
        {
            int found = line.IndexOf(value, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{value}' missing or out of order in: {line}");
            sb.Append(line, at, found - at);
            at = found + value.Length;
        }
        return sb.Append(line, at, line.Length - at).ToString();
    }

    /// <summary>Where each value of each column starts in a line, found left to right (an empty value: -1).</summary>
    private static (int Start, int Length)[][] Spans(string line, IReadOnlyList<IReadOnlyList<string>> values)
    {
        int at = 0;
        return values.Select(column => column.Select(v =>
        {
            if (v == "") return (-1, 0);
            int found = line.IndexOf(v, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{v}' missing or out of order in: {line}");
            at = found + v.Length;
            return (found, v.Length);
        }).ToArray()).ToArray();
    }

    /// <summary>Where the column separators " | " stand in a line.</summary>
    private static int[] Bars(string line) => Positions(line, " | ");

    private static int[] Positions(string line, string what)
    {
        var at = new List<int>();
        for (int i = line.IndexOf(what, StringComparison.Ordinal); i >= 0; i = line.IndexOf(what, i + what.Length, StringComparison.Ordinal)) at.Add(i);
        return at.ToArray();
    }
}
