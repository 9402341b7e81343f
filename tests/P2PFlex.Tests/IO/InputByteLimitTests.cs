using P2PFlex.Data;
using P2PFlex.IO;
using P2PFlex.Scenarios;
using P2PFlex.TimeSeries;

namespace P2PFlex.Tests.IO;

/// <summary>
/// Every input read goes through the bounded reader (<see cref="BoundedInput"/>) with a documented limit (docs/data.md,
/// "Input size limits"): a device such as <c>/dev/zero</c> (reported size 0, endless) or an oversized file is a located
/// error within a second, not an out-of-memory abort. The case files and CSV tables are pinned by
/// <c>MatpowerReaderLimitsTests</c> and <c>CsvTableTests</c>; these are the other readers.
/// </summary>
public class InputByteLimitTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("p2pflex-input-limits-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A symbolic link named <paramref name="name"/> to <c>/dev/zero</c>: an input whose reported size is 0.</summary>
    private string Zero(string name)
    {
        string path = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, "/dev/zero");
        return path;
    }

    [Fact]
    public void A_scenario_file_that_is_a_device_or_too_large_is_a_located_error()
    {
        string zero = Zero("endless.json");
        var e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(zero));
        Assert.Equal((zero, "file"), (e.File, e.Field));
        Assert.Contains($"more than {ScenarioDefinition.MaxFileBytes} bytes", e.Message);

        string big = Path.Combine(_root, "big.json");
        File.WriteAllText(big, "{\"name\": \"x\", \"label\": \"" + new string('x', (int)ScenarioDefinition.MaxFileBytes) + "\"}");
        e = Assert.Throws<DataFormatException>(() => ScenarioDefinition.Read(big));
        Assert.Equal((big, "file"), (e.File, e.Field));
    }

    [Fact]
    public void A_BDEW_table_or_a_profile_file_that_is_a_device_is_a_located_error()
    {
        string zero = Zero("profiles/bdew_h25.csv");
        var e = Assert.Throws<DataFormatException>(() => BdewTable.ReadProject(zero, "h25"));
        Assert.Equal((zero, "file"), (e.File, e.Field));
        e = Assert.Throws<DataFormatException>(() => BdewTable.ReadBdew(zero));
        Assert.Equal(zero, e.File);
        e = Assert.Throws<DataFormatException>(() => StudyProfiles.BindFile(zero, TestData.Study.Value.BaseFeeder.Network));
        Assert.Equal((zero, "file"), (e.File, e.Field));
    }

    [Fact]
    public void A_kernel_connection_file_that_is_a_device_is_a_format_error_naming_it()
    {
        string zero = Zero("kernel-1.json");
        var e = Assert.Throws<FormatException>(() => P2PFlex.Kernel.ConnectionInfo.Read(zero));
        Assert.Contains(zero, e.Message);
        Assert.Contains($"more than {P2PFlex.Kernel.ConnectionInfo.MaxFileBytes} bytes", e.Message);
    }

    [Fact]
    public void A_shard_manifest_that_is_a_device_is_reported_not_read_forever()
    {
        string shard = Path.Combine(_root, "shard-0001-of-0001.parquet");
        File.WriteAllBytes(shard, [1, 2, 3]);
        File.CreateSymbolicLink(ShardIntegrity.ManifestPath(shard), "/dev/zero");
        var check = ShardIntegrity.Check(shard);
        Assert.False(check.Intact);
        Assert.Contains($"more than {ShardIntegrity.MaxManifestBytes} bytes", check.Problem);
    }

    [Fact]
    public async Task A_device_standing_in_for_a_shard_is_reported_not_hashed_forever()
    {
        // A manifest whose size matches the size the file system reports (here the link's own 9 bytes; 0 for a device or
        // a FIFO): before the cap, the shard's SHA-256 was then taken over the whole stream, which for /dev/zero never ends.
        string shard = Path.Combine(_root, "shard-0001-of-0001.parquet");
        File.CreateSymbolicLink(shard, "/dev/zero");
        long reported = new FileInfo(shard).Length;
        File.WriteAllText(ShardIntegrity.ManifestPath(shard), $$"""
            {"file": "shard-0001-of-0001.parquet", "bytes": {{reported}}, "sha256": "{{new string('0', 64)}}", "rows": 0, "rows_sha256": "{{new string('0', 64)}}", "recompute": "rerun"}
            """);
        var checking = Task.Run(() => ShardIntegrity.Check(shard));
        Assert.True(await Task.WhenAny(checking, Task.Delay(TimeSpan.FromSeconds(60))) == checking, "the check did not return within 60 s");
        var check = await checking;
        Assert.False(check.Intact);
        Assert.Contains($"holds more than the {reported} bytes written", check.Problem);
    }

    [Fact]
    public void A_device_in_the_data_folder_stops_the_data_version_at_the_limit()
    {
        File.WriteAllText(Path.Combine(_root, "notes.txt"), "x");
        Assert.StartsWith("sha256:", Provenance.DataVersion(_root));
        string zero = Zero("cases/endless.m");
        var e = Assert.Throws<InputTooLargeException>(() => Provenance.DataVersion(_root));
        Assert.Equal(zero, e.Path);
    }

    [Fact]
    public void A_feeder_case_file_given_by_path_that_is_a_device_is_a_located_error()
    {
        string zero = Zero("endless.m");
        var e = Assert.Throws<P2PFlex.Grid.Matpower.MatpowerFormatException>(() => FeederResolver.Resolve(zero, Path.Combine(_root, "data")));
        Assert.Equal(zero, e.File);
        Assert.False(Directory.Exists(Path.Combine(_root, "data", "cases")) && Directory.EnumerateFiles(Path.Combine(_root, "data", "cases")).Any());
    }
}
