using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace P2PFlex.Notebooks;

/// <summary>A variable declared in the cell tagged <c>parameters</c>.</summary>
/// <param name="Name">The variable.</param>
/// <param name="Type">Its C# type as written, or the literal's type for <c>var x = literal</c>; null if unknown.</param>
/// <param name="Default">The initializer as written.</param>
public sealed record DeclaredParameter(string Name, string? Type, string Default);

/// <summary>A parameter as injected: the value given, the C# statement that sets it, and whether the notebook declares it.</summary>
public sealed record InjectedParameter(string Name, string Value, string Statement, bool Declared, string? Type);

/// <summary>The outcome of <see cref="NotebookParameters.Inject"/>.</summary>
/// <param name="Cell">The injected cell (null when no parameters were given).</param>
/// <param name="Parameters">One entry per parameter, in the order given.</param>
/// <param name="Problems">Values that cannot be injected (bad names, values not of the declared type); the runner
/// reports them as the injected cell's error and runs nothing.</param>
/// <param name="HasParametersCell">False when the notebook has no cell tagged <c>parameters</c> (the cell then goes first).</param>
public sealed record ParameterInjection(NotebookCell? Cell, IReadOnlyList<InjectedParameter> Parameters, IReadOnlyList<string> Problems, bool HasParametersCell);

/// <summary>
/// Papermill-style parameters. The cell tagged <c>parameters</c> holds the defaults; <see cref="Inject"/> puts a cell
/// tagged <c>injected-parameters</c> right after it (replacing one from an earlier run) that overrides them.
/// Values are given as text (e.g. from a command line) and written as C# literals of the declared type: numbers in
/// the invariant culture, strings quoted and escaped, <c>true</c>/<c>false</c>. Declared variables are assigned
/// (<c>x = 0.25;</c>), so the compiler checks the type and later cells see the declared type unchanged; types without
/// literals (enums, dates, arrays) go through <see cref="Scripting.ParameterConvert"/>. Parameters the notebook does not
/// declare are declared with <c>var</c> and a type inferred from the text (bool, int, long, double, else string).
/// </summary>
public static class NotebookParameters
{
    public const string ParametersTag = "parameters";
    public const string InjectedTag = "injected-parameters";

    public static NotebookCell? FindParametersCell(Notebook nb) =>
        nb.Cells.FirstOrDefault(c => c.CellType == CellType.Code && c.HasTag(ParametersTag));

    /// <summary>The variables declared at the top level of a parameters cell.</summary>
    public static IReadOnlyList<DeclaredParameter> Declared(string parametersCellSource)
    {
        var tree = CSharpSyntaxTree.ParseText(CellPreprocessor.MaskDirectives(parametersCellSource), ScriptParseOptions);
        var result = new List<DeclaredParameter>();
        foreach (var member in tree.GetCompilationUnitRoot().Members)
        {
            VariableDeclarationSyntax? decl = member switch
            {
                FieldDeclarationSyntax f => f.Declaration,
                GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax l } => l.Declaration,
                _ => null,
            };
            if (decl is null) continue;
            string written = decl.Type.ToString();
            foreach (var v in decl.Variables)
            {
                var init = v.Initializer?.Value;
                string? type = written == "var" ? (init is null ? null : LiteralType(init)) : written;
                result.Add(new DeclaredParameter(v.Identifier.Text, type, init?.ToString() ?? ""));
            }
        }
        return result;
    }

    /// <summary>The variables a notebook declares in its cell tagged <c>parameters</c> (empty when it has none), each
    /// once (the last declaration wins, as in the cell).</summary>
    public static IReadOnlyList<DeclaredParameter> Declared(Notebook nb)
    {
        var cell = FindParametersCell(nb);
        if (cell is null) return [];
        var all = Declared(cell.Source);
        return all.Where((d, i) => all.Skip(i + 1).All(later => later.Name != d.Name)).ToArray();
    }

    /// <summary>
    /// The declared names a mistyped <paramref name="name"/> most likely meant: the same name in another case
    /// (<c>w</c> → <c>W</c>), else the names within a small edit distance (one edit per three letters, at least one),
    /// nearest first.
    /// </summary>
    public static IReadOnlyList<string> Nearest(string name, IEnumerable<string> declared)
    {
        var names = declared.Distinct(StringComparer.Ordinal).ToArray();
        var sameLetters = names.Where(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (sameLetters.Length > 0) return sameLetters;
        int limit = Math.Max(1, name.Length / 3);
        return names.Select(n => (Name: n, Distance: EditDistance(name.ToLowerInvariant(), n.ToLowerInvariant())))
            .Where(x => x.Distance <= limit).OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Select(x => x.Name).ToArray();
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions).</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }

    internal static readonly CSharpParseOptions ScriptParseOptions =
        new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Script);

    private static string? LiteralType(ExpressionSyntax e)
    {
        if (e is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } neg) e = neg.Operand;
        if (e is not LiteralExpressionSyntax lit) return null;
        return lit.Kind() switch
        {
            SyntaxKind.StringLiteralExpression => "string",
            SyntaxKind.TrueLiteralExpression or SyntaxKind.FalseLiteralExpression => "bool",
            SyntaxKind.CharacterLiteralExpression => "char",
            SyntaxKind.NumericLiteralExpression => lit.Token.Value switch
            {
                int => "int",
                long => "long",
                uint => "uint",
                ulong => "ulong",
                double => "double",
                float => "float",
                decimal => "decimal",
                _ => null,
            },
            _ => null,
        };
    }

    /// <summary>
    /// Adds (or replaces) the <c>injected-parameters</c> cell of <paramref name="nb"/> for <paramref name="values"/>;
    /// does nothing when <paramref name="values"/> is empty.
    /// </summary>
    public static ParameterInjection Inject(Notebook nb, IReadOnlyDictionary<string, string>? values)
    {
        var paramsCell = FindParametersCell(nb);
        if (values is null || values.Count == 0) return new ParameterInjection(null, [], [], paramsCell is not null);

        var declared = paramsCell is null ? [] : Declared(paramsCell.Source).GroupBy(d => d.Name).ToDictionary(g => g.Key, g => g.Last());
        var injected = new List<InjectedParameter>();
        var problems = new List<string>();
        var src = new StringBuilder();
        src.Append(paramsCell is null
            ? "// Parameters injected by the P2PFlex notebook runner (the notebook has no cell tagged \"parameters\").\n"
            : "// Parameters injected by the P2PFlex notebook runner: they override the defaults of the cell above.\n");
        foreach (var (name, value) in values)
        {
            if (!SyntaxFacts.IsValidIdentifier(name) || SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
            {
                problems.Add($"'{name}' is not a valid C# variable name");
                continue;
            }
            string statement;
            bool isDeclared = declared.TryGetValue(name, out var d);
            string? type = d?.Type;
            if (isDeclared && (type is null || !HasLiteralType(type)))
            {
                // No literal form (or the type is whatever a non-literal initializer gives): convert at run time.
                statement = $"{name} = P2PFlex.Notebooks.Scripting.ParameterConvert.Like({name}, {Quote(value)}, {Quote(name)});";
            }
            else if (isDeclared)
            {
                string? literal = TryLiteral(value, type!, out var problem);
                if (literal is null)
                {
                    problems.Add($"parameter '{name}' ({type}): {problem}");
                    continue;
                }
                statement = $"{name} = {literal};";
            }
            else
            {
                statement = $"var {name} = {InferLiteral(value, out var inferred)};";
                type = inferred;
            }
            injected.Add(new InjectedParameter(name, value, statement, isDeclared, type));
            src.Append(statement).Append('\n');
        }

        // Replace an injected cell left by an earlier run; insert after the parameters cell (or first).
        nb.Cells.RemoveAll(c => c.HasTag(InjectedTag));
        var cell = new NotebookCell(CellType.Code, src.ToString().TrimEnd('\n'), CellIds.Fresh(nb, InjectedTag));
        PolyglotMetadata.EnsureCSharpCell(cell);
        cell.AddTag(InjectedTag);
        int at = paramsCell is null ? 0 : nb.Cells.IndexOf(paramsCell) + 1;
        nb.Cells.Insert(at, cell);

        var record = new JsonObject();
        foreach (var p in injected) record[p.Name] = p.Value;
        NotebookRunner.RunMetadata(nb)["parameters"] = record;
        return new ParameterInjection(cell, injected, problems, paramsCell is not null);
    }

    private static readonly string[] LiteralTypes =
        ["string", "String", "System.String", "bool", "Boolean", "System.Boolean", "char", "Char", "System.Char",
         "int", "Int32", "System.Int32", "long", "Int64", "System.Int64", "uint", "UInt32", "ulong", "UInt64",
         "short", "Int16", "ushort", "UInt16", "byte", "Byte", "sbyte", "SByte",
         "double", "Double", "System.Double", "float", "Single", "System.Single", "decimal", "Decimal", "System.Decimal"];

    private static bool HasLiteralType(string type) => LiteralTypes.Contains(type.TrimEnd('?'));

    /// <summary>
    /// <paramref name="value"/> as a C# literal of <paramref name="type"/>; null with <paramref name="problem"/> set when
    /// the text is not a value of that type, null with no problem when the type has no literal form.
    /// </summary>
    public static string? TryLiteral(string value, string type, out string? problem)
    {
        var (literal, expected) = Literal(value, type);
        problem = literal is null && expected is not null ? $"'{value}' is not {expected}" : null;
        return literal;
    }

    /// <summary>The literal, or (null, what was expected), or (null, null) when the type has no literal form.</summary>
    private static (string? Literal, string? Expected) Literal(string value, string type)
    {
        var ci = CultureInfo.InvariantCulture;
        bool nullable = type.EndsWith('?');
        string t = type.TrimEnd('?');
        if (nullable && value == "null") return ("null", null);
        const NumberStyles Int = NumberStyles.AllowLeadingSign;
        const NumberStyles Float = NumberStyles.Float;
        return t switch
        {
            "string" or "String" or "System.String" => (Quote(value), null),
            "bool" or "Boolean" or "System.Boolean" =>
                bool.TryParse(value, out var b) ? (b ? "true" : "false", null) : (null, "true or false"),
            "char" or "Char" or "System.Char" =>
                value.Length == 1 ? (SymbolDisplay.FormatLiteral(value[0], quote: true), null) : (null, "a single character"),
            "int" or "Int32" or "System.Int32" =>
                int.TryParse(value, Int, ci, out var i) ? (i.ToString(ci), null) : (null, "an int"),
            "long" or "Int64" or "System.Int64" =>
                long.TryParse(value, Int, ci, out var l) ? (l.ToString(ci) + "L", null) : (null, "a long"),
            "uint" or "UInt32" =>
                uint.TryParse(value, NumberStyles.None, ci, out var ui) ? (ui.ToString(ci) + "U", null) : (null, "a uint"),
            "ulong" or "UInt64" =>
                ulong.TryParse(value, NumberStyles.None, ci, out var ul) ? (ul.ToString(ci) + "UL", null) : (null, "a ulong"),
            "short" or "Int16" =>
                short.TryParse(value, Int, ci, out var sh) ? ($"(short){sh.ToString(ci)}", null) : (null, "a short"),
            "ushort" or "UInt16" =>
                ushort.TryParse(value, NumberStyles.None, ci, out var us) ? ($"(ushort){us.ToString(ci)}", null) : (null, "a ushort"),
            "byte" or "Byte" =>
                byte.TryParse(value, NumberStyles.None, ci, out var by) ? ($"(byte){by.ToString(ci)}", null) : (null, "a byte"),
            "sbyte" or "SByte" =>
                sbyte.TryParse(value, Int, ci, out var sb) ? ($"(sbyte){sb.ToString(ci)}", null) : (null, "an sbyte"),
            "double" or "Double" or "System.Double" =>
                // NaN and ±∞ are refused: no notebook parameter (W, θ, prices, volumes) has a meaning for them.
                double.TryParse(value, Float, ci, out var d) && double.IsFinite(d) ? (DoubleLiteral(d), null) : (null, "a finite number (invariant culture, '.' as decimal point)"),
            "float" or "Single" or "System.Single" =>
                float.TryParse(value, Float, ci, out var f) && float.IsFinite(f) ? (f.ToString("R", ci) + "f", null) : (null, "a finite float"),
            "decimal" or "Decimal" or "System.Decimal" =>
                decimal.TryParse(value, Float, ci, out var m) ? (m.ToString(ci) + "m", null) : (null, "a decimal (invariant culture, '.' as decimal point)"),
            _ => (null, null),
        };
    }

    /// <summary>A double as a C# literal that reads back to the same value (<c>0.25</c>, <c>1.0</c>, <c>1E+20</c>, <c>double.NaN</c>).</summary>
    public static string DoubleLiteral(double d)
    {
        if (double.IsNaN(d)) return "double.NaN";
        if (double.IsPositiveInfinity(d)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(d)) return "double.NegativeInfinity";
        string r = d.ToString("R", CultureInfo.InvariantCulture);
        return r.Contains('.') || r.Contains('E') ? r : r + ".0";
    }

    /// <summary>The literal for a value of a parameter the notebook does not declare: bool, int, long, double, else string.</summary>
    public static string InferLiteral(string value, out string type)
    {
        var ci = CultureInfo.InvariantCulture;
        if (value is "true" or "false") { type = "bool"; return value; }
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, ci, out var i)) { type = "int"; return i.ToString(ci); }
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, ci, out var l)) { type = "long"; return l.ToString(ci) + "L"; }
        if (double.TryParse(value, NumberStyles.Float, ci, out var d) && double.IsFinite(d)) { type = "double"; return DoubleLiteral(d); }
        type = "string";
        return Quote(value);
    }

    /// <summary>A C# string literal (quoted, escaped).</summary>
    public static string Quote(string value) => SymbolDisplay.FormatLiteral(value, quote: true);
}
