using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;
using P2PFlex.Notebooks;

namespace P2PFlex.Kernel;

/// <summary>The outcome of one execution: the error, if the cell failed.</summary>
internal sealed record ExecutionOutcome(ErrorOutput? Error);

/// <summary>
/// The kernel's C# script session. It is the notebook runner's: the same <see cref="NotebookSession"/> (globals
/// <c>display</c>, <c>HTML</c>, <c>CancellationToken</c>), the same <see cref="CellPreprocessor"/> for <c>#r "nuget:"</c>
/// and <c>#!</c> lines, the same script options (references, imports) and <see cref="NotebookRunner.RunCellAsync"/>,
/// so a cell gives the same outputs (formatted by <see cref="NotebookFormatters"/>) here as in
/// <c>p2pflex notebooks run</c>. Adds what a live frontend needs: is_complete, completion and inspection on a Roslyn
/// compilation of the code chained to the cells run so far. Not thread-safe: the kernel's shell thread calls it.
/// </summary>
internal sealed class KernelScriptSession
{
    private static readonly CSharpParseOptions ScriptParse = CSharpParseOptions.Default
        .WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest);

    private readonly NotebookSession _session;
    private readonly ScriptOptions _options;
    private readonly IReadOnlyCollection<string> _preloaded;
    private readonly string _baseDirectory;
    private ScriptState<object>? _state;
    private int _cells;

    public KernelScriptSession(string baseDirectory, bool embedPlotlyJs = true)
    {
        NotebookFormatters.EnsureRegistered();
        _baseDirectory = Path.GetFullPath(baseDirectory);
        var runOptions = new NotebookRunOptions { BaseDirectory = _baseDirectory };
        // A random chart-id seed: chart divs must be unique in a live page across kernel restarts.
        _session = new NotebookSession("", _baseDirectory, new Dictionary<string, string>(), embedPlotlyJs, chartIdSeed: Guid.NewGuid().ToString("N"));
        _options = NotebookRunner.CreateScriptOptions(runOptions, _baseDirectory);
        _preloaded = NotebookRunner.PreloadedAssemblyNames(runOptions);
    }

    /// <summary>Runs a cell; its outputs go to <paramref name="capture"/> (which the kernel publishes as they come).</summary>
    public async Task<ExecutionOutcome> ExecuteAsync(string code, int executionCount, CellCapture capture, CancellationToken cancellationToken)
    {
        var pre = CellPreprocessor.Process(code, _preloaded);
        if (pre.Error is not null) return new ExecutionOutcome(new ErrorOutput("UnsupportedDirective", pre.Error, ["UnsupportedDirective: " + pre.Error]));
        if (string.IsNullOrWhiteSpace(pre.Code)) return new ExecutionOutcome(null);
        // Only the first submission carries the preloaded references; later ones inherit them through the submission
        // chain. Passing them again made Roslyn bind all ~30 assemblies anew for every cell: about 4 MiB per cell,
        // against about 0.2 MiB without (KernelMemoryTests).
        var options = (_state is null ? _options : _options.WithReferences(Array.Empty<MetadataReference>()))
            .WithFilePath(Path.Combine(_baseDirectory, $"[cell {++_cells}]"));
        try
        {
            var outcome = await NotebookRunner.RunCellAsync(_session, _state, pre, options, executionCount, cancellationToken, capture).ConfigureAwait(false);
            _state = outcome.State;
            return new ExecutionOutcome(outcome.Error);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            const string message = "the cell was interrupted before it ran";
            return new ExecutionOutcome(new ErrorOutput("Interrupted", message, ["Interrupted: " + message]));
        }
    }

    /// <summary>"incomplete" (an unclosed bracket, string or statement), "invalid" (complete but with syntax errors) or "complete".</summary>
    public static string IsComplete(string code)
    {
        string masked = CellPreprocessor.MaskDirectives(code);
        if (string.IsNullOrWhiteSpace(masked)) return "complete";
        var tree = CSharpSyntaxTree.ParseText(masked, ScriptParse);
        if (!SyntaxFactory.IsCompleteSubmission(tree)) return "incomplete";
        return tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error) ? "invalid" : "complete";
    }

    /// <summary>
    /// Completions at <paramref name="cursor"/> (a UTF-16 index): after <c>expr.</c> the members of the expression's
    /// type (or of the named type/namespace), otherwise every name in scope (variables of earlier cells, globals,
    /// types and namespaces of the imports, keywords are not included) that starts with the word being typed.
    /// Uses the semantic model of the code compiled as the next submission after the cells run so far.
    /// </summary>
    public (IReadOnlyList<string> Matches, int Start, int End) Complete(string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        int start = cursor;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_')) start--;
        string prefix = code[start..cursor];
        var (model, tree) = Compile(code);
        if (model is null || tree is null) return ([], start, cursor);

        IEnumerable<ISymbol> symbols;
        int dot = start - 1;
        while (dot >= 0 && code[dot] is ' ' or '\t') dot--;
        if (dot >= 0 && code[dot] == '.' && !(dot > 0 && char.IsDigit(code[dot - 1]) && IsNumberStart(code, dot - 1)))
        {
            var token = tree.GetRoot().FindToken(dot);
            var left = token.Parent switch
            {
                MemberAccessExpressionSyntax ma => ma.Expression,
                QualifiedNameSyntax qn => qn.Left,
                _ => null,
            };
            if (left is null) return ([], start, cursor);
            var target = model.GetSymbolInfo(left).Symbol;
            var leftType = model.GetTypeInfo(left).Type;
            if (target is INamespaceSymbol ns)
                symbols = model.LookupSymbols(dot + 1, ns);
            else if (target is ITypeSymbol staticType)
                symbols = model.LookupStaticMembers(dot + 1, staticType);
            else if (leftType is { TypeKind: not TypeKind.Error })
                symbols = model.LookupSymbols(dot + 1, leftType, includeReducedExtensionMethods: true)
                    .Where(s => !s.IsStatic || s is IMethodSymbol { MethodKind: MethodKind.ReducedExtension });
            else
                symbols = [];
        }
        else
        {
            symbols = model.LookupSymbols(Math.Min(start, tree.Length));
        }
        var names = symbols
            .Where(s => s.CanBeReferencedByName && !s.IsImplicitlyDeclared || s.Kind == SymbolKind.Namespace)
            .Select(s => s.Name)
            .Where(n => n.Length > 0 && !n.Contains('<') && !n.StartsWith("Submission#", StringComparison.Ordinal)
                        && n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(n => !n.StartsWith(prefix, StringComparison.Ordinal))
            .ThenBy(n => n, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return (names, start, cursor);
    }

    /// <summary>A text description of the symbol at <paramref name="cursor"/> (its signature and kind), or null.</summary>
    public string? Inspect(string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var (model, tree) = Compile(code);
        if (model is null || tree is null || tree.Length == 0) return null;
        int pos = Math.Min(cursor, tree.Length - 1);
        var token = tree.GetRoot().FindToken(pos);
        if (!token.IsKind(SyntaxKind.IdentifierToken) && pos > 0) token = tree.GetRoot().FindToken(pos - 1);
        if (!token.IsKind(SyntaxKind.IdentifierToken) || token.Parent is null) return null;
        var node = token.Parent;
        var info = model.GetSymbolInfo(node);
        var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault() ?? model.GetDeclaredSymbol(node);
        if (symbol is null) return null;
        var sb = new StringBuilder();
        sb.Append(symbol.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat.WithMemberOptions(
            SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeContainingType)));
        sb.Append("\n(").Append(symbol.Kind.ToString().ToLowerInvariant());
        if (symbol is ILocalSymbol or IFieldSymbol or IPropertySymbol)
        {
            var type = symbol switch { ILocalSymbol l => l.Type, IFieldSymbol f => f.Type, IPropertySymbol p => p.Type, _ => null };
            if (type is not null) sb.Append(", type ").Append(type.ToDisplayString());
        }
        if (symbol.ContainingAssembly is { } asm && !asm.Name.StartsWith("\u211B", StringComparison.Ordinal) && !asm.Name.Contains("Submission", StringComparison.Ordinal))
            sb.Append(", assembly ").Append(asm.Name);
        sb.Append(')');
        string? doc = symbol.GetDocumentationCommentXml(CultureInfo.InvariantCulture);
        if (!string.IsNullOrWhiteSpace(doc)) sb.Append("\n\n").Append(doc.Trim());
        return sb.ToString();
    }

    /// <summary><see cref="CellPreprocessor.MaskDirectives"/> line by line, blanking with spaces so every position stays put.</summary>
    private static string MaskKeepingPositions(string code)
    {
        var lines = code.Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].Length > 0 && CellPreprocessor.MaskDirectives(lines[i]).Length == 0)
                lines[i] = new string(' ', lines[i].Length);
        return string.Join('\n', lines);
    }

    private static bool IsNumberStart(string code, int i)
    {
        while (i > 0 && char.IsLetterOrDigit(code[i - 1])) i--;
        return char.IsDigit(code[i]);
    }

    private (SemanticModel? Model, SyntaxTree? Tree) Compile(string code)
    {
        // Directives are blanked (same length), so positions in the code are positions in the tree.
        string masked = MaskKeepingPositions(code);
        var script = _state is null
            ? CSharpScript.Create<object>(masked, _options, typeof(NotebookGlobals))
            : _state.Script.ContinueWith<object>(masked, _options);
        var compilation = script.GetCompilation();
        var tree = compilation.SyntaxTrees.LastOrDefault();
        return tree is null ? (null, null) : (compilation.GetSemanticModel(tree), tree);
    }
}
