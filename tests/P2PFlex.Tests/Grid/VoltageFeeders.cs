using P2PFlex.Grid;
using P2PFlex.Grid.Matpower;

namespace P2PFlex.Tests.Grid;

/// <summary>Small hand-made feeders for the voltage tests.</summary>
internal static class VoltageFeeders
{
    /// <summary>
    /// A 4-bus radial chain 1 (slack, 1.0 p.u.) — 2 — 3 — 4 on a 1 MVA base, r = 0.03, x = 0.02 p.u. per line, loads of
    /// <paramref name="loadMw"/> MW at power factor 0.93 (Q = 0.4·P) at buses 2–4. At 0.5 MW per bus bus 4 sits near
    /// 0.89 p.u.: below a 0.90 band, so a voltage limit binds.
    /// </summary>
    public static GridNetwork Chain4(double loadMw = 0.5)
    {
        string p = loadMw.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        string q = (0.4 * loadMw).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        string text = $"""
            function mpc = chain4
            mpc.version = '2';
            mpc.baseMVA = 1;
            mpc.bus = [
                1 3 0 0 0 0 1 1 0 12.66 1 1.1 0.9;
                2 1 {p} {q} 0 0 1 1 0 12.66 1 1.1 0.9;
                3 1 {p} {q} 0 0 1 1 0 12.66 1 1.1 0.9;
                4 1 {p} {q} 0 0 1 1 0 12.66 1 1.1 0.9;
            ];
            mpc.gen = [
                1 0 0 10 -10 1.0 1 1 10 0 0 0 0 0 0 0 0 0 0 0 0;
            ];
            mpc.branch = [
                1 2 0.03 0.02 0 0 0 0 0 0 1 -360 360;
                2 3 0.03 0.02 0 0 0 0 0 0 1 -360 360;
                3 4 0.03 0.02 0 0 0 0 0 0 1 -360 360;
            ];
            """;
        return GridNetwork.FromCase(MatpowerReader.Parse(text, "chain4"));
    }
}
