using System.Text.Json.Nodes;
using P2PFlex.Notebooks;

namespace P2PFlex.Kernel;

/// <summary>Reading fields of a request's content and writing the content of error messages, shared by the handlers.</summary>
internal static class KernelContent
{
    /// <summary>A string field, or "" when it is missing or not a string.</summary>
    public static string String(JsonObject content, string name) =>
        content[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    /// <summary>A boolean field, or <paramref name="fallback"/> when it is missing or not a boolean.</summary>
    public static bool Bool(JsonObject content, string name, bool fallback) =>
        content[name] is JsonValue v && v.TryGetValue<bool>(out bool b) ? b : fallback;

    /// <summary>The request's <c>cursor_pos</c> (in code points), or the end of <paramref name="code"/> when it has none.</summary>
    public static int CursorPosition(JsonObject content, string code) =>
        content["cursor_pos"] is JsonValue v && v.TryGetValue<int>(out int c) ? c : TextPositions.CodePointLength(code);

    /// <summary>The content of an <c>error</c> message (and of a failed execute_reply): ename, evalue, traceback.</summary>
    public static JsonObject Error(ErrorOutput e) => new()
    {
        ["ename"] = e.EName,
        ["evalue"] = e.EValue,
        ["traceback"] = new JsonArray(e.Traceback.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
    };
}
