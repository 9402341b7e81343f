using System.Globalization;
using System.Text;

namespace P2PFlex.IO;

/// <summary>A data file could not be read; the message names the file, the line and the field.</summary>
public sealed class DataFormatException(string file, int line, string field, string problem)
    : Exception(line > 0 ? $"{file}:{line}: {field}: {problem}" : $"{file}: {field}: {problem}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Field { get; } = field;
}

/// <summary>
/// A small CSV table as the project's data files use it: <c>#</c> comment lines (provenance), one header row,
/// comma-separated values without quoting. Every accessor checks its value and reports file, line and column.
/// </summary>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(string file, string[] header, List<(int Line, string[] Cells)> rows, List<string> comments)
    {
        File = file;
        Header = header;
        Rows = rows;
        Comments = comments;
        _columns = header.Select((h, i) => (h, i)).ToDictionary(p => p.h, p => p.i, StringComparer.Ordinal);
    }

    public string File { get; }
    public IReadOnlyList<string> Header { get; }
    public IReadOnlyList<(int Line, string[] Cells)> Rows { get; }
    /// <summary>The text of the leading <c>#</c> lines, without the marker.</summary>
    public IReadOnlyList<string> Comments { get; }

    public static CsvTable Read(string path, params string[] requiredColumns)
    {
        string[] lines;
        try
        {
            lines = System.IO.File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, 0, "file", $"cannot be read: {e.Message}");
        }
        return Parse(lines, path, requiredColumns);
    }

    public static CsvTable Parse(IReadOnlyList<string> lines, string file, params string[] requiredColumns)
    {
        string[]? header = null;
        var rows = new List<(int, string[])>();
        var comments = new List<string>();
        for (int i = 0; i < lines.Count; i++)
        {
            string text = lines[i].TrimEnd('\r');
            if (text.StartsWith('#')) { if (header is null) comments.Add(text[1..].Trim()); continue; }
            if (string.IsNullOrWhiteSpace(text)) continue;
            var cells = text.Split(',').Select(c => c.Trim()).ToArray();
            if (header is null)
            {
                header = cells;
                var duplicate = header.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
                if (duplicate is not null) throw new DataFormatException(file, i + 1, duplicate.Key, "column appears twice in the header");
                continue;
            }
            if (cells.Length != header.Length)
                throw new DataFormatException(file, i + 1, "row", $"has {cells.Length} values, the header has {header.Length} columns");
            rows.Add((i + 1, cells));
        }
        if (header is null) throw new DataFormatException(file, 0, "header", "the file has no header row");
        foreach (var c in requiredColumns)
            if (!header.Contains(c)) throw new DataFormatException(file, 1, c, "required column is missing from the header");
        return new CsvTable(file, header, rows, comments);
    }

    public bool HasColumn(string column) => _columns.ContainsKey(column);

    public string Text(int row, string column)
    {
        if (!_columns.TryGetValue(column, out int c)) throw new DataFormatException(File, 0, column, "column is missing");
        return Rows[row].Cells[c];
    }

    public double Number(int row, string column)
    {
        string s = Text(row, column);
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new DataFormatException(File, Rows[row].Line, column, $"'{s}' is not a number");
        if (!double.IsFinite(v))
            throw new DataFormatException(File, Rows[row].Line, column, $"{s} is not a finite number");
        return v;
    }

    public int Integer(int row, string column)
    {
        string s = Text(row, column);
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new DataFormatException(File, Rows[row].Line, column, $"'{s}' is not a whole number");
        return v;
    }

    public int LineOf(int row) => Rows[row].Line;

    /// <summary>Formats a double so that it reads back to the same value (culture-invariant round trip).</summary>
    public static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Writes text to a file atomically: a temporary file in the same folder, then a rename.</summary>
    public static void WriteAtomically(string path, string content)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + $".tmp-{Environment.ProcessId}";
        System.IO.File.WriteAllText(temp, content, new UTF8Encoding(false));
        System.IO.File.Move(temp, full, overwrite: true);
    }
}
