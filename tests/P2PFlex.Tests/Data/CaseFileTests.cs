using System.Security.Cryptography;
using P2PFlex.Data;
using P2PFlex.Grid.Matpower;

namespace P2PFlex.Tests.Data;

/// <summary>
/// The shipped feeder cases (data/cases/*.m) are our own files: written by <see cref="CaseFileGenerator"/> from the
/// published MATPOWER cases (../shared/data/matpower, read only by tests), with the figures those give bit for bit.
/// </summary>
public class CaseFileTests
{
    public static TheoryData<string> Cases => new(CaseSource.Shipped.Select(s => s.Name));

    [Fact]
    public void The_shipped_cases_are_the_ones_the_tests_know()
    {
        Assert.Equal(TestData.AllCases, CaseSource.Shipped.Select(s => s.Name));
        var files = Directory.GetFiles(DataPaths.Of("cases")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(TestData.AllCases.Select(c => c + ".m").Order(StringComparer.Ordinal), files);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_shipped_case_is_what_the_writer_gives_from_the_published_file(string name)
    {
        string expected = CaseFileGenerator.Content(CaseSource.Of(name), TestData.PublishedCase(name));
        Assert.Equal(expected, File.ReadAllText(TestData.CasePath(name)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_shipped_case_reads_as_the_published_file_bit_for_bit(string name)
    {
        var published = MatpowerReader.ReadFile(TestData.PublishedCase(name));
        var shipped = MatpowerReader.ReadFile(TestData.CasePath(name));
        AssertSameFigures(published, shipped);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_shipped_case_holds_data_only_and_none_of_the_published_files_prose(string name)
    {
        string[] published = File.ReadAllLines(TestData.PublishedCase(name));
        string[] shipped = File.ReadAllLines(TestData.CasePath(name));
        // Comments of the published file (its header and column notes) never carry over.
        var publishedComments = published.Select(l => l.Trim()).Where(l => l.StartsWith('%') && l.Trim('%', ' ').Length > 0).ToHashSet();
        Assert.DoesNotContain(shipped, l => publishedComments.Contains(l.Trim()));
        // Every line is the function line, a comment, a blank, an assignment of a field of mpc or a data row: no
        // conversion statements, no index functions.
        Assert.Equal($"function mpc = {name}", shipped[0]);
        foreach (string line in shipped.Skip(1))
        {
            bool ok = line.Length == 0 || line.StartsWith('%') || line == "];"
                      || line.StartsWith("mpc.version = ", StringComparison.Ordinal) || line.StartsWith("mpc.baseMVA = ", StringComparison.Ordinal)
                      || line is "mpc.bus = [" or "mpc.gen = [" or "mpc.branch = [" or "mpc.gencost = ["
                      || DataRow.IsMatch(line);
            Assert.True(ok, $"{name}.m: unexpected line '{line}'");
        }
        Assert.Contains(shipped, l => l.Contains(CaseSource.Of(name).Citation[0][..20], StringComparison.Ordinal));
    }

    /// <summary>A row of numbers as the writer gives them: each after a tab, shortest round-trip form, then ';'.</summary>
    private static readonly System.Text.RegularExpressions.Regex DataRow =
        new(@"^(\t(-?(\d+(\.\d+)?(E[+-]\d+)?|Inf)|NaN))+;$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    [Fact]
    public void No_file_of_the_data_folder_is_a_copy_of_a_reference_file()
    {
        var reference = Directory.GetFiles(Path.GetDirectoryName(SharedData.Path("matpower"))!, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))), f => f);
        foreach (string file in Directory.GetFiles(DataPaths.Root, "*", SearchOption.AllDirectories))
        {
            string hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
            Assert.False(reference.TryGetValue(hash, out string? copyOf), $"{file} is a byte copy of {copyOf}");
        }
    }

    [Fact]
    public void The_writer_round_trips_awkward_numbers_bit_for_bit()
    {
        var c = MatpowerReader.Parse("""
            function mpc = awkward
            mpc.version = '2';
            mpc.baseMVA = 50/3;
            mpc.bus = [
              1 3 0 0 0 0 1 1 0 12/sqrt(3) 1 1 1;
              2 1 0.1+0.2 -0 1e-300 -1e-5 2 1.05 -7.25 12/sqrt(3) 3 1.1 0.9;
              7 2 -1.6e-7 123456789.123 0 0 1 1 0 12 1 1.1 0.9;
            ];
            mpc.gen = [ 1 0 0 10 -10 1 100 1 10 0; 7 0.5 0 Inf -Inf 1.01 100 0 Inf -Inf ];
            mpc.branch = [
              1 2 0.01/3 0.02/7 0 0 0 0 0 0 1 -Inf Inf;
              2 7 2^-40 0.02 1e-3 5 0 0 1.025 -30 0 -360 360;
            ];
            """, "awkward.m");
        string text = MatpowerCaseWriter.Write(c, ["a header", "", "of two lines"]);
        var back = MatpowerReader.Parse(text, "awkward-written.m");
        AssertSameFigures(c, back);
        Assert.StartsWith("function mpc = awkward\n% a header\n%\n% of two lines\n", text, StringComparison.Ordinal);
        Assert.Equal(text, MatpowerCaseWriter.Write(back, ["a header", "", "of two lines"]));
    }

    [Fact]
    public void A_source_file_of_another_case_is_refused_with_its_name()
    {
        var e = Assert.Throws<MatpowerFormatException>(() => CaseFileGenerator.Content(CaseSource.Of("case33bw"), TestData.PublishedCase("case69")));
        Assert.Contains("defines case 'case69', expected 'case33bw'", e.Message);
    }

    /// <summary>Same name, base and rows, every number equal in its bits (so −0 and 0 differ); source lines aside.</summary>
    private static void AssertSameFigures(MatpowerCase expected, MatpowerCase actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        AssertBits([expected.BaseMva], [actual.BaseMva], "baseMVA");
        Assert.Equal(expected.Buses.Count, actual.Buses.Count);
        for (int i = 0; i < expected.Buses.Count; i++)
            AssertBits(Numbers(expected.Buses[i]), Numbers(actual.Buses[i]), $"bus row {i + 1}");
        Assert.Equal(expected.Generators.Count, actual.Generators.Count);
        for (int i = 0; i < expected.Generators.Count; i++)
            AssertBits(Numbers(expected.Generators[i]), Numbers(actual.Generators[i]), $"gen row {i + 1}");
        Assert.Equal(expected.Branches.Count, actual.Branches.Count);
        for (int i = 0; i < expected.Branches.Count; i++)
            AssertBits(Numbers(expected.Branches[i]), Numbers(actual.Branches[i]), $"branch row {i + 1}");
        Assert.Equal(expected.GeneratorCosts.Count, actual.GeneratorCosts.Count);
        for (int i = 0; i < expected.GeneratorCosts.Count; i++)
            AssertBits(expected.GeneratorCosts[i], actual.GeneratorCosts[i], $"gencost row {i + 1}");
    }

    private static double[] Numbers(MatpowerBus b) =>
        [b.BusNumber, (int)b.Type, b.PdMw, b.QdMvar, b.GsMw, b.BsMvar, b.Area, b.VmPu, b.VaDeg, b.BaseKv, b.Zone, b.VmaxPu, b.VminPu];

    private static double[] Numbers(MatpowerGenerator g) =>
        [g.BusNumber, g.PgMw, g.QgMvar, g.QmaxMvar, g.QminMvar, g.VgPu, g.MbaseMva, g.InService ? 1 : 0, g.PmaxMw, g.PminMw];

    private static double[] Numbers(MatpowerBranch l) =>
        [l.FromBus, l.ToBus, l.RPu, l.XPu, l.BPu, l.RateAMva, l.RateBMva, l.RateCMva, l.TapRatio, l.ShiftDeg, l.InService ? 1 : 0,
         l.AngMinDeg, l.AngMaxDeg];

    private static void AssertBits(IReadOnlyList<double> expected, IReadOnlyList<double> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int k = 0; k < expected.Count; k++)
            Assert.True(BitConverter.DoubleToInt64Bits(expected[k]) == BitConverter.DoubleToInt64Bits(actual[k]),
                $"{what}, column {k + 1}: {expected[k]:R} became {actual[k]:R}");
    }
}
