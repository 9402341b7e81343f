using P2PFlex.Markets.Lfm;

namespace P2PFlex.Markets.Orderbook;

/// <summary>
/// A flexibility bid of the study's orderbook. Up = more injection (generate more or consume less),
/// Down = less injection. The bus is a bus number of the case file.
/// </summary>
public sealed record FlexibilityBid(string Id, int Bus, BidDirection Direction, double VolumeMw, double PriceEurPerMwh);
