namespace P2PFlex.Grid.Matpower;

/// <summary>The syntax tree of a case-file expression; every node carries its source line for error messages.</summary>
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
