namespace P2PFlex.Grid.Matpower;

/// <summary>The expression parser: tokens to the syntax tree of MatpowerSyntax.cs, nesting bounded.</summary>
internal sealed partial class MatpowerInterpreter
{
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
        if (!Peek.Is(":")) return from;
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
}
