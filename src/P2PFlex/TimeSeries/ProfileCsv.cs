using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using P2PFlex.IO;

namespace P2PFlex.TimeSeries;

/// <summary>
/// The plain profile CSV, for a researcher's own data and for the profiles the project ships: leading <c>#</c> lines
/// (provenance), a header <c>time,&lt;profile&gt;,…</c>, then one row per interval. Times are ISO 8601 without a UTC
/// offset (<c>2025-01-01T00:15</c> or <c>…T00:15:00</c>), equally spaced: the first two rows give the step, and every
/// later row must be the previous one plus the step (a gap, a repeated time or a step back is an error naming file,
/// line and column). Factors are finite and not negative.
/// </summary>
public static class ProfileCsv
{
    public const string TimeColumn = "time";

    private static readonly string[] TimeFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"];

    /// <summary>Reads a profile CSV file.</summary>
    public static ProfileSet Read(string path) => Build(CsvTable.Read(path, TimeColumn), path);

    /// <summary>Parses profile CSV text; <paramref name="file"/> names it in errors.</summary>
    public static ProfileSet Parse(string text, string file) => Build(CsvTable.Parse(text, file, TimeColumn), file);

    /// <summary>Parses a time of the plain CSV (ISO 8601, no offset); null when the text is not one.</summary>
    public static DateTime? ParseTime(string text) =>
        DateTime.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;

    /// <summary>The profile set of a table read from <paramref name="file"/> (errors name it).</summary>
    internal static ProfileSet Build(CsvTable table, string file)
    {
        int headerLine = 1 + table.Comments.Count;
        if (table.Header[0] != TimeColumn) throw new DataFormatException(file, headerLine, table.Header[0], $"the first column must be '{TimeColumn}'");
        var names = table.Header.Skip(1).ToArray();
        if (names.Length == 0) throw new DataFormatException(file, headerLine, "header", "no profile column after 'time'");
        foreach (var n in names)
            if (n.Length == 0) throw new DataFormatException(file, headerLine, "header", "a profile column has no name");
        if (table.Count == 0) throw new DataFormatException(file, headerLine, TimeColumn, "the file has no rows");

        var times = new DateTime[table.Count];
        for (int r = 0; r < table.Count; r++)
        {
            string s = table.Text(r, TimeColumn);
            times[r] = ParseTime(s) ?? throw new DataFormatException(file, table.LineOf(r), TimeColumn,
                $"'{s}' is not an ISO 8601 time without offset (e.g. 2025-01-01T00:15)");
        }
        var step = table.Count > 1 ? times[1] - times[0] : TimeAxis.QuarterHour;
        for (int r = 1; r < table.Count; r++)
        {
            var expected = times[r - 1] + step;
            if (times[r] == expected) continue;
            string problem = times[r] == times[r - 1] ? "repeats the previous row's time"
                : times[r] < times[r - 1] ? $"goes back in time from {TimeAxis.Format(times[r - 1])}"
                : times[r] > expected ? $"leaves a gap: expected {TimeAxis.Format(expected)} (step {step} from the first two rows)"
                : $"is not one step ({step}, from the first two rows) after {TimeAxis.Format(times[r - 1])}";
            throw new DataFormatException(file, table.LineOf(r), TimeColumn, $"{TimeAxis.Format(times[r])} {problem}");
        }
        if (step <= TimeSpan.Zero)
            throw new DataFormatException(file, table.LineOf(1), TimeColumn, "the second row's time is not after the first's");
        TimeAxis axis;
        try { axis = new TimeAxis(times[0], step, table.Count); }
        catch (ArgumentOutOfRangeException e) { throw new DataFormatException(file, table.LineOf(1), TimeColumn, e.Message.Split(" (Parameter")[0]); }

        var profiles = new Profile[names.Length];
        for (int c = 0; c < names.Length; c++)
        {
            var values = new double[table.Count];
            for (int r = 0; r < table.Count; r++)
            {
                double v = table.Number(r, names[c]);   // refuses text and non-finite values with file, line and column
                if (v < 0) throw new DataFormatException(file, table.LineOf(r), names[c], $"factor {CsvTable.Format(v)} is negative");
                values[r] = v;
            }
            profiles[c] = new Profile(names[c], ImmutableArray.Create(values));
        }
        return new ProfileSet(axis, profiles);
    }

    /// <summary>The CSV text of a profile set (the format <see cref="Read"/> reads; factors round-trip exactly).</summary>
    public static string Format(ProfileSet set, IEnumerable<string> provenance)
    {
        var sb = new StringBuilder();
        foreach (var line in provenance) sb.Append("# ").Append(line).Append('\n');
        sb.Append(TimeColumn);
        foreach (var p in set.Profiles) sb.Append(',').Append(p.Name);
        sb.Append('\n');
        for (int i = 0; i < set.Axis.Count; i++)
        {
            sb.Append(TimeAxis.Format(set.Axis.TimeAt(i)));
            foreach (var p in set.Profiles) sb.Append(',').Append(CsvTable.Format(p[i]));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Writes a profile set atomically.</summary>
    public static void Write(string path, ProfileSet set, IEnumerable<string> provenance) => AtomicFile.WriteAllText(path, Format(set, provenance));
}
