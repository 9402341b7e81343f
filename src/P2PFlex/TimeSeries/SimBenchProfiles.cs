using System.Collections.Immutable;
using System.Globalization;
using P2PFlex.Grid.SimBench;
using P2PFlex.IO;

namespace P2PFlex.TimeSeries;

/// <summary>
/// Reads a SimBench grid's profiles (<c>LoadProfile.csv</c>: <c>&lt;profile&gt;_pload</c> and <c>&lt;profile&gt;_qload</c>
/// columns; <c>RESProfile.csv</c>: one column per profile; semicolon-separated, times <c>dd.MM.yyyy HH:mm</c>) into a
/// <see cref="FeederProfiles"/>: each load's P follows its profile's <c>_pload</c> column and its Q the <c>_qload</c> column;
/// each renewable unit's P follows its profile's column (Q in proportion). Located errors (file, line, column) for a
/// malformed time, a gap, a repeated or backward time, a value that is not a finite number, a negative P factor, a profile a
/// load or unit names that the file lacks, and two files on different time axes. Q factors may be negative (a
/// capacitive load), so the <c>_qload</c> columns are signed profiles of the set.
/// </summary>
public static class SimBenchProfiles
{
    /// <summary>SimBench's time format.</summary>
    public const string TimeFormat = "dd.MM.yyyy HH:mm";

    /// <summary>Whether the folder holds the profile files (a grid may come without them).</summary>
    public static bool Present(string folder) => File.Exists(Path.Combine(folder, "LoadProfile.csv"));

    /// <summary>Reads the profiles of <paramref name="grid"/> from its folder.</summary>
    public static FeederProfiles Read(SimBenchGrid grid)
    {
        string loadFile = Path.Combine(grid.Folder, "LoadProfile.csv");
        static bool IsQ(string name) => name.EndsWith("_qload", StringComparison.Ordinal);
        var (axis, loadColumns) = ReadTable(loadFile, IsQ);
        var profiles = loadColumns.Select(c => new Profile(c.Name, c.Values)).ToList();
        var signed = loadColumns.Select(c => c.Name).Where(IsQ).ToList();
        var bindings = new List<ProfileBinding>();
        string gridLoads = Path.Combine(grid.Folder, "Load.csv");
        foreach (var load in grid.Loads)
        {
            string p = load.Profile + "_pload", q = load.Profile + "_qload";
            foreach (string column in new[] { p, q })
                if (!loadColumns.Any(c => c.Name == column))
                    throw new DataFormatException(gridLoads, load.SourceLine, "profile", $"load '{load.Id}' follows profile '{load.Profile}', but {Path.GetFileName(loadFile)} has no column '{column}'");
            bindings.Add(new ProfileBinding(ProfileElementKind.Load, load.Id, grid.Node(load.Node).Number, p, q));
        }
        if (grid.Res.Count > 0)
        {
            string resFile = Path.Combine(grid.Folder, "RESProfile.csv");
            if (!File.Exists(resFile)) throw new DataFormatException(resFile, 0, "file", "is missing; RES.csv names profiles for its units");
            var (resAxis, resColumns) = ReadTable(resFile, _ => false);
            if (resAxis != axis)
                throw new DataFormatException(resFile, 2, "time", $"its time axis ({resAxis}) is not LoadProfile.csv's ({axis})");
            string gridRes = Path.Combine(grid.Folder, "RES.csv");
            foreach (var unit in grid.Res)
            {
                if (!resColumns.Any(c => c.Name == unit.Profile))
                    throw new DataFormatException(gridRes, unit.SourceLine, "profile", $"unit '{unit.Id}' follows profile '{unit.Profile}', which RESProfile.csv lacks");
                bindings.Add(new ProfileBinding(ProfileElementKind.Generator, unit.Id, grid.Node(unit.Node).Number, unit.Profile));
            }
            foreach (var (name, values, header) in resColumns)
            {
                if (profiles.Any(p => p.Name == name)) throw new DataFormatException(resFile, header, name, "a load profile column has the same name");
                profiles.Add(new Profile(name, values));
            }
        }
        return new FeederProfiles(new ProfileSet(axis, profiles, signed), bindings,
            $"SimBench profiles of {grid.Name} ({loadFile}{(grid.Res.Count > 0 ? " and RESProfile.csv" : "")}), {axis}");
    }

    /// <summary>German wall-clock time (CET, or CEST = CET + 1 h from the last Sunday of March 02:00 CET to the last
    /// Sunday of October 02:00 CET, the EU rule since 1996) of a time in standard time (CET).</summary>
    public static DateTime LocalTime(DateTime standard)
    {
        static DateTime LastSunday(int year, int month)
        {
            var d = new DateTime(year, month, DateTime.DaysInMonth(year, month));
            return d.AddDays(-(int)d.DayOfWeek).AddHours(2);
        }
        bool summer = standard >= LastSunday(standard.Year, 3) && standard < LastSunday(standard.Year, 10);
        return summer ? standard.AddHours(1) : standard;
    }

    // The time column, and every other column as a profile (not negative unless signed).
    private static (TimeAxis Axis, List<(string Name, ImmutableArray<double> Values, int HeaderLine)> Columns) ReadTable(string file, Func<string, bool> signed)
    {
        var table = CsvTable.Read(file, ';', "time");
        int headerLine = 1 + table.Comments.Count;
        if (table.Header[0] != "time") throw new DataFormatException(file, headerLine, table.Header[0], "the first column must be 'time'");
        if (table.Count < 2) throw new DataFormatException(file, headerLine, "time", "needs at least two rows (the step is read from the first two)");
        var times = new DateTime[table.Count];
        for (int r = 0; r < table.Count; r++)
        {
            string s = table.Text(r, "time");
            if (!DateTime.TryParseExact(s, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out times[r]))
                throw new DataFormatException(file, table.LineOf(r), "time", $"'{s}' is not a time {TimeFormat}");
        }
        // SimBench writes German wall-clock time: the spring-forward hour is missing and the autumn hour appears twice
        // (1-LV-rural1: 27.03.2016 01:45 → 03:00; 30.10.2016 02:00–02:45 twice), so that row i is still the i-th
        // quarter-hour of the year. Row i must be the axis's i-th interval (in standard time, CET) either as written in
        // CET/CEST or, for a file without daylight saving, as is; a row that fits neither is refused where it breaks.
        var step = times[1] - times[0];
        if (step <= TimeSpan.Zero) throw new DataFormatException(file, table.LineOf(1), "time", "the second row's time is not after the first's");
        var start = times[0];
        bool plain = true, local = true;
        for (int r = 1; r < table.Count; r++)
        {
            var standard = start + step * r;
            plain &= times[r] == standard;
            local &= times[r] == LocalTime(standard);
            if (plain || local) continue;
            var expected = LocalTime(standard);
            string problem = times[r] == times[r - 1] ? "repeats the previous row's time" : times[r] < times[r - 1] ? "goes back in time" : "is not the next interval";
            throw new DataFormatException(file, table.LineOf(r), "time",
                $"{times[r].ToString(TimeFormat, CultureInfo.InvariantCulture)} {problem}: expected {expected.ToString(TimeFormat, CultureInfo.InvariantCulture)} (German local time, step {step})");
        }
        TimeAxis axis;
        try { axis = new TimeAxis(times[0], step, table.Count); }
        catch (ArgumentOutOfRangeException e) { throw new DataFormatException(file, table.LineOf(1), "time", e.Message.Split(" (Parameter")[0]); }
        var columns = new List<(string, ImmutableArray<double>, int)>();
        foreach (string name in table.Header.Skip(1))
        {
            if (name.Length == 0) throw new DataFormatException(file, headerLine, "header", "a profile column has no name");
            var values = new double[table.Count];
            for (int r = 0; r < table.Count; r++)
            {
                values[r] = table.Number(r, name);   // refuses text and non-finite values with file, line and column
                if (values[r] < 0 && !signed(name))
                    throw new DataFormatException(file, table.LineOf(r), name, $"factor {CsvTable.Format(values[r])} is negative");
            }
            columns.Add((name, ImmutableArray.Create(values), headerLine));
        }
        return (axis, columns);
    }
}
