using P2PFlex.IO;

namespace P2PFlex.Grid.SimBench;

/// <summary>
/// Reads a SimBench CSV grid folder (SimBench's own format: one semicolon-separated table per element type,
/// <c>NULL</c> for an empty value). Every value is checked where it is read: a malformed, missing, out-of-range or
/// dangling value is a <see cref="DataFormatException"/> naming the file, the line and the column. Bounds are generous
/// physical ones (<see cref="Bounds"/>): they catch unit slips and garbage, not unusual grids.
/// </summary>
public static class SimBenchReader
{
    /// <summary>The bounds the reader enforces.</summary>
    public static class Bounds
    {
        /// <summary>Rated voltage of a node, kV (the transmission level is 380 kV).</summary>
        public const double MaxRatedKv = 1000;
        /// <summary>Length of a line, km.</summary>
        public const double MaxLengthKm = 1000;
        /// <summary>Per-kilometre resistance or reactance of a line type, Ω/km (LV cables are about 0.1–2).</summary>
        public const double MaxOhmPerKm = 100;
        /// <summary>Per-kilometre susceptance of a line type, µS/km (cables are a few hundred).</summary>
        public const double MaxMicroSiemensPerKm = 100_000;
        /// <summary>Thermal limit of a line type, A.</summary>
        public const double MaxCurrentA = 100_000;
        /// <summary>Permitted loading of a line or transformer, % (SimBench writes 100).</summary>
        public const double MaxLoadingPercent = 1000;
        /// <summary>Rated power of a transformer, MVA.</summary>
        public const double MaxTransformerMva = 10_000;
        /// <summary>Nominal P or Q of one load or unit, MW or MVAr (a whole LV grid is a fraction of an MW).</summary>
        public const double MaxElementMw = 10_000;
        /// <summary>A study case's factor on loads or generation.</summary>
        public const double MaxStudyCaseFactor = 10;
        /// <summary>A voltage in p.u. (set points, limits, the study cases' slack voltage) lies in [0.5, 1.5].</summary>
        public const double MinPu = 0.5, MaxPu = 1.5;
    }

    /// <summary>Element tables this reader does not model; a folder holding any of them with rows is refused rather than read wrong.</summary>
    public static readonly string[] UnsupportedTables = ["Switch.csv", "PowerPlant.csv", "Storage.csv", "Shunt.csv", "Transformer3W.csv", "DCLine.csv", "Ward.csv"];

    /// <summary>Reads and checks a SimBench grid folder (the profile tables are read separately).</summary>
    public static SimBenchGrid Read(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"SimBench folder {folder} does not exist");
        folder = Path.GetFullPath(folder);
        foreach (string name in UnsupportedTables)
            if (SimBenchTable.Exists(folder, name) && SimBenchTable.Read(folder, name) is { Count: > 0 } t)
                throw new DataFormatException(t.File, t.LineOf(0), "row", $"{name[..^4]} elements are not modelled by P2PFlex; use a SimBench grid without them (e.g. a '-no_sw' variant)");

        var nodes = ReadNodes(folder);
        var byId = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var lineTypes = ReadLineTypes(folder);
        var lines = ReadLines(folder, byId, lineTypes);
        var transformerTypes = ReadTransformerTypes(folder);
        var transformers = ReadTransformers(folder, byId, transformerTypes);
        var externalNet = ReadExternalNet(folder, byId);
        var loads = ReadLoads(folder, byId);
        var res = ReadRes(folder, byId);
        var studyCases = ReadStudyCases(folder);
        CheckConnected(folder, nodes, lines, transformers, externalNet);
        return new SimBenchGrid(folder, Path.GetFileName(folder.TrimEnd(Path.DirectorySeparatorChar)), nodes, lines, transformers, externalNet, loads, res, studyCases);
    }

    private static string NodeRef(SimBenchTable t, int r, string column, Dictionary<string, SimBenchNode> nodes)
    {
        string id = t.Text(r, column);
        if (!nodes.ContainsKey(id)) throw t.Error(r, column, $"node '{id}' is not in Node.csv");
        return id;
    }

    private static void Unique(SimBenchTable t, int r, string column, string id, Dictionary<string, int> seen)
    {
        if (seen.TryGetValue(id, out int first)) throw t.Error(r, column, $"'{id}' is listed twice (first on line {first})");
        seen[id] = t.LineOf(r);
    }

    private static IReadOnlyList<SimBenchNode> ReadNodes(string folder)
    {
        var t = SimBenchTable.Read(folder, "Node.csv", "id", "vmSetp", "vmR", "vmMin", "vmMax", "subnet");
        var nodes = new List<SimBenchNode>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < t.Count; r++)
        {
            string id = t.Text(r, "id");
            Unique(t, r, "id", id, seen);
            double vmR = t.Positive(r, "vmR", Bounds.MaxRatedKv);
            double vmMin = t.Number(r, "vmMin", Bounds.MinPu, Bounds.MaxPu), vmMax = t.Number(r, "vmMax", Bounds.MinPu, Bounds.MaxPu);
            if (vmMax <= vmMin) throw t.Error(r, "vmMax", $"must exceed vmMin ({vmMin}), is {vmMax}");
            double? setpoint = t.OptionalNumber(r, "vmSetp");
            if (setpoint is { } s && (s < Bounds.MinPu || s > Bounds.MaxPu)) throw t.Error(r, "vmSetp", $"must lie in [{Bounds.MinPu}, {Bounds.MaxPu}], is {s}");
            nodes.Add(new SimBenchNode(id, nodes.Count + 1, vmR, vmMin, vmMax, setpoint, t.OptionalText(r, "subnet") ?? "", t.LineOf(r)));
        }
        if (nodes.Count < 2) throw new DataFormatException(t.File, 0, "id", $"a grid needs at least two nodes, the file has {nodes.Count}");
        return nodes;
    }

    private static Dictionary<string, SimBenchLineType> ReadLineTypes(string folder)
    {
        var t = SimBenchTable.Read(folder, "LineType.csv", "id", "r", "x", "b", "iMax", "type");
        var types = new Dictionary<string, SimBenchLineType>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < t.Count; r++)
        {
            string id = t.Text(r, "id");
            Unique(t, r, "id", id, seen);
            double res = t.Number(r, "r", 0, Bounds.MaxOhmPerKm), x = t.Number(r, "x", 0, Bounds.MaxOhmPerKm);
            if (res == 0 && x == 0) throw t.Error(r, "x", "a line type needs a series impedance: r and x are both 0");
            types[id] = new SimBenchLineType(id, res, x, t.Number(r, "b", 0, Bounds.MaxMicroSiemensPerKm), t.Positive(r, "iMax", Bounds.MaxCurrentA), t.OptionalText(r, "type") ?? "");
        }
        return types;
    }

    private static IReadOnlyList<SimBenchLine> ReadLines(string folder, Dictionary<string, SimBenchNode> nodes, Dictionary<string, SimBenchLineType> types)
    {
        var t = SimBenchTable.Read(folder, "Line.csv", "id", "nodeA", "nodeB", "type", "length", "loadingMax");
        var lines = new List<SimBenchLine>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < t.Count; r++)
        {
            string id = t.Text(r, "id");
            Unique(t, r, "id", id, seen);
            string a = NodeRef(t, r, "nodeA", nodes), b = NodeRef(t, r, "nodeB", nodes);
            if (a == b) throw t.Error(r, "nodeB", $"line joins node '{a}' to itself");
            if (nodes[a].VmRKv != nodes[b].VmRKv)
                throw t.Error(r, "nodeB", $"line joins nodes of different rated voltage ({nodes[a].VmRKv} kV and {nodes[b].VmRKv} kV)");
            string type = t.Text(r, "type");
            if (!types.TryGetValue(type, out var lineType)) throw t.Error(r, "type", $"line type '{type}' is not in LineType.csv");
            lines.Add(new SimBenchLine(id, a, b, lineType, t.Positive(r, "length", Bounds.MaxLengthKm), t.Positive(r, "loadingMax", Bounds.MaxLoadingPercent), t.LineOf(r)));
        }
        return lines;
    }

    private static Dictionary<string, SimBenchTransformerType> ReadTransformerTypes(string folder)
    {
        var t = SimBenchTable.Read(folder, "TransformerType.csv", "id", "sR", "vmHV", "vmLV", "va0", "vmImp", "pCu", "pFe", "iNoLoad",
            "tapable", "tapside", "dVm", "dVa", "tapNeutr", "tapMin", "tapMax");
        var types = new Dictionary<string, SimBenchTransformerType>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < t.Count; r++)
        {
            string id = t.Text(r, "id");
            Unique(t, r, "id", id, seen);
            double sR = t.Positive(r, "sR", Bounds.MaxTransformerMva);
            double vmHv = t.Positive(r, "vmHV", Bounds.MaxRatedKv), vmLv = t.Positive(r, "vmLV", Bounds.MaxRatedKv);
            double vmImp = t.Positive(r, "vmImp", 100);
            double pCu = t.Number(r, "pCu", 0, 1e6);
            if (pCu / 1000 / sR >= vmImp / 100) throw t.Error(r, "pCu", $"copper losses of {pCu} kW on {sR} MVA exceed the short-circuit impedance of {vmImp} %");
            double iNoLoad = t.Number(r, "iNoLoad", 0, 100);
            double pFe = t.Number(r, "pFe", 0, 1e6);
            if (pFe / 1000 / sR > iNoLoad / 100) throw t.Error(r, "pFe", $"iron losses of {pFe} kW on {sR} MVA exceed the no-load current of {iNoLoad} %");
            string side = t.Text(r, "tapside");
            var tapSide = side switch
            {
                "HV" => TapSide.HV,
                "LV" => TapSide.LV,
                _ => throw t.Error(r, "tapside", $"must be HV or LV, is '{side}'"),
            };
            int tapable = t.Integer(r, "tapable");
            if (tapable is not (0 or 1)) throw t.Error(r, "tapable", $"must be 0 or 1, is {tapable}");
            int tapMin = t.Integer(r, "tapMin"), tapMax = t.Integer(r, "tapMax"), tapNeutral = t.Integer(r, "tapNeutr");
            if (tapMin > tapMax) throw t.Error(r, "tapMax", $"must not be below tapMin ({tapMin}), is {tapMax}");
            if (tapNeutral < tapMin || tapNeutral > tapMax) throw t.Error(r, "tapNeutr", $"must lie in [{tapMin}, {tapMax}], is {tapNeutral}");
            types[id] = new SimBenchTransformerType(id, sR, vmHv, vmLv, t.Number(r, "va0", -360, 360), vmImp, pCu, pFe, iNoLoad, tapable == 1, tapSide,
                t.Number(r, "dVm", -50, 50), t.Number(r, "dVa", -360, 360), tapNeutral, tapMin, tapMax);
        }
        return types;
    }

    private static IReadOnlyList<SimBenchTransformer> ReadTransformers(string folder, Dictionary<string, SimBenchNode> nodes, Dictionary<string, SimBenchTransformerType> types)
    {
        var t = SimBenchTable.Read(folder, "Transformer.csv", "id", "nodeHV", "nodeLV", "type", "tappos", "loadingMax");
        var transformers = new List<SimBenchTransformer>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < t.Count; r++)
        {
            string id = t.Text(r, "id");
            Unique(t, r, "id", id, seen);
            string hv = NodeRef(t, r, "nodeHV", nodes), lv = NodeRef(t, r, "nodeLV", nodes);
            if (hv == lv) throw t.Error(r, "nodeLV", $"transformer joins node '{hv}' to itself");
            string typeId = t.Text(r, "type");
            if (!types.TryGetValue(typeId, out var type)) throw t.Error(r, "type", $"transformer type '{typeId}' is not in TransformerType.csv");
            // A winding rated far from its bus's voltage is a wrong node or type, not an off-nominal ratio.
            foreach (var (node, rated, column) in new[] { (hv, type.VmHvKv, "nodeHV"), (lv, type.VmLvKv, "nodeLV") })
                if (rated < 0.8 * nodes[node].VmRKv || rated > 1.25 * nodes[node].VmRKv)
                    throw t.Error(r, column, $"node '{node}' is rated {nodes[node].VmRKv} kV, the type's winding {rated} kV");
            int tap = t.Integer(r, "tappos");
            if (tap < type.TapMin || tap > type.TapMax) throw t.Error(r, "tappos", $"must lie in the type's range [{type.TapMin}, {type.TapMax}], is {tap}");
            if (!type.Tapable && tap != type.TapNeutral) throw t.Error(r, "tappos", $"type '{typeId}' has no tap changer; the position must be its neutral {type.TapNeutral}, is {tap}");
            transformers.Add(new SimBenchTransformer(id, hv, lv, type, tap, t.Positive(r, "loadingMax", Bounds.MaxLoadingPercent), t.LineOf(r)));
        }
        return transformers;
    }

    private static SimBenchExternalNet ReadExternalNet(string folder, Dictionary<string, SimBenchNode> nodes)
    {
        var t = SimBenchTable.Read(folder, "ExternalNet.csv", "id", "node", "calc_type");
        if (t.Count != 1) throw new DataFormatException(t.File, t.Count > 1 ? t.LineOf(1) : 0, "id", $"exactly one external grid (the slack) is supported, the file has {t.Count}");
        string calc = t.Text(0, "calc_type");
        if (calc != "vavm") throw t.Error(0, "calc_type", $"only 'vavm' (voltage magnitude and angle given: the slack) is supported, is '{calc}'");
        return new SimBenchExternalNet(t.Text(0, "id"), NodeRef(t, 0, "node", nodes), t.LineOf(0));
    }

    private static IReadOnlyList<SimBenchLoad> ReadLoads(string folder, Dictionary<string, SimBenchNode> nodes)
    {
        var t = SimBenchTable.Read(folder, "Load.csv", "id", "node", "profile", "pLoad", "qLoad", "sR");
        var loads = new List<SimBenchLoad>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < t.Count; r++)
        {
            string id = t.Text(r, "id");
            Unique(t, r, "id", id, seen);
            loads.Add(new SimBenchLoad(id, NodeRef(t, r, "node", nodes), t.Text(r, "profile"),
                t.Number(r, "pLoad", -Bounds.MaxElementMw, Bounds.MaxElementMw), t.Number(r, "qLoad", -Bounds.MaxElementMw, Bounds.MaxElementMw),
                t.OptionalNumber(r, "sR") ?? 0, t.LineOf(r)));
        }
        return loads;
    }

    private static IReadOnlyList<SimBenchRes> ReadRes(string folder, Dictionary<string, SimBenchNode> nodes)
    {
        if (!SimBenchTable.Exists(folder, "RES.csv")) return [];
        var t = SimBenchTable.Read(folder, "RES.csv", "id", "node", "type", "profile", "calc_type", "pRES", "qRES", "sR");
        var units = new List<SimBenchRes>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int r = 0; r < t.Count; r++)
        {
            string id = t.Text(r, "id");
            Unique(t, r, "id", id, seen);
            string calc = t.Text(r, "calc_type");
            if (calc != "pq") throw t.Error(r, "calc_type", $"only 'pq' units (P and Q given) are supported, is '{calc}'");
            string type = t.Text(r, "type");
            var kind = type.StartsWith("PV", StringComparison.Ordinal) ? SimBenchResKind.Pv
                : type.StartsWith("Wind", StringComparison.Ordinal) ? SimBenchResKind.Wind : SimBenchResKind.Other;
            units.Add(new SimBenchRes(id, NodeRef(t, r, "node", nodes), type, kind, t.Text(r, "profile"),
                t.Number(r, "pRES", 0, Bounds.MaxElementMw), t.Number(r, "qRES", -Bounds.MaxElementMw, Bounds.MaxElementMw),
                t.OptionalNumber(r, "sR") ?? 0, t.LineOf(r)));
        }
        return units;
    }

    private static IReadOnlyList<SimBenchStudyCase> ReadStudyCases(string folder)
    {
        var t = SimBenchTable.Read(folder, "StudyCases.csv", "Study Case", "pload", "qload", "Wind_p", "PV_p", "RES_p", "Slack_vm");
        var cases = new List<SimBenchStudyCase>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        double f = Bounds.MaxStudyCaseFactor;
        for (int r = 0; r < t.Count; r++)
        {
            string name = t.Text(r, "Study Case");
            Unique(t, r, "Study Case", name, seen);
            cases.Add(new SimBenchStudyCase(name, t.Number(r, "pload", 0, f), t.Number(r, "qload", -f, f), t.Number(r, "Wind_p", 0, f),
                t.Number(r, "PV_p", 0, f), t.Number(r, "RES_p", 0, f), t.Number(r, "Slack_vm", Bounds.MinPu, Bounds.MaxPu)));
        }
        if (cases.Count == 0) throw new DataFormatException(t.File, 0, "Study Case", "the file lists no study case");
        return cases;
    }

    // A node the external grid cannot reach has no voltage: the power flow would fail on a singular Jacobian far from
    // the cause, so the reader names the node instead.
    private static void CheckConnected(string folder, IReadOnlyList<SimBenchNode> nodes, IReadOnlyList<SimBenchLine> lines,
        IReadOnlyList<SimBenchTransformer> transformers, SimBenchExternalNet externalNet)
    {
        var index = nodes.ToDictionary(n => n.Id, n => n.Number - 1, StringComparer.Ordinal);
        var adjacent = nodes.Select(_ => new List<int>()).ToArray();
        foreach (var (a, b) in lines.Select(l => (l.NodeA, l.NodeB)).Concat(transformers.Select(t => (t.NodeHv, t.NodeLv))))
        {
            adjacent[index[a]].Add(index[b]);
            adjacent[index[b]].Add(index[a]);
        }
        var reached = new bool[nodes.Count];
        var queue = new Queue<int>();
        queue.Enqueue(index[externalNet.Node]);
        reached[index[externalNet.Node]] = true;
        while (queue.Count > 0)
            foreach (int j in adjacent[queue.Dequeue()])
                if (!reached[j]) { reached[j] = true; queue.Enqueue(j); }
        int missing = Array.IndexOf(reached, false);
        if (missing >= 0)
            throw new DataFormatException(Path.Combine(folder, "Node.csv"), nodes[missing].SourceLine, "id",
                $"node '{nodes[missing].Id}' is not connected to the external grid at '{externalNet.Node}' by any line or transformer");
    }
}
