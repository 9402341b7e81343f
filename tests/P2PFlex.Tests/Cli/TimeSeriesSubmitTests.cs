namespace P2PFlex.Tests.Cli;

/// <summary><c>p2pflex timeseries submit</c> without a cluster: the sbatch lines it would run (the same shard and merge
/// scripts as <c>montecarlo submit</c>) and the mistakes it reports before submitting anything. The run on a real Slurm
/// is in <c>SlurmClusterTests</c>.</summary>
public class TimeSeriesSubmitTests
{
    [Fact]
    public void Dry_run_prints_a_window_sharded_array_and_a_merge_through_the_shared_scripts()
    {
        var (code, output, err) = CliRunner.Run("timeseries", "submit", "--window", "year", "--scenarios", "3-theta80", "--shards", "48",
            "--out", "/scratch/ts", "--cpus-per-task", "2", "--sbatch-arg=--time=01:00:00", "--dry-run");
        Assert.True(code == 0, err);
        var lines = output.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("--array=1-48 --job-name=p2pflex-timeseries --cpus-per-task=2", lines[0]);
        Assert.Contains("--time=01:00:00", lines[0]);
        Assert.EndsWith("shard.sbatch 48 timeseries --feeder case69 --year 2025 --window year --scenarios 3-theta80 --out /scratch/ts", lines[0]);
        Assert.Contains("--dependency=afterok:ARRAYJOB --kill-on-invalid-dep=yes --job-name=p2pflex-timeseries-merge", lines[1]);
        Assert.EndsWith("merge.sbatch timeseries /scratch/ts", lines[1]);
    }

    [Fact]
    public void A_SimBench_folder_and_a_date_travel_to_the_jobs_as_given_with_the_folder_absolute()
    {
        var (code, output, err) = CliRunner.Run("timeseries", "submit", "--feeder", SharedData.SimBenchLvRural1, "--window", "week",
            "--start", "2016-03-07", "--shards", "7", "--out", "/scratch/lv", "--dry-run");
        Assert.True(code == 0, err);
        string array = output.Split('\n')[0];
        Assert.Contains($"timeseries --feeder {Path.GetFullPath(SharedData.SimBenchLvRural1)} ", array);
        Assert.Contains("--window week --start 2016-03-07 --scenarios ", array);
    }

    [Theory]
    [InlineData("--window", "day", "--shards", "97")]      // 96 quarter-hours: a shard would be empty
    [InlineData("--window", "month", "--shards", "2")]
    [InlineData("--scenarios", "0,nope", "--shards", "2")]
    [InlineData("--window", "day")]                        // --shards is required
    public void Mistakes_are_usage_errors_before_anything_is_submitted(params string[] args)
    {
        var (code, _, err) = CliRunner.Run(["timeseries", "submit", "--out", "/scratch/ts", "--dry-run", .. args]);
        Assert.True(code == 2, err);
        Assert.StartsWith("p2pflex:", err);
    }
}
