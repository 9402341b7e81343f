namespace P2PFlex.Markets.Lfm;

/// <summary>
/// Direction of a flexibility bid, seen from the grid as a change of net injection at the bid's bus.
/// </summary>
/// <remarks>
/// The LFM only needs the sign of the injection change, not the kind of asset: a generator
/// producing more and a load consuming less are both <see cref="Up"/>, so one enum covers both.
/// </remarks>
public enum BidDirection
{
    /// <summary>More net injection at the bus (generate more or consume less).</summary>
    Up,

    /// <summary>Less net injection at the bus (generate less or consume more).</summary>
    Down,
}

/// <summary>
/// One flexibility offer to the distribution system operator: up to <paramref name="VolumeMw"/> of
/// injection change in <paramref name="Direction"/> at bus <paramref name="BusIndex"/>, paid
/// <paramref name="PriceEurPerMwh"/> per activated MWh. The bid is divisible (any activation
/// between 0 and the volume is acceptable), which is what keeps the market a linear program.
/// </summary>
/// <param name="Id">Unique, non-empty identifier; results are reported per id.</param>
/// <param name="BusIndex">Zero-based column index into the PTDF matrix.</param>
/// <param name="Direction">Sign of the injection change.</param>
/// <param name="VolumeMw">Largest activation, MW, finite and ≥ 0.</param>
/// <param name="PriceEurPerMwh">Activation price, €/MWh, finite (may be negative).</param>
public sealed record FlexBid(
    string Id,
    int BusIndex,
    BidDirection Direction,
    double VolumeMw,
    double PriceEurPerMwh);
