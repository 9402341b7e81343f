using System.Globalization;
using P2PFlex.IO;

namespace P2PFlex.Grid.SimBench;

/// <summary>
/// One table of a SimBench CSV folder: semicolon-separated, one header row, <c>NULL</c> for an empty value. Wraps
/// <see cref="CsvTable"/> (which checks the shape: header, one value per column on every row) with the typed, located
/// accessors the SimBench reader needs; every problem is a <see cref="DataFormatException"/> naming file, line and column.
/// </summary>
internal sealed class SimBenchTable
{
    /// <summary>SimBench's marker for an empty value.</summary>
    public const string Null = "NULL";

    private readonly CsvTable _table;

    private SimBenchTable(CsvTable table) => _table = table;

    public string File => _table.File;
    public int Count => _table.Count;
    public int LineOf(int row) => _table.LineOf(row);
    public IReadOnlyList<string> Header => _table.Header;

    /// <summary>Reads <paramref name="name"/> (e.g. <c>Node.csv</c>) from the folder; a missing file is an error naming it.</summary>
    public static SimBenchTable Read(string folder, string name, params string[] requiredColumns)
    {
        string path = Path.Combine(folder, name);
        if (!System.IO.File.Exists(path)) throw new DataFormatException(path, 0, "file", "is missing from the SimBench folder");
        return new SimBenchTable(CsvTable.Read(path, ';', requiredColumns));
    }

    /// <summary>Whether the folder holds the table.</summary>
    public static bool Exists(string folder, string name) => System.IO.File.Exists(Path.Combine(folder, name));

    /// <summary>A non-empty text value (not NULL).</summary>
    public string Text(int row, string column)
    {
        string s = _table.Text(row, column);
        if (s.Length == 0 || s == Null) throw Error(row, column, "must not be empty");
        return s;
    }

    /// <summary>A text value, null for NULL or empty.</summary>
    public string? OptionalText(int row, string column)
    {
        string s = _table.Text(row, column);
        return s.Length == 0 || s == Null ? null : s;
    }

    /// <summary>A finite number (not NULL).</summary>
    public double Number(int row, string column)
    {
        string s = _table.Text(row, column);
        if (s == Null || s.Length == 0) throw Error(row, column, "must be a number, is NULL");
        return _table.Number(row, column);
    }

    /// <summary>A finite number, null for NULL.</summary>
    public double? OptionalNumber(int row, string column)
    {
        string s = _table.Text(row, column);
        return s == Null || s.Length == 0 ? null : _table.Number(row, column);
    }

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public double Number(int row, string column, double min, double max)
    {
        double v = Number(row, column);
        if (v < min || v > max)
            throw Error(row, column, string.Create(CultureInfo.InvariantCulture, $"must lie in [{min}, {max}], is {v}"));
        return v;
    }

    /// <summary>A positive finite number, at most <paramref name="max"/>.</summary>
    public double Positive(int row, string column, double max)
    {
        double v = Number(row, column);
        if (!(v > 0) || v > max)
            throw Error(row, column, string.Create(CultureInfo.InvariantCulture, $"must be positive and at most {max}, is {v}"));
        return v;
    }

    /// <summary>A whole number (SimBench writes some as <c>0</c>, some as <c>0.0</c>).</summary>
    public int Integer(int row, string column)
    {
        double v = Number(row, column);
        if (v != Math.Round(v) || Math.Abs(v) > 1_000_000) throw Error(row, column, $"must be a whole number, is {_table.Text(row, column)}");
        return (int)v;
    }

    public DataFormatException Error(int row, string column, string problem) => new(File, LineOf(row), column, problem);
}
