using P2PFlex.Grid.Matpower;
using P2PFlex.Tests.Cli;

namespace P2PFlex.Tests.Grid;

/// <summary>
/// The reproducers of issue 13: hostile case files that crashed the reader (stack overflow, 80 GB allocation,
/// 32-bit overflow, index out of range) must give a <see cref="MatpowerFormatException"/> with file, line and field.
/// Each hostile statement is on line 4 of an otherwise valid case.
/// </summary>
public class MatpowerReaderLimitsTests
{
    private const string Header = "function mpc = hostile\nmpc.version = '2';\nmpc.baseMVA = 10;\n";
    private const string Data =
        "mpc.bus = [\n 1 3 0 0 0 0 1 1 0 12 1 1.1 0.9;\n 2 1 1 0.5 0 0 1 1 0 12 1 1.1 0.9;\n];\n" +
        "mpc.gen = [ 1 0 0 10 -10 1 100 1 10 0 ];\n" +
        "mpc.branch = [ 1 2 0.01 0.02 0 0 0 0 0 0 1 -360 360 ];\n";

    private static MatpowerFormatException Refused(string statement, string file = "hostile.m") =>
        Assert.Throws<MatpowerFormatException>(() => MatpowerReader.Parse(Header + statement + "\n" + Data, file));

    [Fact]
    public void A_flat_sum_of_8000_terms_is_evaluated_without_deep_recursion()
    {
        string sum = string.Join('+', Enumerable.Repeat("1", 8000));
        var c = MatpowerReader.Parse(Header.Replace("mpc.baseMVA = 10;", $"x = {sum};\nmpc.baseMVA = x / 800;") + Data, "flat.m");
        Assert.Equal(10, c.BaseMva);
        string product = string.Join('*', Enumerable.Repeat("1", 8000));
        Assert.Equal(10, MatpowerReader.Parse(Header.Replace("mpc.baseMVA = 10;", $"mpc.baseMVA = 10 * {product};") + Data, "p.m").BaseMva);
    }

    [Theory]
    [InlineData("(", ")")]
    [InlineData("[", "]")]
    [InlineData("-(", ")")]
    [InlineData("abs(", ")")]
    public void Five_thousand_nested_levels_are_refused_with_the_line(string open, string close)
    {
        string nested = string.Concat(Enumerable.Repeat(open, 5000)) + "1" + string.Concat(Enumerable.Repeat(close, 5000));
        var e = Refused($"x = {nested};");
        Assert.Equal(("hostile.m", 4, "expression"), (e.File, e.Line, e.Field));
        Assert.Contains($"{MatpowerLimits.MaxNestingDepth} levels", e.Message);
    }

    [Theory]
    [InlineData("x = 2^2^2^2", "^2")]
    [InlineData("x = -1", "")]
    public void Long_power_chains_and_runs_of_signs_are_refused_not_overflowing_the_stack(string start, string repeat)
    {
        string statement = repeat.Length > 0 ? start + string.Concat(Enumerable.Repeat(repeat, 8000)) + ";"
            : "x = " + new string('-', 8000) + "1;";
        var e = Refused(statement);
        Assert.Equal((4, "expression"), (e.Line, e.Field));
    }

    [Fact]
    public void Ones_100000_by_100000_is_refused_before_allocating()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Refused("x = ones(100000, 100000);");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(("hostile.m", 4, "ones"), (e.File, e.Line, e.Field));
        Assert.Contains("100000x100000", e.Message);
        Assert.Contains("MaxMatrixElements", e.Message);
        Assert.True(allocated < 10_000_000, $"allocated {allocated} bytes before refusing");
    }

    [Fact]
    public void Zeros_46341_squared_does_not_overflow_32_bit_sizes()
    {
        // 46341² = 2 147 488 281 > int.MaxValue.
        var e = Refused("x = zeros(46341, 46341);");
        Assert.Equal(("hostile.m", 4, "zeros"), (e.File, e.Line, e.Field));
        Assert.Contains("46341x46341", e.Message);
    }

    [Fact]
    public void Zeros_65537_squared_then_indexed_is_refused_at_the_allocation()
    {
        // 65537² wraps to 131 073 in 32 bits: the old reader built a short array and indexed past it.
        var e = Refused("x = zeros(65537, 65537); y = x(3, 1);");
        Assert.Equal((4, "zeros"), (e.Line, e.Field));
    }

    [Theory]
    [InlineData("x = zeros(2, 2); y = x(3, 1);", "row index 3 is outside 1..2")]
    [InlineData("x = zeros(2, 2); y = x(1, 0);", "column index 0 is outside 1..2")]
    [InlineData("x = zeros(2, 2); y = x(1, NaN);", "column index NaN is outside 1..2")]
    [InlineData("x = zeros(2, 2); x(1, 7) = 1;", "column index 7 is outside 1..2")]
    public void An_index_outside_a_small_matrix_is_a_located_error(string statement, string message)
    {
        var e = Refused(statement);
        Assert.Equal((4, "index"), (e.Line, e.Field));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("x = zeros(NaN, 2);", "zeros", "whole number")]
    [InlineData("x = ones(1.5);", "ones", "whole number")]
    [InlineData("x = 1:1e12;", "range", "MaxMatrixElements")]
    [InlineData("x = 1:Inf;", "range", "finite")]
    [InlineData("x = ones(3000, 3000) * ones(3000, 3000);", "expression", "MaxProductOperations")]
    [InlineData("x = ones(1, 5000000); y = [x x x];", "matrix", "MaxMatrixElements")]
    [InlineData("x = ones(3000, 3000); y = x + x + x + x + x + x;", "expression", "MaxElementsPerFile")]
    public void Sizes_ranges_and_products_beyond_the_limits_are_refused(string statement, string field, string message)
    {
        var e = Refused(statement);
        Assert.Equal((4, field), (e.Line, e.Field));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Negative_sizes_give_an_empty_matrix_as_in_MATLAB()
    {
        var c = MatpowerReader.Parse(Header + "x = zeros(-3, 2);\nmpc.gencost = x;\n" + Data, "neg.m");
        Assert.Empty(c.GeneratorCosts);
    }

    [Fact]
    public void Powerflow_json_on_a_hostile_file_exits_1_with_file_and_line()
    {
        string path = TestData.TempCase(Header + "x = " + new string('(', 5000) + "1" + new string(')', 5000) + ";\n" + Data);
        try
        {
            var (code, output, error) = CliRunner.Run("powerflow", path, "--json");
            Assert.Equal(1, code);
            Assert.Equal("", output);
            Assert.Contains($"{path}:4: expression:", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Issue 22: bounded work and bounded bytes. Each case would run for minutes to hours (or exhaust memory) without
    // the budget; with it the reader stops at the statement that would exceed it.

    [Fact]
    public void An_indexed_assignment_of_10_to_the_12_operations_is_refused_at_its_line()
    {
        var e = Refused("x = 0; i = ones(1, 1000000); x(i, i) = 1;");
        Assert.Equal((4, "x"), (e.Line, e.Field));
        Assert.Contains("MaxWorkPerFile", e.Message);
        Assert.Contains("this statement alone 1000000000000", e.Message);
    }

    [Fact]
    public void A_thousand_matrix_products_are_refused_once_the_files_work_budget_is_spent()
    {
        // Each product is within MaxProductOperations; together they are 1 000 × 2.7·10⁷ multiply-adds.
        string products = "A = ones(300, 300);\n" + string.Concat(Enumerable.Range(0, 1000).Select(k => $"B{k} = A * A;\n"));
        var e = Assert.Throws<MatpowerFormatException>(() => MatpowerReader.Parse(Header + products + Data, "products.m"));
        Assert.Equal("expression", e.Field);
        Assert.InRange(e.Line, 5, 20);                        // about the 11th product, not the 1000th
        Assert.Contains("MaxWorkPerFile", e.Message);
    }

    [Fact]
    public void Dev_zero_is_refused_after_the_byte_limit_not_read_until_memory_runs_out()
    {
        Assert.True(File.Exists("/dev/zero"), "this test needs /dev/zero (Linux)");
        var e = Assert.Throws<MatpowerFormatException>(() => MatpowerReader.ReadFile("/dev/zero"));
        Assert.Equal(("/dev/zero", 0, "file"), (e.File, e.Line, e.Field));
        Assert.Contains("MaxFileBytes", e.Message);
        var (code, output, error) = CliRunner.Run("powerflow", "/dev/zero");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("p2pflex: error: /dev/zero: file: has more than", error);
    }

    [Fact]
    public void An_endless_fifo_is_refused_after_the_byte_limit()
    {
        Assert.True(OperatingSystem.IsLinux(), "this test makes a FIFO (Linux)");
        string dir = Directory.CreateTempSubdirectory("p2pflex-fifo-").FullName;
        string fifo = Path.Combine(dir, "case.m");
        using (var mk = System.Diagnostics.Process.Start("mkfifo", [fifo])) mk.WaitForExit();
        using var stop = new CancellationTokenSource();
        // The writer: a case header, then comment lines without end, until the reader hangs up.
        var writer = new Thread(() =>
        {
            try
            {
                using var w = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                w.Write(System.Text.Encoding.ASCII.GetBytes(Header));
                var line = System.Text.Encoding.ASCII.GetBytes("% " + new string('x', 1000) + "\n");
                while (!stop.IsCancellationRequested) w.Write(line);
            }
            catch (IOException) { }                           // the reader closed the pipe: EPIPE
        })
        { IsBackground = true };
        writer.Start();
        try
        {
            var e = Assert.Throws<MatpowerFormatException>(() => MatpowerReader.ReadFile(fifo));
            Assert.Equal((fifo, "file"), (e.File, e.Field));
            Assert.Contains("MaxFileBytes", e.Message);
        }
        finally
        {
            stop.Cancel();
            writer.Join(TimeSpan.FromSeconds(10));
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Every_shipped_case_reads_well_within_the_work_budget()
    {
        foreach (var c in TestData.AllCases) Assert.NotNull(MatpowerReader.ReadFile(TestData.CasePath(c)));
    }
}
