using System.Diagnostics;
using P2PFlex.Markets.P2P;
using Xunit.Abstractions;

namespace P2PFlex.Tests.Markets.P2P;

/// <summary>
/// Centralised and ADMM solutions of the same deterministic markets agree on net positions within 1e-5 MW,
/// and both pass the independent KKT checker. Stated tolerances: volumes (balance, bounds) 1e-9 MW for
/// both; price conditions 1e-6 €/MWh for the centralised solver and, with ADMM's default stopping
/// tolerances (1e-8 MW, 1e-6 €/MWh), 1e-3 €/MWh for ADMM: its volumes are accurate to a few 1e-8 MW and the
/// small study peers (a = 20/V up to 4000 €/MW²h) turn that into price residuals of about 1e-4 €/MWh.
/// With tighter ADMM tolerances the same check passes at 1e-6 €/MWh (last test).
/// </summary>
public class SolverAgreementTests(ITestOutputHelper output)
{
    private const double NetPositionAgreementMw = 1e-5;

    [Fact]
    public void Medium40x30_SolversAgreeOnNetPositions_AndPassKkt()
    {
        AssertAgreement("medium 40x30", P2PTestMarkets.Medium(), maxAdmmIterations: 20000);
    }

    [Fact]
    public void Study70_SolversAgreeOnNetPositions_AndPassKkt()
    {
        AssertAgreement("study 70", P2PTestMarkets.Study70(), maxAdmmIterations: 5000);
    }

    [Fact]
    public void Large1000_SolversAgreeOnNetPositions_AndPassKkt()
    {
        AssertAgreement("large 1000x20", P2PTestMarkets.Large1000(), maxAdmmIterations: 20000);
    }

    [Fact]
    public void Study70_TightAdmmTolerances_PassKktAtCentralisedLevel()
    {
        var problem = P2PTestMarkets.Study70();
        var admm = AdmmP2PSolver.Solve(problem, new AdmmSolverOptions(PrimalToleranceMw: 1e-11, DualToleranceEurPerMwh: 1e-9));
        var report = P2PKktChecker.Check(problem, admm, activeToleranceMw: 1e-7);
        output.WriteLine($"study 70, ADMM at 1e-11 MW / 1e-9 €/MWh: {admm.Status} {admm.Iterations} it; {report}");

        Assert.Equal(SolveStatus.Converged, admm.Status);
        Assert.True(report.IsSatisfied(1e-9, 1e-6), report.ToString());
    }

    [Fact]
    public void Medium40x30_AndersonAcceleratedAdmm_AgreesInFewerRounds()
    {
        var problem = P2PTestMarkets.Medium();
        var plain = AdmmP2PSolver.Solve(problem);
        var accelerated = AdmmP2PSolver.Solve(problem, new AdmmSolverOptions(AndersonMemory: 5));
        var central = CentralizedP2PSolver.Solve(problem);
        output.WriteLine($"medium 40x30: ADMM plain {plain.Iterations} rounds, Anderson(5) {accelerated.Iterations} rounds");

        Assert.Equal(SolveStatus.Converged, accelerated.Status);
        Assert.True(accelerated.Iterations < plain.Iterations, $"{accelerated.Iterations} vs {plain.Iterations}");
        for (int k = 0; k < problem.Peers.Count; k++)
            Assert.Equal(central.NetPositionMw[k], accelerated.NetPositionMw[k], NetPositionAgreementMw);
        var report = P2PKktChecker.Check(problem, accelerated, activeToleranceMw: 1e-7);
        Assert.True(report.IsSatisfied(1e-9, 1e-3), report.ToString());
    }

    private void AssertAgreement(string name, P2PMarketProblem problem, int maxAdmmIterations)
    {
        var clock = Stopwatch.StartNew();
        var central = CentralizedP2PSolver.Solve(problem);
        double centralMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var admm = AdmmP2PSolver.Solve(problem);
        double admmMs = clock.Elapsed.TotalMilliseconds;

        var centralKkt = P2PKktChecker.Check(problem, central);
        var admmKkt = P2PKktChecker.Check(problem, admm, activeToleranceMw: 1e-7);
        double netDiff = 0;
        for (int k = 0; k < problem.Peers.Count; k++)
            netDiff = Math.Max(netDiff, Math.Abs(central.NetPositionMw[k] - admm.NetPositionMw[k]));
        output.WriteLine($"{name}: centralised {central.Status} {central.Iterations} it {centralMs:F1} ms ({central.Solver}); " +
            $"ADMM {admm.Status} {admm.Iterations} it {admmMs:F1} ms; max |Δ net| = {netDiff:E2} MW");
        output.WriteLine($"  KKT centralised: {centralKkt}");
        output.WriteLine($"  KKT ADMM: {admmKkt}");

        Assert.Equal(SolveStatus.Converged, central.Status);
        Assert.Equal(SolveStatus.Converged, admm.Status);
        Assert.True(admm.Iterations <= maxAdmmIterations, $"ADMM took {admm.Iterations} iterations");
        Assert.True(netDiff <= NetPositionAgreementMw, $"net positions differ by {netDiff:E3} MW");
        Assert.True(centralKkt.IsSatisfied(1e-9, 1e-6), centralKkt.ToString());
        Assert.True(admmKkt.IsSatisfied(1e-9, 1e-3), admmKkt.ToString());
        Assert.Equal(central.WelfareEur, admm.WelfareEur, 1e-4);
    }
}
