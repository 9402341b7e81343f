using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

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
/// A CSV table as the project's data files use it: <c>#</c> comment lines (provenance), one header row, then rows.
/// Parsing is RFC 4180 by CsvHelper (quoted fields may hold commas, quotes and line breaks); this class adds what the
/// data files need on top: the leading comments, required columns, one value per column on every row, and typed
/// accessors that check each value and report file, line and column.
/// </summary>
public sealed class CsvTable
{
    /// <summary>Largest data file read (bytes): the shipped ones are a few kB; this bounds memory on a hostile file.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private readonly Dictionary<string, int> _columns;
    private readonly List<(int Line, string[] Cells)> _rows;

    private CsvTable(string file, string[] header, List<(int Line, string[] Cells)> rows, List<string> comments)
    {
        File = file;
        Header = header;
        _rows = rows;
        Comments = comments;
        _columns = header.Select((h, i) => (h, i)).ToDictionary(p => p.h, p => p.i, StringComparer.Ordinal);
    }

    public string File { get; }
    public IReadOnlyList<string> Header { get; }
    /// <summary>Number of data rows.</summary>
    public int Count => _rows.Count;
    /// <summary>The text of the leading <c>#</c> lines, without the marker.</summary>
    public IReadOnlyList<string> Comments { get; }

    public static CsvTable Read(string path, params string[] requiredColumns) => Read(path, ',', requiredColumns);

    /// <summary>Reads a table whose fields are separated by <paramref name="delimiter"/> (e.g. SimBench's <c>;</c>).</summary>
    public static CsvTable Read(string path, char delimiter, params string[] requiredColumns)
    {
        string text;
        try
        {
            // Counted while reading, not from the file's reported size (0 for a device or a pipe).
            text = BoundedInput.ReadAllText(path, MaxFileBytes);
        }
        catch (InputTooLargeException)
        {
            throw new DataFormatException(path, 0, "file", $"has more than {MaxFileBytes} bytes, the limit; a device, a pipe or not a data file?");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, 0, "file", $"cannot be read: {e.Message}");
        }
        return Parse(text, path, delimiter, requiredColumns);
    }

    /// <summary>Parses CSV text; <paramref name="file"/> names it in errors.</summary>
    public static CsvTable Parse(string text, string file, params string[] requiredColumns) => Parse(text, file, ',', requiredColumns);

    /// <summary>Parses text whose fields are separated by <paramref name="delimiter"/>; <paramref name="file"/> names it in errors.</summary>
    public static CsvTable Parse(string text, string file, char delimiter, params string[] requiredColumns)
    {
        var comments = LeadingComments(text);
        string[]? header = null;
        var rows = new List<(int, string[])>();
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter.ToString(),
            HasHeaderRecord = false,      // the header is checked here, with the file's own messages
            AllowComments = true,
            Comment = '#',
            IgnoreBlankLines = true,
            TrimOptions = TrimOptions.Trim,
            // A quote inside an unquoted field, or text after a closing quote, is malformed RFC 4180: refuse it.
            BadDataFound = args => throw new DataFormatException(file, args.Context.Parser?.RawRow ?? 0, "row",
                $"malformed quoting in '{Shorten(args.Field)}'"),
        };
        using var parser = new CsvParser(new StringReader(text), config);
        while (true)
        {
            try
            {
                if (!parser.Read()) break;
            }
            catch (CsvHelperException e)
            {
                throw new DataFormatException(file, parser.RawRow, "row", $"cannot be parsed as CSV: {e.Message.Split('\n')[0]}");
            }
            var cells = parser.Record ?? [];
            int line = parser.RawRow;
            if (cells.Length == 1 && cells[0].Length == 0) continue;   // a line of blanks
            if (header is null)
            {
                header = cells;
                var duplicate = header.GroupBy(h => h).FirstOrDefault(g => g.Count() > 1);
                if (duplicate is not null) throw new DataFormatException(file, line, duplicate.Key, "column appears twice in the header");
                continue;
            }
            if (cells.Length != header.Length)
                throw new DataFormatException(file, line, "row", $"has {cells.Length} values, the header has {header.Length} columns");
            rows.Add((line, cells));
        }
        if (header is null) throw new DataFormatException(file, 0, "header", "the file has no header row");
        foreach (var c in requiredColumns)
            if (!header.Contains(c)) throw new DataFormatException(file, 1 + comments.Count, c, "required column is missing from the header");
        return new CsvTable(file, header, rows, comments);
    }

    // The provenance lines before the header (CsvHelper skips comments without returning them).
    private static List<string> LeadingComments(string text)
    {
        var comments = new List<string>();
        using var reader = new StringReader(text);
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            if (line.StartsWith('#')) comments.Add(line[1..].Trim());
            else if (!string.IsNullOrWhiteSpace(line)) break;
        }
        return comments;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    public string Text(int row, string column)
    {
        if (!_columns.TryGetValue(column, out int c)) throw new DataFormatException(File, 0, column, "column is missing");
        return _rows[row].Cells[c];
    }

    public double Number(int row, string column)
    {
        string s = Text(row, column);
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new DataFormatException(File, _rows[row].Line, column, $"'{s}' is not a number");
        if (!double.IsFinite(v))
            throw new DataFormatException(File, _rows[row].Line, column, $"{s} is not a finite number");
        return v;
    }

    public int Integer(int row, string column)
    {
        string s = Text(row, column);
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new DataFormatException(File, _rows[row].Line, column, $"'{s}' is not a whole number");
        return v;
    }

    /// <summary>The file line of a data row (1-based).</summary>
    public int LineOf(int row) => _rows[row].Line;

    /// <summary>Formats a double so that it reads back to the same value (culture-invariant round trip).</summary>
    public static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
