namespace P2PFlex.TimeSeries;

/// <summary>The BDEW standard load profiles' day types (columns SA, FT, WT of the tables).</summary>
public enum BdewDayType
{
    /// <summary>SA: a Saturday that is not a holiday.</summary>
    Saturday,
    /// <summary>FT (Feiertag): a Sunday or a German national holiday.</summary>
    SundayOrHoliday,
    /// <summary>WT (Werktag): Monday to Friday, not a holiday.</summary>
    Workday,
}

/// <summary>
/// The German national public holidays (those of every federal state) and the BDEW day type of a date. Fixed:
/// New Year (1 Jan), Labour Day (1 May), German Unity (3 Oct), Christmas (25 and 26 Dec); Easter-based: Good Friday
/// (Easter − 2), Easter Monday (+1), Ascension (+39), Whit Monday (+50). Regional holidays (Epiphany, Corpus Christi,
/// Reformation Day, …) and the one-off nationwide Reformation Day of 2017 are not national and stay working days.
/// </summary>
public static class GermanCalendar
{
    /// <summary>Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, Meeus/Jones/Butcher).</summary>
    public static DateOnly EasterSunday(int year)
    {
        if (year < 1583 || year > 9999) throw new ArgumentOutOfRangeException(nameof(year), $"year {year} is outside the Gregorian calendar's range 1583–9999");
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
        int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
        int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
        int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
        return new DateOnly(year, month, day);
    }

    /// <summary>The national holidays of a year, in date order.</summary>
    public static IReadOnlyList<DateOnly> NationalHolidays(int year)
    {
        var easter = EasterSunday(year);
        DateOnly[] days =
        [
            new(year, 1, 1), easter.AddDays(-2), easter.AddDays(1), new(year, 5, 1), easter.AddDays(39), easter.AddDays(50),
            new(year, 10, 3), new(year, 12, 25), new(year, 12, 26),
        ];
        return days.Order().ToArray();
    }

    public static bool IsNationalHoliday(DateOnly date) => NationalHolidays(date.Year).Contains(date);

    /// <summary>
    /// The BDEW day type of a date: a national holiday or a Sunday is FT, a Saturday SA (the tables have a Saturday
    /// column of their own), every other day WT.
    /// </summary>
    public static BdewDayType DayType(DateOnly date) =>
        date.DayOfWeek == DayOfWeek.Sunday || IsNationalHoliday(date) ? BdewDayType.SundayOrHoliday
        : date.DayOfWeek == DayOfWeek.Saturday ? BdewDayType.Saturday
        : BdewDayType.Workday;
}
