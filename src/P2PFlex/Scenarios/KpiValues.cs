using System.Globalization;
using System.Text.Json;
using P2PFlex.IO;

namespace P2PFlex.Scenarios;

/// <summary>
/// KPI values a scenario file states (<c>"expected"</c>: what this code must reproduce; <c>"study"</c>: what the study
/// reported), keyed by the KPI column names of <see cref="KpiColumns.Names"/>. Any column may be stated; the reader
/// checks names and value kinds against the columns, and <see cref="KpiExpectation"/> compares them generically, so a
/// KPI added to <see cref="ScenarioKpis"/> can be expected and reported with no further code.
/// </summary>
public sealed class KpiValues
{
    private readonly Dictionary<string, JsonElement> _values;

    private KpiValues(IReadOnlyList<string> names, Dictionary<string, JsonElement> values)
    {
        Names = names;
        _values = values;
    }

    /// <summary>The stated columns, in file order.</summary>
    public IReadOnlyList<string> Names { get; }

    public bool Has(string column) => _values.ContainsKey(column);

    /// <summary>The stated value (null when not stated).</summary>
    public JsonElement? this[string column] => _values.TryGetValue(column, out var v) ? v : null;

    /// <summary>A stated number (null when not stated or stated as null).</summary>
    public double? Number(string column) => this[column] is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : null;

    /// <summary>The columns' scalar types (line lists and statuses are strings).</summary>
    private static readonly Dictionary<string, Type> ColumnTypes = KpiColumns.Types().ToDictionary(c => c.Name, c => Nullable.GetUnderlyingType(c.Type) ?? c.Type, StringComparer.Ordinal);

    /// <summary>
    /// Reads the object at <paramref name="at"/> (<c>expected</c>, <c>study</c>) of a scenario file: every key must be a KPI
    /// column (or one of <paramref name="extraKeys"/>, which are skipped), every value of the column's kind (a number for
    /// numbers, an integer for counts, a string for texts, a list of line numbers or a string for line lists, or null).
    /// </summary>
    /// <exception cref="DataFormatException">An unknown key or a value of the wrong kind, naming file, line and key.</exception>
    public static KpiValues Read(string path, JsonKeyLines lines, JsonElement element, string at, params string[] extraKeys)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new DataFormatException(path, lines.LineOf(at), at, $"must be an object of KPI values, is {Kind(element)}");
        var names = new List<string>();
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            string key = $"{at}.{p.Name}";
            if (extraKeys.Contains(p.Name)) continue;
            if (!ColumnTypes.TryGetValue(p.Name, out var type))
            {
                string? nearest = JsonKeyCheck.Nearest(p.Name, ColumnTypes.Keys.Concat(extraKeys));
                throw new DataFormatException(path, lines.LineOf(key), key,
                    $"unknown key '{key}'" + (nearest is null ? "" : $" (did you mean '{at}.{nearest}'?)") + "; the keys are the KPI columns (docs/model.md)");
            }
            var v = p.Value;
            bool fits = v.ValueKind == JsonValueKind.Null
                || (type == typeof(double) && v.ValueKind == JsonValueKind.Number)
                || (type == typeof(int) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out _))
                || (type == typeof(bool) && v.ValueKind is JsonValueKind.True or JsonValueKind.False)
                || (type == typeof(string) && (v.ValueKind == JsonValueKind.String || IsLineList(v)));
            if (!fits)
                throw new DataFormatException(path, lines.LineOf(key), key, $"must be {KindOf(type)} or null, is {Kind(v)}");
            names.Add(p.Name);
            values[p.Name] = v.Clone();
        }
        return new KpiValues(names, values);
    }

    /// <summary>A stated value as the KPI column writes it (line lists as space-separated numbers), for comparing texts.</summary>
    internal static string? Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Array => string.Join(" ", v.EnumerateArray().Select(e => e.GetInt32().ToString(CultureInfo.InvariantCulture))),
        _ => v.GetRawText(),
    };

    private static bool IsLineList(JsonElement v) =>
        v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out _));

    private static string KindOf(Type t) =>
        t == typeof(double) ? "a number" : t == typeof(int) ? "an integer" : t == typeof(bool) ? "true or false" : "a string (or a list of line numbers)";

    internal static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string \"{v.GetString()}\"",
        JsonValueKind.Null => "null",
        _ => v.GetRawText(),
    };
}

/// <summary>
/// The KPIs a scenario file declares under <c>"expected"</c> and CI re-checks (in the manner of Lean's expected
/// statistics): any KPI column, compared with the run's <see cref="ScenarioKpis.Columns"/> — numbers within
/// <see cref="RelativeTolerance"/> × max(1, |expected|), counts, texts and line lists exactly, null as null.
/// </summary>
public sealed record KpiExpectation(KpiValues Values, double RelativeTolerance)
{
    /// <summary>The key of the tolerance in the <c>expected</c> object (the one key that is not a KPI column).</summary>
    public const string ToleranceKey = "relative_tolerance";

    /// <summary>Every stated KPI the run does not reproduce, as "column: expected …, got …" (empty when all hold).</summary>
    public IReadOnlyList<string> Mismatches(ScenarioKpis kpis)
    {
        var actual = kpis.Columns().ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var name in Values.Names)
        {
            var e = Values[name]!.Value;
            object? a = actual[name];
            if (!Holds(e, a))
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: expected {e.GetRawText()}, got {(a is null ? "null" : a is double d ? d.ToString("R", CultureInfo.InvariantCulture) : a)}"));
        }
        return problems;
    }

    private bool Holds(JsonElement e, object? a) => a switch
    {
        null => e.ValueKind == JsonValueKind.Null,
        double d => e.ValueKind == JsonValueKind.Number && Math.Abs(d - e.GetDouble()) <= RelativeTolerance * Math.Max(1, Math.Abs(e.GetDouble())),
        int i => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int x) && x == i,
        bool b => e.ValueKind == (b ? JsonValueKind.True : JsonValueKind.False),
        _ => KpiValues.Text(e) == Convert.ToString(a, CultureInfo.InvariantCulture),
    };
}
