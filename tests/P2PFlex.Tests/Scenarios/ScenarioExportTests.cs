using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using P2PFlex.Cli;
using P2PFlex.Data;
using P2PFlex.IO;
using P2PFlex.Markets.Lfm;
using P2PFlex.Markets.P2P;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.Scenarios;

/// <summary>
/// <c>p2pflex scenarios export</c>: the exported files alone must be enough to re-derive every identity of the
/// scenario and to re-solve both markets. Everything below except the writing itself reads only the exported files.
/// </summary>
public class ScenarioExportTests : IClassFixture<ScenarioExportTests.TempRoot>
{
    /// <summary>Every folder these tests write lives under one root, removed when the class is done.</summary>
    public sealed class TempRoot : IDisposable
    {
        public static readonly string Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"p2pflex-export-tests-{Guid.NewGuid():N}");

        public void Dispose()
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
    }

    private static Lazy<StudyContext> Context => TestData.Study;
    private static readonly Lazy<string> Theta80 = new(() => ExportToTemp("3-theta80"));
    private static readonly Lazy<string> Scenario0 = new(() => ExportToTemp("0"));

    private static ScenarioResult Run(string name) =>
        ScenarioRunner.Run(StudyContext.LoadScenarios().Single(s => s.Name == name), Context.Value);

    private static string NewTempFolder() => Path.Combine(TempRoot.Path, Guid.NewGuid().ToString("N"));

    private static string ExportToTemp(string name)
    {
        string dir = Path.Combine(NewTempFolder(), name);
        ScenarioExport.Write(Run(name), Context.Value.Orderbook, dir);
        return dir;
    }

    /// <summary>An exported CSV as rows of column → text.</summary>
    private sealed class Csv(CsvTable table)
    {
        public IReadOnlyList<string> Header => table.Header;
        public int Count => table.Count;
        public string Text(int r, string c) => table.Text(r, c);
        public double Number(int r, string c) => table.Number(r, c);
        public int Integer(int r, string c) => table.Integer(r, c);
        public double? Optional(int r, string c) => table.Text(r, c).Length == 0 ? null : table.Number(r, c);
        public static Csv Read(string dir, string file) => new(CsvTable.Read(Path.Combine(dir, file)));
    }

    private static JsonElement ScenarioJson(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "scenario.json"))).RootElement;

    /// <summary>PTDF from ptdf.csv as rows (lines) × columns in the order of the bus_&lt;n&gt; header.</summary>
    private static (double[,] H, int[] Buses) ReadPtdf(string dir)
    {
        var t = Csv.Read(dir, "ptdf.csv");
        var busColumns = t.Header.Where(h => h.StartsWith("bus_", StringComparison.Ordinal)).ToArray();
        var h = new double[t.Count, busColumns.Length];
        for (int l = 0; l < t.Count; l++)
            for (int k = 0; k < busColumns.Length; k++) h[l, k] = t.Number(l, busColumns[k]);
        return (h, busColumns.Select(c => int.Parse(c[4..], CultureInfo.InvariantCulture)).ToArray());
    }

    private static double[] Multiply(double[,] h, IReadOnlyList<double> p)
    {
        var f = new double[h.GetLength(0)];
        for (int l = 0; l < f.Length; l++)
            for (int k = 0; k < p.Count; k++) f[l] += h[l, k] * p[k];
        return f;
    }

    /// <summary>A column of buses.csv in the PTDF's bus order.</summary>
    private static double[] BusColumn(string dir, string column, int[] ptdfBuses)
    {
        var t = Csv.Read(dir, "buses.csv");
        var byBus = Enumerable.Range(0, t.Count).ToDictionary(r => t.Integer(r, "bus"), r => t.Number(r, column));
        return ptdfBuses.Select(b => byBus[b]).ToArray();
    }

    private static double[] LineColumn(string dir, string column)
    {
        var t = Csv.Read(dir, "lines.csv");
        return Enumerable.Range(0, t.Count).Select(r => t.Number(r, column)).ToArray();
    }

    [Fact]
    public void Export_writes_every_documented_file_and_no_temporary_folder()
    {
        string dir = Theta80.Value;
        var names = Directory.GetFiles(dir).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(ScenarioExport.FileDescriptions.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal), names);
        Assert.Equal([Path.GetFileName(dir)], Directory.GetFileSystemEntries(Path.GetDirectoryName(dir)!).Select(Path.GetFileName));
        var files = ScenarioJson(dir).GetProperty("files");
        foreach (var n in names) Assert.False(string.IsNullOrWhiteSpace(files.GetProperty(n!).GetString()), n);

        Assert.Equal(["index", "from_bus", "to_bus", "base_flow_mw", "limit_mw", "flow_before_lfm_mw", "flow_after_lfm_mw", "at_risk", "lfm_dual_eur_per_mwh_per_mw", "s_before_lfm_mva", "s_after_lfm_mva"],
            Csv.Read(dir, "lines.csv").Header);
        Assert.Equal(["peer_index", "bid_id", "bus", "role", "max_volume_mw", "linear_cost_eur_per_mwh", "quadratic_cost_eur_per_mw2h", "net_position_mw", "price_eur_per_mwh"],
            Csv.Read(dir, "peers.csv").Header);
        Assert.Equal(["seller_bid", "buyer_bid", "seller_preference_eur_per_mwh", "buyer_preference_eur_per_mwh", "preference_factor", "cap_mw", "trade_mw"],
            Csv.Read(dir, "pairs.csv").Header);
        var ptdf = Csv.Read(dir, "ptdf.csv");
        Assert.Equal(["index", "from_bus", "to_bus"], ptdf.Header.Take(3));
        Assert.Equal(Enumerable.Range(1, 69).Select(b => $"bus_{b}"), ptdf.Header.Skip(3));
        Assert.Equal(68, ptdf.Count);
        Assert.Equal(172, Csv.Read(dir, "bids.csv").Count);
    }

    [Fact]
    public void Export_is_deterministic_and_checks_its_orderbook()
    {
        var a = ScenarioExport.Files(Run("3-theta80"), Context.Value.Orderbook);
        var b = ScenarioExport.Files(Run("3-theta80"), Context.Value.Orderbook);
        Assert.Equal(a, b);
        foreach (var (name, content) in a) Assert.Equal(content, File.ReadAllText(Path.Combine(Theta80.Value, name)));

        var orderbook = Context.Value.Orderbook;
        // Change a bid the LFM was offered whole (not a peer), so the run's LFM bids no longer match the orderbook.
        string lfmOnly = orderbook.Bids.First(bid => !Context.Value.P2PSubset.Contains(bid.Id)).Id;
        var changed = orderbook with { Bids = orderbook.Bids.Select(bid => bid.Id == lfmOnly ? bid with { PriceEurPerMwh = bid.PriceEurPerMwh + 1 } : bid).ToArray() };
        Assert.Throws<ArgumentException>(() => ScenarioExport.Files(Run("3-theta80"), changed));
    }

    [Fact]
    public void Export_flows_are_the_exported_PTDF_times_the_exported_injections()
    {
        string dir = Theta80.Value;
        var (h, buses) = ReadPtdf(dir);
        var baseInjection = BusColumn(dir, "base_injection_mw", buses);
        var before = BusColumn(dir, "injection_before_lfm_mw", buses);
        var after = BusColumn(dir, "injection_after_lfm_mw", buses);
        Assert.Equal(LineColumn(dir, "base_flow_mw"), Multiply(h, baseInjection), new ToleranceComparer(1e-9));
        Assert.Equal(LineColumn(dir, "flow_before_lfm_mw"), Multiply(h, before), new ToleranceComparer(1e-9));
        Assert.Equal(LineColumn(dir, "flow_after_lfm_mw"), Multiply(h, after), new ToleranceComparer(1e-9));

        // injection before the LFM = base injection + the P2P net positions at each bus.
        var peers = Csv.Read(dir, "peers.csv");
        var expected = baseInjection.ToArray();
        for (int r = 0; r < peers.Count; r++) expected[Array.IndexOf(buses, peers.Integer(r, "bus"))] += peers.Number(r, "net_position_mw");
        Assert.Equal(expected, before, new ToleranceComparer(1e-12));

        // after the LFM = before + up activations − down activations at each bus.
        var lfm = Csv.Read(dir, "lfm_bids.csv");
        for (int r = 0; r < lfm.Count; r++)
            expected[Array.IndexOf(buses, lfm.Integer(r, "bus"))] += (lfm.Text(r, "direction") == "up" ? 1 : -1) * lfm.Number(r, "activated_mw");
        Assert.Equal(expected, after, new ToleranceComparer(1e-12));
    }

    [Fact]
    public void Export_trades_add_up_to_the_net_positions()
    {
        string dir = Theta80.Value;
        var peers = Csv.Read(dir, "peers.csv");
        var pairs = Csv.Read(dir, "pairs.csv");
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        double volume = 0;
        for (int r = 0; r < pairs.Count; r++)
        {
            double q = pairs.Number(r, "trade_mw");
            Assert.True(q >= 0);
            volume += q;
            foreach (var side in new[] { "seller_bid", "buyer_bid" })
                sums[pairs.Text(r, side)] = sums.GetValueOrDefault(pairs.Text(r, side)) + q;
        }
        Assert.Equal(70, peers.Count);
        for (int r = 0; r < peers.Count; r++)
        {
            double net = peers.Number(r, "net_position_mw");
            double traded = sums.GetValueOrDefault(peers.Text(r, "bid_id"));
            if (peers.Text(r, "role") == "seller") Assert.Equal(net, traded, 1e-9);
            else Assert.Equal(-net, traded, 1e-9);
            Assert.InRange(Math.Abs(net), 0, peers.Number(r, "max_volume_mw") + 1e-9);
        }
        var kpis = ScenarioJson(dir).GetProperty("kpis");
        Assert.Equal(kpis.GetProperty("p2p_volume_mw").GetDouble(), volume, 1e-9);
        Assert.True(volume > 1, "scenario 3-theta80 trades");
    }

    [Fact]
    public void Export_tells_the_symmetric_incentive_from_the_penalty_only_one_by_reward_share()
    {
        var symmetric = ScenarioJson(Theta80.Value).GetProperty("intervention");
        var penaltyOnly = ScenarioJson(ExportToTemp("3-theta80-penalty-only")).GetProperty("intervention");
        Assert.Equal(1.0, symmetric.GetProperty("reward_share").GetDouble());
        Assert.Equal(0.0, penaltyOnly.GetProperty("reward_share").GetDouble());
        Assert.Equal(symmetric.GetProperty("w").GetDouble(), penaltyOnly.GetProperty("w").GetDouble());
        Assert.Equal(JsonValueKind.Null, ScenarioJson(Scenario0.Value).GetProperty("intervention").GetProperty("reward_share").ValueKind);
    }

    [Fact]
    public void Export_preferences_are_c0_times_the_factor_the_intervention_implies()
    {
        string dir = Theta80.Value;
        var json = ScenarioJson(dir);
        double c0 = json.GetProperty("market").GetProperty("c0_eur_per_mwh").GetDouble();
        double w = json.GetProperty("intervention").GetProperty("w").GetDouble();
        Assert.Equal("incentive", json.GetProperty("intervention").GetProperty("kind").GetString());
        var (h, buses) = ReadPtdf(dir);
        var lines = Csv.Read(dir, "lines.csv");
        var atRisk = Enumerable.Range(0, lines.Count).Where(l => lines.Text(l, "at_risk") == "true").ToArray();
        Assert.Equal(json.GetProperty("p2p").GetProperty("at_risk_lines").EnumerateArray().Select(e => e.GetInt32()),
            atRisk.Select(l => lines.Integer(l, "index")));
        // at risk = base occupancy ≥ θ
        double theta = json.GetProperty("intervention").GetProperty("theta").GetDouble();
        for (int l = 0; l < lines.Count; l++)
            Assert.Equal(Math.Abs(lines.Number(l, "base_flow_mw")) / lines.Number(l, "limit_mw") >= theta, atRisk.Contains(l));

        var peers = Csv.Read(dir, "peers.csv");
        var busOf = Enumerable.Range(0, peers.Count).ToDictionary(r => peers.Text(r, "bid_id"), r => Array.IndexOf(buses, peers.Integer(r, "bus")));
        var pairs = Csv.Read(dir, "pairs.csv");
        int sellers = Enumerable.Range(0, peers.Count).Count(r => peers.Text(r, "role") == "seller");
        Assert.Equal(sellers * (peers.Count - sellers), pairs.Count + json.GetProperty("p2p").GetProperty("blocked_pair_count").GetInt32());
        int changed = 0;
        for (int r = 0; r < pairs.Count; r++)
        {
            double factor = pairs.Number(r, "preference_factor");
            Assert.Equal(c0 * factor, pairs.Number(r, "seller_preference_eur_per_mwh"), 1e-12);
            Assert.Equal(c0 * factor, pairs.Number(r, "buyer_preference_eur_per_mwh"), 1e-12);
            Assert.Null(pairs.Optional(r, "cap_mw"));
            // The factor re-derived from the exported PTDF, base flows and at-risk lines (MODEL §6).
            int i = busOf[pairs.Text(r, "seller_bid")], j = busOf[pairs.Text(r, "buyer_bid")];
            double expected = 1;
            foreach (int l in atRisk)
            {
                double s = h[l, i] - h[l, j];
                if (Math.Abs(s) <= 1e-9) continue;
                expected *= Math.Sign(lines.Number(l, "base_flow_mw")) * s > 0 ? 1 + w : 1 - w;
            }
            Assert.Equal(expected, factor, 1e-12);
            if (factor != 1) changed++;
        }
        Assert.True(changed > 0, "the incentive changes some preferences");
    }

    [Fact]
    public void Export_LFM_cost_is_the_sum_of_price_times_activation()
    {
        string dir = Theta80.Value;
        var json = ScenarioJson(dir);
        double dt = json.GetProperty("interval_hours").GetDouble();
        var lfm = Csv.Read(dir, "lfm_bids.csv");
        double cost = 0;
        for (int r = 0; r < lfm.Count; r++)
        {
            double x = lfm.Number(r, "activated_mw");
            Assert.InRange(x, 0, lfm.Number(r, "volume_mw"));
            cost += lfm.Number(r, "price_eur_per_mwh") * x * dt;
        }
        double reported = json.GetProperty("kpis").GetProperty("lfm_cost_eur").GetDouble();
        Assert.Equal(reported, cost, 1e-9 * Math.Max(1, reported));
        Assert.Equal(json.GetProperty("lfm").GetProperty("cost_eur").GetDouble(), reported);
        Assert.True(cost > 1);

        // LFM bids = the orderbook's non-peer bids, then the unmet parts V − |net position| of the peers' bids.
        var bids = Csv.Read(dir, "bids.csv");
        var peers = Csv.Read(dir, "peers.csv");
        var lfmRows = Enumerable.Range(0, bids.Count).Where(r => bids.Text(r, "role") == "lfm").ToArray();
        Assert.Equal(lfmRows.Select(r => bids.Text(r, "id")),
            Enumerable.Range(0, lfm.Count).Where(r => lfm.Text(r, "origin") == "orderbook").Select(r => lfm.Text(r, "id")));
        var volumeOf = Enumerable.Range(0, bids.Count).ToDictionary(r => bids.Text(r, "id"), r => bids.Number(r, "volume_mw"));
        var netOf = Enumerable.Range(0, peers.Count).ToDictionary(r => peers.Text(r, "bid_id"), r => peers.Number(r, "net_position_mw"));
        int unmet = 0;
        for (int r = 0; r < lfm.Count; r++)
        {
            if (lfm.Text(r, "origin") != "peer_unmet") continue;
            unmet++;
            string id = lfm.Text(r, "id");
            Assert.Equal(volumeOf[id] - Math.Abs(netOf[id]), lfm.Number(r, "volume_mw"), 1e-12);
        }
        Assert.Equal(netOf.Count(p => volumeOf[p.Key] - Math.Abs(p.Value) > 1e-9), unmet);

        // After the LFM every line is within its limit; KPIs before it follow from lines.csv.
        var lines = Csv.Read(dir, "lines.csv");
        var congested = new List<int>();
        double overflowSum = 0;
        for (int l = 0; l < lines.Count; l++)
        {
            double limit = lines.Number(l, "limit_mw");
            Assert.True(Math.Abs(lines.Number(l, "flow_after_lfm_mw")) <= limit + 1e-6);
            double overflow = Math.Abs(lines.Number(l, "flow_before_lfm_mw")) - limit;
            if (overflow > json.GetProperty("congestion_tolerance_mw").GetDouble()) { congested.Add(lines.Integer(l, "index")); overflowSum += overflow; }
            Assert.True(lines.Number(l, "lfm_dual_eur_per_mwh_per_mw") >= 0);
        }
        var kpis = json.GetProperty("kpis");
        Assert.Equal(kpis.GetProperty("congested_before_lfm").EnumerateArray().Select(e => e.GetInt32()), congested);
        Assert.Equal(kpis.GetProperty("congested_lines").GetInt32(), congested.Count);
        Assert.Equal(kpis.GetProperty("overflow_sum_mw").GetDouble(), overflowSum, 1e-9);
    }

    [Fact]
    public void Export_prices_and_trades_satisfy_the_equilibrium_conditions()
    {
        string dir = Theta80.Value;
        double eps = ScenarioJson(dir).GetProperty("epsilon_eur_per_mw2h").GetDouble();
        var peers = Csv.Read(dir, "peers.csv");
        var price = Enumerable.Range(0, peers.Count).ToDictionary(r => peers.Text(r, "bid_id"), r => peers.Number(r, "price_eur_per_mwh"));
        // Each peer's volume is its best response to its own price: G = clip((μ − π)/a, 0, V), D = clip((λ − ν)/b, 0, V).
        for (int r = 0; r < peers.Count; r++)
        {
            double v = peers.Number(r, "max_volume_mw"), c = peers.Number(r, "linear_cost_eur_per_mwh"), a = peers.Number(r, "quadratic_cost_eur_per_mw2h");
            double mu = peers.Number(r, "price_eur_per_mwh");
            bool seller = peers.Text(r, "role") == "seller";
            double response = Math.Clamp((seller ? mu - c : c - mu) / a, 0, v);
            Assert.Equal(response, Math.Abs(peers.Number(r, "net_position_mw")), 1e-8);
        }
        // Each trade is the pair's best response: q = clip((ν_buyer − μ_seller − c_ij − c_ji)/ε, 0, cap).
        var pairs = Csv.Read(dir, "pairs.csv");
        for (int r = 0; r < pairs.Count; r++)
        {
            double margin = price[pairs.Text(r, "buyer_bid")] - price[pairs.Text(r, "seller_bid")]
                            - pairs.Number(r, "seller_preference_eur_per_mwh") - pairs.Number(r, "buyer_preference_eur_per_mwh");
            Assert.Equal(Math.Max(0, margin / eps), pairs.Number(r, "trade_mw"), 1e-8);
        }
    }

    [Fact]
    public void Export_markets_re_solved_from_the_files_give_the_exported_results()
    {
        string dir = Theta80.Value;
        var json = ScenarioJson(dir);

        // P2P market from peers.csv, pairs.csv and ε, Δt.
        var peers = Csv.Read(dir, "peers.csv");
        var peerList = Enumerable.Range(0, peers.Count).Select(r =>
        {
            Assert.Equal(r, peers.Integer(r, "peer_index"));
            return new Peer(peers.Text(r, "bid_id"), peers.Text(r, "role") == "seller" ? PeerRole.Seller : PeerRole.Buyer,
                peers.Number(r, "max_volume_mw"), peers.Number(r, "linear_cost_eur_per_mwh"), peers.Number(r, "quadratic_cost_eur_per_mw2h"));
        }).ToArray();
        var index = peerList.Select((p, i) => (p.Id, i)).ToDictionary(x => x.Id, x => x.i);
        var pairs = Csv.Read(dir, "pairs.csv");
        var pairList = Enumerable.Range(0, pairs.Count).Select(r => new TradePair(
            index[pairs.Text(r, "seller_bid")], index[pairs.Text(r, "buyer_bid")],
            pairs.Number(r, "seller_preference_eur_per_mwh"), pairs.Number(r, "buyer_preference_eur_per_mwh"),
            pairs.Optional(r, "cap_mw") ?? double.PositiveInfinity)).ToArray();
        var problem = new P2PMarketProblem(peerList, pairList, json.GetProperty("epsilon_eur_per_mw2h").GetDouble(), json.GetProperty("interval_hours").GetDouble());
        var exportedTrades = Enumerable.Range(0, pairs.Count).Select(r => pairs.Number(r, "trade_mw")).ToArray();
        Assert.True(P2PKktChecker.Check(problem, exportedTrades).IsSatisfied(1e-8, 1e-5));
        var p2p = CentralizedP2PSolver.Solve(problem);
        Assert.Equal(SolveStatus.Converged, p2p.Status);
        Assert.Equal(exportedTrades, p2p.TradesMw.ToArray(), new ToleranceComparer(1e-8));

        // LFM from ptdf.csv, lines.csv (flows before the LFM, limits) and lfm_bids.csv.
        var (h, buses) = ReadPtdf(dir);
        var lfmBids = Csv.Read(dir, "lfm_bids.csv");
        var bids = Enumerable.Range(0, lfmBids.Count).Select(r => new FlexBid(lfmBids.Text(r, "id"), Array.IndexOf(buses, lfmBids.Integer(r, "bus")),
            lfmBids.Text(r, "direction") == "up" ? BidDirection.Up : BidDirection.Down, lfmBids.Number(r, "volume_mw"), lfmBids.Number(r, "price_eur_per_mwh"))).ToArray();
        var lfm = LocalFlexibilityMarket.Clear(new LfmProblem(h, LineColumn(dir, "flow_before_lfm_mw"), LineColumn(dir, "limit_mw"), bids,
            json.GetProperty("market").GetProperty("lfm_require_balance").GetBoolean(), json.GetProperty("interval_hours").GetDouble()));
        Assert.Equal(json.GetProperty("lfm").GetProperty("status").GetString(), lfm.Status.ToString());
        Assert.Equal(json.GetProperty("lfm").GetProperty("cost_eur").GetDouble(), lfm.CostEur!.Value, 1e-9);
    }

    [Fact]
    public void Export_of_scenario_0_without_peers_has_header_only_peer_files()
    {
        string dir = Scenario0.Value;
        Assert.Equal(0, Csv.Read(dir, "peers.csv").Count);
        Assert.Equal(0, Csv.Read(dir, "pairs.csv").Count);
        Assert.Single(File.ReadAllLines(Path.Combine(dir, "peers.csv")));
        var bids = Csv.Read(dir, "bids.csv");
        Assert.All(Enumerable.Range(0, bids.Count), r => Assert.Equal("lfm", bids.Text(r, "role")));
        var lfm = Csv.Read(dir, "lfm_bids.csv");
        Assert.Equal(172, lfm.Count);
        Assert.All(Enumerable.Range(0, lfm.Count), r => Assert.Equal("orderbook", lfm.Text(r, "origin")));
        var lines = Csv.Read(dir, "lines.csv");
        Assert.All(Enumerable.Range(0, lines.Count), l => Assert.Equal("", lines.Text(l, "at_risk")));
        Assert.Equal(LineColumn(dir, "base_flow_mw"), LineColumn(dir, "flow_before_lfm_mw"));
        var json = ScenarioJson(dir);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("p2p").GetProperty("solver").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("p2p").GetProperty("at_risk_lines").ValueKind);
        Assert.Equal("none", json.GetProperty("intervention").GetProperty("kind").GetString());
        Assert.Equal(new[] { 44, 67 }, json.GetProperty("kpis").GetProperty("congested_before_lfm").EnumerateArray().Select(e => e.GetInt32()));
        double cost = Enumerable.Range(0, lfm.Count).Sum(r => lfm.Number(r, "price_eur_per_mwh") * lfm.Number(r, "activated_mw"));
        Assert.Equal(json.GetProperty("kpis").GetProperty("lfm_cost_eur").GetDouble(), cost, 1e-9);
    }

    [Fact]
    public void Export_replaces_an_earlier_export_and_refuses_any_other_folder()
    {
        var files = ScenarioExport.Files(Run("0"), Context.Value.Orderbook);
        string parent = NewTempFolder();
        string target = Path.Combine(parent, "out");
        Directory.CreateDirectory(target); // an empty folder is fine
        ScenarioExport.Write(files, target);
        File.WriteAllText(Path.Combine(target, "lines.csv"), "stale");
        ScenarioExport.Write(files, target); // an earlier export is replaced as a whole
        Assert.Equal(files["lines.csv"], File.ReadAllText(Path.Combine(target, "lines.csv")));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));

        string foreign = Path.Combine(parent, "notes");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "thesis.tex"), "keep me");
        Assert.Throws<ArgumentException>(() => ScenarioExport.Write(files, foreign));
        Assert.Equal(["thesis.tex"], Directory.GetFiles(foreign).Select(Path.GetFileName));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(foreign, "thesis.tex")));
        Assert.Throws<ArgumentException>(() => ScenarioExport.Write(new Dictionary<string, string> { ["../x.csv"] = "" }, Path.Combine(parent, "bad")));
        Assert.Equal(["notes", "out"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
    }

    /// <summary>A file set whose enumeration fails after the first file: an export interrupted half-way.</summary>
    private sealed class FailingFiles(IReadOnlyDictionary<string, string> inner) : IReadOnlyDictionary<string, string>
    {
        public string this[string key] => inner[key];
        public IEnumerable<string> Keys => inner.Keys;
        public IEnumerable<string> Values => inner.Values;
        public int Count => inner.Count;
        public bool ContainsKey(string key) => inner.ContainsKey(key);
        public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => inner.TryGetValue(key, out value);
        public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
        {
            yield return inner.First();
            throw new IOException("disk full (simulated)");
        }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Fact]
    public void Export_interrupted_half_way_leaves_the_target_as_it_was()
    {
        var files = ScenarioExport.Files(Run("0"), Context.Value.Orderbook);
        string parent = NewTempFolder();
        string fresh = Path.Combine(parent, "fresh");
        Assert.Throws<IOException>(() => ScenarioExport.Write(new FailingFiles(files), fresh));
        Assert.False(Directory.Exists(fresh));

        string earlier = Path.Combine(parent, "earlier");
        ScenarioExport.Write(files, earlier);
        Assert.Throws<IOException>(() => ScenarioExport.Write(new FailingFiles(files.ToDictionary(f => f.Key, f => "changed")), earlier));
        foreach (var (name, content) in files) Assert.Equal(content, File.ReadAllText(Path.Combine(earlier, name)));
        Assert.Equal(["earlier"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));
    }

    private static (int Code, string Out, string Err) Cli(params string[] args) => P2PFlex.Tests.Cli.CliRunner.Run(args);

    [Fact]
    public void Export_command_writes_a_scenario_and_rejects_bad_usage_with_exit_2()
    {
        string parent = NewTempFolder();
        string dir = Path.Combine(parent, "s0");
        var (code, output, error) = Cli("scenarios", "export", "0", dir);
        Assert.True(code == 0, error);
        Assert.Contains("lfm_bids.csv", output);
        Assert.Equal(File.ReadAllText(Path.Combine(Scenario0.Value, "lines.csv")), File.ReadAllText(Path.Combine(dir, "lines.csv")));

        string missing = Path.Combine(parent, "nope");
        var (unknown, _, unknownError) = Cli("scenarios", "export", "no-such-scenario", missing);
        Assert.Equal(2, unknown);
        Assert.Contains("unknown scenario 'no-such-scenario'", unknownError);
        Assert.False(Directory.Exists(missing));
        Assert.Equal(2, Cli("scenarios", "export", "0").Code);
        Assert.Equal(2, Cli("scenarios", "export", "0", missing, "--json").Code);

        // A folder that holds something else is a data error (exit 1), left untouched.
        File.WriteAllText(Path.Combine(parent, "s0", "extra.txt"), "mine");
        var (refused, _, refusedError) = Cli("scenarios", "export", "0", dir);
        Assert.Equal(1, refused);
        Assert.Contains("neither empty nor an earlier scenario export", refusedError);
        Assert.True(File.Exists(Path.Combine(dir, "extra.txt")));
    }

    [Fact]
    public void Export_docs_describe_every_file_and_column()
    {
        string docs = File.ReadAllText(Path.Combine(Path.GetDirectoryName(DataPaths.Root)!, "docs", "export.md"));
        foreach (var (name, _) in ScenarioExport.FileDescriptions) Assert.Contains($"`{name}`", docs);
        foreach (var file in Directory.GetFiles(Theta80.Value, "*.csv"))
            foreach (var column in CsvTable.Read(file).Header)
                Assert.True(docs.Contains($"`{Regex.Replace(column, @"^((?:g_|sv_)?bus_)\d+$", "$1<n>")}`"), $"{Path.GetFileName(file)}: column {column} is not documented");
        foreach (var key in new[] { "format_version", "kpis", "blocked_pair_count", "at_risk_lines", "primal_residual_mw", "files", "voltage_aware", "final_lp_voltage_tolerance_pu" })
            Assert.Contains($"`{key}`", docs);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
