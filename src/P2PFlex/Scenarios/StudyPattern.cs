using System.Globalization;
using P2PFlex.Markets.Lfm;

namespace P2PFlex.Scenarios;

/// <summary>One check of the study's pattern: which scenario is better or worse, and by roughly what factor.</summary>
public sealed record PatternCheck(string Id, string Scenario, string Description, bool Holds, string Measured);

/// <summary>
/// The pattern of the study's Table 8 that a faithful reimplementation must show (the study's data were never
/// published, so the digits cannot be reproduced — the relations can). The twelve checks of the markets issue.
/// </summary>
public static class StudyPattern
{
    /// <summary>What <see cref="PatternCheck.Measured"/> says when a scenario the check needs is missing.</summary>
    public const string NotComputable = "scenario missing or not computable";

    /// <summary>The ids of the twelve checks, in order.</summary>
    public static readonly string[] CheckIds =
        ["0-congestions", "0-lfm", "1-congestions", "1-cost", "1-story", "0p", "1p", "1pp", "2-congestions", "2-cost-volume", "3-theta100", "3-theta80"];

    /// <summary>
    /// Evaluates the checks on the results of one feeder. Feeder-specific figures come from the feeder's documented
    /// setup (<see cref="Data.FeederSetup"/>): its pinned base congestions (case69: 44–45 and 12–68) and the range
    /// that counts as "about half the lines" congested in 0′ (case69: 31–37 of 68).
    /// </summary>
    public static IReadOnlyList<PatternCheck> Evaluate(IReadOnlyDictionary<string, ScenarioResult> r)
    {
        var any = r.Values.FirstOrDefault();
        var setup = any is null ? Data.FeederSetup.Case69 : Data.FeederSetup.For(any.Feeder.Network, any.Feeder.Ptdf);
        var pinned = setup.BaseCongestions;
        // Without results (a summary asking for the descriptions) the text names the rule rather than lines.
        string pinnedText = any is null
            ? "pinned by the feeder's rule"
            : string.Join(" and ", pinned.Select(b => any.Feeder.Network.Branches[any.Feeder.Network.PositionOfBranch(b)].Name));
        var checks = new List<PatternCheck>();
        var ci = CultureInfo.InvariantCulture;
        string F(double v) => v.ToString("G4", ci);
        void Add(string id, string scenario, string description, Func<bool> holds, Func<string> measured)
        {
            bool ok;
            string text;
            try { ok = holds(); text = measured(); }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException) { ok = false; text = NotComputable; }
            checks.Add(new PatternCheck(id, scenario, description, ok, text));
        }
        double Cost(string s) => r[s].LfmCostEur ?? double.NaN;
        int Cong(string s) => r[s].BeforeLfm.CongestedLineCount;
        double Vol(string s) => r[s].P2PVolumeMw;

        Add("0-congestions", "0", $"exactly the two congested lines: {pinnedText}",
            () => r["0"].BeforeLfm.CongestedLines.SequenceEqual(pinned), () => $"congested lines {string.Join(", ", r["0"].BeforeLfm.CongestedLines)}");
        Add("0-lfm", "0", "LFM feasible at a small cost", () => r["0"].Lfm.Status == LfmStatus.Optimal && Cost("0") > 0,
            () => $"{r["0"].Lfm.Status}, {F(Cost("0"))} EUR");
        Add("1-congestions", "1", "at least 4x as many congested lines as scenario 0", () => Cong("1") >= 4 * Cong("0"),
            () => $"{Cong("1")} vs {Cong("0")}");
        Add("1-cost", "1", "LFM at least 5x as costly as scenario 0", () => Cost("1") >= 5 * Cost("0"), () => $"{F(Cost("1") / Cost("0"))}x");
        Add("1-story", "1", "the two original congestions are relieved by the trades while others appear",
            () => !r["1"].BeforeLfm.CongestedLines.Intersect(pinned).Any() && Cong("1") > 0,
            () => $"congested lines {string.Join(", ", r["1"].BeforeLfm.CongestedLines)}");
        Add("0p", "0p", "about half the lines congested, LFM feasible but far costlier than scenario 0",
            () => Cong("0p") >= setup.ExtremeCongestedLow && Cong("0p") <= setup.ExtremeCongestedHigh && r["0p"].Lfm.Status == LfmStatus.Optimal && Cost("0p") >= 10 * Cost("0"),
            () => $"{Cong("0p")} congested, {r["0p"].Lfm.Status}, {F(Cost("0p") / Cost("0"))}x scenario 0");
        Add("1p", "1p", "more congested lines than 0′ and an infeasible LFM",
            () => Cong("1p") > Cong("0p") && r["1p"].Lfm.Status == LfmStatus.Infeasible,
            () => $"{Cong("1p")} vs {Cong("0p")} congested, LFM {r["1p"].Lfm.Status}");
        Add("1pp", "1pp", "no congested line after the P2P market, LFM cost 0", () => Cong("1pp") == 0 && Cost("1pp") == 0,
            () => $"{Cong("1pp")} congested, {F(Cost("1pp"))} EUR");
        Add("2-congestions", "2", "no line congested that was not congested in scenario 0",
            () => !r["2"].BeforeLfm.CongestedLines.Except(r["0"].BeforeLfm.CongestedLines).Any(),
            () => $"congested lines {string.Join(", ", r["2"].BeforeLfm.CongestedLines)}");
        Add("2-cost-volume", "2", "LFM cost at most 5 % above scenario 0, traded volume 30–60 % of scenario 1",
            () => Cost("2") <= 1.05 * Cost("0") && Vol("2") / Vol("1") is >= 0.30 and <= 0.60,
            () => $"cost {F(Cost("2") / Cost("0"))}x scenario 0, volume {F(100 * Vol("2") / Vol("1"))} % of scenario 1");
        Add("3-theta100", "3-theta100", "LFM cost within 5 % of scenario 1 (little effect)",
            () => Math.Abs(Cost("3-theta100") / Cost("1") - 1) <= 0.05, () => $"{F(100 * Cost("3-theta100") / Cost("1"))} % of scenario 1");
        Add("3-theta80", "3-theta80", "LFM cost 35–65 % and volume 35–60 % of scenario 1",
            () => Cost("3-theta80") / Cost("1") is >= 0.35 and <= 0.65 && Vol("3-theta80") / Vol("1") is >= 0.35 and <= 0.60,
            () => $"cost {F(100 * Cost("3-theta80") / Cost("1"))} %, volume {F(100 * Vol("3-theta80") / Vol("1"))} % of scenario 1");
        return checks;
    }
}
