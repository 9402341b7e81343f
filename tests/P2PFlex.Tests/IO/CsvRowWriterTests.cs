using P2PFlex.IO;

namespace P2PFlex.Tests.IO;

/// <summary>The export's one CSV row writer (CsvHelper underneath): bare fields where nothing needs quoting, RFC 4180
/// quoting where something does, round-trip numbers, and rows checked against the header.</summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class CsvRowWriterTests
{
    [Fact]
    public void Plain_fields_are_written_bare_with_newline_line_ends()
    {
        var csv = CsvRowWriter.WithHeader("id,bus,volume_mw,at_risk,cap_mw");
        csv.Text("B001").Integer(44).Number(0.1 + 0.2).Flag(true).Number(null).EndRow();
        csv.Text("B002").Integer(-3).Number(-1.5e-7).Flag(false).Number(double.NaN).EndRow();
        Assert.Equal("id,bus,volume_mw,at_risk,cap_mw\nB001,44,0.30000000000000004,true,\nB002,-3,-1.5E-07,false,NaN\n", csv.ToText());
        Assert.Equal(2, csv.RowCount);
    }

    [Fact]
    public void Negative_zero_is_written_as_zero_and_every_number_reads_back_to_the_same_double()
    {
        double[] values = [-0.0, 0.0, 1.0 / 3, -2.5e300, double.Epsilon, 123456789.123456789, -4.9406564584124654E-324];
        var csv = CsvRowWriter.WithHeader("v");
        foreach (double v in values) csv.Number(v).EndRow();
        string text = csv.ToText();
        Assert.StartsWith("v\n0\n0\n", text);
        var table = CsvTable.Parse(text, "t.csv", "v");
        for (int r = 0; r < values.Length; r++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(values[r] == 0 ? 0.0 : values[r]), BitConverter.DoubleToInt64Bits(table.Number(r, "v")));
    }

    [Fact]
    public void A_field_with_a_comma_quote_line_break_or_edge_space_is_quoted_and_reads_back_whole()
    {
        string[] awkward = ["a,b", "say \"hi\"", "two\nlines", "cr\ronly", " lead", "trail ", "", "B 001"];
        var csv = CsvRowWriter.WithHeader("id,n");
        foreach (string s in awkward) csv.Text(s).Integer(1).EndRow();
        string text = csv.ToText();
        Assert.Contains("\n\"a,b\",1\n", text);
        Assert.Contains("\n\"say \"\"hi\"\"\",1\n", text);
        Assert.Contains("\nB 001,1\n", text);   // an inner space needs no quotes
        Assert.Contains("\n,1\n", text);        // nor does an empty field
        var table = CsvTable.Parse(text, "t.csv", "id", "n");
        Assert.Equal(awkward.Length, table.Count);
        for (int r = 0; r < awkward.Length; r++) Assert.Equal(awkward[r], table.Text(r, "id"));
    }

    [Fact]
    public void A_row_with_too_few_or_too_many_fields_is_refused_naming_the_row_and_the_columns()
    {
        var csv = CsvRowWriter.WithHeader("a,b");
        csv.Integer(1).Integer(2).EndRow();
        csv.Integer(3);
        var few = Assert.Throws<InvalidOperationException>(csv.EndRow);
        Assert.Contains("row 2 has 1 fields for the 2 columns (a,b)", few.Message);
        Assert.Throws<InvalidOperationException>(() => csv.ToText());
        csv.Integer(4);
        var many = Assert.Throws<InvalidOperationException>(() => csv.Integer(5));
        Assert.Contains("row 2 has more than the 2 columns", many.Message);
    }

    [Fact]
    public void A_header_only_table_is_the_header_line()
    {
        Assert.Equal("peer_index,bid_id\n", CsvRowWriter.WithHeader("peer_index,bid_id").ToText());
    }
}
