namespace P2PFlex.Numerics;

/// <summary>
/// A small exact LP solver for <see cref="BoundedLp"/>: the dual simplex method for boxed variables on a growing
/// working set of rows, with an explicit dense basis inverse.
/// </summary>
/// <remarks>
/// <para>Why our own: the flexibility market's LP (a few hundred bids, one ranged row per line) is re-solved at every
/// move of a slider. A general solver spends most of its time on model building, presolve and scaling; this one
/// exploits what the market's LP looks like. With every variable boxed, placing each variable at the bound its cost
/// prefers (x = lower for c ≥ 0, upper for c &lt; 0) with all row slacks basic is dual feasible, so the dual simplex
/// starts at once, and only rows violated at the current point enter the working set (row generation). On a
/// feeder few lines are congested, so the working basis is a handful of rows, whatever the size of the grid.</para>
/// <para>Each working row i is written Σ_j A_ij x_j − r_i = 0 with its slack r_i boxed by the row's sides. A pivot:
/// the basic variable furthest outside its box leaves (to the bound it violates); the entering variable comes from
/// Harris's two-pass ratio test (largest pivot among the near-minimal ratios, lowest index on ties) so the basis stays
/// well conditioned; the inverse gets a product-form update and is refactorised every <see cref="RefactorInterval"/>
/// pivots. Basic values and reduced costs are recomputed from the inverse at every pivot rather than updated, which
/// keeps drift out at a cost that is small for small working sets.</para>
/// <para>The answer is certified, not assumed: when no basic variable and no row is outside its bounds, the reduced
/// costs are checked against their signs; a failure reports <see cref="BoundedLpStatus.NumericalTrouble"/> so the
/// caller can fall back to another solver. The same input gives the same pivots and bit-identical output.</para>
/// </remarks>
public static class BoundedDualSimplex
{
    /// <summary>A bound or row side may be exceeded by this much (absolute, in the row's units) and still count as met.</summary>
    public const double PrimalTolerance = 1e-9;

    /// <summary>A reduced cost may have the wrong sign by this much relative to max(1, max |c|) and still count as optimal.</summary>
    public const double DualTolerance = 1e-9;

    /// <summary>Pivot candidates with |α| at or below this are skipped (too small to pivot on safely).</summary>
    private const double PivotTolerance = 1e-9;

    /// <summary>Pivots between two refactorisations of the basis inverse.</summary>
    public const int RefactorInterval = 50;

    /// <summary>Solves the LP. Throws <see cref="ArgumentException"/> for a malformed LP; never for an infeasible one.</summary>
    /// <param name="lp">The LP; validated first.</param>
    /// <param name="maxIterations">Pivot limit; default 50 · (columns + rows) + 1 000.</param>
    public static BoundedLpSolution Solve(BoundedLp lp, int? maxIterations = null)
    {
        ArgumentNullException.ThrowIfNull(lp);
        lp.Validate();
        if (SomeRowOutOfReach(lp)) return new BoundedLpSolution(BoundedLpStatus.Infeasible, Clamped(lp), new double[lp.RowCount], 0, 0);
        return new Run(lp).Solve(maxIterations ?? 50 * (lp.ColumnCount + lp.RowCount) + 1000);
    }

    /// <summary>
    /// True when some row's sides lie outside the range its activity can take over the box (each term at the end of its
    /// bound that helps): no point meets that row alone, so the LP is infeasible without a pivot. O(nonzeros); it spares
    /// the simplex the long way to the same proof on markets where a line is short of relief.
    /// </summary>
    private static bool SomeRowOutOfReach(BoundedLp lp)
    {
        for (int i = 0; i < lp.RowCount; i++)
        {
            double low = 0.0, high = 0.0;
            for (int e = lp.RowStart[i]; e < lp.RowStart[i + 1]; e++)
            {
                int j = lp.ColumnIndex[e];
                double a = lp.Value[e], atLower = a * lp.ColumnLower[j], atUpper = a * lp.ColumnUpper[j];
                low += Math.Min(atLower, atUpper);
                high += Math.Max(atLower, atUpper);
            }

            if (high < lp.RowLower[i] - PrimalTolerance || low > lp.RowUpper[i] + PrimalTolerance) return true;
        }

        return false;
    }

    private static double[] Clamped(BoundedLp lp)
    {
        var x = new double[lp.ColumnCount];
        for (int j = 0; j < x.Length; j++) x[j] = Math.Clamp(0.0, lp.ColumnLower[j], lp.ColumnUpper[j]);
        return x;
    }

    /// <summary>The state of one solve. Variables 0..n−1 are the LP's columns; n + k is the slack of working row k.</summary>
    private sealed class Run
    {
        private const sbyte Basic = 0, AtLower = 1, AtUpper = 2;

        private readonly BoundedLp _lp;
        private readonly int _n;
        private readonly double _dualTolerance;

        // The working rows in ascending LP-row order: a column's entries on them (B⁻¹ a_q, the basis matrix) are found by
        // binary search in each row, in the order a column-wise copy of A would list them, without building that copy
        // for rows that never enter (most of them: O(nonzeros) a solve, which dominated on voltage-aware LPs).
        private readonly int[] _sortedRows;

        private readonly double[] _lower, _upper, _value;
        private readonly sbyte[] _state;

        private readonly int[] _workingRow;   // working position k → LP row
        private readonly int[] _positionOf;   // LP row → working position, or −1
        private readonly int[] _head;         // basis position p → variable
        private int _m;

        // B⁻¹ (m × m, row-major with stride _capacity), grown on demand.
        private double[] _inverse;
        private int _capacity;

        // Scratch.
        private double[] _rhs, _basicValue, _y, _column, _rowScatter;
        private readonly double[] _reducedCost, _alpha;

        public Run(BoundedLp lp)
        {
            _lp = lp;
            _n = lp.ColumnCount;
            int rows = lp.RowCount, total = _n + rows;
            double maxCost = 1.0;
            foreach (double c in lp.Cost) maxCost = Math.Max(maxCost, Math.Abs(c));
            _dualTolerance = DualTolerance * maxCost;

            _sortedRows = new int[rows];

            _lower = new double[total];
            _upper = new double[total];
            _value = new double[total];
            _state = new sbyte[total];
            for (int j = 0; j < _n; j++)
            {
                _lower[j] = lp.ColumnLower[j];
                _upper[j] = lp.ColumnUpper[j];
                // The bound the cost prefers: with every slack basic this makes all reduced costs sign-correct.
                bool upper = lp.Cost[j] < 0.0;
                _state[j] = upper ? AtUpper : AtLower;
                _value[j] = upper ? _upper[j] : _lower[j];
            }

            _workingRow = new int[rows];
            _positionOf = new int[rows];
            Array.Fill(_positionOf, -1);
            _head = new int[rows];
            _capacity = Math.Min(rows, 16);
            _inverse = new double[_capacity * _capacity];
            _rhs = new double[_capacity];
            _basicValue = new double[_capacity];
            _y = new double[_capacity];
            _column = new double[_capacity];
            _rowScatter = new double[_n];
            _reducedCost = new double[total];
            _alpha = new double[total];
        }

        public BoundedLpSolution Solve(int maxIterations)
        {
            int iterations = 0, sinceRefactor = 0;
            bool justRefactored = false;
            AddViolatedRows();
            while (true)
            {
                ComputeBasicValues();
                int leave = MostInfeasibleBasic();
                if (leave < 0)
                {
                    if (AddViolatedRows()) continue;
                    return Finish(iterations);
                }

                if (iterations >= maxIterations) return Result(BoundedLpStatus.IterationLimit, iterations);

                ComputeReducedCosts();
                int v = _head[leave];
                bool toLower = _value[v] < _lower[v];
                int enter = RatioTest(leave, toLower);
                if (enter < 0) return Result(BoundedLpStatus.Infeasible, iterations);

                EnteringColumn(enter);
                double pivot = _column[leave];
                if (Math.Abs(pivot - _alpha[enter]) > 1e-7 * (1.0 + Math.Abs(pivot)) || Math.Abs(pivot) <= PivotTolerance)
                {
                    // The row and column views of the pivot disagree: the inverse has drifted. Refactorise once.
                    if (justRefactored || !Refactor()) return Result(BoundedLpStatus.NumericalTrouble, iterations);
                    justRefactored = true;
                    sinceRefactor = 0;
                    continue;
                }

                Pivot(leave, pivot);
                _state[v] = toLower ? AtLower : AtUpper;
                _value[v] = toLower ? _lower[v] : _upper[v];
                _head[leave] = enter;
                _state[enter] = Basic;
                justRefactored = false;
                iterations++;
                if (++sinceRefactor >= RefactorInterval)
                {
                    if (!Refactor()) return Result(BoundedLpStatus.NumericalTrouble, iterations);
                    sinceRefactor = 0;
                }
            }
        }

        /// <summary>Adds every row outside its sides at the current point (in row order); true if any was added.</summary>
        private bool AddViolatedRows()
        {
            bool added = false;
            for (int i = 0; i < _lp.RowCount; i++)
            {
                if (_positionOf[i] >= 0) continue;
                double activity = _lp.RowActivity(i, _value.AsSpan(0, _n));
                if (activity < _lp.RowLower[i] - PrimalTolerance || activity > _lp.RowUpper[i] + PrimalTolerance)
                {
                    AddRow(i);
                    added = true;
                }
            }

            return added;
        }

        /// <summary>
        /// Appends row i with its slack basic. With B' = [B 0; wᵀ −1] (w: row i's coefficients on the basic columns),
        /// B'⁻¹ = [B⁻¹ 0; wᵀB⁻¹ −1], and the duals of the old rows are unchanged, so dual feasibility is kept.
        /// </summary>
        private void AddRow(int row)
        {
            EnsureCapacity(_m + 1);
            int k = _m, stride = _capacity;
            for (int e = _lp.RowStart[row]; e < _lp.RowStart[row + 1]; e++) _rowScatter[_lp.ColumnIndex[e]] = _lp.Value[e];
            var newRow = _inverse.AsSpan(k * stride, stride);
            newRow.Clear();
            for (int p = 0; p < _m; p++)
            {
                int v = _head[p];
                double w = v < _n ? _rowScatter[v] : 0.0;
                if (w == 0.0) continue;
                var inverseRow = _inverse.AsSpan(p * stride, _m);
                for (int c = 0; c < _m; c++) newRow[c] += w * inverseRow[c];
            }

            for (int e = _lp.RowStart[row]; e < _lp.RowStart[row + 1]; e++) _rowScatter[_lp.ColumnIndex[e]] = 0.0;
            newRow[k] = -1.0;
            for (int p = 0; p < _m; p++) _inverse[p * stride + k] = 0.0;

            int slack = _n + k;
            _workingRow[k] = row;
            _positionOf[row] = k;
            int at = _m;
            while (at > 0 && _sortedRows[at - 1] > row)
            {
                _sortedRows[at] = _sortedRows[at - 1];
                at--;
            }

            _sortedRows[at] = row;
            _lower[slack] = _lp.RowLower[row];
            _upper[slack] = _lp.RowUpper[row];
            _state[slack] = Basic;
            _head[k] = slack;
            _m++;
        }

        private void EnsureCapacity(int size)
        {
            if (size <= _capacity) return;
            int capacity = Math.Min(_lp.RowCount, Math.Max(size, 2 * _capacity));
            var grown = new double[capacity * capacity];
            for (int p = 0; p < _m; p++) Array.Copy(_inverse, p * _capacity, grown, p * capacity, _m);
            _inverse = grown;
            _capacity = capacity;
            _rhs = new double[capacity];
            _basicValue = new double[capacity];
            _y = new double[capacity];
            _column = new double[capacity];
        }

        /// <summary>x_B = −B⁻¹ N x_N, from scratch, then written into the variables' values.</summary>
        private void ComputeBasicValues()
        {
            for (int k = 0; k < _m; k++)
            {
                int row = _workingRow[k];
                double sum = 0.0;
                for (int e = _lp.RowStart[row]; e < _lp.RowStart[row + 1]; e++)
                {
                    int j = _lp.ColumnIndex[e];
                    if (_state[j] != Basic) sum += _lp.Value[e] * _value[j];
                }

                int slack = _n + k;
                _rhs[k] = -sum + (_state[slack] != Basic ? _value[slack] : 0.0);
            }

            int stride = _capacity;
            for (int p = 0; p < _m; p++)
            {
                var inverseRow = _inverse.AsSpan(p * stride, _m);
                double s = 0.0;
                for (int k = 0; k < _m; k++) s += inverseRow[k] * _rhs[k];
                _basicValue[p] = s;
                _value[_head[p]] = s;
            }
        }

        /// <summary>The basis position of the basic variable furthest outside its box (lowest position on ties), or −1.</summary>
        private int MostInfeasibleBasic()
        {
            int best = -1;
            double worst = PrimalTolerance;
            for (int p = 0; p < _m; p++)
            {
                int v = _head[p];
                double outside = Math.Max(_lower[v] - _basicValue[p], _basicValue[p] - _upper[v]);
                if (outside > worst)
                {
                    worst = outside;
                    best = p;
                }
            }

            return best;
        }

        /// <summary>y = c_Bᵀ B⁻¹ and d_j = c_j − yᵀ a_j (structural), d = y_k for the slack of working row k.</summary>
        private void ComputeReducedCosts()
        {
            int stride = _capacity;
            Array.Clear(_y, 0, _m);
            for (int p = 0; p < _m; p++)
            {
                int v = _head[p];
                double c = v < _n ? _lp.Cost[v] : 0.0;
                if (c == 0.0) continue;
                var inverseRow = _inverse.AsSpan(p * stride, _m);
                for (int k = 0; k < _m; k++) _y[k] += c * inverseRow[k];
            }

            Array.Copy(_lp.Cost, _reducedCost, _n);
            for (int k = 0; k < _m; k++)
            {
                double yk = _y[k];
                _reducedCost[_n + k] = yk;
                if (yk == 0.0) continue;
                int row = _workingRow[k];
                for (int e = _lp.RowStart[row]; e < _lp.RowStart[row + 1]; e++) _reducedCost[_lp.ColumnIndex[e]] -= yk * _lp.Value[e];
            }
        }

        /// <summary>
        /// α = e_pᵀ B⁻¹ [A −I] over the nonbasic variables, then Harris's two-pass dual ratio test. Returns the entering
        /// variable, or −1 when no variable can bring the leaving one back into its box (the LP is infeasible).
        /// </summary>
        private int RatioTest(int leave, bool toLower)
        {
            int stride = _capacity;
            var rho = _inverse.AsSpan(leave * stride, _m);
            Array.Clear(_alpha, 0, _n + _m);
            for (int k = 0; k < _m; k++)
            {
                double r = rho[k];
                _alpha[_n + k] = -r;
                if (r == 0.0) continue;
                int row = _workingRow[k];
                for (int e = _lp.RowStart[row]; e < _lp.RowStart[row + 1]; e++) _alpha[_lp.ColumnIndex[e]] += r * _lp.Value[e];
            }

            double sign = toLower ? 1.0 : -1.0;
            int count = _n + _m;

            // Pass 1: the largest step every candidate's reduced cost tolerates when allowed the tolerance.
            double bound = double.PositiveInfinity;
            for (int j = 0; j < count; j++)
            {
                if (!IsCandidate(j, sign * _alpha[j], out double slope)) continue;
                double dj = Math.Max(0.0, _state[j] == AtLower ? _reducedCost[j] : -_reducedCost[j]);
                bound = Math.Min(bound, (dj + _dualTolerance) / slope);
            }

            if (double.IsPositiveInfinity(bound)) return -1;

            // Pass 2: among the ratios within that step, the largest pivot; lowest index on ties.
            int enter = -1;
            double largest = 0.0;
            for (int j = 0; j < count; j++)
            {
                if (!IsCandidate(j, sign * _alpha[j], out double slope)) continue;
                double dj = Math.Max(0.0, _state[j] == AtLower ? _reducedCost[j] : -_reducedCost[j]);
                if (dj / slope <= bound && slope > largest)
                {
                    largest = slope;
                    enter = j;
                }
            }

            return enter;
        }

        /// <summary>A nonbasic, non-fixed variable whose move in its allowed direction pushes the leaving variable back
        /// toward its box; <paramref name="slope"/> = |α̃_j|.</summary>
        private bool IsCandidate(int j, double alphaTilde, out double slope)
        {
            slope = Math.Abs(alphaTilde);
            sbyte s = _state[j];
            if (s == Basic || _lower[j] == _upper[j]) return false;
            return s == AtLower ? alphaTilde < -PivotTolerance : alphaTilde > PivotTolerance;
        }

        /// <summary>B⁻¹ a_q into <see cref="_column"/>.</summary>
        private void EnteringColumn(int q)
        {
            int stride = _capacity;
            Array.Clear(_column, 0, _m);
            if (q >= _n)
            {
                int k = q - _n;
                for (int p = 0; p < _m; p++) _column[p] = -_inverse[p * stride + k];
                return;
            }

            for (int s = 0; s < _m; s++)
            {
                int row = _sortedRows[s];
                int e = EntryOf(row, q);
                if (e < 0) continue;
                int k = _positionOf[row];
                double a = _lp.Value[e];
                for (int p = 0; p < _m; p++) _column[p] += _inverse[p * stride + k] * a;
            }
        }

        /// <summary>Product-form update of B⁻¹ for a pivot on position <paramref name="leave"/>.</summary>
        private void Pivot(int leave, double pivot)
        {
            int stride = _capacity;
            var pivotRow = _inverse.AsSpan(leave * stride, _m);
            double inv = 1.0 / pivot;
            for (int k = 0; k < _m; k++) pivotRow[k] *= inv;
            for (int p = 0; p < _m; p++)
            {
                double f = _column[p];
                if (p == leave || f == 0.0) continue;
                var row = _inverse.AsSpan(p * stride, _m);
                for (int k = 0; k < _m; k++) row[k] -= f * pivotRow[k];
            }
        }

        /// <summary>Recomputes B⁻¹ from the basis by Gauss–Jordan elimination with partial pivoting; false if singular.</summary>
        private bool Refactor()
        {
            int m = _m, stride = _capacity;
            var b = new double[m * m];
            for (int p = 0; p < m; p++)
            {
                int v = _head[p];
                if (v >= _n)
                {
                    b[(v - _n) * m + p] = -1.0;
                    continue;
                }

                for (int s = 0; s < m; s++)
                {
                    int row = _sortedRows[s];
                    int e = EntryOf(row, v);
                    if (e >= 0) b[_positionOf[row] * m + p] = _lp.Value[e];
                }
            }

            // Solve B X = I in place: rows of [B | I].
            var inv = new double[m * m];
            for (int i = 0; i < m; i++) inv[i * m + i] = 1.0;
            for (int col = 0; col < m; col++)
            {
                int pivotRow = col;
                for (int r = col + 1; r < m; r++)
                    if (Math.Abs(b[r * m + col]) > Math.Abs(b[pivotRow * m + col])) pivotRow = r;
                double pivot = b[pivotRow * m + col];
                if (Math.Abs(pivot) < 1e-12) return false;
                if (pivotRow != col)
                {
                    for (int c = 0; c < m; c++)
                    {
                        (b[col * m + c], b[pivotRow * m + c]) = (b[pivotRow * m + c], b[col * m + c]);
                        (inv[col * m + c], inv[pivotRow * m + c]) = (inv[pivotRow * m + c], inv[col * m + c]);
                    }
                }

                double scale = 1.0 / pivot;
                for (int c = 0; c < m; c++)
                {
                    b[col * m + c] *= scale;
                    inv[col * m + c] *= scale;
                }

                for (int r = 0; r < m; r++)
                {
                    double f = b[r * m + col];
                    if (r == col || f == 0.0) continue;
                    for (int c = 0; c < m; c++)
                    {
                        b[r * m + c] -= f * b[col * m + c];
                        inv[r * m + c] -= f * inv[col * m + c];
                    }
                }
            }

            for (int p = 0; p < m; p++) Array.Copy(inv, p * m, _inverse, p * stride, m);
            return true;
        }

        /// <summary>Primal feasible everywhere: certify dual feasibility (the reduced costs' signs) and report.</summary>
        private BoundedLpSolution Finish(int iterations)
        {
            ComputeReducedCosts();
            for (int j = 0; j < _n + _m; j++)
            {
                sbyte s = _state[j];
                if (s == Basic || _lower[j] == _upper[j]) continue;
                double wrongSign = s == AtLower ? -_reducedCost[j] : _reducedCost[j];
                if (wrongSign > _dualTolerance) return Result(BoundedLpStatus.NumericalTrouble, iterations);
            }

            return Result(BoundedLpStatus.Optimal, iterations);
        }

        private BoundedLpSolution Result(BoundedLpStatus status, int iterations)
        {
            var x = new double[_n];
            for (int j = 0; j < _n; j++) x[j] = Math.Clamp(_value[j], _lower[j], _upper[j]);
            var dual = new double[_lp.RowCount];
            if (status == BoundedLpStatus.Optimal)
            {
                for (int k = 0; k < _m; k++) dual[_workingRow[k]] = _y[k];
            }

            return new BoundedLpSolution(status, x, dual, iterations, _m);
        }

        /// <summary>The entry of column <paramref name="column"/> in LP row <paramref name="row"/>, or −1 (a row's columns ascend).</summary>
        private int EntryOf(int row, int column)
        {
            int e = Array.BinarySearch(_lp.ColumnIndex, _lp.RowStart[row], _lp.RowStart[row + 1] - _lp.RowStart[row], column);
            return e >= 0 ? e : -1;
        }
    }
}
