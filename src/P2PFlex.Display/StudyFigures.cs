using System.Globalization;
using Plotly.NET;
using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Scenarios;

namespace P2PFlex.Display;

/// <summary>
/// One figure of the study as a file: what <c>p2pflex figures</c> writes and where the notebooks draw it.
/// </summary>
/// <param name="Id">File stem, named after the figure and the scenario (e.g. <c>fig22-occupancy-scenario-1-vs-0</c>).</param>
/// <param name="Title">The chart's title, as in the notebook.</param>
/// <param name="StudyFigureNumber">The deliverable's figure number (19–25); null for the charts the study does not have.</param>
/// <param name="Scenarios">The scenarios the figure shows (names of <c>data/scenarios/</c>).</param>
/// <param name="Notebook">The notebook that draws it (file name in <c>notebooks/</c>).</param>
/// <param name="CellId">The id of the notebook cell that draws it.</param>
public sealed record StudyFigure(string Id, string Title, int? StudyFigureNumber, IReadOnlyList<string> Scenarios, string Notebook, string CellId);

/// <summary>
/// The scenario runs the figures need, computed once and on demand (a figure of scenario 0 does not run the W sweep).
/// The parameters of scenario 3 are those of the study (W = 0.2, θ = 0.8), the defaults of notebook 05.
/// </summary>
public sealed class StudyFigureData
{
    private readonly Dictionary<string, ScenarioResult> _runs = new(StringComparer.Ordinal);
    private readonly Lazy<GridCheckResult> _baseCheck;
    private readonly Lazy<AcPowerFlowResult> _ac;
    private readonly Lazy<ScenarioResult> _scenario3;
    private readonly Lazy<IReadOnlyList<SweepPoint>> _wSweep;

    public StudyFigureData(StudyContext context, IReadOnlyList<ScenarioDefinition> scenarios, double w = 0.2, double theta = 0.8)
    {
        Context = context;
        Definitions = scenarios;
        W = w;
        Theta = theta;
        _baseCheck = new(() => context.BaseFeeder.Check());
        _ac = new(() => AcPowerFlow.Solve(context.BaseFeeder.Network));
        _scenario3 = new(() => ScenarioRunner.Run(ScenarioSweep.With(ScenarioSweep.With(Definition("3-theta80"), SweepParameter.W, W), SweepParameter.Theta, Theta), context));
        _wSweep = new(() => ScenarioSweep.Run(ScenarioSweep.With(Definition("3-theta80"), SweepParameter.Theta, Theta), context, SweepParameter.W, StudyFigures.WSweepValues));
    }

    /// <summary>The study's data (<see cref="StudyContext.Load"/>) and scenarios.</summary>
    public static StudyFigureData Load() => new(StudyContext.Load(), StudyContext.LoadScenarios());

    public StudyContext Context { get; }
    public IReadOnlyList<ScenarioDefinition> Definitions { get; }

    /// <summary>Incentive weight of scenario 3 (notebook 05's parameter <c>W</c>).</summary>
    public double W { get; }

    /// <summary>At-risk threshold of scenario 3 (notebook 05's parameter <c>theta</c>).</summary>
    public double Theta { get; }

    public GridCheckResult BaseCheck => _baseCheck.Value;
    public AcPowerFlowResult BaseAcPowerFlow => _ac.Value;
    public ScenarioResult Scenario3 => _scenario3.Value;
    public IReadOnlyList<SweepPoint> WSweep => _wSweep.Value;

    /// <summary>A scenario of <c>data/scenarios/</c> by name, run once.</summary>
    public ScenarioResult Run(string name)
    {
        if (!_runs.TryGetValue(name, out var result))
            _runs[name] = result = ScenarioRunner.Run(Definition(name), Context);
        return result;
    }

    private ScenarioDefinition Definition(string name) =>
        Definitions.FirstOrDefault(s => s.Name == name) ?? throw new KeyNotFoundException($"no scenario '{name}' in data/scenarios/");
}

/// <summary>
/// The catalogue of the study's figures and the chart of each, with its title. The notebooks call these methods, so a
/// figure written by <c>p2pflex figures</c> is the chart the notebook shows (same title, axes, units, colours).
/// </summary>
public static class StudyFigures
{
    /// <summary>W values of the KPI-versus-W charts: 0 to 0.95 in steps of 0.05 (notebook 05).</summary>
    public static IReadOnlyList<double> WSweepValues { get; } = ScenarioSweep.Range(0, 0.95, 0.05);

    private static string Num(double v) => v.ToString(CultureInfo.InvariantCulture);

    // ---- the charts, as the notebooks call them -------------------------------------------------------------------

    /// <summary>Figure 19: the feeder with the lines congested in the base state in red.</summary>
    public static GenericChart FeederCongestion(StudyFeeder feeder, GridCheckResult check) =>
        StudyCharts.FeederDiagram(feeder, check, "case69, base state: congested lines in red");

    /// <summary>AC voltage magnitude per bus in the base state.</summary>
    public static GenericChart BaseVoltages(AcPowerFlowResult ac) => StudyCharts.Voltages(ac, "AC voltage magnitude per bus, base state");

    /// <summary>Figure 20: occupancy per line in the base state.</summary>
    public static GenericChart OccupancyPerLine(GridCheckResult check) =>
        StudyCharts.OccupancyPerLine(check, "Occupancy per line, base state (study Figure 20)");

    /// <summary>Figure 21: how many lines fall in each occupancy band, base state.</summary>
    public static GenericChart OccupancyHistogram(GridCheckResult check) =>
        StudyCharts.OccupancyDistribution(check, "How loaded the lines are, base state (study Figure 21)");

    /// <summary>Occupancy per line of one scenario before and after its LFM (before only, titled so, when the LFM did not clear).</summary>
    /// <param name="scenario">A scenario run.</param>
    /// <param name="scenarioName">As shown in the title, e.g. <c>0′</c>.</param>
    public static GenericChart LfmBeforeAfter(ScenarioResult scenario, string scenarioName) =>
        StudyCharts.OccupancyComparison(scenario.BeforeLfm, "before the LFM", scenario.AfterLfm,
            "after the LFM", $"Scenario {scenarioName}: occupancy per line before and after the LFM");

    /// <summary>
    /// Figures 22–25: occupancy per line before the LFM of a scenario against a reference scenario.
    /// </summary>
    /// <param name="reference">The reference run (grey bars).</param>
    /// <param name="referenceName">Legend of the reference, e.g. <c>scenario 0</c>.</param>
    /// <param name="other">The run compared with it (orange bars).</param>
    /// <param name="otherName">Legend of the other, e.g. <c>scenario 1</c>; the title starts with it.</param>
    public static GenericChart OccupancyAgainst(ScenarioResult reference, string referenceName, ScenarioResult other, string otherName) =>
        StudyCharts.OccupancyComparison(reference.BeforeLfm, referenceName, other.BeforeLfm, otherName,
            $"{char.ToUpperInvariant(otherName[0])}{otherName[1..]} against {referenceName}: occupancy per line before the LFM");

    /// <summary>The legend of scenario 3 with its parameters, e.g. <c>scenario 3 (W = 0.2, θ = 0.8)</c>.</summary>
    public static string Scenario3Name(double w, double theta) => $"scenario 3 (W = {Num(w)}, θ = {Num(theta)})";

    /// <summary>A KPI of the W sweep of scenario 3, from a <see cref="ScenarioSweep.Run"/> over W.</summary>
    public static GenericChart KpiAgainstW(IReadOnlyList<SweepPoint> sweep, SweepKpi kpi, double theta)
    {
        var w = sweep.Select(p => p.Value).ToArray();
        var (values, axis, title) = kpi switch
        {
            SweepKpi.LfmCost => (sweep.Select(p => p.Result.LfmCostEur ?? double.NaN), "LFM cost (EUR)", "LFM cost"),
            SweepKpi.CongestedLines => (sweep.Select(p => (double)p.Result.BeforeLfm.CongestedLineCount), "congested lines before the LFM", "Congested lines"),
            SweepKpi.OverflowSum => (sweep.Select(p => p.Result.BeforeLfm.OverflowSumMw), "overflow sum (MW)", "Overflow sum"),
            SweepKpi.P2PVolume => (sweep.Select(p => p.Result.P2PVolumeMw), "P2P traded volume (MW)", "Traded volume"),
            _ => throw new ArgumentOutOfRangeException(nameof(kpi)),
        };
        return StudyCharts.KpiSweep(w, values.ToArray(), "incentive weight W", axis, $"{title} against W (θ = {Num(theta)})");
    }

    /// <summary>What the DSO pays against W: its total and the parts, the least total marked (notebook 05).</summary>
    public static GenericChart DsoCostAgainstW(IReadOnlyList<SweepPoint> sweep, double theta) =>
        StudyCharts.DsoCostSweep(sweep, DsoTotalMinimum.Of(sweep, SweepParameter.W), "incentive weight W",
            $"What the DSO pays against W (θ = {Num(theta)})");

    // ---- the catalogue ---------------------------------------------------------------------------------------------

    private sealed record Entry(StudyFigure Figure, Func<StudyFigureData, GenericChart> Chart);

    private static readonly Entry[] Entries =
    [
        new(new("fig19-feeder-congested-lines-scenario-0", "case69, base state: congested lines in red", 19, ["0"], "01-feeder.ipynb", "f504330f914b"),
            d => FeederCongestion(d.Context.BaseFeeder, d.BaseCheck)),
        new(new("voltages-scenario-0", "AC voltage magnitude per bus, base state", null, ["0"], "01-feeder.ipynb", "d0f422b48464"),
            d => BaseVoltages(d.BaseAcPowerFlow)),
        new(new("fig20-occupancy-per-line-scenario-0", "Occupancy per line, base state (study Figure 20)", 20, ["0"], "01-feeder.ipynb", "c2293fc42471"),
            d => OccupancyPerLine(d.BaseCheck)),
        new(new("fig21-occupancy-histogram-scenario-0", "How loaded the lines are, base state (study Figure 21)", 21, ["0"], "01-feeder.ipynb", "572adb1a9c26"),
            d => OccupancyHistogram(d.BaseCheck)),
        new(new("lfm-before-after-scenario-0", "Scenario 0: occupancy per line before and after the LFM", null, ["0"], "02-scenario-0.ipynb", "b1cf82c35845"),
            d => LfmBeforeAfter(d.Run("0"), "0")),
        new(new("lfm-before-after-scenario-0p", "Scenario 0′: occupancy per line before and after the LFM", null, ["0p"], "02-scenario-0.ipynb", "3113787afd23"),
            d => LfmBeforeAfter(d.Run("0p"), "0′")),
        new(new("fig22-occupancy-scenario-1-vs-0", "Scenario 1 against scenario 0: occupancy per line before the LFM", 22, ["1", "0"], "03-scenario-1.ipynb", "6c152236e64a"),
            d => OccupancyAgainst(d.Run("0"), "scenario 0", d.Run("1"), "scenario 1")),
        new(new("fig23-occupancy-scenario-1p-vs-0p", "Scenario 1′ against scenario 0′: occupancy per line before the LFM", 23, ["1p", "0p"], "03-scenario-1.ipynb", "32135c0c14b4"),
            d => OccupancyAgainst(d.Run("0p"), "scenario 0′", d.Run("1p"), "scenario 1′")),
        new(new("occupancy-scenario-1pp-vs-0", "Scenario 1″ against scenario 0: occupancy per line before the LFM", null, ["1pp", "0"], "03-scenario-1.ipynb", "88a230677040"),
            d => OccupancyAgainst(d.Run("0"), "scenario 0", d.Run("1pp"), "scenario 1″")),
        new(new("fig24-occupancy-scenario-2-vs-0", "Scenario 2 against scenario 0: occupancy per line before the LFM", 24, ["2", "0"], "04-scenario-2.ipynb", "68e2499dacb9"),
            d => OccupancyAgainst(d.Run("0"), "scenario 0", d.Run("2"), "scenario 2")),
        new(new("fig25-occupancy-scenario-3-theta80-vs-0", "Scenario 3 (W = 0.2, θ = 0.8) against scenario 0: occupancy per line before the LFM", 25, ["3-theta80", "0"], "05-scenario-3.ipynb", "ee259a991645"),
            d => OccupancyAgainst(d.Run("0"), "scenario 0", d.Scenario3, Scenario3Name(d.W, d.Theta))),
        new(new("kpi-vs-w-lfm-cost-scenario-3-theta80", "LFM cost against W (θ = 0.8)", null, ["3-theta80"], "05-scenario-3.ipynb", "9348c81b295b"),
            d => KpiAgainstW(d.WSweep, SweepKpi.LfmCost, d.Theta)),
        new(new("kpi-vs-w-congested-lines-scenario-3-theta80", "Congested lines against W (θ = 0.8)", null, ["3-theta80"], "05-scenario-3.ipynb", "9348c81b295b"),
            d => KpiAgainstW(d.WSweep, SweepKpi.CongestedLines, d.Theta)),
        new(new("kpi-vs-w-overflow-sum-scenario-3-theta80", "Overflow sum against W (θ = 0.8)", null, ["3-theta80"], "05-scenario-3.ipynb", "9348c81b295b"),
            d => KpiAgainstW(d.WSweep, SweepKpi.OverflowSum, d.Theta)),
        new(new("kpi-vs-w-p2p-volume-scenario-3-theta80", "Traded volume against W (θ = 0.8)", null, ["3-theta80"], "05-scenario-3.ipynb", "9348c81b295b"),
            d => KpiAgainstW(d.WSweep, SweepKpi.P2PVolume, d.Theta)),
        new(new("dso-cost-vs-w-scenario-3-theta80", "What the DSO pays against W (θ = 0.8)", null, ["3-theta80"], "05-scenario-3.ipynb", "a3c6d19d5c18"),
            d => DsoCostAgainstW(d.WSweep, d.Theta)),
    ];

    /// <summary>Every figure, in the order of the notebooks. Titles are those of the study's parameters (W = 0.2, θ = 0.8).</summary>
    public static IReadOnlyList<StudyFigure> Catalogue { get; } = Entries.Select(e => e.Figure).ToArray();

    /// <summary>A figure by id.</summary>
    public static StudyFigure Find(string id) =>
        Catalogue.FirstOrDefault(f => f.Id == id)
        ?? throw new KeyNotFoundException($"no figure '{id}'; known: {string.Join(", ", Catalogue.Select(f => f.Id))}");

    /// <summary>The figure's chart, drawn from <paramref name="data"/>.</summary>
    public static GenericChart Chart(StudyFigure figure, StudyFigureData data) =>
        Entries.First(e => e.Figure.Id == figure.Id).Chart(data);
}

/// <summary>The KPIs drawn against W.</summary>
public enum SweepKpi
{
    LfmCost,
    CongestedLines,
    OverflowSum,
    P2PVolume,
}
