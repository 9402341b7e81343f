using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Scenarios;

/// <summary>
/// The plain text tables are the cells laid out (<see cref="TextTable.ToPlainText"/>): every cell in its row, in
/// order; the columns of every row at the same places; the headers taken from the cells.
/// </summary>
public class ScenarioReportTextTests
{
    private static readonly string NL = Environment.NewLine;

    /// <summary>Every scenario file on case69, the even ones with the AC check and the odd ones without (so the AC
    /// table has note rows), Table 8's order first.</summary>
    private static readonly Lazy<ScenarioResult[]> Results = new(() =>
    {
        var context = StudyContext.Load();
        return StudyContext.LoadScenarios().Select((s, i) => ScenarioRunner.Run(s, context, acCheck: i % 2 == 0)).ToArray();
    });

    [Fact]
    public void A_table_is_laid_out_cell_by_cell_with_pairs_and_note_rows()
    {
        var table = new TextTable("t", ["name", "value", "change"], [["a", "1.5", "1 → 22"], ["longname", "10", "3 → 4"], ["b", "(note)", ""]]);
        var layout = new PlainTextLayout([PlainColumn.Left(4), PlainColumn.Right(5), PlainColumn.Pair(new(2, true), new(3), "")], RuleWidth: 10, ShowTitle: true);
        Assert.Equal(string.Join(NL, "t", "name | value | change  ", "----------", "a    |   1.5 |  1 → 22 ", "longname |    10 |  3 → 4  ", "b    | (note)", ""),
            table.ToPlainText(layout));
    }

    [Fact]
    public void Group_headers_go_on_one_line_and_their_subs_below()
    {
        var table = new TextTable("g", ["id", "x ours", "x study"], [["r", "1", "2"]]);
        var layout = new PlainTextLayout([PlainColumn.Left(3), PlainColumn.Right(3, " "), PlainColumn.Right(3, "")], RuleWidth: 5,
            GroupedHeader: new([PlainColumn.Left(3), PlainColumn.Left(0, "")], [PlainColumn.Left(3), PlainColumn.Left(4, " "), PlainColumn.Left(0, "")]));
        Assert.Equal(string.Join(NL, "id  | x", "    | ours study", "-----", "r   |   1   2", ""), table.ToPlainText(layout));
    }

    [Fact]
    public void A_layout_that_does_not_fit_the_cells_is_an_error_naming_the_table()
    {
        var layout = new PlainTextLayout([PlainColumn.Left(3), PlainColumn.Pair(new(2), new(2))], RuleWidth: 5);
        var e = Assert.Throws<ArgumentException>(() => new TextTable("pairs", ["a", "b"], [["x", "no arrow"]]).ToPlainText(layout));
        Assert.Contains("'pairs'", e.Message);
        Assert.Contains("no arrow", e.Message);
        Assert.Throws<ArgumentException>(() => new TextTable("three", ["a", "b", "c"], []).ToPlainText(layout));
        Assert.Throws<ArgumentException>(() => new TextTable("short", ["a", "b"], [["x"]]).ToPlainText(layout));
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

    public static TheoryData<string> TableNames => new() { "table8", "market", "voltage" };

    private static (TextTable Cells, string Text, int HeaderLines) Of(string name) => name switch
    {
        "table8" => (ScenarioReport.Table8Cells(Results.Value), ScenarioReport.Table8Cells(Results.Value).ToPlainText(ScenarioReport.Table8Layout), 2),
        "market" => (ScenarioReport.MarketCells(Results.Value), ScenarioReport.MarketTable(Results.Value), 1),
        _ => (ScenarioReport.VoltageCells(Results.Value), ScenarioReport.VoltageTable(Results.Value), 2),   // title + header
    };

    [Theory]
    [MemberData(nameof(TableNames))]
    public void Every_row_line_holds_its_cells_in_order_and_nothing_else(string name)
    {
        var (cells, text, headerLines) = Of(name);
        var lines = text.Split(NL);
        Assert.Equal("", lines[^1]);
        Assert.Equal(headerLines + 1 + cells.Rows.Count + 1, lines.Length);
        Assert.Matches("^-{100,}$", lines[headerLines]);
        for (int i = 0; i < cells.Rows.Count; i++)
        {
            string line = lines[headerLines + 1 + i];
            var row = cells.Rows[i];
            Assert.StartsWith(row[0] + " ", line, StringComparison.Ordinal);
            // Without its cells' values (each side of a before → after pair), in order, a row line is padding and separators.
            Assert.Matches(@"^[ |→]*$", Strip(line, row));
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

    [Theory]
    [MemberData(nameof(TableNames))]
    public void The_columns_of_every_row_stand_at_the_same_places(string name)
    {
        var (cells, text, headerLines) = Of(name);
        var lines = text.Split(NL);
        // rows whose scenario name fits the first column (longer names push the row to the right, as they always did)
        var rows = cells.Rows.Select((row, i) => (row, line: lines[headerLines + 1 + i]))
            .Where(x => x.row[0].Length <= 12 && x.row.Skip(2).Any(c => c != "")).ToArray();
        Assert.True(rows.Length >= 5, $"{rows.Length} rows to compare");
        // Table 8 has a "|" with no space before it (after the study's LFM cost); the other tables only " | "
        Func<string, int[]> bars = name == "table8" ? BarsOf : Bars;
        Assert.True(bars(rows[0].line).Length >= 5);
        foreach (var (_, line) in rows) Assert.Equal(bars(rows[0].line), bars(line));
        // the AC table's before → after pairs: every arrow but the last column's (unpadded) at the same place
        if (name == "voltage")
            foreach (var (_, line) in rows) Assert.Equal(Arrows(rows[0].line), Arrows(line));
    }

    [Theory]
    [InlineData("market")]
    [InlineData("voltage")]
    public void The_header_is_the_cells_headers_each_above_its_column(string name)
    {
        var (cells, text, headerLines) = Of(name);
        var lines = text.Split(NL);
        string header = lines[headerLines - 1];
        var row = lines[headerLines + 1];
        Assert.Equal(Bars(row), Bars(header));
        // the n-th header starts where the n-th cell's column starts
        var starts = new[] { 0 }.Concat(Bars(header).Select(b => b + 3)).ToArray();
        Assert.Equal(cells.Headers.Count, starts.Length);
        for (int c = 0; c < cells.Headers.Count; c++)
            Assert.Equal(starts[c], header.IndexOf(cells.Headers[c], StringComparison.Ordinal));
        if (name == "voltage") Assert.Equal(cells.Title, lines[0]);
    }

    [Fact]
    public void Table8s_header_puts_each_group_on_the_first_line_and_ours_and_study_under_it()
    {
        var (cells, text, _) = Of("table8");
        var lines = text.Split(NL);
        Assert.Equal(BarsOf(lines[0]), BarsOf(lines[1]));
        Assert.StartsWith("scenario ", lines[0], StringComparison.Ordinal);
        var groupEnds = BarsOf(lines[0]).Append(lines[0].Length).ToArray();
        int from = 0;
        foreach (var h in cells.Headers.Skip(1))
        {
            int space = h.LastIndexOf(' ');
            string group = h[..space], sub = h[(space + 1)..];
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
        var (cells, text, headerLines) = Of("voltage");
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

    /// <summary>Where the column separators " | " stand in a line.</summary>
    private static int[] Bars(string line) => Positions(line, " | ");

    /// <summary>Where the "|" characters stand in a line of Table 8 (which has no other "|").</summary>
    private static int[] BarsOf(string line) => Positions(line, "|");

    /// <summary>Where the arrows of the before → after pairs stand, up to the last column.</summary>
    private static int[] Arrows(string line) => Positions(line[..line.LastIndexOf(" | ", StringComparison.Ordinal)], PlainColumn.Arrow);

    private static int[] Positions(string line, string what)
    {
        var at = new List<int>();
        for (int i = line.IndexOf(what, StringComparison.Ordinal); i >= 0; i = line.IndexOf(what, i + what.Length, StringComparison.Ordinal)) at.Add(i);
        return at.ToArray();
    }
}
