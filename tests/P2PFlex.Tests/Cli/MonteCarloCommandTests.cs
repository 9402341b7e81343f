using P2PFlex.Cli;
using P2PFlex.MonteCarlo;

namespace P2PFlex.Tests.Cli;

/// <summary><c>p2pflex montecarlo</c>: run, resume, merge, submit --dry-run, and usage errors (exit 2).</summary>
public class MonteCarloCommandTests
{
    [Fact]
    public void Run_then_merge_writes_shards_merged_file_and_summary()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"p2pflex-mc-cli-{Guid.NewGuid():N}");
        var (code, output, err) = CliRunner.Run("montecarlo", "--feeder", "case69", "--draws", "4", "--scenarios", "0,1,2", "--shards", "2", "--csv", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("2 of 2 shard(s) computed", output);
        Assert.Contains("4/4 draws", err.Replace("2/2 draws", "4/4 draws")); // the progress bar goes to stderr
        Assert.True(File.Exists(Path.Combine(dir, "shard-0001-of-0002.parquet")));
        Assert.True(File.Exists(Path.Combine(dir, "shard-0002-of-0002.csv")));

        var (again, againOut, _) = CliRunner.Run("montecarlo", "run", "--draws", "4", "--scenarios", "0,1,2", "--shard", "2/2", "--out", dir);
        Assert.Equal(0, again);
        Assert.Contains("exists, skipped (resume)", againOut);

        var (mergeCode, mergeOut, mergeErr) = CliRunner.Run("montecarlo", "merge", dir);
        Assert.True(mergeCode == 0, mergeErr);
        Assert.Contains("merged 2 shard(s): 12 rows", mergeOut);
        Assert.Contains("1-cost", mergeOut);
        var checks = File.ReadAllLines(P2PFlex.IO.MergedSet.PathOf(dir, "summary_checks.csv"));
        Assert.Equal("check,scenario,draws,holds,not_computable,rate,finding", checks[0]);
        Assert.Equal(13, checks.Length);
        Assert.Equal(12, MonteCarloFile.ReadParquet(P2PFlex.IO.MergedSet.PathOf(dir, MonteCarloFile.MergedName)).Rows.Count);

        File.Delete(Path.Combine(dir, "shard-0002-of-0002.parquet"));
        var (missing, _, missingErr) = CliRunner.Run("montecarlo", "merge", dir);
        Assert.Equal(1, missing);
        Assert.Contains("missing shards of 2: 2", missingErr);
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("--draws", "0", "--out", "x")]
    [InlineData("--draws", "5", "--shard", "3/2", "--out", "x")]
    [InlineData("--draws", "5", "--shard", "1/2", "--shards", "2", "--out", "x")]
    [InlineData("--draws", "5", "--feeder", "case9999", "--out", "x")]
    [InlineData("--draws", "5", "--scenarios", "0,nope", "--out", "x")]
    [InlineData("--draws", "2", "--shards", "3", "--out", "x")]
    [InlineData("--draws", "5")]
    public void Usage_errors_exit_2(params string[] args)
    {
        var (code, _, err) = CliRunner.Run(["montecarlo", .. args]);
        Assert.True(code == 2, err);
        Assert.StartsWith("p2pflex:", err);
    }

    [Fact]
    public void Submit_dry_run_prints_an_array_and_a_merge_that_waits_for_it_and_dies_with_it()
    {
        var (code, output, err) = CliRunner.Run("montecarlo", "submit", "--draws", "1000", "--shards", "10", "--out", "/scratch/mc",
            "--cpus-per-task", "2", "--sbatch-arg=--partition=short", "--dry-run");
        Assert.True(code == 0, err);
        var lines = output.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("--array=1-10", lines[0]);
        Assert.Contains("--cpus-per-task=2", lines[0]);
        Assert.Contains("--partition=short", lines[0]);
        Assert.Contains("shard.sbatch 10 montecarlo --feeder case69 --draws 1000 --seed 20221201 --scenarios ", lines[0]);
        Assert.EndsWith("--out /scratch/mc", lines[0]);
        Assert.Contains("--dependency=afterok:ARRAYJOB --kill-on-invalid-dep=yes", lines[1]);
        Assert.EndsWith("merge.sbatch montecarlo /scratch/mc", lines[1]);
    }

    [Fact]
    public void Slurm_scripts_use_unix_line_endings_and_are_executable()
    {
        string dir = Path.Combine(Path.GetDirectoryName(P2PFlex.Data.DataPaths.Root)!, "environment", "slurm");
        foreach (var f in Directory.GetFiles(dir))
        {
            Assert.DoesNotContain("\r", File.ReadAllText(f));
            Assert.StartsWith("#!", File.ReadAllText(f));
            if (!OperatingSystem.IsWindows()) Assert.True((File.GetUnixFileMode(f) & UnixFileMode.UserExecute) != 0, f);
        }
    }
}
