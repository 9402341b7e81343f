using System.Runtime.InteropServices;

namespace P2PFlex.Markets.Lfm;

/// <summary>
/// S = H · A, where A is the bus-by-bid incidence with +1 for up and −1 for down bids: the flow change on
/// each line per MW of each bid's activation. Computed once per clearing so every LP row is just the
/// non-zeros of one row of S (no per-row matrix product, no bus-balance variables), stored row-wise
/// (compressed sparse rows) in line order and, within a row, bid order — a fixed order keeps the LP and
/// the flow sums bit-for-bit reproducible.
/// </summary>
internal sealed class LineBidSensitivity
{
    private readonly int[] _rowStart;
    private readonly int[] _bidIndex;
    private readonly double[] _mwPerMw;

    private LineBidSensitivity(int lineCount, int[] rowStart, int[] bidIndex, double[] mwPerMw)
    {
        LineCount = lineCount;
        _rowStart = rowStart;
        _bidIndex = bidIndex;
        _mwPerMw = mwPerMw;
    }

    /// <summary>Number of lines (rows).</summary>
    public int LineCount { get; }

    /// <summary>
    /// PTDF entries smaller than this (MW per MW) are rounding noise of the PTDF's linear solves (a radial feeder's
    /// entries are exactly 0 or −1; solves leave ~1e-15): kept, they give GLOP badly scaled rows and it can end
    /// ABNORMAL on near-infeasible markets.
    /// </summary>
    public const double NoiseMwPerMw = 1e-12;

    /// <summary>Number of non-zeros of S.</summary>
    public int EntryCount => _rowStart[LineCount];

    /// <summary>Builds S for a validated problem (non-zeros counted first, so the arrays are filled once).</summary>
    public static LineBidSensitivity Build(LfmProblem problem)
    {
        var ptdf = problem.PtdfMwPerMw;
        int lines = ptdf.GetLength(0);
        var bids = problem.Bids;
        var busOfBid = new int[bids.Count];
        for (int b = 0; b < busOfBid.Length; b++) busOfBid[b] = bids[b].BusIndex;
        int entries = 0;
        for (int l = 0; l < lines; l++)
        {
            var row = Row(ptdf, l);
            for (int b = 0; b < busOfBid.Length; b++)
            {
                if (Math.Abs(row[busOfBid[b]]) > NoiseMwPerMw) entries++;
            }
        }

        var rowStart = new int[lines + 1];
        var bidIndex = new int[entries];
        var mwPerMw = new double[entries];
        int at = 0;
        for (int l = 0; l < lines; l++)
        {
            rowStart[l] = at;
            var row = Row(ptdf, l);
            for (int b = 0; b < busOfBid.Length; b++)
            {
                double h = row[busOfBid[b]];
                if (Math.Abs(h) > NoiseMwPerMw)
                {
                    bidIndex[at] = b;
                    mwPerMw[at++] = bids[b].Direction == BidDirection.Up ? h : -h;
                }
            }
        }

        rowStart[lines] = at;
        return new LineBidSensitivity(lines, rowStart, bidIndex, mwPerMw);
    }

    /// <summary>Row <paramref name="line"/> of a lines × buses array (stored row-major in one block).</summary>
    private static ReadOnlySpan<double> Row(double[,] ptdf, int line) =>
        MemoryMarshal.CreateReadOnlySpan(ref ptdf[line, 0], ptdf.GetLength(1));

    /// <summary>Bid indices of the non-zeros of line <paramref name="line"/>'s row, ascending.</summary>
    public ReadOnlySpan<int> RowBidIndices(int line) =>
        _bidIndex.AsSpan(_rowStart[line], _rowStart[line + 1] - _rowStart[line]);

    /// <summary>MW of flow per MW of activation for the entries of <see cref="RowBidIndices"/>.</summary>
    public ReadOnlySpan<double> RowMwPerMw(int line) =>
        _mwPerMw.AsSpan(_rowStart[line], _rowStart[line + 1] - _rowStart[line]);

    /// <summary>Post-activation flows f⁰ + S x, summed in bid order.</summary>
    public double[] Flows(double[] baseFlowMw, double[] activationMw)
    {
        var flows = new double[LineCount];
        for (int l = 0; l < LineCount; l++)
        {
            double f = baseFlowMw[l];
            for (int i = _rowStart[l]; i < _rowStart[l + 1]; i++)
            {
                f += _mwPerMw[i] * activationMw[_bidIndex[i]];
            }

            flows[l] = f;
        }

        return flows;
    }
}
