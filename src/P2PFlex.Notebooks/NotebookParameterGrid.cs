using System.Globalization;
using System.Text;
using System.Text.Json;

namespace P2PFlex.Notebooks;

/// <summary>One parameter of a grid and the values it takes, as text (as on a command line).</summary>
public sealed record ParameterAxis(string Name, IReadOnlyList<string> Values);

/// <summary>
/// A grid of notebook parameters: every combination of the axes' values (<c>-p W=0.1,0.2,0.3 -p theta=0.8,1.0</c> is six
/// runs), the first axis varying slowest, so runs come in the order a reader expects (W = 0.1 with each θ, then W = 0.2 …).
/// </summary>
public static class ParameterGrid
{
    /// <summary>Most runs one grid may have (each is a whole notebook execution).</summary>
    public const int MaxRuns = 1000;

    /// <summary>
    /// The values of <c>-p NAME=V1,V2,…</c>: split at commas; <c>\,</c> is a comma inside a value and <c>\\</c> a
    /// backslash. One value without a comma is a list of one.
    /// </summary>
    public static IReadOnlyList<string> SplitValues(string text)
    {
        var values = new List<string>();
        var current = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is ',' or '\\') current.Append(text[++i]);
            else if (c == ',')
            {
                values.Add(current.ToString());
                current.Clear();
            }
            else current.Append(c);
        }
        values.Add(current.ToString());
        return values;
    }

    /// <summary>Every combination of the axes' values, the first axis slowest; one empty set for no axes.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Expand(IReadOnlyList<ParameterAxis> axes)
    {
        var duplicate = axes.GroupBy(a => a.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"parameter '{duplicate.Key}' is given twice");
        foreach (var a in axes)
        {
            if (a.Values.Count == 0) throw new ArgumentException($"parameter '{a.Name}' has no value");
            var repeated = a.Values.GroupBy(v => v, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (repeated is not null) throw new ArgumentException($"parameter '{a.Name}' lists the value '{repeated.Key}' twice");
        }
        long runs = axes.Aggregate(1L, (n, a) => Math.Min(n * a.Values.Count, MaxRuns + 1L));
        if (runs > MaxRuns)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"the parameter grid has more than {MaxRuns} combinations ({string.Join(" × ", axes.Select(a => a.Values.Count))})"));
        IEnumerable<IReadOnlyList<(string, string)>> sets = [[]];
        foreach (var axis in axes)
            sets = sets.SelectMany(set => axis.Values.Select(v => (IReadOnlyList<(string, string)>)[.. set, (axis.Name, v)])).ToArray();
        return sets.Select(set => (IReadOnlyDictionary<string, string>)set.ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal)).ToArray();
    }

    /// <summary>"W = 0.1, theta = 0.8" (empty for no parameters).</summary>
    public static string Describe(IReadOnlyDictionary<string, string> parameters) =>
        string.Join(", ", parameters.Select(p => $"{p.Key} = {p.Value}"));

    /// <summary>A file-name suffix for one run of a grid: <c>W0.1-theta0.8</c> (letters, digits, '.', '-' and '_' only).</summary>
    public static string FileSuffix(IReadOnlyDictionary<string, string> parameters)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (sb.Length > 0) sb.Append('-');
            foreach (char c in name + value) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }
        return sb.ToString();
    }
}

/// <summary>
/// A parameter file (<c>-f params.json</c> or <c>params.yaml</c>): one object/mapping of parameter name → value, or →
/// a list of values (a grid axis). Scalars become their text as on a command line: numbers as written, <c>true</c> /
/// <c>false</c>, strings as they are. Anything else (nested objects, null, an empty list) is an error naming the file
/// and the parameter.
/// </summary>
public static class NotebookParameterFile
{
    /// <summary>Largest parameter file read (bytes): a grid of a few axes is a few hundred bytes.</summary>
    public const long MaxFileBytes = 1024 * 1024;

    public static IReadOnlyList<ParameterAxis> Read(string path)
    {
        string text;
        try { text = P2PFlex.IO.BoundedInput.ReadAllText(path, MaxFileBytes); }
        catch (P2PFlex.IO.InputTooLargeException) { throw new InvalidDataException($"{path}: more than {MaxFileBytes} bytes, the limit of a parameter file (a device, a pipe or not a parameter file?)"); }
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".json" => FromJson(text, path),
            ".yaml" or ".yml" => FromYaml(text, path),
            _ => throw new InvalidDataException($"{path}: a parameter file is .json, .yaml or .yml, not '{ext}'"),
        };
    }

    public static IReadOnlyList<ParameterAxis> FromJson(string text, string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{(e.LineNumber ?? 0) + 1}: not valid JSON: {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: a parameter file holds one object {{\"NAME\": value or [values], …}}, not a {doc.RootElement.ValueKind}");
            var axes = new List<ParameterAxis>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (axes.Any(a => a.Name == p.Name)) throw new InvalidDataException($"{path}: parameter '{p.Name}' is given twice");
                var values = p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray().Select(v => Scalar(v, path, p.Name)).ToArray() : [Scalar(p.Value, path, p.Name)];
                if (values.Length == 0) throw new InvalidDataException($"{path}: parameter '{p.Name}' has an empty list of values");
                axes.Add(new ParameterAxis(p.Name, values));
            }
            return axes;
        }
    }

    private static string Scalar(JsonElement v, string path, string name) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new InvalidDataException($"{path}: parameter '{name}': a value is a number, a string, true or false, not {v.ValueKind}"),
    };

    public static IReadOnlyList<ParameterAxis> FromYaml(string text, string path)
    {
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidDataException($"{path}:{e.Start.Line}: not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlDotNet.RepresentationModel.YamlMappingNode root)
            throw new InvalidDataException($"{path}: a parameter file holds one mapping (NAME: value or [values]), one per line");
        var axes = new List<ParameterAxis>();
        foreach (var (key, value) in root.Children)
        {
            string name = key is YamlDotNet.RepresentationModel.YamlScalarNode k ? k.Value ?? "" : throw new InvalidDataException($"{path}:{key.Start.Line}: a parameter name is a plain word");
            if (axes.Any(a => a.Name == name)) throw new InvalidDataException($"{path}:{key.Start.Line}: parameter '{name}' is given twice");
            string[] values = value switch
            {
                YamlDotNet.RepresentationModel.YamlSequenceNode seq => seq.Children.Select(c => YamlScalar(c, path, name)).ToArray(),
                _ => [YamlScalar(value, path, name)],
            };
            if (values.Length == 0) throw new InvalidDataException($"{path}:{value.Start.Line}: parameter '{name}' has an empty list of values");
            axes.Add(new ParameterAxis(name, values));
        }
        return axes;
    }

    private static string YamlScalar(YamlDotNet.RepresentationModel.YamlNode node, string path, string name) =>
        node is YamlDotNet.RepresentationModel.YamlScalarNode { Value: { } v } && !(node is YamlDotNet.RepresentationModel.YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } && v is "" or "~" or "null")
            ? v
            : throw new InvalidDataException($"{path}:{node.Start.Line}: parameter '{name}': a value is a number, a string, true or false");
}
