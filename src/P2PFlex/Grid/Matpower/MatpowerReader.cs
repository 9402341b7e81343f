using B = P2PFlex.Grid.Matpower.MatpowerColumns.Bus;
using G = P2PFlex.Grid.Matpower.MatpowerColumns.Gen;
using L = P2PFlex.Grid.Matpower.MatpowerColumns.Branch;

namespace P2PFlex.Grid.Matpower;

/// <summary>
/// Reads MATPOWER case files (<c>.m</c>, case format version 2) directly, without MATLAB or Octave.
/// </summary>
/// <remarks>
/// The file is executed as the small MATLAB subset case files use (see <see cref="MatpowerInterpreter"/>), so the
/// unit conversions that distribution cases write after their data blocks are applied exactly as MATPOWER's
/// <c>loadcase</c> would. The result is then checked: column counts, bus numbers, branch end points, one
/// reference bus, finite numbers. Every problem raises <see cref="MatpowerFormatException"/> naming file, line and field.
/// </remarks>
public static class MatpowerReader
{
    /// <summary>Reads and checks a case file.</summary>
    public static MatpowerCase ReadFile(string path)
    {
        string text;
        try
        {
            // Counted while reading, not from the file's reported size (0 for a device or a pipe).
            text = IO.BoundedInput.ReadAllText(path, MatpowerLimits.MaxFileBytes);
        }
        catch (IO.InputTooLargeException)
        {
            throw new MatpowerFormatException(path, 0, "file",
                $"has more than {MatpowerLimits.MaxFileBytes} bytes, the limit (MatpowerLimits.MaxFileBytes); a device, a pipe or not a case file?");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MatpowerFormatException(path, 0, "file", $"cannot be read: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Reads a case from text; <paramref name="sourceName"/> is used in error messages.</summary>
    public static MatpowerCase Parse(string text, string sourceName)
    {
        if (text.Length > MatpowerLimits.MaxFileChars)
            throw new MatpowerFormatException(sourceName, 0, "file",
                $"has {text.Length} characters, more than the limit of {MatpowerLimits.MaxFileChars} (MatpowerLimits.MaxFileChars)");
        var interpreter = new MatpowerInterpreter(sourceName, text);
        interpreter.Run();
        string outputName = interpreter.OutputName ?? "mpc";
        if (!interpreter.Variables.TryGetValue(outputName, out var root) || root is not MStruct mpc)
            throw new MatpowerFormatException(sourceName, 0, outputName, $"the file never assigns the case struct '{outputName}'");

        string name = interpreter.FunctionName ?? Path.GetFileNameWithoutExtension(sourceName);
        if (mpc.Fields.TryGetValue("version", out var version) && !(version is MString { Text: "2" }))
            throw new MatpowerFormatException(sourceName, 0, $"{outputName}.version", "only MATPOWER case format version '2' is supported");

        double baseMva = RequireScalar(mpc, "baseMVA", outputName, sourceName);
        if (!(baseMva > 0) || !double.IsFinite(baseMva))
            throw new MatpowerFormatException(sourceName, 0, "baseMVA", $"must be a positive finite number, is {baseMva}");

        var bus = RequireMatrix(mpc, "bus", outputName, sourceName, MatpowerColumns.BusInputColumns);
        var gen = RequireMatrix(mpc, "gen", outputName, sourceName, MatpowerColumns.GenPowerFlowColumns);
        var branch = RequireMatrix(mpc, "branch", outputName, sourceName, MatpowerColumns.BranchRequiredColumns);
        MMatrix? gencost = mpc.Fields.TryGetValue("gencost", out var gc) ? gc as MMatrix : null;

        CheckFinite(bus, "bus", sourceName, MatpowerColumns.BusNames, MatpowerColumns.BusInputColumns);
        CheckFinite(gen, "gen", sourceName, MatpowerColumns.GenNames, MatpowerColumns.GenPowerFlowColumns);
        CheckFinite(branch, "branch", sourceName, MatpowerColumns.BranchNames, MatpowerColumns.BranchInputColumns);

        var buses = new List<MatpowerBus>(bus.Rows);
        var seen = new Dictionary<int, int>();
        for (int r = 0; r < bus.Rows; r++)
        {
            int line = LineOf(bus, r);
            int number = RequireInteger(bus[r, B.Number], sourceName, line, "bus.BUS_I");
            if (number <= 0) throw new MatpowerFormatException(sourceName, line, "bus.BUS_I", $"bus number must be positive, is {number}");
            if (seen.TryGetValue(number, out int firstLine))
                throw new MatpowerFormatException(sourceName, line, "bus.BUS_I", $"duplicate bus number {number} (first defined on line {firstLine})");
            seen[number] = line;
            int type = RequireInteger(bus[r, B.Type], sourceName, line, "bus.BUS_TYPE");
            if (type is < 1 or > 4)
                throw new MatpowerFormatException(sourceName, line, "bus.BUS_TYPE", $"bus type must be 1 (PQ), 2 (PV), 3 (REF) or 4 (isolated), is {type}");
            buses.Add(new MatpowerBus(number, (BusType)type, bus[r, B.Pd], bus[r, B.Qd], bus[r, B.Gs], bus[r, B.Bs],
                (int)bus[r, B.Area], bus[r, B.Vm], bus[r, B.Va], bus[r, B.BaseKv], (int)bus[r, B.Zone], bus[r, B.Vmax],
                bus[r, B.Vmin], line));
        }
        if (buses.Count == 0) throw new MatpowerFormatException(sourceName, 0, "bus", "the case has no buses");
        int references = buses.Count(b => b.Type == BusType.Reference);
        if (references == 0)
            throw new MatpowerFormatException(sourceName, LineOf(bus, 0), "bus.BUS_TYPE", "no reference bus (type 3): the power flow needs a slack bus");

        var generators = new List<MatpowerGenerator>(gen.Rows);
        for (int r = 0; r < gen.Rows; r++)
        {
            int line = LineOf(gen, r);
            int at = RequireInteger(gen[r, G.Bus], sourceName, line, "gen.GEN_BUS");
            if (!seen.ContainsKey(at))
                throw new MatpowerFormatException(sourceName, line, "gen.GEN_BUS", $"generator at bus {at}, which does not exist");
            generators.Add(new MatpowerGenerator(at, gen[r, G.Pg], gen[r, G.Qg], gen[r, G.Qmax], gen[r, G.Qmin],
                gen[r, G.Vg], gen[r, G.Mbase], gen[r, G.Status] > 0, gen[r, G.Pmax], gen[r, G.Pmin], line));
        }

        var branches = new List<MatpowerBranch>(branch.Rows);
        for (int r = 0; r < branch.Rows; r++)
        {
            int line = LineOf(branch, r);
            int from = RequireInteger(branch[r, L.From], sourceName, line, "branch.F_BUS");
            int to = RequireInteger(branch[r, L.To], sourceName, line, "branch.T_BUS");
            if (!seen.ContainsKey(from))
                throw new MatpowerFormatException(sourceName, line, "branch.F_BUS", $"branch {r + 1} starts at bus {from}, which does not exist");
            if (!seen.ContainsKey(to))
                throw new MatpowerFormatException(sourceName, line, "branch.T_BUS", $"branch {r + 1} ends at bus {to}, which does not exist");
            if (from == to)
                throw new MatpowerFormatException(sourceName, line, "branch.T_BUS", $"branch {r + 1} connects bus {from} to itself");
            bool inService = branch[r, L.Status] > 0;
            if (inService && branch[r, L.R] == 0 && branch[r, L.X] == 0)
                throw new MatpowerFormatException(sourceName, line, "branch.BR_X", $"branch {r + 1} has zero impedance (r = x = 0)");
            double angMin = branch.Cols > L.AngMin ? branch[r, L.AngMin] : -360;
            double angMax = branch.Cols > L.AngMax ? branch[r, L.AngMax] : 360;
            branches.Add(new MatpowerBranch(from, to, branch[r, L.R], branch[r, L.X], branch[r, L.B], branch[r, L.RateA],
                branch[r, L.RateB], branch[r, L.RateC], branch[r, L.Tap], branch[r, L.Shift], inService, angMin, angMax, line));
        }

        var costs = new List<IReadOnlyList<double>>();
        if (gencost is not null)
            for (int r = 0; r < gencost.Rows; r++)
                costs.Add(Enumerable.Range(0, gencost.Cols).Select(c => gencost[r, c]).ToArray());

        return new MatpowerCase(name, sourceName, baseMva, buses, generators, branches, costs);
    }

    private static int LineOf(MMatrix m, int row) => row < m.RowLines.Length ? m.RowLines[row] : 0;

    private static double RequireScalar(MStruct mpc, string field, string root, string file)
    {
        if (!mpc.Fields.TryGetValue(field, out var v))
            throw new MatpowerFormatException(file, 0, $"{root}.{field}", "is missing");
        if (v is not MMatrix { IsScalar: true } m)
            throw new MatpowerFormatException(file, 0, $"{root}.{field}", "must be a number");
        return m.Data[0];
    }

    private static MMatrix RequireMatrix(MStruct mpc, string field, string root, string file, int minColumns)
    {
        if (!mpc.Fields.TryGetValue(field, out var v))
            throw new MatpowerFormatException(file, 0, $"{root}.{field}", "is missing");
        if (v is not MMatrix m)
            throw new MatpowerFormatException(file, 0, $"{root}.{field}", "must be a numeric matrix");
        if (m.Rows > 0 && m.Cols < minColumns)
            throw new MatpowerFormatException(file, LineOf(m, 0), $"{root}.{field}",
                $"has {m.Cols} columns per row; MATPOWER needs at least {minColumns}");
        return m;
    }

    private static void CheckFinite(MMatrix m, string matrix, string file, IReadOnlyList<string> columnNames, int checkedColumns)
    {
        for (int r = 0; r < m.Rows; r++)
            for (int c = 0; c < Math.Min(m.Cols, checkedColumns); c++)
            {
                double v = m[r, c];
                if (double.IsFinite(v)) continue;
                // Angle limits of ±Inf are not used by the power flow; every other field must be finite.
                if (matrix == "branch" && c >= L.AngMin) continue;
                if (matrix == "gen" && c is G.Qmax or G.Qmin or G.Pmax or G.Pmin && !double.IsNaN(v)) continue;
                throw new MatpowerFormatException(file, LineOf(m, r), $"{matrix}.{columnNames[c]}",
                    $"row {r + 1} has {(double.IsNaN(v) ? "NaN" : "an infinite value")}");
            }
    }

    private static int RequireInteger(double v, string file, int line, string field)
    {
        if (v != Math.Floor(v) || Math.Abs(v) > int.MaxValue)
            throw new MatpowerFormatException(file, line, field, $"must be a whole number, is {v}");
        return (int)v;
    }
}
