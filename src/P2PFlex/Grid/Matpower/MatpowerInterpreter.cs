namespace P2PFlex.Grid.Matpower;

/// <summary>
/// Runs the statements of a MATPOWER case file: the data assignments (<c>mpc.bus = [ … ];</c>) and the
/// unit conversions distribution cases put after them (<c>mpc.branch(:, [BR_R BR_X]) = … / (Vbase^2 / Sbase);</c>).
/// It knows MATPOWER's column-index functions (<c>idx_bus</c>, <c>idx_brch</c>, <c>idx_gen</c>, <c>idx_cost</c>)
/// and the elementary math functions; anything else is refused with the line it is on, so a case is never half-read.
/// The statements are here; parsing expressions into the syntax tree (<see cref="Expr"/>, MatpowerSyntax.cs) is in
/// MatpowerInterpreter.Parser.cs and evaluating them, with the work budget, in MatpowerInterpreter.Evaluator.cs.
/// </summary>
internal sealed partial class MatpowerInterpreter
{
    private readonly string _file;
    private readonly List<Token> _tokens;
    private int _pos;
    private int _matrixDepth;
    private int _parseDepth, _evalDepth;
    private long _elementsAllocated;
    private long _work;
    private readonly Dictionary<string, MValue> _variables = new(StringComparer.Ordinal);

    public MatpowerInterpreter(string file, string text)
    {
        _file = file;
        _tokens = MatpowerLexer.Tokenize(text, file);
    }

    public string? FunctionName { get; private set; }
    public string? OutputName { get; private set; }
    public IReadOnlyDictionary<string, MValue> Variables => _variables;

    // MATPOWER's index functions and the names they assign, in their output order (MatpowerColumns).
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> IndexFunctions = MatpowerColumns.IndexFunctionOutputs;

    // Values of MATPOWER's named column indices (lib/idx_*.m): MatpowerColumns is their home.
    private static readonly IReadOnlyDictionary<string, double> IndexValues = MatpowerColumns.IndexValues();

    private static readonly Dictionary<string, Func<double, double>> ElementFunctions = new(StringComparer.Ordinal)
    {
        ["sin"] = Math.Sin,
        ["cos"] = Math.Cos,
        ["tan"] = Math.Tan,
        ["asin"] = Math.Asin,
        ["acos"] = Math.Acos,
        ["atan"] = Math.Atan,
        ["sqrt"] = Math.Sqrt,
        ["abs"] = Math.Abs,
        ["exp"] = Math.Exp,
        ["log"] = Math.Log,
        ["log10"] = Math.Log10,
        ["round"] = v => Math.Round(v, MidpointRounding.AwayFromZero),
        ["floor"] = Math.Floor,
        ["ceil"] = Math.Ceiling,
    };

    // ---------------------------------------------------------------- statements

    public void Run()
    {
        while (Peek.Kind != TokenKind.End)
        {
            if (Peek.Kind == TokenKind.Newline || Peek.Is(";") || Peek.Is(",")) { _pos++; continue; }
            RunStatement();
        }
    }

    private Token Peek => _tokens[_pos];
    private Token PeekAt(int k) => _tokens[Math.Min(_pos + k, _tokens.Count - 1)];
    private Token Next() => _tokens[_pos++];

    private MatpowerFormatException Error(int line, string field, string problem) => new(_file, line, field, problem);

    private void Expect(string op, string context)
    {
        var t = Next();
        if (!t.Is(op)) throw Error(t.Line, context, $"expected '{op}' but found {t}");
    }

    private void EndOfStatement(string context)
    {
        var t = Peek;
        if (t.Kind is TokenKind.Newline or TokenKind.End || t.Is(";") || t.Is(",")) return;
        throw Error(t.Line, context, $"unexpected {t} after the statement");
    }

    private void RunStatement()
    {
        var first = Peek;
        if (first.Kind == TokenKind.Identifier && first.Text == "function")
        {
            ParseFunctionHeader();
            return;
        }
        if (first.Is("["))
        {
            RunMultiAssignment();
            return;
        }
        if (first.Kind != TokenKind.Identifier)
            throw Error(first.Line, "statement", $"unsupported statement starting with {first}");
        if (first.Text is "if" or "for" or "while" or "switch" or "end" or "return" or "try" or "else")
            throw Error(first.Line, "statement", $"control statement '{first.Text}' is not supported in a case file");

        // Left side: name{.field}[(index, index)]
        Next();
        var path = new List<string> { first.Text };
        while (Peek.Is("."))
        {
            Next();
            var f = Next();
            if (f.Kind != TokenKind.Identifier) throw Error(f.Line, string.Join('.', path), $"expected a field name after '.', found {f}");
            path.Add(f.Text);
        }
        IReadOnlyList<Expr>? index = null;
        if (Peek.Is("("))
        {
            Next();
            index = ParseArguments();
        }
        var eq = Peek;
        if (!eq.Is("="))
            throw Error(first.Line, "statement", $"unsupported statement '{string.Join('.', path)}': only assignments are allowed in a case file");
        Next();
        string target = string.Join('.', path);
        var rhs = ParseExpression();
        EndOfStatement(target);
        var value = Evaluate(rhs);
        if (index is null)
            SetPath(path, value, first.Line);
        else
            AssignIndexed(path, index, value, first.Line);
    }

    private void ParseFunctionHeader()
    {
        var fn = Next();
        // function mpc = name   |   function [a, b] = name(args)   |   function name
        var tokens = new List<Token>();
        while (Peek.Kind is not (TokenKind.Newline or TokenKind.End)) tokens.Add(Next());
        int eq = tokens.FindIndex(t => t.Is("="));
        if (eq >= 0)
        {
            if (eq == 1 && tokens[0].Kind == TokenKind.Identifier) OutputName = tokens[0].Text;
            if (eq + 1 < tokens.Count && tokens[eq + 1].Kind == TokenKind.Identifier) FunctionName = tokens[eq + 1].Text;
        }
        else if (tokens.Count > 0 && tokens[0].Kind == TokenKind.Identifier)
        {
            FunctionName = tokens[0].Text;
        }
        if (FunctionName is null) throw Error(fn.Line, "function", "malformed function header");
    }

    private void RunMultiAssignment()
    {
        var open = Next();
        var names = new List<string>();
        while (!Peek.Is("]"))
        {
            var t = Next();
            if (t.Kind == TokenKind.Identifier) names.Add(t.Text);
            else if (t.Is(",") || t.Kind == TokenKind.Newline) continue;
            else throw Error(t.Line, "statement", $"unsupported statement: expected a list of names in '[ … ] = f', found {t}");
        }
        Next();
        if (!Peek.Is("=")) throw Error(open.Line, "statement", "a bracketed expression that is not a multiple assignment");
        Next();
        var fn = Next();
        if (fn.Kind != TokenKind.Identifier || !IndexFunctions.TryGetValue(fn.Text, out var outputs))
            throw Error(fn.Line, "statement", $"unknown function {fn}: only idx_bus, idx_brch, idx_gen and idx_cost can give several outputs");
        if (Peek.Is("(")) { Next(); Expect(")", fn.Text); }
        EndOfStatement(fn.Text);
        if (names.Count > outputs.Count)
            throw Error(fn.Line, fn.Text, $"{fn.Text} has {outputs.Count} outputs, {names.Count} were requested");
        for (int k = 0; k < names.Count; k++)
            _variables[names[k]] = MMatrix.Scalar(IndexValues[outputs[k]]);
    }
}
