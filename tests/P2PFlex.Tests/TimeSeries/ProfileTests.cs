using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.IO;
using P2PFlex.TimeSeries;

namespace P2PFlex.Tests.TimeSeries;

/// <summary>Time axis, BDEW tables and their expansion to a calendar year, the plain profile CSV, the shipped H25 file.</summary>
public class ProfileTests
{
    private static string H25Path => SharedData.Path("bdew", "h25.csv");
    private static readonly Lazy<BdewTable> H25 = new(() => BdewTable.ReadBdew(H25Path));

    [Fact]
    public void Time_axis_of_a_year_has_96_quarter_hours_a_day_and_leap_years_one_day_more()
    {
        Assert.Equal(35_040, TimeAxis.Year(2025).Count);
        Assert.Equal(35_136, TimeAxis.Year(2024).Count);
        Assert.Equal(35_040, TimeAxis.Year(2100).Count);   // not a leap year (divisible by 100, not by 400)
        Assert.Equal(35_136, TimeAxis.Year(2000).Count);
        var axis = TimeAxis.Year(2025);
        Assert.Equal(96, axis.IntervalsPerDay);
        Assert.Equal(new DateTime(2025, 12, 31, 23, 45, 0), axis.TimeAt(axis.Count - 1));
        Assert.Equal(97, axis.IndexOf(new DateTime(2025, 1, 2, 0, 15, 0)));
        Assert.Equal(-1, axis.IndexOf(new DateTime(2025, 1, 2, 0, 10, 0)));
        var week = axis.Window(96 * 7, 96 * 7);
        Assert.Equal(new DateTime(2025, 1, 8), week.Start);
        Assert.Throws<ArgumentOutOfRangeException>(() => axis.Window(35_000, 96));
    }

    [Theory]
    [InlineData(2000, 4, 23)]
    [InlineData(2019, 4, 21)]
    [InlineData(2024, 3, 31)]
    [InlineData(2025, 4, 20)]
    [InlineData(2038, 4, 25)]
    [InlineData(2285, 3, 22)]
    public void Easter_Sunday_on_known_dates(int year, int month, int day) =>
        Assert.Equal(new DateOnly(year, month, day), GermanCalendar.EasterSunday(year));

    [Theory]
    [InlineData(2025, 1, 4, BdewDayType.Saturday)]          // a Saturday
    [InlineData(2025, 1, 5, BdewDayType.SundayOrHoliday)]   // a Sunday
    [InlineData(2025, 1, 6, BdewDayType.Workday)]           // Epiphany: regional, not national
    [InlineData(2025, 1, 1, BdewDayType.SundayOrHoliday)]   // New Year, a Wednesday
    [InlineData(2025, 4, 18, BdewDayType.SundayOrHoliday)]  // Good Friday
    [InlineData(2025, 4, 21, BdewDayType.SundayOrHoliday)]  // Easter Monday
    [InlineData(2025, 5, 1, BdewDayType.SundayOrHoliday)]   // Labour Day, a Thursday
    [InlineData(2025, 5, 29, BdewDayType.SundayOrHoliday)]  // Ascension
    [InlineData(2025, 6, 9, BdewDayType.SundayOrHoliday)]   // Whit Monday
    [InlineData(2025, 10, 3, BdewDayType.SundayOrHoliday)]  // German Unity, a Friday
    [InlineData(2026, 10, 3, BdewDayType.SundayOrHoliday)]  // German Unity on a Saturday: the holiday wins
    [InlineData(2025, 12, 26, BdewDayType.SundayOrHoliday)]
    [InlineData(2025, 12, 24, BdewDayType.Workday)]         // Christmas Eve is not a national holiday
    [InlineData(2024, 2, 29, BdewDayType.Workday)]          // a leap day, Thursday
    public void Day_types_on_known_dates(int year, int month, int day, BdewDayType expected) =>
        Assert.Equal(expected, GermanCalendar.DayType(new DateOnly(year, month, day)));

    [Fact]
    public void The_table_reads_as_published()
    {
        var t = H25.Value;
        Assert.Equal(22.152, t.EnergyKwh(1, BdewDayType.Saturday, 0));
        Assert.Equal(21.911, t.EnergyKwh(12, BdewDayType.Workday, 95));
        // The README: a January working day of h25 sums to 2 476.45 kWh.
        Assert.Equal(2476.45, t.DayEnergyKwh(1, BdewDayType.Workday), 1e-9);
    }

    [Theory]
    [InlineData(2025, 1, 15)]   // Wednesday
    [InlineData(2025, 3, 8)]    // Saturday
    [InlineData(2025, 4, 18)]   // Good Friday
    [InlineData(2025, 8, 17)]   // Sunday
    [InlineData(2024, 2, 29)]   // leap day
    [InlineData(2024, 12, 31)]  // last day of a leap year
    public void A_days_energy_of_the_expanded_profile_equals_the_tables(int year, int month, int day)
    {
        var date = new DateOnly(year, month, day);
        var set = H25.Value.Expand(year);
        int first = set.Axis.IndexOf(date.ToDateTime(TimeOnly.MinValue));
        double sum = 0;
        for (int q = 0; q < 96; q++) sum += set.Profiles[0][first + q];
        Assert.Equal(H25.Value.DayEnergyKwh(month, GermanCalendar.DayType(date)), sum);   // the same figures, summed in the same order
    }

    [Fact]
    public void Expansion_normalised_to_an_annual_energy_sums_to_it_and_keeps_the_shape()
    {
        var raw = H25.Value.Expand(2025).Profiles[0];
        var scaled = H25.Value.Expand(2025, annualEnergyKwh: 3500).Profiles[0];
        Assert.Equal(3500, scaled.Factors.Sum(), 1e-9);
        double ratio = 3500 / raw.Factors.Sum();
        for (int i = 0; i < raw.Count; i += 997) Assert.Equal(raw[i] * ratio, scaled[i], 1e-15);
        // The table is normalised to about 1 000 000 kWh a year (README).
        Assert.InRange(raw.Factors.Sum(), 990_000, 1_010_000);
        Assert.Equal(35_136, H25.Value.Expand(2024).Axis.Count);
    }

    [Fact]
    public void The_shipped_H25_file_is_what_the_converter_writes_from_BDEWs_table()
    {
        string shipped = File.ReadAllText(DataPaths.Of(StudyProfiles.H25File));
        Assert.Equal(StudyProfiles.ConvertBdew(H25Path), shipped);
        var fromProject = StudyProfiles.H25();
        for (int m = 1; m <= 12; m++)
            foreach (var t in Enum.GetValues<BdewDayType>())
                for (int q = 0; q < 96; q++) Assert.Equal(H25.Value.EnergyKwh(m, t, q), fromProject.EnergyKwh(m, t, q));
    }

    [Fact]
    public void Case69s_default_profile_has_its_base_state_at_the_years_peak()
    {
        var network = GridNetwork.Load(FeederSetup.CasePath("case69"));
        var profiles = StudyProfiles.Default(network);
        Assert.Equal(35_040, profiles.Axis.Count);
        Assert.Equal(network.Buses.Count(b => b.PdMw > 0), profiles.Bindings.Count);
        var h = profiles.Set[StudyProfiles.H25Name];
        Assert.Equal(1.0, h.Peak);
        Assert.All(h.Factors, f => Assert.InRange(f, 0.0, 1.0));
        // Every load follows the same profile, so the highest total load is where the factor is 1: the base state.
        int peak = h.Factors.IndexOf(1.0);
        Assert.True(peak >= 0);
    }

    private static string Bdew(Func<string[], string[]> edit) =>
        TestData.TempFile(string.Join("\n", edit(File.ReadAllLines(H25Path))) + "\n", ".csv");

    private static string[] SetCell(string[] lines, int line, int column, string value)
    {
        var copy = lines.ToArray();
        var cells = copy[line - 1].Split(',');
        cells[column - 1] = value;
        copy[line - 1] = string.Join(",", cells);
        return copy;
    }

    [Theory]
    [InlineData(10, 5, "abc", "not a number")]
    [InlineData(20, 7, "-1.5", "negative")]
    [InlineData(30, 2, "NaN", "not a finite number")]
    [InlineData(40, 37, "Infinity", "not a finite number")]
    [InlineData(50, 1, "12:00-12:15", "is not the quarter-hour 11:45-12:00")]
    [InlineData(2, 4, "XX", "not a day type")]
    [InlineData(1, 3, "Januari", "not a German month name")]
    public void Malformed_BDEW_tables_give_located_errors(int line, int column, string value, string problem)
    {
        string path = Bdew(lines => SetCell(lines, line, column, value));
        var e = Assert.Throws<DataFormatException>(() => BdewTable.ReadBdew(path));
        Assert.Equal(line, e.Line);
        Assert.Equal(path, e.File);
        Assert.StartsWith($"column {column}", e.Field);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void A_BDEW_table_missing_a_row_or_with_a_short_row_is_refused()
    {
        // Line 51 (12:00-12:15) dropped: named where it happened, not at the end of the table.
        string missing = Bdew(lines => lines.Where((_, i) => i != 50).ToArray());
        var gap = Assert.Throws<DataFormatException>(() => BdewTable.ReadBdew(missing));
        Assert.Equal(51, gap.Line);
        Assert.Contains("'12:15-12:30' is not the quarter-hour 12:00-12:15; the row of 12:00-12:15 is missing before it", gap.Message);
        string repeated = Bdew(lines => lines.Take(51).Append(lines[50]).Concat(lines.Skip(51)).ToArray());
        var again = Assert.Throws<DataFormatException>(() => BdewTable.ReadBdew(repeated));
        Assert.Equal(52, again.Line);
        Assert.Contains("it repeats the row before", again.Message);
        string lastDropped = Bdew(lines => lines.Take(lines.Length - 1).ToArray());
        Assert.Contains("95 quarter-hour rows", Assert.Throws<DataFormatException>(() => BdewTable.ReadBdew(lastDropped)).Message);
        string shortRow = Bdew(lines => lines.Select((l, i) => i == 11 ? l[..l.LastIndexOf(',')] : l).ToArray());
        Assert.Equal(12, Assert.Throws<DataFormatException>(() => BdewTable.ReadBdew(shortRow)).Line);
        string twice = Bdew(lines => SetCell(lines, 2, 3, "SA"));
        Assert.Contains("appears twice", Assert.Throws<DataFormatException>(() => BdewTable.ReadBdew(twice)).Message);
    }

    [Fact]
    public void A_row_missing_from_the_projects_BDEW_format_is_named_at_the_line_where_it_belongs()
    {
        string shipped = StudyProfiles.ConvertBdew(H25Path);
        var lines = shipped.Split('\n');
        int header = Array.FindIndex(lines, l => !l.StartsWith('#'));
        int dropped = header + 1 + 3 * 96 + 96 + 8;   // month 2, FT, 02:00 (rows: month, day type SA/FT/WT, quarter-hour)
        Assert.StartsWith("2,FT,02:00,", lines[dropped]);
        string path = TestData.TempFile(string.Join("\n", lines.Where((_, i) => i != dropped)), ".csv");
        var e = Assert.Throws<DataFormatException>(() => BdewTable.ReadProject(path, "h25"));
        Assert.Equal(dropped + 1, e.Line);   // the next row, 2 FT 02:15, now sits on the dropped row's line
        Assert.Equal("time", e.Field);
        Assert.Contains("month 2 FT 02:00 is missing (expected before this row, month 2 FT 02:15)", e.Message);

        string lastDropped = TestData.TempFile(string.Join("\n", lines.Where(l => !l.StartsWith("12,WT,23:45,", StringComparison.Ordinal))), ".csv");
        var end = Assert.Throws<DataFormatException>(() => BdewTable.ReadProject(lastDropped, "h25"));
        Assert.Contains("month 12 WT 23:45 is missing (expected after the last row)", end.Message);
        Assert.True(end.Line > 3 * 12 * 96, $"line {end.Line}");
    }

    private const string Plain = "# my feeder\ntime,house,pv\n2025-06-01T00:00,0.5,0\n2025-06-01T00:15,0.25,0\n2025-06-01T00:30,0.75,0.1\n";

    [Fact]
    public void Plain_csv_round_trips()
    {
        var set = ProfileCsv.Parse(Plain, "mine.csv");
        Assert.Equal(new TimeAxis(new DateTime(2025, 6, 1), TimeAxis.QuarterHour, 3), set.Axis);
        Assert.Equal([0.5, 0.25, 0.75], set["house"].Factors.ToArray());
        Assert.Equal(0.1, set["pv"][2]);
        var again = ProfileCsv.Parse(ProfileCsv.Format(set, ["my feeder"]), "again.csv");
        Assert.Equal(ProfileCsv.Format(set, ["my feeder"]), ProfileCsv.Format(again, ["my feeder"]));
        // Hourly data: the step comes from the first two rows.
        var hourly = ProfileCsv.Parse("time,a\n2025-01-01T00:00:00,1\n2025-01-01T01:00:00,2\n", "h.csv");
        Assert.Equal(TimeSpan.FromHours(1), hourly.Axis.Step);
    }

    [Theory]
    [InlineData("2025-06-01T00:45", "0.75", 5, "time", "leaves a gap")]
    [InlineData("2025-06-01T00:15", "0.75", 5, "time", "repeats")]
    [InlineData("2025-06-01T00:00", "0.75", 5, "time", "goes back")]
    [InlineData("2025-06-01 00:30:00x", "0.75", 5, "time", "not an ISO 8601 time")]
    [InlineData("2025-06-01T00:30", "-0.5", 5, "house", "negative")]
    [InlineData("2025-06-01T00:30", "NaN", 5, "house", "not a finite number")]
    [InlineData("2025-06-01T00:30", "lots", 5, "house", "not a number")]
    public void Malformed_plain_csv_gives_located_errors(string time, string factor, int line, string column, string problem)
    {
        string text = Plain.Replace("2025-06-01T00:30,0.75", $"{time},{factor}");
        var e = Assert.Throws<DataFormatException>(() => ProfileCsv.Parse(text, "mine.csv"));
        Assert.Equal(("mine.csv", line, column), (e.File, e.Line, e.Field));
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Profile_sets_refuse_wrong_lengths_and_bindings_to_unknown_profiles()
    {
        var axis = new TimeAxis(new DateTime(2025, 1, 1), TimeAxis.QuarterHour, 2);
        Assert.Throws<ArgumentException>(() => new ProfileSet(axis, [new Profile("a", [1.0])]));
        Assert.Throws<ArgumentException>(() => new ProfileSet(axis, [new Profile("a", [1.0, double.NaN])]));
        var flat = ProfileSet.Flat(axis);
        Assert.Throws<ArgumentException>(() => new FeederProfiles(flat, [new ProfileBinding(ProfileElementKind.Load, "5", 5, "nope")], "test"));
    }
}
