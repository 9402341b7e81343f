namespace P2PFlex.Grid.Matpower;

/// <summary>The evaluator: syntax tree to values, sizes and total work bounded (MatpowerLimits).</summary>
internal sealed partial class MatpowerInterpreter
{
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
        Spend((long)rows.Length * cols.Length, c.Line, "index");
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
        Spend(m.Data.Length, line, "index");
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
        Spend(elements, line, what);   // every allocated element is written once (fill, copy, element-wise result)
        return new double[elements];
    }

    /// <summary>
    /// Counts element operations (reads, writes, multiply-adds, index conversions) against the file's budget
    /// <see cref="MatpowerLimits.MaxWorkPerFile"/> before they are done, so a short file that asks for 10¹² operations
    /// is refused at once, naming its line, instead of running for hours.
    /// </summary>
    private void Spend(long operations, int line, string what)
    {
        if (operations > MatpowerLimits.MaxWorkPerFile - _work)
            throw Error(line, what, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"the file takes more than {MatpowerLimits.MaxWorkPerFile} element operations in all (this statement alone {operations}; MatpowerLimits.MaxWorkPerFile)"));
        _work += operations;
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
        Spend((long)l.Rows * r.Cols * Math.Max(1, l.Cols), line, "expression");
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
        Spend((long)rows.Length * cols.Length, line, name);
        var data = Allocate(target.Rows, target.Cols, line, name);
        target.Data.CopyTo(data, 0);
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < cols.Length; j++)
                data[rows[i] * target.Cols + cols[j]] = source.IsScalar ? source.Data[0] : source[i, j];
        SetPath(path, new MMatrix(target.Rows, target.Cols, data) { RowLines = target.RowLines }, line);
    }
}
