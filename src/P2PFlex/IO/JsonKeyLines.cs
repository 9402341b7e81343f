using System.Text;
using System.Text.Json;

namespace P2PFlex.IO;

/// <summary>
/// Where each key of a JSON data file stands (1-based line, by its path <c>a.b[2].c</c>), read once with the same
/// options as the file's reader. It also refuses a key given twice in one object: <see cref="JsonSerializer"/> would
/// let the last value win without a word.
/// </summary>
public sealed class JsonKeyLines
{
    private readonly Dictionary<string, int> _lines;

    private JsonKeyLines(Dictionary<string, int> lines) => _lines = lines;

    /// <summary>The 1-based line of the key at <paramref name="keyPath"/> (0 when the file has no such key).</summary>
    public int LineOf(string keyPath) => _lines.TryGetValue(keyPath, out int line) ? line : 0;

    /// <summary>Scans <paramref name="json"/> (the text of <paramref name="path"/>).</summary>
    /// <exception cref="DataFormatException">A key occurs twice in one object.</exception>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    public static JsonKeyLines Scan(string path, string json)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        // One frame per open container: its path, the keys seen (objects) or the next index (arrays).
        var frames = new Stack<(string Path, HashSet<string>? Keys, int Index)>();
        string? pendingKey = null;
        int line = 1;
        long counted = 0;
        int LineAt(long offset)
        {
            for (; counted < offset; counted++) if (bytes[counted] == (byte)'\n') line++;
            return line;
        }
        string ValuePath()
        {
            if (pendingKey is not null) { string p = pendingKey; pendingKey = null; return p; }
            if (frames.Count == 0) return "";
            var (container, keys, index) = frames.Pop();
            frames.Push((container, keys, index + 1));
            return $"{container}[{index}]";
        }
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    {
                        var (at0, keys, _) = frames.Peek();
                        string name = reader.GetString()!;
                        string full = at0.Length == 0 ? name : $"{at0}.{name}";
                        int at = LineAt(reader.TokenStartIndex);
                        if (!keys!.Add(name))
                            throw new DataFormatException(path, at, full, $"key '{full}' is given twice (first on line {lines[full]}); only one value can count");
                        lines[full] = at;
                        pendingKey = full;
                        break;
                    }
                case JsonTokenType.StartObject:
                    frames.Push((ValuePath(), new HashSet<string>(StringComparer.Ordinal), 0));
                    break;
                case JsonTokenType.StartArray:
                    frames.Push((ValuePath(), null, 0));
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    frames.Pop();
                    break;
                default:
                    ValuePath();
                    break;
            }
        }
        return new JsonKeyLines(lines);
    }
}
