using System.Diagnostics;

namespace P2PFlex.Scenarios;

/// <summary>
/// How long each stage of one scenario run took, in seconds of wall-clock time on the thread that ran it: the peers'
/// market (the design's clearing, <c>p2p_seconds</c>), the LFM (<c>lfm_seconds</c>) and the AC check of both states
/// (<c>ac_check_seconds</c>, null when the run skipped it). These are the only values of a result that are NOT
/// deterministic: they change from run to run and machine to machine, so every bit-identity check (shard merges,
/// <c>rows_sha256</c> digests, export bytes) leaves them out. They make a slow scenario file visible in the Monte Carlo
/// and time-series rows without a profiler.
/// </summary>
public sealed record StageTimings(double P2PSeconds, double LfmSeconds, double? AcCheckSeconds)
{
    /// <summary>The timing columns of the Monte Carlo and time-series files, in order.</summary>
    public static readonly string[] Columns = ["p2p_seconds", "lfm_seconds", "ac_check_seconds"];

    /// <summary>The values in <see cref="Columns"/> order (all null when there are no timings).</summary>
    public static double?[] Values(StageTimings? t) => t is null ? new double?[Columns.Length] : [t.P2PSeconds, t.LfmSeconds, t.AcCheckSeconds];

    /// <summary>Timings from values in <see cref="Columns"/> order (null when the stages were not timed, e.g. an error row).</summary>
    public static StageTimings? From(double? p2p, double? lfm, double? ac) =>
        p2p is double p && lfm is double l ? new StageTimings(p, l, ac) : null;

    /// <summary>Seconds since a <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public static double SecondsSince(long start) => Stopwatch.GetElapsedTime(start).TotalSeconds;
}
