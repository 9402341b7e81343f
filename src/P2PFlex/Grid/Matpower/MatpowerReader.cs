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
    /// <summary>Minimum columns MATPOWER requires per matrix (caseformat: bus 13, gen 10 for PF, branch 11 for PF).</summary>
    private const int BusColumns = 13, GenColumns = 10, BranchColumns = 11;

    /// <summary>Reads and checks a case file.</summary>
    public static MatpowerCase ReadFile(string path)
    {
        string text;
        try
        {
            // Refuse oversized files before reading them into memory.
            long length = new FileInfo(path).Length;
            if (length > MatpowerLimits.MaxFileChars)
                throw new MatpowerFormatException(path, 0, "file",
                    $"is {length} bytes, more than the limit of {MatpowerLimits.MaxFileChars} (MatpowerLimits.MaxFileChars)");
            text = File.ReadAllText(path);
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

        var bus = RequireMatrix(mpc, "bus", outputName, sourceName, BusColumns);
        var gen = RequireMatrix(mpc, "gen", outputName, sourceName, GenColumns);
        var branch = RequireMatrix(mpc, "branch", outputName, sourceName, BranchColumns);
        MMatrix? gencost = mpc.Fields.TryGetValue("gencost", out var gc) ? gc as MMatrix : null;

        CheckFinite(bus, "bus", sourceName, BusColumnNames);
        CheckFinite(gen, "gen", sourceName, GenColumnNames);
        CheckFinite(branch, "branch", sourceName, BranchColumnNames);

        var buses = new List<MatpowerBus>(bus.Rows);
        var seen = new Dictionary<int, int>();
        for (int r = 0; r < bus.Rows; r++)
        {
            int line = LineOf(bus, r);
            int number = RequireInteger(bus[r, 0], sourceName, line, "bus.BUS_I");
            if (number <= 0) throw new MatpowerFormatException(sourceName, line, "bus.BUS_I", $"bus number must be positive, is {number}");
            if (seen.TryGetValue(number, out int firstLine))
                throw new MatpowerFormatException(sourceName, line, "bus.BUS_I", $"duplicate bus number {number} (first defined on line {firstLine})");
            seen[number] = line;
            int type = RequireInteger(bus[r, 1], sourceName, line, "bus.BUS_TYPE");
            if (type is < 1 or > 4)
                throw new MatpowerFormatException(sourceName, line, "bus.BUS_TYPE", $"bus type must be 1 (PQ), 2 (PV), 3 (REF) or 4 (isolated), is {type}");
            buses.Add(new MatpowerBus(number, (BusType)type, bus[r, 2], bus[r, 3], bus[r, 4], bus[r, 5],
                (int)bus[r, 6], bus[r, 7], bus[r, 8], bus[r, 9], (int)bus[r, 10], bus[r, 11], bus[r, 12], line));
        }
        if (buses.Count == 0) throw new MatpowerFormatException(sourceName, 0, "bus", "the case has no buses");
        int references = buses.Count(b => b.Type == BusType.Reference);
        if (references == 0)
            throw new MatpowerFormatException(sourceName, LineOf(bus, 0), "bus.BUS_TYPE", "no reference bus (type 3): the power flow needs a slack bus");

        var generators = new List<MatpowerGenerator>(gen.Rows);
        for (int r = 0; r < gen.Rows; r++)
        {
            int line = LineOf(gen, r);
            int at = RequireInteger(gen[r, 0], sourceName, line, "gen.GEN_BUS");
            if (!seen.ContainsKey(at))
                throw new MatpowerFormatException(sourceName, line, "gen.GEN_BUS", $"generator at bus {at}, which does not exist");
            generators.Add(new MatpowerGenerator(at, gen[r, 1], gen[r, 2], gen[r, 3], gen[r, 4], gen[r, 5], gen[r, 6],
                gen[r, 7] > 0, gen[r, 8], gen[r, 9], line));
        }

        var branches = new List<MatpowerBranch>(branch.Rows);
        for (int r = 0; r < branch.Rows; r++)
        {
            int line = LineOf(branch, r);
            int from = RequireInteger(branch[r, 0], sourceName, line, "branch.F_BUS");
            int to = RequireInteger(branch[r, 1], sourceName, line, "branch.T_BUS");
            if (!seen.ContainsKey(from))
                throw new MatpowerFormatException(sourceName, line, "branch.F_BUS", $"branch {r + 1} starts at bus {from}, which does not exist");
            if (!seen.ContainsKey(to))
                throw new MatpowerFormatException(sourceName, line, "branch.T_BUS", $"branch {r + 1} ends at bus {to}, which does not exist");
            if (from == to)
                throw new MatpowerFormatException(sourceName, line, "branch.T_BUS", $"branch {r + 1} connects bus {from} to itself");
            bool inService = branch[r, 10] > 0;
            if (inService && branch[r, 2] == 0 && branch[r, 3] == 0)
                throw new MatpowerFormatException(sourceName, line, "branch.BR_X", $"branch {r + 1} has zero impedance (r = x = 0)");
            double angMin = branch.Cols > 11 ? branch[r, 11] : -360, angMax = branch.Cols > 12 ? branch[r, 12] : 360;
            branches.Add(new MatpowerBranch(from, to, branch[r, 2], branch[r, 3], branch[r, 4], branch[r, 5], branch[r, 6],
                branch[r, 7], branch[r, 8], branch[r, 9], inService, angMin, angMax, line));
        }

        var costs = new List<IReadOnlyList<double>>();
        if (gencost is not null)
            for (int r = 0; r < gencost.Rows; r++)
                costs.Add(Enumerable.Range(0, gencost.Cols).Select(c => gencost[r, c]).ToArray());

        return new MatpowerCase(name, sourceName, baseMva, buses, generators, branches, costs);
    }

    private static readonly string[] BusColumnNames =
        ["BUS_I", "BUS_TYPE", "PD", "QD", "GS", "BS", "BUS_AREA", "VM", "VA", "BASE_KV", "ZONE", "VMAX", "VMIN"];
    private static readonly string[] GenColumnNames =
        ["GEN_BUS", "PG", "QG", "QMAX", "QMIN", "VG", "MBASE", "GEN_STATUS", "PMAX", "PMIN"];
    private static readonly string[] BranchColumnNames =
        ["F_BUS", "T_BUS", "BR_R", "BR_X", "BR_B", "RATE_A", "RATE_B", "RATE_C", "TAP", "SHIFT", "BR_STATUS", "ANGMIN", "ANGMAX"];

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

    private static void CheckFinite(MMatrix m, string matrix, string file, string[] columnNames)
    {
        for (int r = 0; r < m.Rows; r++)
            for (int c = 0; c < Math.Min(m.Cols, columnNames.Length); c++)
            {
                double v = m[r, c];
                if (double.IsFinite(v)) continue;
                // Angle limits of ±Inf are not used by the power flow; every other field must be finite.
                if (matrix == "branch" && c >= 11) continue;
                if (matrix == "gen" && c is 3 or 4 or 8 or 9 && !double.IsNaN(v)) continue;
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
