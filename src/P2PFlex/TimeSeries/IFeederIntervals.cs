using P2PFlex.Scenarios;

namespace P2PFlex.TimeSeries;

/// <summary>
/// A feeder's study inputs in every interval of its profiles: what <see cref="TimeSeriesRunner"/>, <see cref="WPolicy"/>
/// and <see cref="TimeSeriesWindow"/> need of a feeder, whatever grid it is. Two kinds implement it: a MATPOWER feeder
/// under load profiles (<see cref="IntervalStates"/>) and a SimBench grid under its own profiles
/// (<see cref="SimBenchIntervals"/>). An interval's inputs must be a pure function of <see cref="FactorsAt"/>: the
/// runner reuses the outcome of an earlier interval with bit-equal factors.
/// </summary>
public interface IFeederIntervals
{
    /// <summary>The feeder's name, as written in every row and summary.</summary>
    string FeederName { get; }

    /// <summary>The profiles' time axis.</summary>
    TimeAxis Axis { get; }

    /// <summary>The profiles driving the intervals (their digest names the run).</summary>
    FeederProfiles Profiles { get; }

    /// <summary>Every factor that shapes an interval's inputs, in a fixed order (the interval's state key).</summary>
    double[] FactorsAt(int interval);

    /// <summary>The study's inputs in an interval (loading states, limits, orderbook, P2P subset).</summary>
    StudyContext At(int interval);

    /// <summary>The feeder's total active load in an interval, MW (the representative window holds its maximum).</summary>
    double TotalLoadMwAt(int interval);
}
