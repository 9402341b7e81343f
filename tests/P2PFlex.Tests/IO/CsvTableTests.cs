using P2PFlex.IO;

namespace P2PFlex.Tests.IO;

/// <summary>The data-file CSV reader (CsvHelper underneath): RFC 4180 fields, comments, and located errors.</summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class CsvTableTests
{
    private static CsvTable Parse(string text, params string[] required) => CsvTable.Parse(text, "t.csv", required);

    private static DataFormatException Bad(string text, params string[] required) =>
        Assert.Throws<DataFormatException>(() => Parse(text, required));

    [Fact]
    public void Comments_header_rows_and_their_file_lines()
    {
        var t = Parse("# provenance one\n#  two \nid,value\n\na,1.5\n# a comment between rows\nb, 2 \n", "id", "value");
        Assert.Equal(["provenance one", "two"], t.Comments);
        Assert.Equal(["id", "value"], t.Header);
        Assert.Equal(2, t.Count);
        Assert.Equal((5, 7), (t.LineOf(0), t.LineOf(1)));
        Assert.Equal(2.0, t.Number(1, "value"));
        Assert.Equal("a", t.Text(0, "id"));
    }

    [Fact]
    public void Quoted_fields_follow_RFC_4180()
    {
        var t = Parse("id,note\r\nB1,\"up, then down\"\r\nB2,\"say \"\"hi\"\"\"\r\n");
        Assert.Equal("up, then down", t.Text(0, "note"));
        Assert.Equal("say \"hi\"", t.Text(1, "note"));
        Assert.Equal(3, t.LineOf(1));
    }

    [Theory]
    [InlineData("id,value\na,1\nb,2,3\n", 3, "row", "has 3 values, the header has 2 columns")]
    [InlineData("# c\nid,id\n", 2, "id", "column appears twice")]
    [InlineData("id,value\na,1\nb,x\"y\n", 3, "row", "malformed quoting")]
    [InlineData("id,value\na,1,5\n", 2, "row", "has 3 values")]
    public void Malformed_files_name_line_and_field(string text, int line, string field, string message)
    {
        var e = Bad(text);
        Assert.Equal(("t.csv", line, field), (e.File, e.Line, e.Field));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("NaN", "NaN is not a finite number")]
    [InlineData("1e400", "1e400 is not a finite number")]
    [InlineData("1,5", "'1,5' is not a number")]
    [InlineData("x", "'x' is not a number")]
    public void Numbers_are_finite_and_invariant(string value, string message)
    {
        string text = $"id,value\na,\"{value}\"\n";
        var e = Assert.Throws<DataFormatException>(() => Parse(text).Number(0, "value"));
        Assert.Equal((2, "value"), (e.Line, e.Field));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Missing_header_and_missing_required_columns_are_refused()
    {
        Assert.Contains("no header row", Bad("# only a comment\n\n").Message);
        var e = Bad("# c\nid,volume\n", "id", "price");
        Assert.Equal((2, "price"), (e.Line, e.Field));
    }

    [Fact]
    public void An_unclosed_quote_is_a_located_error_not_a_silent_merge_of_lines()
    {
        var e = Assert.ThrowsAny<DataFormatException>(() => Parse("id,note\na,\"open\nb,2\n"));
        Assert.Equal("t.csv", e.File);
        Assert.True(e.Line >= 2, $"line {e.Line}");
    }
}
