using System.Globalization;

namespace P2PFlex.TimeSeries;

/// <summary>
/// The time axis of a profile set: interval i starts at <see cref="Start"/> + i·<see cref="Step"/>. Times are the
/// profiles' own wall-clock times without a UTC offset (BDEW and SimBench tables are written in local standard
/// time; no daylight-saving shifts are applied, so every day of a year has 96 quarter-hours).
/// </summary>
public sealed record TimeAxis
{
    /// <summary>The study's interval, the quarter-hour of the German balancing and settlement market.</summary>
    public static readonly TimeSpan QuarterHour = TimeSpan.FromMinutes(15);

    /// <summary>Axis of <paramref name="count"/> intervals of length <paramref name="step"/> from <paramref name="start"/>.</summary>
    public TimeAxis(DateTime start, TimeSpan step, int count)
    {
        if (step <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(step), $"the step must be positive, is {step}");
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), $"the number of intervals must not be negative, is {count}");
        if (TimeSpan.FromDays(1).Ticks % step.Ticks != 0 && step < TimeSpan.FromDays(1))
            throw new ArgumentOutOfRangeException(nameof(step), $"the step {step} does not divide a day");
        Start = DateTime.SpecifyKind(start, DateTimeKind.Unspecified);
        Step = step;
        Count = count;
    }

    public DateTime Start { get; }
    public TimeSpan Step { get; }
    public int Count { get; }

    /// <summary>Step in hours (the energy of an interval is its mean power × this).</summary>
    public double StepHours => Step.TotalHours;

    /// <summary>Start of interval i.</summary>
    public DateTime TimeAt(int i) => Start + Step * i;

    /// <summary>End of the last interval (exclusive).</summary>
    public DateTime End => Start + Step * Count;

    /// <summary>Intervals per day (96 at 15 min).</summary>
    public int IntervalsPerDay => (int)(TimeSpan.FromDays(1).Ticks / Step.Ticks);

    /// <summary>Index of the interval starting exactly at <paramref name="time"/>, or −1.</summary>
    public int IndexOf(DateTime time)
    {
        long ticks = (time - Start).Ticks;
        if (ticks < 0 || ticks % Step.Ticks != 0) return -1;
        long i = ticks / Step.Ticks;
        return i < Count ? (int)i : -1;
    }

    /// <summary>The sub-axis of intervals [first, first + count).</summary>
    public TimeAxis Window(int first, int count)
    {
        if (first < 0 || count < 0 || first + count > Count)
            throw new ArgumentOutOfRangeException(nameof(first), $"window [{first}, {first + count}) is outside the axis's {Count} intervals");
        return new TimeAxis(TimeAt(first), Step, count);
    }

    /// <summary>Every interval of a calendar year (35 040 quarter-hours, 35 136 in a leap year).</summary>
    public static TimeAxis Year(int year, TimeSpan? step = null)
    {
        var s = step ?? QuarterHour;
        var start = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return new TimeAxis(start, s, (int)((start.AddYears(1) - start).Ticks / s.Ticks));
    }

    /// <summary>ISO 8601 text of a time as the plain profile CSV writes it (<c>2025-01-01T00:15</c>).</summary>
    public static string Format(DateTime time) => time.ToString(time.Second == 0 ? "yyyy-MM-dd'T'HH:mm" : "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    public override string ToString() => $"{Format(Start)} + {Count} × {Step}";
}
