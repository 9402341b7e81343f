using P2PFlex.MonteCarlo;
using P2PFlex.Numerics;

namespace P2PFlex.Tests.MonteCarlo;

/// <summary>
/// Shard files of a Monte Carlo run with made-up KPI values (every column type, nulls included) written by the real
/// writer — for tests of the files themselves, which need no study computed.
/// </summary>
public static class SyntheticShards
{
    public static readonly MonteCarloJob Job = new("case69", 4, 7, ["0", "1"]);

    public static IReadOnlyList<MonteCarloRow> Rows(MonteCarloJob job, int firstDraw, int drawCount, ulong seed)
    {
        var random = new SplitMix64(seed);
        var rows = new List<MonteCarloRow>();
        for (int d = firstDraw; d < firstDraw + drawCount; d++)
            foreach (var scenario in job.Scenarios)
            {
                var kpis = MonteCarloRow.KpiTypes.Select(k => random.NextInt(5) == 0 ? null : k.Type == typeof(double) ? (object)random.NextUniform(-1e3, 1e3)
                    : k.Type == typeof(int) ? random.NextInt(100) : k.Type == typeof(bool) ? random.NextInt(2) == 1 : $"v{random.NextInt(1000)}").ToArray();
                var checks = P2PFlex.Scenarios.StudyPattern.CheckIds.Select(_ => random.NextInt(3) switch { 0 => (bool?)null, 1 => true, _ => false }).ToArray();
                rows.Add(new MonteCarloRow(d, DrawSeed.Of(job.MasterSeed, job.Feeder, d), job.Feeder, scenario, d % 3 == 2 ? "no up bid" : null, kpis, checks));
            }
        return rows;
    }

    /// <summary>Writes every shard of <paramref name="job"/> split in <paramref name="shards"/> into <paramref name="dir"/>.</summary>
    public static void WriteAll(MonteCarloJob job, int shards, string dir)
    {
        for (int s = 0; s < shards; s++)
        {
            var (first, count) = job.ShardRange(s, shards);
            var header = new MonteCarloHeader(job.Feeder, job.Draws, job.MasterSeed, job.Scenarios, s, shards, first, count);
            MonteCarloFile.WriteParquet(Path.Combine(dir, MonteCarloFile.ShardName(s, shards)), header, Rows(job, first, count, (ulong)s + 1),
                MonteCarloShards.RecomputeCommand(job, s, shards, dir));
        }
    }

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"p2pflex-shards-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
