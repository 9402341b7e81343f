namespace P2PFlex.Data;

/// <summary>
/// Where the figures of one shipped feeder case (<c>data/cases/NAME.m</c>) come from: the publication that gave them,
/// and what the holder of the figures asks of those who redistribute them. Written into the case file's header by
/// <see cref="CaseFileGenerator"/>.
/// </summary>
/// <param name="Name">The case name, also the file's function name (<c>case69</c>).</param>
/// <param name="Description">What the network is, one sentence.</param>
/// <param name="Citation">The publication(s) of the figures, one reference per entry.</param>
/// <param name="Licence">The licence the figures carry, when their authors gave one (null: published data, cite it).</param>
public sealed record CaseSource(string Name, string Description, IReadOnlyList<string> Citation, string? Licence = null)
{
    /// <summary>MATPOWER, which distributes every one of these cases in its <c>data/</c> folder.</summary>
    public const string MatpowerReference =
        "R. D. Zimmerman, C. E. Murillo-Sanchez, R. J. Thomas, \"MATPOWER: steady-state operations, planning, and " +
        "analysis tools for power systems research and education\", IEEE Trans. Power Systems 26(1), 12-19, 2011, " +
        "doi:10.1109/TPWRS.2010.2051168";

    /// <summary>The ten feeders of <c>data/cases/</c>, smallest first.</summary>
    public static readonly IReadOnlyList<CaseSource> Shipped =
    [
        new("case4_dist", "A 4-bus radial example feeder of MATPOWER: 12.5 kV, a PV bus (400) behind a transformer with tap 1.025.",
            [MatpowerReference]),
        new("case22", "A 22-bus 11 kV agricultural feeder of an Eastern Power Distribution system in India.",
            ["M. Ramalinga Raju, K. V. S. Ramachandra Murthy, K. Ravindra, \"Direct search algorithm for capacitive " +
             "compensation in radial distribution systems\", Int. J. Electrical Power & Energy Systems 42(1), 24-30, 2012, " +
             "doi:10.1016/j.ijepes.2012.03.006"]),
        new("case33bw", "The 33-bus 12.66 kV feeder of Baran and Wu: 32 lines in service and 5 open tie switches.",
            ["M. E. Baran, F. F. Wu, \"Network reconfiguration in distribution systems for loss reduction and load " +
             "balancing\", IEEE Trans. Power Delivery 4(2), 1401-1407, 1989, doi:10.1109/61.25627"]),
        new("case69", "The 69-bus 12.66 kV radial feeder of Baran and Wu, from a part of a PG&E distribution system (the study's feeder).",
            ["M. E. Baran, F. F. Wu, \"Optimal capacitor placement on radial distribution systems\", IEEE Trans. Power " +
             "Delivery 4(1), 725-734, 1989, doi:10.1109/61.19265",
             "D. Das, \"Optimal placement of capacitors in radial distribution system using a Fuzzy-GA method\", Int. J. " +
             "Electrical Power & Energy Systems 30(6-7), 361-367, 2008, doi:10.1016/j.ijepes.2007.08.004"]),
        new("case85", "An 85-bus 11 kV radial feeder.",
            ["D. Das, D. P. Kothari, A. Kalam, \"Simple and efficient method for load flow solution of radial distribution " +
             "networks\", Int. J. Electrical Power & Energy Systems 17(5), 335-346, 1995, doi:10.1016/0142-0615(95)00050-0"]),
        new("case118zh", "A 118-bus 11 kV distribution system: 117 lines in service and 15 open tie switches.",
            ["D. Zhang, Z. Fu, L. Zhang, \"An improved TS algorithm for loss-minimum reconfiguration in large-scale " +
             "distribution systems\", Electric Power Systems Research 77, 685-694, 2007, doi:10.1016/j.epsr.2006.06.005"]),
        new("case136ma", "A 136-bus 13.8 kV distribution system (the substation and 135 buses): 135 lines in service and 21 open tie switches.",
            ["J. R. S. Mantovani, F. Casari, R. A. Romero, \"Reconfiguracao de sistemas de distribuicao radiais utilizando " +
             "o criterio de queda de tensao\", Revista Controle & Automacao (SBA) 11, 150-159, 2000"]),
        new("case141", "A 141-bus 12.47 kV radial feeder of the metropolitan area of Caracas, Venezuela.",
            ["H. M. Khodr, F. G. Olsina, P. M. De Oliveira-De Jesus, J. M. Yusta, \"Maximum savings approach for location " +
             "and sizing of capacitors in distribution systems\", Electric Power Systems Research 78(7), 1192-1203, 2008, " +
             "doi:10.1016/j.epsr.2007.10.002"]),
        new("case533mt_hi", "A 533-bus Swedish distribution system (DSO Kraftringen) at the hour of highest net load of 2022; " +
                            "single-phase figures (MW per phase, line-to-neutral kV).",
            [MalmerThorin], MalmerThorinLicence),
        new("case533mt_lo", "A 533-bus Swedish distribution system (DSO Kraftringen) at the hour of lowest net load of 2022; " +
                            "single-phase figures (MW per phase, line-to-neutral kV).",
            [MalmerThorin], MalmerThorinLicence),
    ];

    private const string MalmerThorin =
        "G. Malmer, L. Thorin, \"Network reconfiguration for renewable generation maximization\", MSc thesis, Lund " +
        "University, 2023, http://lup.lub.lu.se/student-papers/record/9124806";

    private const string MalmerThorinLicence =
        "(c) 2023 Gabriel Malmer and Lovisa Thorin, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)";

    /// <summary>The shipped case of that name.</summary>
    public static CaseSource Of(string name) =>
        Shipped.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"'{name}' is not a shipped case ({string.Join(", ", Shipped.Select(s => s.Name))})", nameof(name));
}
