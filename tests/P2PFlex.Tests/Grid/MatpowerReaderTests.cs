using P2PFlex.Grid.Matpower;

namespace P2PFlex.Tests.Grid;

[Trait(TestTiers.Category, TestTiers.Fast)]
public class MatpowerReaderTests
{
    public static TheoryData<string> Cases => new(TestData.AllCases);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_published_case_reads_with_the_totals_MATPOWER_reports(string name)
    {
        // The published files (../shared/data/matpower) exercise MATPOWER's own syntax: kW and ohms converted by
        // statements after the data, index functions, expressions. The shipped cases read as these do (CaseFileTests).
        var c = MatpowerReader.ReadFile(TestData.PublishedCase(name));
        var summary = TestData.ReadFixture($"{name}_ac_summary.csv").Single();
        var buses = TestData.ReadFixture($"{name}_ac_buses.csv");
        var branches = TestData.ReadFixture($"{name}_ac_branches.csv");
        Assert.Equal(name, c.Name);
        Assert.Equal(buses.Count, c.Buses.Count);
        Assert.Equal(branches.Count, c.Branches.Count);
        Assert.Equal(branches.Count(b => b["status"] == 1), c.Branches.Count(b => b.InService));
        Assert.Equal(buses.Select(b => (int)b["bus"]), c.Buses.Select(b => b.BusNumber));
        // Loads after the file's own unit conversions, as loadcase gives them (relative 1e-12: sums in another order).
        Assert.Equal(summary["total_pd_mw"], c.TotalLoadMw, 1e-12 * Math.Max(1, Math.Abs(summary["total_pd_mw"])));
        Assert.Equal(summary["total_qd_mvar"], c.TotalLoadMvar, 1e-12 * Math.Max(1, Math.Abs(summary["total_qd_mvar"])));
    }

    [Fact]
    public void Case69_after_conversion_matches_the_published_figures()
    {
        var c = MatpowerReader.ReadFile(TestData.PublishedCase("case69"));
        Assert.Equal(69, c.Buses.Count);
        Assert.Equal(68, c.Branches.Count);
        Assert.Equal(3.8021, c.TotalLoadMw, 1e-12);
        Assert.Equal(2.6947, c.TotalLoadMvar, 1e-12);
        Assert.Equal(10, c.BaseMva);
        // Branch 44 is 44–45 with r = 0.1089 Ω → p.u. on Zbase = 12.66² / 10 Ω.
        var b44 = c.Branches[43];
        Assert.Equal((44, 45), (b44.FromBus, b44.ToBus));
        Assert.Equal(0.1089 / (12.66 * 12.66 / 10), b44.RPu, 1e-15);
        Assert.Equal(0.1373 / (12.66 * 12.66 / 10), b44.XPu, 1e-15);
        Assert.Equal(BusType.Reference, c.Buses[0].Type);
    }

    [Fact]
    public void Case141_loads_are_converted_from_kVA_at_power_factor_085()
    {
        var raw = MatpowerReader.ReadFile(TestData.PublishedCase("case141"));
        var bus = raw.Buses.First(b => b.PdMw > 0);
        Assert.Equal(Math.Sin(Math.Acos(0.85)) / 0.85, bus.QdMvar / bus.PdMw, 1e-12);
    }

    [Fact]
    public void Expressions_continuations_and_whitespace_separated_elements_follow_MATLAB()
    {
        var c = MatpowerReader.Parse("""
            function mpc = tiny
            %% a comment line
            mpc.version = '2';
            mpc.baseMVA = 50/3;   % trailing comment
            mpc.bus = [
              1 3 0 0 0 0 1 1 0 12/sqrt(3) 1 1.1 0.9;
              2 1 2 -1 0 0 1 1 0 12 1 1.1 0.9
              3 1 2 - 1 0 0 0 1 1 0 12 1 1.1 0.9;
            ];
            mpc.gen = [ 1 0 0 10 -10 1 100 1 10 0 ];
            mpc.branch = [
              1 2 0.01 0.02 0 0 0 0 0 0 1 -360 360;
              2 3 0.01 ...  continued on the next line
                  0.02 0 0 0 0 0 0 1 -360 360;
            ];
            mpc.bus(:, [3, 4]) = mpc.bus(:, [3 4]) * 2^-1;
            """, "tiny.m");
        Assert.Equal(50.0 / 3, c.BaseMva, 1e-15);
        Assert.Equal(12 / Math.Sqrt(3), c.Buses[0].BaseKv, 1e-15);
        Assert.Equal(1.0, c.Buses[1].PdMw);            // "2 -1": two elements, then halved
        Assert.Equal(-0.5, c.Buses[1].QdMvar);
        Assert.Equal(0.5, c.Buses[2].PdMw);            // "2 - 1": one element (1), halved
        Assert.Equal(0.0, c.Buses[2].QdMvar);
        Assert.Equal(2, c.Branches.Count);
        Assert.Equal(0.02, c.Branches[1].XPu);
        Assert.Equal(7, c.Buses[1].SourceLine);
    }

    private static MatpowerFormatException Bad(string body)
    {
        string text = "function mpc = bad\nmpc.version = '2';\nmpc.baseMVA = 10;\n" + body;
        string path = TestData.TempCase(text);
        try
        {
            return Assert.Throws<MatpowerFormatException>(() => MatpowerReader.ReadFile(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private const string GoodBus = "mpc.bus = [\n 1 3 0 0 0 0 1 1 0 12 1 1 1;\n 2 1 1 0 0 0 1 1 0 12 1 1.1 0.9;\n];\n";
    private const string GoodGen = "mpc.gen = [ 1 0 0 10 -10 1 100 1 10 0 ];\n";
    private const string GoodBranch = "mpc.branch = [ 1 2 0.01 0.02 0 0 0 0 0 0 1 -360 360 ];\n";

    [Fact]
    public void Unknown_statement_names_its_line()
    {
        var e = Bad(GoodBus + GoodGen + GoodBranch + "disp(mpc)\n");
        Assert.Equal(10, e.Line);
        Assert.Contains("only assignments are allowed", e.Message);
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "p2pflex-test-"), e.File);
        var e2 = Bad(GoodBus + "if 1\n");
        Assert.Contains("control statement", e2.Message);
    }

    [Fact]
    public void Row_with_the_wrong_number_of_columns_names_the_row_line()
    {
        var e = Bad("mpc.bus = [\n 1 3 0 0 0 0 1 1 0 12 1 1 1;\n 2 1 1 0 0 0 1 1 0 12 1 1.1;\n];\n" + GoodGen + GoodBranch);
        Assert.Equal(6, e.Line);
        Assert.Contains("12 columns", e.Message);
    }

    [Fact]
    public void Too_few_columns_for_MATPOWER_is_refused()
    {
        var e = Bad("mpc.bus = [ 1 3 0 0 0 0 1 1 0 12 1 1 ];\n" + GoodGen + GoodBranch);
        Assert.Equal("mpc.bus", e.Field);
        Assert.Contains("at least 13", e.Message);
    }

    [Fact]
    public void Branch_to_a_missing_bus_names_field_and_line()
    {
        var e = Bad(GoodBus + GoodGen + "mpc.branch = [\n 1 7 0.01 0.02 0 0 0 0 0 0 1 -360 360;\n];\n");
        Assert.Equal("branch.T_BUS", e.Field);
        Assert.Equal(10, e.Line);
        Assert.Contains("bus 7", e.Message);
    }

    [Fact]
    public void Duplicate_bus_numbers_are_refused()
    {
        var e = Bad("mpc.bus = [\n 1 3 0 0 0 0 1 1 0 12 1 1 1;\n 1 1 1 0 0 0 1 1 0 12 1 1.1 0.9;\n];\n" + GoodGen + GoodBranch);
        Assert.Equal("bus.BUS_I", e.Field);
        Assert.Contains("duplicate bus number 1", e.Message);
    }

    [Fact]
    public void A_case_without_reference_bus_is_refused()
    {
        var e = Bad("mpc.bus = [\n 1 2 0 0 0 0 1 1 0 12 1 1 1;\n 2 1 1 0 0 0 1 1 0 12 1 1.1 0.9;\n];\n" + GoodGen + GoodBranch);
        Assert.Contains("no reference bus", e.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Inf")]
    [InlineData("1/0")]
    public void NaN_and_infinite_values_are_refused(string value)
    {
        var e = Bad($"mpc.bus = [\n 1 3 0 0 0 0 1 1 0 12 1 1 1;\n 2 1 {value} 0 0 0 1 1 0 12 1 1.1 0.9;\n];\n" + GoodGen + GoodBranch);
        Assert.Equal("bus.PD", e.Field);
        Assert.Equal(6, e.Line);
    }

    [Fact]
    public void Unclosed_matrix_and_missing_matrices_are_refused_not_half_read()
    {
        Assert.Contains("never closed", Bad("mpc.bus = [\n 1 3 0 0 0 0 1 1 0 12 1 1 1;\n").Message);
        Assert.Contains("mpc.branch", Bad(GoodBus + GoodGen).Field);
    }

    [Fact]
    public void Conversion_statement_with_an_unknown_name_is_refused()
    {
        var e = Bad(GoodBus + GoodGen + GoodBranch + "mpc.bus(:, PD) = mpc.bus(:, PD) / 1e3;\n");
        Assert.Equal("PD", e.Field);
        Assert.Contains("unknown name", e.Message);
    }

    [Fact]
    public void Missing_file_is_a_format_error_naming_the_file()
    {
        var e = Assert.Throws<MatpowerFormatException>(() => MatpowerReader.ReadFile("/nonexistent/case.m"));
        Assert.Contains("/nonexistent/case.m", e.Message);
    }
}
