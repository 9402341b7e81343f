using System.Text;
using P2PFlex.IO;

namespace P2PFlex.Grid;

/// <summary>The thermal limit of one line in the DC market model (MW, |flow| ≤ limit).</summary>
public sealed record LineLimit(int CaseIndex, int FromBus, int ToBus, double LimitMw);

/// <summary>
/// Line limits F (MW) for every in-service branch of a network, in <see cref="GridNetwork.Branches"/> order.
/// The MATPOWER distribution cases carry no ratings, so the project ships limits as data
/// (<c>data/limits/*.csv</c>, see <c>docs/data.md</c> for the rule that produced them).
/// </summary>
public sealed class LineLimits
{
    /// <summary>Largest limit a file may give a line (MW): a distribution line at 12.66 kV carrying 100 MW would need
    /// about 4.6 kA, far beyond any distribution conductor, so a larger value is a data error (a unit slip).</summary>
    public const double MaxLimitMw = 100;

    public LineLimits(GridNetwork network, IReadOnlyList<double> limitMw, string source = "")
    {
        if (limitMw.Count != network.Branches.Count)
            throw new ArgumentException($"{limitMw.Count} limits given for {network.Branches.Count} in-service branches", nameof(limitMw));
        for (int l = 0; l < limitMw.Count; l++)
            if (!(limitMw[l] > 0) || !double.IsFinite(limitMw[l]))
                throw new ArgumentException($"limit of branch {network.Branches[l].CaseIndex} must be positive and finite, is {limitMw[l]}", nameof(limitMw));
        Network = network;
        LimitMw = limitMw.ToArray();
        Source = source;
    }

    public GridNetwork Network { get; }

    /// <summary>Limit per in-service branch (MW), in <see cref="GridNetwork.Branches"/> order.</summary>
    public IReadOnlyList<double> LimitMw { get; }

    /// <summary>Where the limits came from (file path), for reports.</summary>
    public string Source { get; }

    /// <summary>
    /// Reads a limits CSV with columns <c>index,from_bus,to_bus,limit_mw</c> (more columns are allowed and ignored).
    /// Every in-service branch must appear exactly once, with its own end buses and a positive limit.
    /// </summary>
    public static LineLimits Read(string path, GridNetwork network)
    {
        var table = CsvTable.Read(path, "index", "from_bus", "to_bus", "limit_mw");
        var limits = new double[network.Branches.Count];
        var seen = new int[network.Branches.Count];
        for (int r = 0; r < table.Count; r++)
        {
            int line = table.LineOf(r);
            int index = table.Integer(r, "index");
            int position = -1;
            for (int l = 0; l < network.Branches.Count; l++) if (network.Branches[l].CaseIndex == index) position = l;
            if (position < 0) throw new DataFormatException(path, line, "index", $"branch {index} is not an in-service branch of {network.Name}");
            if (seen[position] > 0) throw new DataFormatException(path, line, "index", $"branch {index} is listed twice (first on line {seen[position]})");
            seen[position] = line;
            var br = network.Branches[position];
            int from = table.Integer(r, "from_bus"), to = table.Integer(r, "to_bus");
            if (from != br.FromBus || to != br.ToBus)
                throw new DataFormatException(path, line, "from_bus", $"branch {index} is {br.Label} in {network.Name}, the file says {from}–{to}");
            double limit = table.Number(r, "limit_mw");
            if (!(limit > 0)) throw new DataFormatException(path, line, "limit_mw", $"must be positive, is {limit}");
            if (limit > MaxLimitMw) throw new DataFormatException(path, line, "limit_mw", $"branch {index} has a limit of {limit} MW, more than the {MaxLimitMw} MW a distribution line can carry");
            limits[position] = limit;
        }
        var missing = Enumerable.Range(0, seen.Length).Where(l => seen[l] == 0).Select(l => $"{network.Branches[l].CaseIndex} ({network.Branches[l].Label})").ToArray();
        if (missing.Length > 0)
            throw new DataFormatException(path, 0, "index",
                $"every in-service branch of {network.Name} needs a limit; missing for {missing.Length} branch(es): {string.Join(", ", missing)}");
        return new LineLimits(network, limits, path);
    }
}

/// <summary>
/// A loading state of the feeder: a factor on each bus's base load (P and Q). The study's base state has every
/// factor 1; its extreme state 0′ scales loads up. Shipped as data (<c>data/states/*.csv</c>).
/// </summary>
public sealed record LoadingState(string Name, IReadOnlyDictionary<int, double> LoadFactorByBus, string Description)
{
    /// <summary>Largest load factor a state file may give (the study's extreme state uses 1.5). Ten times a bus's base
    /// load is beyond any loading state a feeder is planned for; a larger factor is a data error.</summary>
    public const double MaxLoadFactor = 10;

    /// <summary>The base state: every load as in the case file.</summary>
    public static LoadingState Base { get; } = new("base", new Dictionary<int, double>(), "loads as in the case file");

    public double FactorOf(int bus) => LoadFactorByBus.TryGetValue(bus, out double k) ? k : 1.0;

    /// <summary>The network with this state's loads applied.</summary>
    public GridNetwork Apply(GridNetwork network) =>
        LoadFactorByBus.Count == 0 ? network : GridNetwork.FromCase(network.Case.WithLoadsScaled(FactorOf));

    /// <summary>Reads a state CSV with columns <c>bus,load_factor</c>; the first comment line is its description. Every bus
    /// of the network must have exactly one row: a missing row is an error naming the missing buses (it used to mean
    /// factor 1 silently).</summary>
    public static LoadingState Read(string path, GridNetwork network)
    {
        var table = CsvTable.Read(path, "bus", "load_factor");
        var factors = new Dictionary<int, double>();
        for (int r = 0; r < table.Count; r++)
        {
            int bus = table.Integer(r, "bus");
            if (!network.HasBus(bus)) throw new DataFormatException(path, table.LineOf(r), "bus", $"bus {bus} does not exist in {network.Name}");
            if (factors.ContainsKey(bus)) throw new DataFormatException(path, table.LineOf(r), "bus", $"bus {bus} is listed twice");
            double k = table.Number(r, "load_factor");
            if (k < 0) throw new DataFormatException(path, table.LineOf(r), "load_factor", $"must not be negative, is {k}");
            if (k > MaxLoadFactor) throw new DataFormatException(path, table.LineOf(r), "load_factor", $"bus {bus} has factor {k}, more than the bound of {MaxLoadFactor}");
            factors[bus] = k;
        }
        var missing = network.Buses.Where(b => !factors.ContainsKey(b.Number)).Select(b => b.Number).ToArray();
        if (missing.Length > 0)
            throw new DataFormatException(path, 0, "bus",
                $"every bus of {network.Name} needs a load factor; missing for {missing.Length} bus(es): {string.Join(", ", missing)}");
        return new LoadingState(Path.GetFileNameWithoutExtension(path), factors, table.Comments.FirstOrDefault() ?? "");
    }

    /// <summary>CSV text of a state (the format <see cref="Read"/> reads).</summary>
    public string ToCsv(GridNetwork network, IEnumerable<string> provenance)
    {
        var sb = new StringBuilder();
        foreach (var p in provenance) sb.Append("# ").Append(p).Append('\n');
        sb.Append("bus,load_factor\n");
        foreach (var b in network.Buses) sb.Append(b.Number).Append(',').Append(CsvTable.Format(FactorOf(b.Number))).Append('\n');
        return sb.ToString();
    }
}
