namespace P2PFlex.Grid.Matpower;

/// <summary>
/// MATPOWER's column layout of the case matrices (its <c>caseformat</c> and <c>idx_bus</c>, <c>idx_gen</c>,
/// <c>idx_brch</c>, <c>idx_cost</c>): the one place the reader, the case writer and the interpreter's named column
/// indices take it from. Positions are 0-based array indices; MATPOWER's 1-based column number is the position + 1.
/// </summary>
public static class MatpowerColumns
{
    /// <summary>Names of <c>mpc.bus</c>'s columns in column order: 13 of input, then 4 that a solved case adds.</summary>
    public static readonly IReadOnlyList<string> BusNames =
        ["BUS_I", "BUS_TYPE", "PD", "QD", "GS", "BS", "BUS_AREA", "VM", "VA", "BASE_KV", "ZONE", "VMAX", "VMIN",
         "LAM_P", "LAM_Q", "MU_VMAX", "MU_VMIN"];

    /// <summary>Names of <c>mpc.gen</c>'s columns in column order: 10 for a power flow, 11 more for OPF and ramping,
    /// then 4 that a solved case adds.</summary>
    public static readonly IReadOnlyList<string> GenNames =
        ["GEN_BUS", "PG", "QG", "QMAX", "QMIN", "VG", "MBASE", "GEN_STATUS", "PMAX", "PMIN", "PC1", "PC2",
         "QC1MIN", "QC1MAX", "QC2MIN", "QC2MAX", "RAMP_AGC", "RAMP_10", "RAMP_30", "RAMP_Q", "APF",
         "MU_PMAX", "MU_PMIN", "MU_QMAX", "MU_QMIN"];

    /// <summary>Names of <c>mpc.branch</c>'s columns in column order: 13 of input, then 8 that a solved case adds.</summary>
    public static readonly IReadOnlyList<string> BranchNames =
        ["F_BUS", "T_BUS", "BR_R", "BR_X", "BR_B", "RATE_A", "RATE_B", "RATE_C", "TAP", "SHIFT", "BR_STATUS",
         "ANGMIN", "ANGMAX", "PF", "QF", "PT", "QT", "MU_SF", "MU_ST", "MU_ANGMIN", "MU_ANGMAX"];

    /// <summary>Columns a case must give per row: all 13 bus inputs, the 10 generator columns a power flow reads, and
    /// the 11 branch columns up to the status (the angle limits default to ±360°).</summary>
    public const int BusInputColumns = 13, GenPowerFlowColumns = 10, BranchRequiredColumns = 11;

    /// <summary>Branch input columns including the angle limits (<c>ANGMIN</c>, <c>ANGMAX</c>).</summary>
    public const int BranchInputColumns = 13;

    /// <summary>Positions in <c>mpc.bus</c>.</summary>
    public static class Bus
    {
        public const int Number = 0, Type = 1, Pd = 2, Qd = 3, Gs = 4, Bs = 5, Area = 6, Vm = 7, Va = 8, BaseKv = 9,
            Zone = 10, Vmax = 11, Vmin = 12;
    }

    /// <summary>Positions in <c>mpc.gen</c>.</summary>
    public static class Gen
    {
        public const int Bus = 0, Pg = 1, Qg = 2, Qmax = 3, Qmin = 4, Vg = 5, Mbase = 6, Status = 7, Pmax = 8, Pmin = 9;
    }

    /// <summary>Positions in <c>mpc.branch</c>.</summary>
    public static class Branch
    {
        public const int From = 0, To = 1, R = 2, X = 3, B = 4, RateA = 5, RateB = 6, RateC = 7, Tap = 8, Shift = 9,
            Status = 10, AngMin = 11, AngMax = 12;
    }

    /// <summary>MATPOWER's named constants that are not column positions: bus types (<c>idx_bus</c>) and the cost
    /// model codes and gencost positions (<c>idx_cost</c>, 1-based as MATPOWER gives them).</summary>
    public static readonly IReadOnlyDictionary<string, double> NamedConstants = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["PQ"] = (int)BusType.PQ,
        ["PV"] = (int)BusType.PV,
        ["REF"] = (int)BusType.Reference,
        ["NONE"] = (int)BusType.Isolated,
        ["PW_LINEAR"] = 1,
        ["POLYNOMIAL"] = 2,
        ["MODEL"] = 1,
        ["STARTUP"] = 2,
        ["SHUTDOWN"] = 3,
        ["NCOST"] = 4,
        ["COST"] = 5,
    };

    /// <summary>MATPOWER's index functions and the names each assigns, in its output order (which is not column order:
    /// <c>idx_brch</c> returns the solved-case columns before <c>ANGMIN</c>).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> IndexFunctionOutputs =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["idx_bus"] = ["PQ", "PV", "REF", "NONE", "BUS_I", "BUS_TYPE", "PD", "QD", "GS", "BS", "BUS_AREA", "VM",
                "VA", "BASE_KV", "ZONE", "VMAX", "VMIN", "LAM_P", "LAM_Q", "MU_VMAX", "MU_VMIN"],
            ["idx_brch"] = ["F_BUS", "T_BUS", "BR_R", "BR_X", "BR_B", "RATE_A", "RATE_B", "RATE_C", "TAP", "SHIFT",
                "BR_STATUS", "PF", "QF", "PT", "QT", "MU_SF", "MU_ST", "ANGMIN", "ANGMAX", "MU_ANGMIN", "MU_ANGMAX"],
            ["idx_gen"] = ["GEN_BUS", "PG", "QG", "QMAX", "QMIN", "VG", "MBASE", "GEN_STATUS", "PMAX", "PMIN",
                "MU_PMAX", "MU_PMIN", "MU_QMAX", "MU_QMIN", "PC1", "PC2", "QC1MIN", "QC1MAX", "QC2MIN", "QC2MAX",
                "RAMP_AGC", "RAMP_10", "RAMP_30", "RAMP_Q", "APF"],
            ["idx_cost"] = ["PW_LINEAR", "POLYNOMIAL", "MODEL", "STARTUP", "SHUTDOWN", "NCOST", "COST"],
        };

    /// <summary>The 1-based column number of every named column of bus, gen and branch, and the named constants:
    /// what <c>[PQ, PV, …] = idx_bus;</c> and its siblings assign in a case file.</summary>
    public static IReadOnlyDictionary<string, double> IndexValues()
    {
        var values = new Dictionary<string, double>(NamedConstants, StringComparer.Ordinal);
        foreach (var names in new[] { BusNames, BranchNames, GenNames })
            for (int k = 0; k < names.Count; k++) values[names[k]] = k + 1;
        return values;
    }
}
