using System.Globalization;
using System.Text;

namespace P2PFlex.Grid.Matpower;

/// <summary>
/// Writes a <see cref="MatpowerCase"/> as a MATPOWER case file (case format version 2) that holds the figures as
/// <see cref="MatpowerReader"/> gives them: loads in MW and MVAr, impedances in per unit, so the file has data blocks
/// only and no statements after them. Reading the written file gives back every number bit for bit (numbers are written
/// in the shortest form that round-trips), which is what lets the shipped feeders be our own files with the results of
/// the originals.
/// </summary>
/// <remarks>
/// Written: <c>baseMVA</c>, the 13 input columns of <c>bus</c>, the 10 power-flow columns of <c>gen</c>, the 13 input
/// columns of <c>branch</c> (statuses as 1 or 0) and <c>gencost</c> when the case has one. The reader keeps nothing
/// else, so nothing else can be written. Each matrix is headed by a comment naming its columns
/// (<see cref="MatpowerColumns"/>).
/// </remarks>
public static class MatpowerCaseWriter
{
    /// <summary>The file's text. <paramref name="headerLines"/> become comment lines after the function line (each is
    /// prefixed with <c>% </c>; an empty one gives a bare <c>%</c>). Lines end in <c>\n</c>.</summary>
    public static string Write(MatpowerCase c, IReadOnlyList<string> headerLines)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(headerLines);
        if (!IsIdentifier(c.Name))
            throw new ArgumentException($"case name '{c.Name}' is not a MATLAB function name", nameof(c));
        var sb = new StringBuilder();
        sb.Append("function mpc = ").Append(c.Name).Append('\n');
        foreach (string line in headerLines)
        {
            if (line.Contains('\n') || line.Contains('\r'))
                throw new ArgumentException("a header line must not contain a line break", nameof(headerLines));
            sb.Append(line.Length == 0 ? "%" : "% " + line).Append('\n');
        }
        sb.Append('\n');
        sb.Append("mpc.version = '2';\n");
        sb.Append("mpc.baseMVA = ").Append(Number(c.BaseMva)).Append(";\n");

        AppendMatrix(sb, "bus", MatpowerColumns.BusNames.Take(MatpowerColumns.BusInputColumns),
            c.Buses.Select(b => new[]
            {
                b.BusNumber, (double)(int)b.Type, b.PdMw, b.QdMvar, b.GsMw, b.BsMvar, b.Area, b.VmPu, b.VaDeg, b.BaseKv,
                b.Zone, b.VmaxPu, b.VminPu,
            }));
        AppendMatrix(sb, "gen", MatpowerColumns.GenNames.Take(MatpowerColumns.GenPowerFlowColumns),
            c.Generators.Select(g => new[]
            {
                g.BusNumber, g.PgMw, g.QgMvar, g.QmaxMvar, g.QminMvar, g.VgPu, g.MbaseMva, g.InService ? 1 : 0,
                g.PmaxMw, g.PminMw,
            }));
        AppendMatrix(sb, "branch", MatpowerColumns.BranchNames.Take(MatpowerColumns.BranchInputColumns),
            c.Branches.Select(l => new[]
            {
                l.FromBus, l.ToBus, l.RPu, l.XPu, l.BPu, l.RateAMva, l.RateBMva, l.RateCMva, l.TapRatio, l.ShiftDeg,
                l.InService ? 1 : 0, l.AngMinDeg, l.AngMaxDeg,
            }));
        if (c.GeneratorCosts.Count > 0)
        {
            int width = c.GeneratorCosts[0].Count;
            if (c.GeneratorCosts.Any(row => row.Count != width))
                throw new ArgumentException("every gencost row must have the same number of columns", nameof(c));
            // MODEL, STARTUP, SHUTDOWN, NCOST, then the cost data from column COST on (idx_cost).
            string[] leading = ["MODEL", "STARTUP", "SHUTDOWN", "NCOST"];
            string[] names = width <= leading.Length ? leading[..width] : [.. leading, $"COST ({width - leading.Length} columns)"];
            AppendMatrix(sb, "gencost", names, c.GeneratorCosts);
        }
        return sb.ToString();
    }

    /// <summary>The shortest text that parses back to exactly <paramref name="value"/> (invariant culture);
    /// negative zero keeps its sign.</summary>
    public static string Number(double value)
    {
        if (!double.IsFinite(value))
        {
            // MATLAB's spelling; the reader accepts Inf only where MATPOWER does (angle and generator limits).
            if (double.IsNaN(value)) return "NaN";
            return value > 0 ? "Inf" : "-Inf";
        }
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static void AppendMatrix(StringBuilder sb, string field, IEnumerable<string> columns, IEnumerable<IReadOnlyList<double>> rows)
    {
        sb.Append('\n');
        sb.Append("% ").Append(string.Join('\t', columns)).Append('\n');
        sb.Append("mpc.").Append(field).Append(" = [\n");
        foreach (var row in rows)
        {
            for (int k = 0; k < row.Count; k++) sb.Append('\t').Append(Number(row[k]));
            sb.Append(";\n");
        }
        sb.Append("];\n");
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_');
}
