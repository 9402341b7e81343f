using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace P2PFlex.IO;

/// <summary>
/// Refuses keys a JSON data file's reader does not know, so that a misspelt optional key is an error instead of a
/// silent fallback to its default. Known keys are read off the reader's own DTO types (their
/// <see cref="JsonPropertyNameAttribute"/> names), so a key added to a DTO is known without further code.
/// </summary>
public static class JsonKeyCheck
{
    /// <summary>Throws <see cref="DataFormatException"/> naming the file, the line, the key's path and the nearest known
    /// key for the first unknown key in <paramref name="json"/>, read against <paramref name="dtoType"/>.</summary>
    public static void Check(string path, string json, Type dtoType)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        Walk(path, json, doc.RootElement, dtoType, "");
    }

    private static void Walk(string path, string json, JsonElement element, Type type, string at)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (element.ValueKind == JsonValueKind.Array && ElementType(type) is Type item)
        {
            int i = 0;
            foreach (var e in element.EnumerateArray()) Walk(path, json, e, item, $"{at}[{i++}]");
            return;
        }
        if (element.ValueKind != JsonValueKind.Object || !IsRecord(type)) return;
        var known = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name != "EqualityContract" && p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name, p => p.PropertyType, StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            string key = at.Length == 0 ? property.Name : $"{at}.{property.Name}";
            if (!known.TryGetValue(property.Name, out var propertyType))
            {
                string? nearest = Nearest(property.Name, known.Keys);
                throw new DataFormatException(path, LineOf(json, property.Name), key,
                    $"unknown key '{key}'" + (nearest is null ? "" : $" (did you mean '{(at.Length == 0 ? nearest : at + "." + nearest)}'?)")
                    + $"; known here: {string.Join(", ", known.Keys.Order(StringComparer.Ordinal))}");
            }
            Walk(path, json, property.Value, propertyType, key);
        }
    }

    private static bool IsRecord(Type t) => t.IsClass && t != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(t);

    private static Type? ElementType(Type t) =>
        t.IsArray ? t.GetElementType() :
        t.IsGenericType && typeof(IEnumerable).IsAssignableFrom(t) ? t.GetGenericArguments()[0] : null;

    /// <summary>The 1-based line of the first occurrence of <c>"key"</c> (0 when not found).</summary>
    private static int LineOf(string json, string key)
    {
        int at = json.IndexOf($"\"{key}\"", StringComparison.Ordinal);
        return at < 0 ? 0 : json.AsSpan(0, at).Count('\n') + 1;
    }

    /// <summary>The known key with the smallest edit distance, if it is close enough to be a plausible typo.</summary>
    public static string? Nearest(string key, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var k in known.Order(StringComparer.Ordinal))
        {
            int d = EditDistance(key.ToLowerInvariant(), k.ToLowerInvariant());
            if (d < bestDistance) { best = k; bestDistance = d; }
        }
        return best is not null && bestDistance <= Math.Max(2, best.Length / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
