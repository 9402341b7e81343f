using P2PFlex.IO;
using P2PFlex.MonteCarlo;
using P2PFlex.Tests.Cli;
using P2PFlex.Tests.MonteCarlo;

namespace P2PFlex.Tests.IO;

/// <summary>Shard integrity (issue 22): digests recorded on write, verified by merge before reading, located errors.</summary>
public class ShardIntegrityTests
{
    [Fact]
    public void A_written_shard_has_a_manifest_and_metadata_with_its_size_digest_and_row_count()
    {
        string dir = SyntheticShards.TempDir();
        try
        {
            SyntheticShards.WriteAll(SyntheticShards.Job, 2, dir);
            string shard = Path.Combine(dir, MonteCarloFile.ShardName(1, 2));
            var check = ShardIntegrity.Check(shard);
            Assert.True(check.Intact, check.Problem);
            var m = check.Manifest!;
            Assert.Equal(MonteCarloFile.ShardName(1, 2), m.File);
            Assert.Equal(new FileInfo(shard).Length, m.Bytes);
            // An independent digest of the file: the manifest records the file's own SHA-256.
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(shard))), m.Sha256);
            Assert.Equal(4, m.Rows);                                             // draws 2, 3 × scenarios 0, 1
            Assert.Contains("--shard 2/2", m.Recompute);
            var (header, rows) = MonteCarloFile.ReadParquet(shard, m);
            Assert.Equal(4, header.Rows);
            Assert.Equal(m.RowsSha256, header.RowsSha256);
            Assert.Equal(MonteCarloFile.RowsDigest(rows), header.RowsSha256);
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
            Assert.Equal(8, MonteCarloShards.Merge(dir).Rows.Count);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Merge_refuses_a_flipped_byte_naming_the_shard_the_problem_and_the_recompute_command()
    {
        string dir = SyntheticShards.TempDir();
        try
        {
            SyntheticShards.WriteAll(SyntheticShards.Job, 2, dir);
            string shard = Path.Combine(dir, MonteCarloFile.ShardName(0, 2));
            var bytes = File.ReadAllBytes(shard);
            bytes[bytes.Length / 2] ^= 0x10;
            File.WriteAllBytes(shard, bytes);
            var e = Assert.Throws<ShardIntegrityException>(() => MonteCarloShards.Merge(dir));
            Assert.Equal(shard, e.ShardPath);
            Assert.Contains("SHA-256", e.Problem);
            Assert.Contains("p2pflex montecarlo run --feeder case69 --draws 4 --seed 7 --scenarios 0,1 --shard 1/2 --out", e.Recompute);
            Assert.StartsWith("rm -f ", e.Recompute);

            // The CLI: one line, exit 1, no stack trace.
            var (code, _, err) = CliRunner.Run("montecarlo", "merge", dir);
            Assert.Equal(1, code);
            Assert.StartsWith("p2pflex: error: " + shard + ": its SHA-256", err);
            Assert.DoesNotContain("   at ", err);
            Assert.False(Directory.Exists(MergedSet.FolderOf(dir)));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Truncated_extended_unmanifested_and_garbled_manifest_shards_are_each_a_located_error()
    {
        string dir = SyntheticShards.TempDir();
        try
        {
            SyntheticShards.WriteAll(SyntheticShards.Job, 2, dir);
            string shard = Path.Combine(dir, MonteCarloFile.ShardName(1, 2));
            var original = File.ReadAllBytes(shard);

            File.WriteAllBytes(shard, original[..^100]);
            Assert.Contains("truncated", Assert.Throws<ShardIntegrityException>(() => MonteCarloShards.Merge(dir)).Problem);
            File.WriteAllBytes(shard, [.. original, 0]);
            Assert.Contains("extended", Assert.Throws<ShardIntegrityException>(() => MonteCarloShards.Merge(dir)).Problem);
            File.WriteAllBytes(shard, original);

            string manifest = ShardIntegrity.ManifestPath(shard);
            string manifestText = File.ReadAllText(manifest);
            File.WriteAllText(manifest, manifestText[..^20]);
            var garbled = Assert.Throws<ShardIntegrityException>(() => MonteCarloShards.Merge(dir));
            Assert.Contains("not valid JSON", garbled.Problem);
            // Without a readable manifest the command is rebuilt from the intact shard's run and the file name.
            Assert.Contains("--shard 2/2", garbled.Recompute);
            File.Delete(manifest);
            Assert.Contains("has no manifest", Assert.Throws<ShardIntegrityException>(() => MonteCarloShards.Merge(dir)).Problem);
            File.WriteAllText(manifest, manifestText);
            Assert.Equal(8, MonteCarloShards.Merge(dir).Rows.Count);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Every_damaged_shard_is_listed_in_one_error()
    {
        string dir = SyntheticShards.TempDir();
        try
        {
            var job = SyntheticShards.Job;
            SyntheticShards.WriteAll(job, 4, dir);
            foreach (int s in new[] { 0, 2 })
            {
                string path = Path.Combine(dir, MonteCarloFile.ShardName(s, 4));
                File.WriteAllBytes(path, File.ReadAllBytes(path)[..10]);
            }
            var e = Assert.Throws<ShardIntegrityException>(() => MonteCarloShards.Merge(dir));
            Assert.Contains(MonteCarloFile.ShardName(0, 4), e.Message);
            Assert.Contains(MonteCarloFile.ShardName(2, 4) + ": it is 10 bytes", e.Message);
            Assert.Contains("--shard 3/4", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Rows_that_decode_differently_from_their_metadata_digest_are_refused_even_without_a_manifest()
    {
        string dir = SyntheticShards.TempDir();
        try
        {
            var job = SyntheticShards.Job;
            string path = Path.Combine(dir, "x.parquet");
            var header = new MonteCarloHeader(job.Feeder, job.Draws, job.MasterSeed, job.Scenarios, 0, 1, 0, 4);
            var rows = SyntheticShards.Rows(job, 0, 4, 1);
            MonteCarloFile.WriteParquet(path, header, rows);
            Assert.Throws<ShardIntegrityException>(() =>
                ShardIntegrity.VerifyRows(path, null, 7, MonteCarloFile.RowsDigest(rows), rows.Count, MonteCarloFile.RowsDigest(rows), "cmd"));
            Assert.Throws<ShardIntegrityException>(() =>
                ShardIntegrity.VerifyRows(path, null, 8, new string('0', 64), 8, MonteCarloFile.RowsDigest(rows), "cmd"));
            Assert.Contains("older P2PFlex", Assert.Throws<ShardIntegrityException>(() =>
                ShardIntegrity.VerifyRows(path, null, null, null, 8, MonteCarloFile.RowsDigest(rows), "cmd")).Problem);
            MonteCarlo.MonteCarloTests.AssertSameRows(rows, MonteCarloFile.ReadParquet(path).Rows);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Resume_refuses_a_damaged_shard_instead_of_keeping_it()
    {
        string dir = SyntheticShards.TempDir();
        try
        {
            var job = SyntheticShards.Job;
            SyntheticShards.WriteAll(job, 2, dir);
            string shard = Path.Combine(dir, MonteCarloFile.ShardName(0, 2));
            var bytes = File.ReadAllBytes(shard);
            bytes[100] ^= 1;
            File.WriteAllBytes(shard, bytes);
            // The study context is never touched: the damaged file is refused before any draw is computed.
            var e = Assert.Throws<ShardIntegrityException>(() => MonteCarloShards.RunShard(job, null!, [], dir, 0, 2));
            Assert.Contains("--shard 1/2", e.Recompute);
        }
        finally { Directory.Delete(dir, true); }
    }
}
