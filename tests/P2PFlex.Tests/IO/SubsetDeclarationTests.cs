using P2PFlex.Data;
using P2PFlex.IO;
using P2PFlex.Scenarios;

namespace P2PFlex.Tests.IO;

/// <summary>
/// The P2P subset files declare their size and checksum (<see cref="SubsetDeclaration"/>, written by the generator): a
/// file that lost rows or whose ids changed is an error naming the file and the declaration's line, never a market of
/// fewer peers (issue 22: half the rows missing ran silently with half the peers).
/// </summary>
[Trait(TestTiers.Category, TestTiers.Fast)]
public class SubsetDeclarationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"p2pflex-subset-{Guid.NewGuid():N}");
    private static Lazy<StudyContext> Context => TestData.Study;
    private static readonly string Shipped = Path.Combine(DataPaths.Root, "orderbook", "case69_p2p_subset.csv");

    public SubsetDeclarationTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Copy(Func<List<string>, List<string>> change)
    {
        string path = Path.Combine(_dir, "case69_p2p_subset.csv");
        File.WriteAllLines(path, change(File.ReadAllLines(Shipped).ToList()));
        return path;
    }

    private static int DeclarationLine => 1 + File.ReadAllLines(Shipped).ToList().FindIndex(l => l.StartsWith("# rows ", StringComparison.Ordinal));

    private static List<string> Rows(List<string> lines) => lines.SkipWhile(l => l.StartsWith('#')).Skip(1).ToList();

    private static List<string> Head(List<string> lines) => lines.TakeWhile(l => l.StartsWith('#')).Append("bid_id").ToList();

    [Fact]
    public void Every_shipped_subset_declares_its_size_and_checksum_and_matches_it()
    {
        var files = Directory.GetFiles(Path.Combine(DataPaths.Root, "orderbook"), "*_p2p_subset.csv");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file).ToList();
            var ids = Rows(lines);
            Assert.Contains(SubsetDeclaration.Comment(ids), lines);
        }
        Assert.Equal(70, StudyContext.ReadSubset(Shipped, Context.Value.Orderbook).Count);
    }

    [Fact]
    public void A_truncated_subset_is_an_error_naming_the_file_and_the_declaration()
    {
        string path = Copy(l => [.. Head(l), .. Rows(l).Take(35)]);
        var e = Assert.Throws<DataFormatException>(() => StudyContext.ReadSubset(path, Context.Value.Orderbook));
        Assert.Equal((path, DeclarationLine, "declaration"), (e.File, e.Line, e.Field));
        Assert.Contains("declares 70 bid(s) but the file lists 35", e.Message);
        Assert.Contains("p2pflex data generate --feeder case69", e.Message);
    }

    [Fact]
    public void Rows_missing_anywhere_are_an_error()
    {
        string path = Copy(l => [.. Head(l), .. Rows(l).Where((_, i) => i % 2 == 0)]);
        var e = Assert.Throws<DataFormatException>(() => StudyContext.ReadSubset(path, Context.Value.Orderbook));
        Assert.Equal((path, DeclarationLine), (e.File, e.Line));
        Assert.Contains("but the file lists 35", e.Message);
    }

    [Fact]
    public void An_id_swapped_for_another_bid_of_the_orderbook_fails_the_checksum()
    {
        var inSubset = Rows(File.ReadAllLines(Shipped).ToList()).ToHashSet();
        string other = Context.Value.Orderbook.Bids.Select(b => b.Id).First(id => !inSubset.Contains(id));
        string path = Copy(l => [.. Head(l), other, .. Rows(l).Skip(1)]);
        var e = Assert.Throws<DataFormatException>(() => StudyContext.ReadSubset(path, Context.Value.Orderbook));
        Assert.Equal((path, DeclarationLine, "declaration"), (e.File, e.Line, e.Field));
        Assert.Contains("do not match the declared sha256", e.Message);
    }

    [Fact]
    public void A_malformed_declaration_is_an_error()
    {
        string path = Copy(l => l.Select(x => x.StartsWith("# rows ", StringComparison.Ordinal) ? "# rows seventy, sha256 abc" : x).ToList());
        var e = Assert.Throws<DataFormatException>(() => StudyContext.ReadSubset(path, Context.Value.Orderbook));
        Assert.Equal((path, DeclarationLine, "declaration"), (e.File, e.Line, e.Field));
        Assert.Contains("malformed size declaration", e.Message);
    }

    /// <summary>A list written by hand, without the declaration, is read as it is.</summary>
    [Fact]
    public void A_hand_written_subset_without_a_declaration_is_read_as_written()
    {
        var ids = Context.Value.P2PSubset.Take(3).ToArray();
        string path = Path.Combine(_dir, "mine.csv");
        File.WriteAllText(path, "# my three peers\nbid_id\n" + string.Join('\n', ids) + "\n");
        Assert.Equal(ids, StudyContext.ReadSubset(path, Context.Value.Orderbook));
    }
}
