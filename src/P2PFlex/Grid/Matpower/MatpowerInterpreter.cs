namespace P2PFlex.Grid.Matpower;

/// <summary>A value of the case-file language: a real matrix (scalars are 1×1), a string or a struct.</summary>
internal abstract class MValue;

internal sealed class MMatrix : MValue
{
    public MMatrix(int rows, int cols, double[] data)
    {
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    public int Rows { get; }
    public int Cols { get; }
    /// <summary>Row-major values.</summary>
    public double[] Data { get; }
    /// <summary>The file line on which each row was written (matrix literals only; empty otherwise).</summary>
    public int[] RowLines { get; init; } = [];

    public bool IsScalar => Rows == 1 && Cols == 1;
    public double this[int r, int c] => Data[r * Cols + c];
    public static MMatrix Scalar(double v) => new(1, 1, [v]);
}

internal sealed class MString(string text) : MValue
{
    public string Text { get; } = text;
}

internal sealed class MStruct : MValue
{
    public Dictionary<string, MValue> Fields { get; } = new(StringComparer.Ordinal);
}

internal abstract record Expr(int Line);
internal sealed record NumberExpr(int Line, double Value) : Expr(Line);
internal sealed record StringExpr(int Line, string Value) : Expr(Line);
internal sealed record NameExpr(int Line, string Name) : Expr(Line);
internal sealed record FieldExpr(int Line, Expr Target, string Field) : Expr(Line);
internal sealed record CallExpr(int Line, Expr Target, IReadOnlyList<Expr> Args) : Expr(Line);
internal sealed record ColonExpr(int Line) : Expr(Line);
internal sealed record RangeExpr(int Line, Expr From, Expr? Step, Expr To) : Expr(Line);
internal sealed record MatrixExpr(int Line, IReadOnlyList<IReadOnlyList<Expr>> Rows, IReadOnlyList<int> RowLines) : Expr(Line);
internal sealed record UnaryExpr(int Line, string Op, Expr Operand) : Expr(Line);
internal sealed record BinaryExpr(int Line, string Op, Expr Left, Expr Right) : Expr(Line);
/// <summary>A left-associative chain <c>a + b - c …</c> or <c>a * b / c …</c> of one precedence level, kept flat so
/// that a sum of thousands of terms is evaluated in a loop instead of a recursion thousands of frames deep.</summary>
internal sealed record ChainExpr(int Line, Expr First, IReadOnlyList<(string Op, int Line, Expr Operand)> Rest) : Expr(Line);

/// <summary>
/// Runs the statements of a MATPOWER case file: the data assignments (<c>mpc.bus = [ … ];</c>) and the
/// unit conversions distribution cases put after them (<c>mpc.branch(:, [BR_R BR_X]) = … / (Vbase^2 / Sbase);</c>).
/// It knows MATPOWER's column-index functions (<c>idx_bus</c>, <c>idx_brch</c>, <c>idx_gen</c>, <c>idx_cost</c>)
/// and the elementary math functions; anything else is refused with the line it is on, so a case is never half-read.
/// </summary>
internal sealed class MatpowerInterpreter
{
    private readonly string _file;
    private readonly List<Token> _tokens;
    private int _pos;
    private int _matrixDepth;
    private int _parseDepth, _evalDepth;
    private long _elementsAllocated;
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
        ["sin"] = Math.Sin, ["cos"] = Math.Cos, ["tan"] = Math.Tan,
        ["asin"] = Math.Asin, ["acos"] = Math.Acos, ["atan"] = Math.Atan,
        ["sqrt"] = Math.Sqrt, ["abs"] = Math.Abs, ["exp"] = Math.Exp, ["log"] = Math.Log, ["log10"] = Math.Log10,
        ["round"] = v => Math.Round(v, MidpointRounding.AwayFromZero), ["floor"] = Math.Floor, ["ceil"] = Math.Ceiling,
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

    // ---------------------------------------------------------------- expressions

    private List<Expr> ParseArguments()
    {
        var args = new List<Expr>();
        int saveDepth = _matrixDepth;
        _matrixDepth = 0; // whitespace does not separate inside parentheses
        try
        {
            if (Peek.Is(")")) { Next(); return args; }
            while (true)
            {
                if (Peek.Is(":") && (PeekAt(1).Is(",") || PeekAt(1).Is(")")))
                {
                    args.Add(new ColonExpr(Next().Line));
                }
                else
                {
                    args.Add(ParseExpression());
                }
                var t = Next();
                if (t.Is(")")) return args;
                if (!t.Is(",")) throw Error(t.Line, "arguments", $"expected ',' or ')' but found {t}");
            }
        }
        finally
        {
            _matrixDepth = saveDepth;
        }
    }

    private Expr ParseExpression()
    {
        EnterNesting(Peek.Line);
        try { return ParseRange(); }
        finally { _parseDepth--; }
    }

    // Every recursive descent (parentheses, brackets, call arguments, unary signs) passes here, so a file of
    // thousands of nested '(' or '[' is refused with its line instead of overflowing the stack.
    private void EnterNesting(int line)
    {
        if (++_parseDepth > MatpowerLimits.MaxNestingDepth)
        {
            _parseDepth = 0;
            throw Error(line, "expression", $"nested more than {MatpowerLimits.MaxNestingDepth} levels deep (MatpowerLimits.MaxNestingDepth)");
        }
    }

    private Expr ParseRange()
    {
        var from = ParseAdditive();
        if (!Peek.Is(":") ) return from;
        int line = Next().Line;
        var second = ParseAdditive();
        if (Peek.Is(":"))
        {
            Next();
            var third = ParseAdditive();
            return new RangeExpr(line, from, second, third);
        }
        return new RangeExpr(line, from, null, second);
    }

    // Inside [ ], "1 -2" is two elements but "1 - 2" and "1-2" are one: a sign that follows whitespace and
    // sticks to its operand starts a new element (MATLAB's rule).
    private bool StartsNewElement(Token op) =>
        _matrixDepth > 0 && op.SpaceBefore && !PeekAt(1).SpaceBefore && (op.Is("+") || op.Is("-"));

    private Expr ParseAdditive()
    {
        var first = ParseMultiplicative();
        List<(string, int, Expr)>? rest = null;
        while ((Peek.Is("+") || Peek.Is("-")) && !StartsNewElement(Peek))
        {
            var op = Next();
            (rest ??= []).Add((op.Text, op.Line, ParseMultiplicative()));
        }
        return rest is null ? first : new ChainExpr(first.Line, first, rest);
    }

    private Expr ParseMultiplicative()
    {
        var first = ParseUnary();
        List<(string, int, Expr)>? rest = null;
        while (Peek.Is("*") || Peek.Is("/") || Peek.Is(".*") || Peek.Is("./") || Peek.Is("\\"))
        {
            var op = Next();
            (rest ??= []).Add((op.Text, op.Line, ParseUnary()));
        }
        return rest is null ? first : new ChainExpr(first.Line, first, rest);
    }

    private Expr ParseUnary()
    {
        if (Peek.Is("-") || Peek.Is("+"))
        {
            var op = Next();
            EnterNesting(op.Line);
            try { return new UnaryExpr(op.Line, op.Text, ParseUnary()); }
            finally { _parseDepth--; }
        }
        if (Peek.Is("~"))
            throw Error(Peek.Line, "expression", "logical operators are not supported in a case file");
        return ParsePower();
    }

    private Expr ParsePower()
    {
        var left = ParsePostfix();
        while (Peek.Is("^") || Peek.Is(".^"))
        {
            var op = Next();
            // MATLAB: the exponent may carry its own sign (2^-1).
            Expr right = Peek.Is("-") || Peek.Is("+")
                ? new UnaryExpr(Peek.Line, Next().Text, ParsePostfix())
                : ParsePostfix();
            left = new BinaryExpr(op.Line, op.Text, left, right);
        }
        return left;
    }

    private Expr ParsePostfix()
    {
        var e = ParsePrimary();
        while (true)
        {
            if (Peek.Is("(") && !(_matrixDepth > 0 && Peek.SpaceBefore))
            {
                int line = Next().Line;
                e = new CallExpr(line, e, ParseArguments());
            }
            else if (Peek.Is(".") && PeekAt(1).Kind == TokenKind.Identifier)
            {
                int line = Next().Line;
                e = new FieldExpr(line, e, Next().Text);
            }
            else if (Peek.Is("'") || Peek.Is(".'"))
            {
                throw Error(Peek.Line, "expression", "transpose is not supported in a case file");
            }
            else
            {
                return e;
            }
        }
    }

    private Expr ParsePrimary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.Number: return new NumberExpr(t.Line, t.Number);
            case TokenKind.String: return new StringExpr(t.Line, t.Text);
            case TokenKind.Identifier: return new NameExpr(t.Line, t.Text);
        }
        if (t.Is("("))
        {
            int save = _matrixDepth;
            _matrixDepth = 0;
            var e = ParseExpression();
            _matrixDepth = save;
            Expect(")", "expression");
            return e;
        }
        if (t.Is("[")) return ParseMatrix(t.Line);
        if (t.Is("{")) throw Error(t.Line, "expression", "cell arrays are not supported in a case file");
        throw Error(t.Line, "expression", $"unexpected {t}");
    }

    private MatrixExpr ParseMatrix(int line)
    {
        _matrixDepth++;
        var rows = new List<IReadOnlyList<Expr>>();
        var rowLines = new List<int>();
        var current = new List<Expr>();
        int currentLine = Peek.Line;
        void CloseRow()
        {
            if (current.Count > 0) { rows.Add(current); rowLines.Add(currentLine); }
            current = new List<Expr>();
        }
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.End) throw Error(line, "matrix", "matrix '[' is never closed with ']'");
            if (t.Is("]")) { Next(); CloseRow(); break; }
            if (t.Is(";") || t.Kind == TokenKind.Newline) { Next(); CloseRow(); currentLine = Peek.Line; continue; }
            if (t.Is(",")) { Next(); continue; }
            if (current.Count == 0) currentLine = t.Line;
            current.Add(ParseExpression());
        }
        _matrixDepth--;
        return new MatrixExpr(line, rows, rowLines);
    }

    // ---------------------------------------------------------------- evaluation

    private MValue Evaluate(Expr e)
    {
        // Left-deep chains the parser builds in loops (a^b^c…, x(1)(1)…) are bounded here.
        if (++_evalDepth > MatpowerLimits.MaxNestingDepth)
        {
            _evalDepth = 0;
            throw Error(e.Line, "expression", $"nested more than {MatpowerLimits.MaxNestingDepth} levels deep (MatpowerLimits.MaxNestingDepth)");
        }
        try { return EvaluateNode(e); }
        finally { _evalDepth--; }
    }

    private MValue EvaluateNode(Expr e)
    {
        switch (e)
        {
            case NumberExpr n: return MMatrix.Scalar(n.Value);
            case StringExpr s: return new MString(s.Value);
            case NameExpr n: return LookUp(n);
            case FieldExpr f:
            {
                var target = Evaluate(f.Target);
                if (target is MStruct st && st.Fields.TryGetValue(f.Field, out var v)) return v;
                throw Error(f.Line, f.Field, $"no field '{f.Field}' has been assigned");
            }
            case CallExpr c: return EvaluateCall(c);
            case MatrixExpr m: return EvaluateMatrix(m);
            case UnaryExpr u:
            {
                var v = AsMatrix(Evaluate(u.Operand), u.Line);
                return u.Op == "-" ? Map(v, x => -x, u.Line) : v;
            }
            case BinaryExpr b: return EvaluateBinary(AsMatrix(Evaluate(b.Left), b.Line), b.Op, AsMatrix(Evaluate(b.Right), b.Line), b.Line);
            case ChainExpr ch:
            {
                var acc = AsMatrix(Evaluate(ch.First), ch.Line);
                foreach (var (op, line, operand) in ch.Rest)
                    acc = EvaluateBinary(acc, op, AsMatrix(Evaluate(operand), line), line);
                return acc;
            }
            case RangeExpr r: return EvaluateRange(r);
            case ColonExpr c: throw Error(c.Line, "expression", "':' alone is only allowed as an index");
        }
        throw Error(e.Line, "expression", "unsupported expression");
    }

    private MValue LookUp(NameExpr n)
    {
        if (_variables.TryGetValue(n.Name, out var v)) return v;
        switch (n.Name)
        {
            case "pi": return MMatrix.Scalar(Math.PI);
            case "Inf" or "inf": return MMatrix.Scalar(double.PositiveInfinity);
            case "NaN" or "nan": return MMatrix.Scalar(double.NaN);
            case "true": return MMatrix.Scalar(1);
            case "false": return MMatrix.Scalar(0);
        }
        throw Error(n.Line, n.Name, $"unknown name '{n.Name}'");
    }

    private MValue EvaluateCall(CallExpr c)
    {
        if (c.Target is NameExpr fn && !_variables.ContainsKey(fn.Name))
        {
            if (ElementFunctions.TryGetValue(fn.Name, out var f))
            {
                if (c.Args.Count != 1) throw Error(c.Line, fn.Name, $"{fn.Name} takes one argument");
                return Map(AsMatrix(Evaluate(c.Args[0]), c.Line), f, c.Line);
            }
            if (fn.Name is "zeros" or "ones")
            {
                if (c.Args.Count > 2) throw Error(c.Line, fn.Name, $"{fn.Name} takes at most two sizes (rows, columns) in a case file");
                var dims = c.Args.Select(a => SizeArgument(AsScalar(Evaluate(a), c.Line), c.Line, fn.Name)).ToArray();
                long r = dims.Length > 0 ? dims[0] : 1, k = dims.Length > 1 ? dims[1] : r;
                var filled = Allocate(r, k, c.Line, fn.Name);
                if (fn.Name == "ones") Array.Fill(filled, 1.0);
                return new MMatrix((int)r, (int)k, filled);
            }
            if (IndexFunctions.ContainsKey(fn.Name))
                throw Error(c.Line, fn.Name, $"{fn.Name} must be called as '[NAMES, ...] = {fn.Name};'");
            throw Error(c.Line, fn.Name, $"unknown function '{fn.Name}'");
        }
        var target = AsMatrix(Evaluate(c.Target), c.Line);
        var (rows, cols) = ResolveIndex(target.Rows, target.Cols, c.Args, c.Line, forAssignment: false);
        var data = Allocate(rows.Length, cols.Length, c.Line, "index");
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < cols.Length; j++)
                data[i * cols.Length + j] = target[rows[i], cols[j]];
        return new MMatrix(rows.Length, cols.Length, data);
    }

    // A size argument of zeros/ones: a whole number; negative sizes give an empty matrix as in MATLAB.
    private long SizeArgument(double v, int line, string function)
    {
        if (double.IsNaN(v) || v != Math.Floor(v))
            throw Error(line, function, $"size must be a whole number, is {v}");
        if (v > MatpowerLimits.MaxMatrixElements)
            throw Error(line, function, $"size {v} is more than the limit of {MatpowerLimits.MaxMatrixElements} elements (MatpowerLimits.MaxMatrixElements)");
        return Math.Max(0, (long)v);
    }

    private (int[] Rows, int[] Cols) ResolveIndex(int nRows, int nCols, IReadOnlyList<Expr> args, int line, bool forAssignment)
    {
        if (args.Count != 2)
            throw Error(line, "index", "only two-dimensional indexing (rows, columns) is supported in a case file");
        return (Selection(args[0], nRows, line, "row"), Selection(args[1], nCols, line, "column"));
    }

    private int[] Selection(Expr arg, int size, int line, string what)
    {
        if (arg is ColonExpr) return Enumerable.Range(0, size).ToArray();
        var m = AsMatrix(Evaluate(arg), line);
        var result = new int[m.Data.Length];
        for (int k = 0; k < m.Data.Length; k++)
        {
            double v = m.Data[k];
            if (v != Math.Floor(v) || v < 1 || v > size)
                throw Error(line, "index", $"{what} index {v} is outside 1..{size}");
            result[k] = (int)v - 1;
        }
        return result;
    }

    private MMatrix EvaluateMatrix(MatrixExpr m)
    {
        if (m.Rows.Count == 0) return new MMatrix(0, 0, []);
        var rows = new List<double[]>();
        int cols = -1;
        long total = 0;
        for (int r = 0; r < m.Rows.Count; r++)
        {
            // Elements may themselves be row vectors (e.g. [BR_R BR_X] or [a, [b c]]): concatenate horizontally.
            var values = new List<double>();
            foreach (var el in m.Rows[r])
            {
                var v = AsMatrix(Evaluate(el), m.RowLines[r]);
                if (v.Rows > 1) throw Error(m.RowLines[r], "matrix", "vertical concatenation inside a row is not supported");
                total += v.Data.Length;
                if (total > MatpowerLimits.MaxMatrixElements)
                    throw Error(m.RowLines[r], "matrix", $"the matrix has more elements than the limit of {MatpowerLimits.MaxMatrixElements} (MatpowerLimits.MaxMatrixElements)");
                values.AddRange(v.Data);
            }
            if (cols >= 0 && values.Count != cols)
                throw Error(m.RowLines[r], "matrix", $"row has {values.Count} columns but the rows above have {cols}");
            cols = values.Count;
            rows.Add(values.ToArray());
        }
        var data = Allocate(rows.Count, cols, m.Line, "matrix");
        for (int r = 0; r < rows.Count; r++) Array.Copy(rows[r], 0, data, r * cols, cols);
        return new MMatrix(rows.Count, cols, data) { RowLines = m.RowLines.ToArray() };
    }

    private MMatrix EvaluateRange(RangeExpr r)
    {
        double from = AsScalar(Evaluate(r.From), r.Line), to = AsScalar(Evaluate(r.To), r.Line);
        double step = r.Step is null ? 1 : AsScalar(Evaluate(r.Step), r.Line);
        if (!double.IsFinite(from) || !double.IsFinite(to) || !double.IsFinite(step))
            throw Error(r.Line, "range", $"range bounds and step must be finite, are {from}:{step}:{to}");
        if (step == 0) throw Error(r.Line, "range", "range step is zero");
        // Count first, so a range of 10¹² values is refused before it is built.
        double count = Math.Floor((to - from) / step + 1e-10) + 1;
        if (count > MatpowerLimits.MaxMatrixElements)
            throw Error(r.Line, "range", $"range has {count:G6} elements, more than the limit of {MatpowerLimits.MaxMatrixElements} (MatpowerLimits.MaxMatrixElements)");
        var values = new List<double>();
        for (long k = 0; k < count; k++)
        {
            double v = from + k * step;
            if (step > 0 ? v > to + 1e-10 : v < to - 1e-10) break;
            values.Add(v);
        }
        var data = Allocate(1, values.Count, r.Line, "range");
        values.CopyTo(data);
        return new MMatrix(1, values.Count, data);
    }

    /// <summary>Allocates a rows×cols matrix after checking it against the size limits, in 64-bit arithmetic so that
    /// sizes such as 46341×46341 cannot overflow into a small or negative count.</summary>
    private double[] Allocate(long rows, long cols, int line, string what)
    {
        if (rows < 0 || cols < 0) throw Error(line, what, $"size {rows}x{cols} is negative");
        if (rows > MatpowerLimits.MaxMatrixElements || cols > MatpowerLimits.MaxMatrixElements
            || rows * cols > MatpowerLimits.MaxMatrixElements)
            throw Error(line, what, $"a {rows}x{cols} matrix has more elements than the limit of {MatpowerLimits.MaxMatrixElements} (MatpowerLimits.MaxMatrixElements)");
        long elements = rows * cols;
        if (_elementsAllocated + elements > MatpowerLimits.MaxElementsPerFile)
            throw Error(line, what, $"the file allocates more than {MatpowerLimits.MaxElementsPerFile} matrix elements in all (MatpowerLimits.MaxElementsPerFile)");
        _elementsAllocated += elements;
        return new double[elements];
    }

    private MMatrix EvaluateBinary(MMatrix l, string op, MMatrix r, int line)
    {
        switch (op)
        {
            case "+": return Elementwise(l, r, (x, y) => x + y, op, line);
            case "-": return Elementwise(l, r, (x, y) => x - y, op, line);
            case ".*": return Elementwise(l, r, (x, y) => x * y, op, line);
            case "./": return Elementwise(l, r, (x, y) => x / y, op, line);
            case ".^": return Elementwise(l, r, Math.Pow, op, line);
            case "*":
                if (l.IsScalar || r.IsScalar) return Elementwise(l, r, (x, y) => x * y, op, line);
                return MatrixProduct(l, r, line);
            case "/":
                if (r.IsScalar) return Elementwise(l, r, (x, y) => x / y, op, line);
                throw Error(line, "expression", "matrix right division is not supported in a case file");
            case "^":
                if (l.IsScalar && r.IsScalar) return MMatrix.Scalar(Math.Pow(l.Data[0], r.Data[0]));
                throw Error(line, "expression", "matrix power is not supported in a case file");
        }
        throw Error(line, "expression", $"operator '{op}' is not supported in a case file");
    }

    private MMatrix Elementwise(MMatrix l, MMatrix r, Func<double, double, double> f, string op, int line)
    {
        if (l.IsScalar && !r.IsScalar) return Map(r, y => f(l.Data[0], y), line);
        if (r.IsScalar) return Map(l, x => f(x, r.Data[0]), line);
        if (l.Rows != r.Rows || l.Cols != r.Cols)
            throw Error(line, "expression", $"sizes do not agree for '{op}': {l.Rows}x{l.Cols} and {r.Rows}x{r.Cols}");
        var data = Allocate(l.Rows, l.Cols, line, "expression");
        for (int k = 0; k < data.Length; k++) data[k] = f(l.Data[k], r.Data[k]);
        return new MMatrix(l.Rows, l.Cols, data);
    }

    private MMatrix MatrixProduct(MMatrix l, MMatrix r, int line)
    {
        if (l.Cols != r.Rows) throw Error(line, "expression", $"inner dimensions do not agree: {l.Rows}x{l.Cols} * {r.Rows}x{r.Cols}");
        if ((long)l.Rows * r.Cols * Math.Max(1, l.Cols) > MatpowerLimits.MaxProductOperations)
            throw Error(line, "expression", $"the product {l.Rows}x{l.Cols} * {r.Rows}x{r.Cols} takes more than {MatpowerLimits.MaxProductOperations} operations (MatpowerLimits.MaxProductOperations)");
        var data = Allocate(l.Rows, r.Cols, line, "expression");
        for (int i = 0; i < l.Rows; i++)
            for (int j = 0; j < r.Cols; j++)
            {
                double s = 0;
                for (int k = 0; k < l.Cols; k++) s += l[i, k] * r[k, j];
                data[i * r.Cols + j] = s;
            }
        return new MMatrix(l.Rows, r.Cols, data);
    }

    private MMatrix Map(MMatrix m, Func<double, double> f, int line)
    {
        var data = Allocate(m.Rows, m.Cols, line, "expression");
        for (int k = 0; k < data.Length; k++) data[k] = f(m.Data[k]);
        return new MMatrix(m.Rows, m.Cols, data) { RowLines = m.RowLines };
    }

    private MMatrix AsMatrix(MValue v, int line) =>
        v as MMatrix ?? throw Error(line, "expression", v is MString ? "a string cannot be used in arithmetic" : "a struct cannot be used in arithmetic");

    private double AsScalar(MValue v, int line)
    {
        var m = AsMatrix(v, line);
        if (!m.IsScalar) throw Error(line, "expression", $"expected a scalar, found a {m.Rows}x{m.Cols} matrix");
        return m.Data[0];
    }

    // ---------------------------------------------------------------- assignment

    private void SetPath(List<string> path, MValue value, int line)
    {
        if (path.Count == 1) { _variables[path[0]] = value; return; }
        if (!_variables.TryGetValue(path[0], out var root)) { root = new MStruct(); _variables[path[0]] = root; }
        var current = root as MStruct ?? throw Error(line, path[0], $"'{path[0]}' is not a struct");
        for (int k = 1; k < path.Count - 1; k++)
        {
            if (!current.Fields.TryGetValue(path[k], out var next)) { next = new MStruct(); current.Fields[path[k]] = next; }
            current = next as MStruct ?? throw Error(line, path[k], $"'{path[k]}' is not a struct");
        }
        current.Fields[path[^1]] = value;
    }

    private MValue GetPath(List<string> path, int line)
    {
        string name = string.Join('.', path);
        if (!_variables.TryGetValue(path[0], out var v)) throw Error(line, name, $"'{name}' is assigned by index before it exists");
        for (int k = 1; k < path.Count; k++)
        {
            if (v is not MStruct st || !st.Fields.TryGetValue(path[k], out v!))
                throw Error(line, name, $"'{name}' is assigned by index before it exists");
        }
        return v;
    }

    private void AssignIndexed(List<string> path, IReadOnlyList<Expr> index, MValue value, int line)
    {
        string name = string.Join('.', path);
        var target = AsMatrix(GetPath(path, line), line);
        var (rows, cols) = ResolveIndex(target.Rows, target.Cols, index, line, forAssignment: true);
        var source = AsMatrix(value, line);
        if (!source.IsScalar && (source.Rows != rows.Length || source.Cols != cols.Length))
            throw Error(line, name, $"assignment of a {source.Rows}x{source.Cols} value to a {rows.Length}x{cols.Length} selection");
        var data = Allocate(target.Rows, target.Cols, line, name);
        target.Data.CopyTo(data, 0);
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < cols.Length; j++)
                data[rows[i] * target.Cols + cols[j]] = source.IsScalar ? source.Data[0] : source[i, j];
        SetPath(path, new MMatrix(target.Rows, target.Cols, data) { RowLines = target.RowLines }, line);
    }
}
