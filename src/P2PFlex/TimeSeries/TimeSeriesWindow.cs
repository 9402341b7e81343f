using System.Globalization;

namespace P2PFlex.TimeSeries;

/// <summary>The length of a time-series window.</summary>
public enum WindowKind { Day, Week, Year }

/// <summary>Choosing a window of a profile axis: a day, a week or the whole axis, from a start date or, by default, the
/// representative one (the day or Monday-to-Sunday week holding the interval of the highest total load).</summary>
public static class TimeSeriesWindow
{
    public static WindowKind Parse(string text) => text.ToLowerInvariant() switch
    {
        "day" => WindowKind.Day,
        "week" => WindowKind.Week,
        "year" => WindowKind.Year,
        _ => throw new ArgumentException($"window '{text}' is not day, week or year"),
    };

    /// <summary>Interval of the highest total load (<see cref="IFeederIntervals.TotalLoadMwAt"/>; the first on a tie).</summary>
    public static int PeakInterval(IFeederIntervals states)
    {
        int best = 0;
        double bestLoad = double.NegativeInfinity;
        for (int t = 0; t < states.Axis.Count; t++)
        {
            double load = states.TotalLoadMwAt(t);
            if (load > bestLoad) { bestLoad = load; best = t; }
        }
        return best;
    }

    /// <summary>(first, count) of a window on the axis: from <paramref name="start"/> when given, else the representative
    /// day or week (containing <paramref name="peak"/>); a year is the whole axis. Clipped to the axis.</summary>
    public static (int First, int Count) Resolve(TimeAxis axis, WindowKind kind, DateOnly? start, int peak)
    {
        if (kind == WindowKind.Year) return (0, axis.Count);
        int perDay = axis.IntervalsPerDay;
        int length = kind == WindowKind.Day ? perDay : 7 * perDay;
        int first;
        if (start is DateOnly s)
        {
            first = axis.IndexOf(s.ToDateTime(TimeOnly.MinValue));
            if (first < 0) throw new ArgumentException($"{s.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} is not a day start on the profiles' axis ({axis})");
        }
        else
        {
            var day = DateOnly.FromDateTime(axis.TimeAt(peak));
            if (kind == WindowKind.Week) day = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));   // back to Monday
            first = Math.Max(0, axis.IndexOf(day.ToDateTime(TimeOnly.MinValue)));
        }
        return (first, Math.Min(length, axis.Count - first));
    }
}
