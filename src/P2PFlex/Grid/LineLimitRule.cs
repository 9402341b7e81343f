using System.Text;
using P2PFlex.IO;
using P2PFlex.Numerics;

namespace P2PFlex.Grid;

/// <summary>A line the rule gives a fixed base-state overflow, to place the study's congestions.</summary>
public sealed record PinnedOverflow(int CaseIndex, double OverflowMw);

/// <summary>A band of target base loadings and how many lines get one from it.</summary>
public sealed record LoadingStratum(int LineCount, double LowLoading, double HighLoading);

/// <summary>
/// Parameters of the rule that derives line limits from the base DC flows (the study chose its limits "based on
/// initial power flow calculations" without publishing them). Every line that is not pinned gets a target base
/// loading ρ: the lines are shuffled with a seeded stream and dealt to the strata in order, then ρ is drawn
/// uniformly within the line's stratum; the limit is |base flow| / ρ. Lines whose base flow is below
/// <see cref="MinimumLimitMw"/> get that minimum as their limit (or, if that would load them above the lowest stratum,
/// the limit at 0.999 × its top) and fill places of the lowest stratum first.
/// </summary>
/// <param name="Seed">Seed of the <see cref="SplitMix64"/> stream that shuffles the lines and draws ρ.</param>
/// <param name="Strata">Loading bands; their line counts add up to the number of lines that are not pinned.</param>
/// <param name="MinimumLimitMw">No limit is set below this, so that lines at the end of laterals carrying a few kW
/// do not flip to congested on tiny trades.</param>
/// <param name="Pinned">Lines that are congested in the base state, with their base overflow.</param>
public sealed record LineLimitRule(ulong Seed, IReadOnlyList<LoadingStratum> Strata, double MinimumLimitMw, IReadOnlyList<PinnedOverflow> Pinned)
{
    /// <summary>
    /// The rule behind <c>data/limits/case69_line_limits.csv</c>, calibrated to the figures the study states for its
    /// base state: 17 lines at or above 80 % loading (the at-risk set of scenario 3 with θ = 0.8), 41 of 68 above
    /// 60 % (60.29 %), an average near 65 %, and exactly two congested lines, 44–45 and 12–68 (branches 44 and 67),
    /// each overflowing by 0.02 MW (the study's overflow sum 0.04 MW and average 0.02 MW). So: the two pinned lines,
    /// 15 lines with ρ in [0.80, 0.97), 24 in [0.60, 0.80), 27 in [0.25, 0.60); limits no lower than 0.012 MW.
    /// </summary>
    public static LineLimitRule Case69Study { get; } = new(20221130,
        [new LoadingStratum(27, 0.25, 0.60), new LoadingStratum(24, 0.60, 0.80), new LoadingStratum(15, 0.80, 0.97)],
        0.012,
        [new PinnedOverflow(44, 0.02), new PinnedOverflow(67, 0.02)]);

    /// <summary>One row of the derived table.</summary>
    public sealed record Row(int CaseIndex, int FromBus, int ToBus, double BaseFlowMw, double TargetLoading, double LimitMw);

    /// <summary>Derives the limits from the base DC flows of a network.</summary>
    public IReadOnlyList<Row> Derive(GridNetwork network, Ptdf ptdf)
    {
        foreach (var s in Strata)
            if (!(s.LowLoading > 0) || !(s.HighLoading > s.LowLoading) || s.LineCount < 0)
                throw new ArgumentException($"loading stratum [{s.LowLoading}, {s.HighLoading}) with {s.LineCount} lines is not valid");
        var flows = ptdf.Flows(network.BaseInjectionMw);
        var free = new List<int>();
        int tiny = 0;
        for (int l = 0; l < flows.Length; l++)
        {
            if (Pinned.Any(p => p.CaseIndex == network.Branches[l].CaseIndex)) continue;
            if (Math.Abs(flows[l]) < MinimumLimitMw) tiny++; else free.Add(l);
        }
        if (free.Count + tiny != Strata.Sum(s => s.LineCount))
            throw new ArgumentException($"the strata hold {Strata.Sum(s => s.LineCount)} lines but {free.Count + tiny} lines are not pinned");
        if (Strata.Count == 0 || tiny > Strata[0].LineCount)
            throw new ArgumentException($"{tiny} lines carry less than the minimum limit, more than the lowest stratum holds");

        // Seeded Fisher–Yates shuffle of the free lines, then deal them to the strata in order.
        var random = new SplitMix64(Seed);
        for (int i = free.Count - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (free[i], free[j]) = (free[j], free[i]);
        }
        var target = new double[flows.Length];
        int next = 0;
        for (int s = 0; s < Strata.Count; s++)
        {
            var stratum = Strata[s];
            int places = s == 0 ? stratum.LineCount - tiny : stratum.LineCount; // tiny lines take lowest places
            for (int k = 0; k < places; k++)
                target[free[next++]] = random.NextUniform(stratum.LowLoading, stratum.HighLoading);
        }

        var rows = new Row[flows.Length];
        for (int l = 0; l < flows.Length; l++)
        {
            var br = network.Branches[l];
            double flow = Math.Abs(flows[l]);
            var pinned = Pinned.FirstOrDefault(p => p.CaseIndex == br.CaseIndex);
            double limit;
            if (pinned is not null)
            {
                if (!(pinned.OverflowMw < flow))
                    throw new ArgumentException($"branch {br.CaseIndex} carries {flow} MW, less than its pinned overflow {pinned.OverflowMw} MW");
                limit = flow - pinned.OverflowMw;
            }
            else if (flow < MinimumLimitMw)
            {
                // A tiny line takes a place of the lowest stratum: if the minimum limit would load it above that
                // stratum (|f| close to the minimum), its limit puts it just inside instead, at 0.999 × the stratum's top
                // (case69's tiny lines, 51–52 and 34–35, stay at the minimum).
                limit = Math.Max(MinimumLimitMw, flow / (0.999 * Strata[0].HighLoading));
            }
            else
            {
                limit = Math.Max(flow / target[l], MinimumLimitMw);
            }
            rows[l] = new Row(br.CaseIndex, br.FromBus, br.ToBus, flows[l], flow / limit, limit);
        }
        return rows;
    }

    /// <summary>CSV text of the derived limits, with a provenance header (read back by <see cref="LineLimits.Read"/>).</summary>
    public string ToCsv(GridNetwork network, Ptdf ptdf)
    {
        var rows = Derive(network, ptdf);
        var sb = new StringBuilder();
        sb.Append("# Line limits for ").Append(network.Name).Append(" (MW, |DC flow| <= limit_mw), derived from the base DC flows\n");
        sb.Append("# by P2PFlex.Grid.LineLimitRule (regenerate: p2pflex data generate). Rule: limit = max(|base_flow| / rho, ")
          .Append(CsvTable.Format(MinimumLimitMw)).Append(" MW);\n# lines with |base_flow| below that minimum take places of the lowest stratum")
          .Append(rows.Any(r => r.LimitMw > MinimumLimitMw && Math.Abs(r.BaseFlowMw) < MinimumLimitMw) ? " (limit = max(minimum, |base_flow| / (0.999 x its top)))" : "")
          .Append(";\n");
        sb.Append("# rho drawn per line from strata ").Append(string.Join(", ", Strata.Select(s => $"{s.LineCount} lines in [{CsvTable.Format(s.LowLoading)}, {CsvTable.Format(s.HighLoading)})")))
          .Append(",\n# lines dealt to strata by a Fisher-Yates shuffle with SplitMix64(seed ").Append(Seed).Append(");\n");
        sb.Append("# pinned base overflows: ").Append(string.Join("; ", Pinned.Select(p => $"branch {p.CaseIndex} limit = |base_flow| - {CsvTable.Format(p.OverflowMw)} MW")))
          .Append(". target_loading = |base_flow| / limit.\n");
        sb.Append("index,from_bus,to_bus,base_flow_mw,target_loading,limit_mw\n");
        foreach (var r in rows)
            sb.Append(r.CaseIndex).Append(',').Append(r.FromBus).Append(',').Append(r.ToBus).Append(',')
              .Append(CsvTable.Format(r.BaseFlowMw)).Append(',').Append(CsvTable.Format(r.TargetLoading)).Append(',')
              .Append(CsvTable.Format(r.LimitMw)).Append('\n');
        return sb.ToString();
    }
}
