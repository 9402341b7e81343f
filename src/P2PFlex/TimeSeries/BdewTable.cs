using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using P2PFlex.IO;

namespace P2PFlex.TimeSeries;

/// <summary>
/// A BDEW 2025 standard load profile as a table: the energy (kWh) of each of the 96 quarter-hours of a day, per month
/// and day type (<see cref="BdewDayType"/>). BDEW publishes it as a wide table (<see cref="ReadBdew"/>); the project
/// ships its figures in its own long format (<see cref="ReadProject"/>, written by <see cref="FormatProject"/>).
/// <see cref="Expand"/> lays it onto the days of a calendar year.
/// </summary>
public sealed record BdewTable
{
    public const int QuarterHoursPerDay = 96;

    /// <summary>The German month names of the BDEW tables' first header row.</summary>
    public static readonly string[] MonthNames =
        ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"];

    private static readonly string[] DayTypeCodes = ["SA", "FT", "WT"];

    /// <param name="name">The profile's name (h25, g25, …).</param>
    /// <param name="energyKwh">[month 0–11, day type, quarter-hour 0–95] → kWh.</param>
    public BdewTable(string name, double[,,] energyKwh)
    {
        if (energyKwh.GetLength(0) != 12 || energyKwh.GetLength(1) != 3 || energyKwh.GetLength(2) != QuarterHoursPerDay)
            throw new ArgumentException("a BDEW table has 12 months × 3 day types × 96 quarter-hours");
        foreach (double v in energyKwh)
            if (!double.IsFinite(v) || v < 0) throw new ArgumentException($"BDEW table '{name}': energy {v} is not finite and non-negative");
        Name = name;
        _energy = (double[,,])energyKwh.Clone();
    }

    private readonly double[,,] _energy;

    public string Name { get; }

    /// <summary>Energy of a quarter-hour (kWh): month 1–12.</summary>
    public double EnergyKwh(int month, BdewDayType dayType, int quarterHour) => _energy[month - 1, (int)dayType, quarterHour];

    /// <summary>Energy of a whole day of a month and day type (kWh).</summary>
    public double DayEnergyKwh(int month, BdewDayType dayType)
    {
        double sum = 0;
        for (int q = 0; q < QuarterHoursPerDay; q++) sum += _energy[month - 1, (int)dayType, q];
        return sum;
    }

    /// <summary>The day-type code of the tables (SA, FT, WT).</summary>
    public static string Code(BdewDayType t) => DayTypeCodes[(int)t];

    /// <summary>
    /// The profile over every quarter-hour of a calendar year: each day takes the column of its month and day type
    /// (<see cref="GermanCalendar.DayType"/>). Values are energies per quarter-hour in kWh; with
    /// <paramref name="annualEnergyKwh"/> they are scaled so that the year sums to it, without it they are the table's.
    /// </summary>
    public ProfileSet Expand(int year, double? annualEnergyKwh = null)
    {
        var axis = TimeAxis.Year(year);
        var values = new double[axis.Count];
        int i = 0;
        for (var day = new DateOnly(year, 1, 1); day.Year == year; day = day.AddDays(1))
        {
            int t = (int)GermanCalendar.DayType(day);
            for (int q = 0; q < QuarterHoursPerDay; q++) values[i++] = _energy[day.Month - 1, t, q];
        }
        if (annualEnergyKwh is double target)
        {
            if (!double.IsFinite(target) || target <= 0) throw new ArgumentOutOfRangeException(nameof(annualEnergyKwh), $"annual energy must be positive, is {target}");
            double sum = 0;
            foreach (double v in values) sum += v;
            double scale = target / sum;
            for (int k = 0; k < values.Length; k++) values[k] *= scale;
        }
        return new ProfileSet(axis, [new Profile(Name, ImmutableArray.Create(values))]);
    }

    /// <summary>
    /// Reads BDEW's wide table (<c>h25.csv</c> …): header row 1 the month of each column (German names), row 2
    /// <c>[kWh]</c> and the day type of each column (SA, FT, WT), then 96 rows <c>HH:mm-HH:mm</c> with one energy per
    /// column. Every (month, day type) must appear exactly once, the quarter-hours in order; errors name file, line
    /// and column.
    /// </summary>
    public static BdewTable ReadBdew(string path, string? name = null)
    {
        string text = ReadText(path);
        var lines = text.Replace("\r\n", "\n").Split('\n');
        int count = lines.Length;
        while (count > 0 && lines[count - 1].Length == 0) count--;
        if (count < 2) throw new DataFormatException(path, count + 1, "header", "a BDEW table has two header rows");
        foreach (var (line, n) in lines.Take(count).Select((l, k) => (l, k + 1)))
            if (line.Contains('"')) throw new DataFormatException(path, n, "row", "quoted fields are not part of the BDEW table format");
        var months = lines[0].Split(',');
        var types = lines[1].Split(',');
        if (types.Length != months.Length) throw new DataFormatException(path, 2, "header", $"has {types.Length} columns, the first header row {months.Length}");
        if (types[0].Trim() != "[kWh]") throw new DataFormatException(path, 2, "column 1", $"'{types[0]}' is not the unit '[kWh]'");
        var column = new int[12, 3];
        for (int c = 1; c < months.Length; c++)
        {
            int m = Array.IndexOf(MonthNames, months[c].Trim());
            if (m < 0) throw new DataFormatException(path, 1, $"column {c + 1}", $"'{months[c]}' is not a German month name");
            int t = Array.IndexOf(DayTypeCodes, types[c].Trim());
            if (t < 0) throw new DataFormatException(path, 2, $"column {c + 1}", $"'{types[c]}' is not a day type (SA, FT, WT)");
            if (column[m, t] != 0) throw new DataFormatException(path, 2, $"column {c + 1}", $"{MonthNames[m]} {DayTypeCodes[t]} appears twice");
            column[m, t] = c;
        }
        for (int m = 0; m < 12; m++)
            for (int t = 0; t < 3; t++)
                if (column[m, t] == 0) throw new DataFormatException(path, 2, "header", $"no column for {MonthNames[m]} {DayTypeCodes[t]}");
        // The rows' labels are checked before their count, so that a dropped or repeated row is named where it happened,
        // not at the end of the table.
        for (int q = 0; q < Math.Min(count - 2, QuarterHoursPerDay); q++)
        {
            string label = lines[q + 2].Split(',')[0].Trim();
            string expected = QuarterHourLabel(q);
            if (label == expected) continue;
            string hint = q + 1 < QuarterHoursPerDay && label == QuarterHourLabel(q + 1) ? $"; the row of {expected} is missing before it"
                : q > 0 && label == QuarterHourLabel(q - 1) ? "; it repeats the row before"
                : "";
            throw new DataFormatException(path, q + 3, "column 1", $"'{label}' is not the quarter-hour {expected}{hint}");
        }
        if (count - 2 != QuarterHoursPerDay)
            throw new DataFormatException(path, count, "row", $"the table has {count - 2} quarter-hour rows, a day has {QuarterHoursPerDay}");

        var energy = new double[12, 3, QuarterHoursPerDay];
        for (int q = 0; q < QuarterHoursPerDay; q++)
        {
            int lineNo = q + 3;
            var cells = lines[q + 2].Split(',');
            if (cells.Length != months.Length)
                throw new DataFormatException(path, lineNo, "row", $"has {cells.Length} values, the header has {months.Length} columns");
            for (int m = 0; m < 12; m++)
                for (int t = 0; t < 3; t++)
                {
                    int c = column[m, t];
                    energy[m, t, q] = Energy(path, lineNo, $"column {c + 1} ({MonthNames[m]} {DayTypeCodes[t]})", cells[c]);
                }
        }
        return new BdewTable(name ?? Path.GetFileNameWithoutExtension(path), energy);
    }

    /// <summary>The column header of the project's long format.</summary>
    public static readonly string[] ProjectColumns = ["month", "day_type", "time", "energy_kwh"];

    /// <summary>
    /// The project's own format of a BDEW table (CSV, comment lines for provenance): one row per month × day type ×
    /// quarter-hour, <c>month</c> 1–12, <c>day_type</c> SA/FT/WT, <c>time</c> the quarter-hour's start (HH:mm),
    /// <c>energy_kwh</c> the table's figure (round-trip exact).
    /// </summary>
    public string FormatProject(IEnumerable<string> provenance)
    {
        var sb = new StringBuilder();
        foreach (var line in provenance) sb.Append("# ").Append(line).Append('\n');
        sb.Append(string.Join(",", ProjectColumns)).Append('\n');
        for (int m = 0; m < 12; m++)
            for (int t = 0; t < 3; t++)
                for (int q = 0; q < QuarterHoursPerDay; q++)
                    sb.Append((m + 1).ToString(CultureInfo.InvariantCulture)).Append(',').Append(DayTypeCodes[t]).Append(',')
                        .Append(QuarterHourStart(q)).Append(',').Append(CsvTable.Format(_energy[m, t, q])).Append('\n');
        return sb.ToString();
    }

    /// <summary>Reads the project's format (<see cref="FormatProject"/>): every month × day type × quarter-hour exactly once.</summary>
    public static BdewTable ReadProject(string path, string name)
    {
        var table = CsvTable.Read(path, ProjectColumns);
        var energy = new double[12, 3, QuarterHoursPerDay];
        var seen = new bool[12, 3, QuarterHoursPerDay];
        var lineOf = new int[12, 3, QuarterHoursPerDay];
        for (int r = 0; r < table.Count; r++)
        {
            int line = table.LineOf(r);
            int month = table.Integer(r, "month");
            if (month < 1 || month > 12) throw new DataFormatException(path, line, "month", $"{month} is not a month 1–12");
            int t = Array.IndexOf(DayTypeCodes, table.Text(r, "day_type"));
            if (t < 0) throw new DataFormatException(path, line, "day_type", $"'{table.Text(r, "day_type")}' is not SA, FT or WT");
            string time = table.Text(r, "time");
            int q = Array.IndexOf(QuarterHourStarts, time);
            if (q < 0) throw new DataFormatException(path, line, "time", $"'{time}' is not the start of a quarter-hour (HH:mm)");
            if (seen[month - 1, t, q]) throw new DataFormatException(path, line, "time", $"month {month} {DayTypeCodes[t]} {time} appears twice");
            seen[month - 1, t, q] = true;
            lineOf[month - 1, t, q] = line;
            energy[month - 1, t, q] = Energy(path, line, "energy_kwh", table.Text(r, "energy_kwh"));
        }
        for (int m = 0; m < 12; m++)
            for (int t = 0; t < 3; t++)
                for (int q = 0; q < QuarterHoursPerDay; q++)
                    if (!seen[m, t, q])
                    {
                        var (line, where) = WhereMissing(seen, lineOf, m * 3 * QuarterHoursPerDay + t * QuarterHoursPerDay + q, table);
                        throw new DataFormatException(path, line, "time", $"month {m + 1} {DayTypeCodes[t]} {QuarterHourStarts[q]} is missing ({where})");
                    }
        return new BdewTable(name, energy);
    }

    /// <summary>
    /// Where a missing row of the project's format belongs: the line of the next row present in the file's order
    /// (month, day type, quarter-hour), so that an editor opens where it was dropped; after the last row if none follows.
    /// </summary>
    private static (int Line, string Where) WhereMissing(bool[,,] seen, int[,,] lineOf, int missing, CsvTable table)
    {
        const int perMonth = 3 * QuarterHoursPerDay;
        for (int k = missing + 1; k < 12 * perMonth; k++)
        {
            int m = k / perMonth, t = k % perMonth / QuarterHoursPerDay, q = k % QuarterHoursPerDay;
            if (seen[m, t, q]) return (lineOf[m, t, q], $"expected before this row, month {m + 1} {DayTypeCodes[t]} {QuarterHourStarts[q]}");
        }
        int last = table.Count == 0 ? 0 : table.LineOf(table.Count - 1);
        return (last + 1, "expected after the last row");
    }

    private static readonly string[] QuarterHourStarts = Enumerable.Range(0, QuarterHoursPerDay).Select(QuarterHourStart).ToArray();

    private static string QuarterHourStart(int q) => string.Create(CultureInfo.InvariantCulture, $"{q / 4:D2}:{q % 4 * 15:D2}");

    private static string QuarterHourLabel(int q) => QuarterHourStart(q) + "-" + (q + 1 == QuarterHoursPerDay ? "00:00" : QuarterHourStart(q + 1));

    private static double Energy(string path, int line, string field, string text)
    {
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new DataFormatException(path, line, field, $"'{text}' is not a number");
        if (!double.IsFinite(v)) throw new DataFormatException(path, line, field, $"{text} is not a finite number");
        if (v < 0) throw new DataFormatException(path, line, field, $"energy {text} is negative");
        return v;
    }

    private static string ReadText(string path)
    {
        try
        {
            // Counted while reading, not from the reported size (0 for a device or a pipe).
            return BoundedInput.ReadAllText(path, CsvTable.MaxFileBytes);
        }
        catch (InputTooLargeException)
        {
            throw new DataFormatException(path, 0, "file", $"has more than {CsvTable.MaxFileBytes} bytes, the limit; a device, a pipe or not a BDEW table?");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, 0, "file", $"cannot be read: {e.Message}");
        }
    }
}
