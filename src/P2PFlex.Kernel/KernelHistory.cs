using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace P2PFlex.Kernel;

/// <summary>
/// The inputs (and text results) of this kernel process, for <c>history_request</c>: tail, range and search (glob
/// patterns with <c>*</c> and <c>?</c>, as IPython's). Kept in memory only: session 1 is always the current process.
/// </summary>
internal sealed class KernelHistory
{
    public const int Session = 1;
    private readonly object _gate = new();
    private readonly List<(int Line, string Input, string? Output)> _entries = new();

    public void Add(int line, string input, string? output)
    {
        lock (_gate) _entries.Add((line, input, output));
    }

    public JsonObject Reply(JsonObject request)
    {
        bool output = Bool(request, "output");
        string type = request["hist_access_type"] is JsonValue v && v.TryGetValue<string>(out var t) ? t : "tail";
        List<(int Line, string Input, string? Output)> all;
        lock (_gate) all = _entries.ToList();
        IEnumerable<(int Line, string Input, string? Output)> selected = type switch
        {
            "tail" => Last(all, Int(request, "n") ?? 10),
            "range" => Range(all, request),
            "search" => Search(all, request),
            _ => [],
        };
        var history = new JsonArray();
        foreach (var e in selected)
            history.Add(new JsonArray(Session, e.Line, output ? new JsonArray(e.Input, e.Output) : JsonValue.Create(e.Input)));
        return new JsonObject { ["status"] = "ok", ["history"] = history };
    }

    private static IEnumerable<T> Last<T>(List<T> list, int n) => n <= 0 ? list : list.Skip(Math.Max(0, list.Count - n));

    private static IEnumerable<(int Line, string Input, string? Output)> Range(List<(int Line, string Input, string? Output)> all, JsonObject request)
    {
        int session = Int(request, "session") ?? 0;
        if (session > 0 && session != Session) return [];   // 0 or negative: the current session
        int start = Int(request, "start") ?? 1;
        int? stop = Int(request, "stop");
        return all.Where(e => e.Line >= start && (stop is null or <= 0 || e.Line < stop));
    }

    private static IEnumerable<(int Line, string Input, string? Output)> Search(List<(int Line, string Input, string? Output)> all, JsonObject request)
    {
        string pattern = request["pattern"] is JsonValue v && v.TryGetValue<string>(out var p) ? p : "*";
        var regex = new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.Singleline);
        var matches = all.Where(e => regex.IsMatch(e.Input)).ToList();
        if (Bool(request, "unique"))
            matches = matches.GroupBy(e => e.Input).Select(g => g.Last()).OrderBy(e => e.Line).ToList();
        int? n = Int(request, "n");
        return n is > 0 ? Last(matches, n.Value) : matches;
    }

    private static bool Bool(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<bool>(out bool b) && b;

    private static int? Int(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<int>(out int i) ? i : null;
}
