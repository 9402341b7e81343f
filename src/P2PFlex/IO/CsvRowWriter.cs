using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace P2PFlex.IO;

/// <summary>
/// Writes a CSV table row by row: the one way the scenario export writes its CSV files (docs/export.md, "Conventions").
/// RFC 4180 by CsvHelper, invariant culture, <c>\n</c> line ends. A field is quoted only when it must be (it holds a
/// comma, a quote or a line break, or starts or ends with a space), so identifiers and numbers are written bare, as
/// before there was a writer, and an identifier from a user's orderbook that holds a comma still reads back as one
/// field. Values are written as they are: no spreadsheet-formula escaping (a negative number starts with '-').
/// Numbers round-trip (<see cref="CsvTable.Format"/>; −0 as 0). Every row must have one field per column.
/// </summary>
public sealed class CsvRowWriter
{
    private readonly StringWriter _text = new(CultureInfo.InvariantCulture) { NewLine = "\n" };
    private readonly CsvWriter _csv;
    private int _fields;

    /// <summary>A table with these columns; the header row is written at once.</summary>
    public CsvRowWriter(IReadOnlyList<string> columns)
    {
        if (columns.Count == 0) throw new ArgumentException("a CSV table needs at least one column", nameof(columns));
        Columns = columns;
        _csv = new CsvWriter(_text, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            NewLine = "\n",
            ShouldQuote = args => MustQuote(args.Field),
            InjectionOptions = InjectionOptions.None,
        });
        foreach (string column in columns) _csv.WriteField(column);
        _csv.NextRecord();
    }

    /// <summary>A table whose header line is <paramref name="header"/> (column names separated by commas).</summary>
    public static CsvRowWriter WithHeader(string header) => new(header.Split(','));

    /// <summary>The column names, in order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Number of complete rows written (the header not counted).</summary>
    public int RowCount { get; private set; }

    /// <summary>A text field; null is an empty field.</summary>
    public CsvRowWriter Text(string? value)
    {
        if (_fields == Columns.Count) throw new InvalidOperationException($"row {RowCount + 1} has more than the {Columns.Count} columns ({string.Join(",", Columns)})");
        _csv.WriteField(value ?? "");
        _fields++;
        return this;
    }

    /// <summary>A number in its shortest round-trip form; −0 is written as 0 (numerically equal, easier to read).</summary>
    public CsvRowWriter Number(double value) => Text(value == 0 ? "0" : CsvTable.Format(value));

    /// <summary>A number, or an empty field when it is not defined.</summary>
    public CsvRowWriter Number(double? value) => value is double v ? Number(v) : Text(null);

    /// <summary>An integer (a count, an index, a bus or line number).</summary>
    public CsvRowWriter Integer(long value) => Text(value.ToString(CultureInfo.InvariantCulture));

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public CsvRowWriter Flag(bool value) => Text(value ? "true" : "false");

    /// <summary><c>true</c>, <c>false</c>, or an empty field when it is not defined.</summary>
    public CsvRowWriter Flag(bool? value) => value is bool b ? Flag(b) : Text(null);

    /// <summary>Ends the row; it must have had one field per column.</summary>
    public void EndRow()
    {
        if (_fields != Columns.Count)
            throw new InvalidOperationException($"row {RowCount + 1} has {_fields} fields for the {Columns.Count} columns ({string.Join(",", Columns)})");
        _csv.NextRecord();
        _fields = 0;
        RowCount++;
    }

    /// <summary>The table so far: the header and every complete row.</summary>
    public string ToText()
    {
        if (_fields != 0) throw new InvalidOperationException($"row {RowCount + 1} is not ended ({_fields} of {Columns.Count} fields)");
        _csv.Flush();
        return _text.ToString();
    }

    /// <summary>RFC 4180's cases, plus a leading or trailing space (which some readers trim).</summary>
    private static bool MustQuote(string? field) =>
        !string.IsNullOrEmpty(field)
        && (field.AsSpan().IndexOfAny(",\"\r\n") >= 0 || field[0] == ' ' || field[^1] == ' ');
}
