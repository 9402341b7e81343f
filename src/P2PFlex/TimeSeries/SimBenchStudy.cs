using P2PFlex.Grid;
using P2PFlex.Grid.SimBench;
using P2PFlex.Markets.Orderbook;
using P2PFlex.Scenarios;
using P2PFlex.Data;

namespace P2PFlex.TimeSeries;

/// <summary>
/// The study on a SimBench grid: the grid (<see cref="SimBenchGrid"/>), its profiles when the folder has them, and the
/// study's inputs at any operating point — a study case (hL, hPV, …) or an interval of the year. Everything is built in
/// memory from the folder; nothing is written (docs/data.md, "SimBench grids").
/// <list type="bullet">
/// <item><b>Grid and limits.</b> The network at the operating point with the grid's real thermal ratings; no limit is
/// invented or calibrated.</item>
/// <item><b>Loading states.</b> The operating point is the loading state. The study's two states (base 0, extreme 0′)
/// are both that point: SimBench's study cases are its own stress states, so scenarios of either state run on it.</item>
/// <item><b>Orderbook and peers.</b> The study's rule scaled to the grid as for any other feeder
/// (<see cref="FeederSetup.DrawRules"/>): bids on round(L·46/48) of the L buses with load, round(that·172/46) bids,
/// case69's volume and price ranges and seed, volumes × the operating point's load of the bus; a P2P subset of
/// round(bids·70/172) bids drawn with case69's seed, not screened. The subset is drawn once, on the nominal point.</item>
/// </list>
/// </summary>
public sealed class SimBenchStudy
{
    private readonly Ptdf _ptdf;

    private SimBenchStudy(SimBenchGrid grid, FeederProfiles? profiles)
    {
        Grid = grid;
        Profiles = profiles;
        NominalNetwork = grid.Network(grid.Nominal());
        // The PTDF depends on topology and impedances only, the same at every operating point.
        _ptdf = Ptdf.Compute(NominalNetwork);
        (Orderbook, Subset) = FeederSetup.DrawRules(NominalNetwork);
        var nominalBook = Orderbook.Generate(NominalNetwork);
        P2PSubset = Subset.Draw(nominalBook, _ => true).Ids;
    }

    /// <summary>Reads a SimBench folder: the grid, and its profiles when <c>LoadProfile.csv</c> is there.</summary>
    public static SimBenchStudy Read(string folder)
    {
        var grid = SimBenchGrid.Read(folder);
        return new SimBenchStudy(grid, SimBenchProfiles.Present(grid.Folder) ? SimBenchProfiles.Read(grid) : null);
    }

    /// <summary>Whether a folder looks like a SimBench grid (it holds <c>Node.csv</c> and <c>StudyCases.csv</c>).</summary>
    public static bool IsSimBenchFolder(string path) =>
        Directory.Exists(path) && File.Exists(Path.Combine(path, "Node.csv")) && File.Exists(Path.Combine(path, "StudyCases.csv"));

    public SimBenchGrid Grid { get; }

    /// <summary>The year's profiles (null when the folder has none).</summary>
    public FeederProfiles? Profiles { get; }

    /// <summary>The network at the nominal point (every factor 1).</summary>
    public GridNetwork NominalNetwork { get; }

    /// <summary>The grid's orderbook generator (the study's rule scaled to it).</summary>
    public OrderbookGenerator Orderbook { get; }

    /// <summary>The P2P subset's draw.</summary>
    public SubsetDraw Subset { get; }

    /// <summary>The P2P peers' bid ids (the same at every operating point).</summary>
    public IReadOnlyList<string> P2PSubset { get; }

    /// <summary>The grid's name.</summary>
    public string Name => Grid.Name;

    /// <summary>The study's inputs at an operating point (see the class summary).</summary>
    public StudyContext Context(SimBenchOperatingPoint point)
    {
        var network = Grid.Network(point);
        var loading = new LoadingState(point.Name, new Dictionary<int, double>(), $"SimBench {Grid.Name}, operating point {point.Name}");
        var feeder = new StudyFeeder(StudyState.Base, loading, network, _ptdf, Grid.Limits(network));
        // The draws (bid buses, directions, factors, prices) are the nominal point's, as on every feeder; only the
        // volumes follow the point's loads. Drawn on the point itself, a load whose profile is 0 in that interval would
        // drop its bus from the draw and change every bid (or leave fewer loaded buses than the rule's bid buses).
        var orderbook = Orderbook.Generate(NominalNetwork, network);
        return new StudyContext(feeder, feeder with { State = StudyState.Extreme }, orderbook with { Source = $"{Grid.Name} @ {point.Name}" }, P2PSubset);
    }

    /// <summary>The study's inputs at a study case of <c>StudyCases.csv</c> (hL, n1, hW, hPV, lW, lPV).</summary>
    public StudyContext Context(string studyCase) => Context(Grid.AtStudyCase(studyCase));

    /// <summary>The operating point of an interval of the profiles: each load's P and Q × its profiles' factors, each
    /// unit's P × its profile's factor, the slack at the nominal voltage (the external grid node's set point).</summary>
    public SimBenchOperatingPoint OperatingPointAt(int interval)
    {
        var profiles = Profiles ?? throw new InvalidOperationException($"{Grid.Folder} has no profiles (LoadProfile.csv)");
        var set = profiles.Set;
        // Bindings are loads in Load.csv order, then units in RES.csv order (SimBenchProfiles.Read).
        var p = new double[Grid.Loads.Count];
        var q = new double[Grid.Loads.Count];
        var g = new double[Grid.Res.Count];
        for (int k = 0; k < p.Length; k++)
        {
            var b = profiles.Bindings[k];
            p[k] = set[b.PProfile][interval];
            q[k] = set[b.QProfile!][interval];
        }
        for (int k = 0; k < g.Length; k++) g[k] = set[profiles.Bindings[p.Length + k].PProfile][interval];
        return new SimBenchOperatingPoint(TimeAxis.Format(profiles.Axis.TimeAt(interval)), p, q, g, Grid.Nominal().SlackVmPu);
    }

    /// <summary>The study's inputs in an interval of the profiles.</summary>
    public StudyContext At(int interval) => Context(OperatingPointAt(interval));
}
