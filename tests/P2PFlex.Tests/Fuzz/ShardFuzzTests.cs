using System.Diagnostics;
using P2PFlex.IO;
using P2PFlex.MonteCarlo;
using P2PFlex.Numerics;
using P2PFlex.Scenarios;
using P2PFlex.Tests.MonteCarlo;
using P2PFlex.TimeSeries;
using Xunit.Abstractions;

namespace P2PFlex.Tests.Fuzz;

/// <summary>
/// Fuzzing Monte Carlo shards (issue 22): a flipped bit anywhere in a shard, or a truncation at any length, is always
/// detected — by the manifest before the file is parsed, and, when the manifest is gone, the decoder plus the rows'
/// digest in the metadata never return rows other than those written. Fixed seed and counts; a few seconds.
/// </summary>
public class ShardFuzzTests(ITestOutputHelper log)
{
    private const ulong Seed = 20261207;

    [Fact]
    public void A_flipped_bit_or_a_truncation_anywhere_in_a_shard_is_always_detected_before_parsing()
    {
        string dir = SyntheticShards.TempDir();
        try
        {
            var job = SyntheticShards.Job;
            SyntheticShards.WriteAll(job, 2, dir);
            string shard = Path.Combine(dir, MonteCarloFile.ShardName(1, 2));
            byte[] original = File.ReadAllBytes(shard);
            var random = new SplitMix64(Seed);
            // Every position of the file's first and last 256 bytes (Parquet's magic, footer and metadata), and random
            // positions in between; a random bit of the byte each time.
            var positions = Enumerable.Range(0, Math.Min(256, original.Length))
                .Concat(Enumerable.Range(Math.Max(0, original.Length - 256), Math.Min(256, original.Length)))
                .Concat(Enumerable.Range(0, 200).Select(_ => random.NextInt(original.Length))).ToArray();
            int flips = 0, truncations = 0;
            var clock = Stopwatch.StartNew();
            foreach (int p in positions)
            {
                var bytes = (byte[])original.Clone();
                bytes[p] ^= (byte)(1 << random.NextInt(8));
                File.WriteAllBytes(shard, bytes);
                var check = ShardIntegrity.Check(shard);
                Assert.False(check.Intact, $"a flipped bit at byte {p} of {original.Length} went undetected");
                Assert.Contains("SHA-256", check.Problem);
                flips++;
            }
            for (int i = 0; i < 100; i++)
            {
                int length = i < 50 ? i : random.NextInt(original.Length);
                File.WriteAllBytes(shard, original[..length]);
                Assert.Contains("truncated", ShardIntegrity.Check(shard).Problem);
                truncations++;
            }
            // Through the whole merge, as a user meets it: a located error naming the shard, every time.
            int merges = 0;
            for (int i = 0; i < 10; i++)
            {
                var bytes = (byte[])original.Clone();
                bytes[random.NextInt(bytes.Length)] ^= (byte)(1 << random.NextInt(8));
                File.WriteAllBytes(shard, i % 2 == 0 ? bytes : bytes[..random.NextInt(bytes.Length)]);
                var e = Assert.Throws<ShardIntegrityException>(() => MonteCarloShards.Merge(dir));
                Assert.Equal(shard, e.ShardPath);
                merges++;
            }
            File.WriteAllBytes(shard, original);
            Assert.Equal(8, MonteCarloShards.Merge(dir).Rows.Count);
            log.WriteLine($"shard fuzz: {original.Length}-byte shard, {flips} bit flips and {truncations} truncations all detected by the manifest, " +
                          $"{merges} damaged merges all refused naming the shard; {clock.Elapsed.TotalSeconds:F2} s");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Without_its_manifest_a_damaged_shard_never_decodes_to_other_rows_than_written()
    {
        string dir = SyntheticShards.TempDir();
        try
        {
            var job = SyntheticShards.Job;
            string path = Path.Combine(dir, "x.parquet");
            var rows = SyntheticShards.Rows(job, 0, 4, 3);
            MonteCarloFile.WriteParquet(path, new MonteCarloHeader(job.Feeder, job.Draws, job.MasterSeed, job.Scenarios, 0, 1, 0, 4), rows);
            byte[] original = File.ReadAllBytes(path);
            string expected = MonteCarloFile.CsvText(rows);
            var random = new SplitMix64(Seed + 1);
            int decoderRefused = 0, digestRefused = 0, unchanged = 0;
            const int inputs = 400;
            for (int i = 0; i < inputs; i++)
            {
                var bytes = (byte[])original.Clone();
                if (i % 10 == 9) bytes = bytes[..random.NextInt(bytes.Length)];
                else bytes[random.NextInt(bytes.Length)] ^= (byte)(1 << random.NextInt(8));
                File.WriteAllBytes(path, bytes);
                try
                {
                    var (_, read) = MonteCarloFile.ReadParquet(path);
                    Assert.Equal(expected, MonteCarloFile.CsvText(read));   // read at all: exactly the rows written
                    unchanged++;
                }
                catch (ShardIntegrityException) { digestRefused++; }
                catch (InvalidDataException e)
                {
                    Assert.Contains(path, e.Message);
                    decoderRefused++;
                }
            }
            log.WriteLine($"decoder fuzz ({original.Length}-byte file, no manifest): {inputs} damaged copies: {decoderRefused} refused by the decoder, " +
                          $"{digestRefused} decoded to other rows and refused by the metadata digest, {unchanged} decoded to the very rows written");
            Assert.True(digestRefused > 0, "no damage reached the digest check: the fuzzer is not exercising it");
        }
        finally { Directory.Delete(dir, true); }
    }
    [Fact]
    public void A_flipped_bit_or_a_truncation_anywhere_in_a_time_series_shard_is_always_detected_before_parsing()
    {
        // A real time-series run (flat profiles, 4 quarter-hours, scenario 0) split in 2 shards: the same manifest and
        // digests as the Monte Carlo shards (IO/ShardIntegrity), checked by the time-series merge.
        var network = TestData.Study.Value.BaseFeeder.Network;
        var set = ProfileSet.Flat(new TimeAxis(new DateTime(2025, 1, 1), TimeAxis.QuarterHour, 4));
        var profiles = new FeederProfiles(set, network.Buses.Where(b => b.PdMw > 0).Select(b => new ProfileBinding(ProfileElementKind.Load,
            b.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), b.Number, "flat")).ToArray(), "flat");
        var states = IntervalStates.ForFeeder(profiles);
        var scenarios = StudyContext.LoadScenarios().Where(s => s.Name == "0").ToArray();
        var job = new TimeSeriesJob("case69", states.Profiles.Source, TimeSeriesRunner.Digest(states.Profiles), 0, 4, ["0"]);
        string dir = SyntheticShards.TempDir();
        try
        {
            for (int s = 0; s < 2; s++) TimeSeriesShards.RunShard(job, new TimeSeriesRunner(states, scenarios), dir, s, 2, maxDegreeOfParallelism: 1);
            string shard = Path.Combine(dir, TimeSeriesFile.ShardName(1, 2));
            byte[] original = File.ReadAllBytes(shard);
            var random = new SplitMix64(Seed + 2);
            var positions = Enumerable.Range(0, Math.Min(128, original.Length))
                .Concat(Enumerable.Range(Math.Max(0, original.Length - 128), Math.Min(128, original.Length)))
                .Concat(Enumerable.Range(0, 200).Select(_ => random.NextInt(original.Length))).ToArray();
            int flips = 0, truncations = 0, merges = 0;
            foreach (int p in positions)
            {
                var bytes = (byte[])original.Clone();
                bytes[p] ^= (byte)(1 << random.NextInt(8));
                File.WriteAllBytes(shard, bytes);
                Assert.False(ShardIntegrity.Check(shard).Intact, $"a flipped bit at byte {p} of {original.Length} went undetected");
                flips++;
            }
            for (int i = 0; i < 50; i++)
            {
                File.WriteAllBytes(shard, original[..(i < 25 ? i : random.NextInt(original.Length))]);
                Assert.Contains("truncated", ShardIntegrity.Check(shard).Problem);
                truncations++;
            }
            for (int i = 0; i < 6; i++)
            {
                var bytes = (byte[])original.Clone();
                bytes[random.NextInt(bytes.Length)] ^= (byte)(1 << random.NextInt(8));
                File.WriteAllBytes(shard, i % 2 == 0 ? bytes : bytes[..random.NextInt(bytes.Length)]);
                var e = Assert.Throws<ShardIntegrityException>(() => TimeSeriesShards.Merge(dir, _ => 1.0));
                Assert.Equal(shard, e.ShardPath);
                merges++;
            }
            File.WriteAllBytes(shard, original);
            Assert.Equal(4, TimeSeriesFile.ReadAll(TimeSeriesShards.Merge(dir, _ => 1.0).Path).Count);
            log.WriteLine($"time-series shard fuzz: {original.Length}-byte shard, {flips} bit flips and {truncations} truncations all detected, " +
                          $"{merges} damaged merges all refused naming the shard");
        }
        finally { Directory.Delete(dir, true); }
    }
}
