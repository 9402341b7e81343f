using System.Diagnostics;
using System.Text.RegularExpressions;
using P2PFlex.Cli;
using P2PFlex.Data;
using P2PFlex.IO;
using P2PFlex.MonteCarlo;
using P2PFlex.Scenarios;
using P2PFlex.Tests.Cli;
using Xunit.Abstractions;

namespace P2PFlex.Tests.MonteCarlo;

/// <summary>
/// A throw-away single-node Slurm cluster from Debian's packages (environment/slurm/single-node-cluster.sh; needs root
/// and environment/install.sh), brought up once for the tests of <see cref="SlurmClusterTests"/> and torn down after
/// them, also when they fail.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    public static readonly string Repo = Path.GetDirectoryName(DataPaths.Root)!;
    private static readonly string ClusterScript = Path.Combine(Repo, "environment", "slurm", "single-node-cluster.sh");

    /// <summary>The cluster's state folder (results of the tests go below it).</summary>
    public string State { get; } = Directory.CreateTempSubdirectory("p2pflex-slurm-").FullName;

    /// <summary>The environment every Slurm command and p2pflex process of the tests runs with.</summary>
    public Dictionary<string, string> Env { get; }

    /// <summary>Why the cluster is not there (null when it is up).</summary>
    public string? Failure { get; }

    public TimeSpan UpAfter { get; }

    public SlurmCluster()
    {
        Env = new Dictionary<string, string> { ["SLURM_CONF"] = Path.Combine(State, "slurm.conf"), ["P2PFLEX_DATA"] = DataPaths.Root };
        var clock = Stopwatch.StartNew();
        if (!(Environment.UserName == "root" || SlurmClusterTests.Run("id", ["-u"], null).Out.Trim() == "0"))
        {
            Failure = "the Slurm test needs root (slurmd starts jobs as the submitting user); run it as root or filter Category!=Slurm";
            return;
        }
        var up = SlurmClusterTests.Run("bash", [ClusterScript, "up", State], null, TimeSpan.FromSeconds(90));
        if (up.Code != 0) Failure = $"cluster did not come up:\n{up.Err}";
        UpAfter = clock.Elapsed;
    }

    public void Dispose()
    {
        SlurmClusterTests.Run("bash", [ClusterScript, "down", State], null, TimeSpan.FromSeconds(60));
        try { Directory.Delete(State, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// <c>p2pflex montecarlo submit</c> and <c>p2pflex timeseries submit</c> on a real Slurm (<see cref="SlurmCluster"/>):
/// a job array plus the dependent merge job, polled until done; the merged file must equal a single-process run byte
/// for byte but for the stage timings (which differ from run to run). A Monte Carlo run whose array task fails must get its merge job cancelled, not left pending. Filter them
/// out with <c>--filter Category!=Slurm</c> on a machine without root.
/// </summary>
[Trait("Category", "Slurm")]
public class SlurmClusterTests(SlurmCluster cluster, ITestOutputHelper log) : IClassFixture<SlurmCluster>
{
    [Fact]
    public void Job_array_and_dependent_merge_give_the_single_process_result_bit_for_bit()
    {
        Assert.True(cluster.Failure is null, cluster.Failure);
        var clock = Stopwatch.StartNew();
        string state = cluster.State;
        var env = cluster.Env;
        log.WriteLine($"cluster up after {cluster.UpAfter.TotalSeconds:F1} s");

        // 4 shards × 5 draws, every scenario.
        string outDir = Path.Combine(state, "mc");
        var (arrayJob, mergeJob) = Submit(env, outDir, draws: 20, shards: 4);
        WaitForJobs(env, [arrayJob, mergeJob], TimeSpan.FromSeconds(150));
        Assert.All(JobStates(env, arrayJob), s => Assert.Equal("COMPLETED", s));
        Assert.Equal(4, JobStates(env, arrayJob).Count);
        Assert.Equal(["COMPLETED"], JobStates(env, mergeJob));
        log.WriteLine($"array + merge done after {clock.Elapsed.TotalSeconds:F1} s");

        // The same job in this process, one shard, merged: the files must be identical.
        string single = Path.Combine(state, "single");
        var scenarios = StudyContext.LoadScenarios();
        var job = new MonteCarloJob("case69", 20, MonteCarloJob.DefaultSeed, scenarios.Select(s => s.Name).ToArray());
        MonteCarloShards.RunShard(job, TestData.Study.Value, scenarios, single, 0, 1);
        var merged = MonteCarloShards.Merge(single);
        MonteCarloShards.WriteMerged(single, merged);
        // Identical but for the timing columns (which differ from run to run): the same results digest, and the same
        // bytes once both files' timings are left out.
        var onCluster = MonteCarloFile.ReadParquet(MergedSet.PathOf(outDir, MonteCarloFile.MergedName));
        Assert.Equal(MonteCarloFile.ResultsDigest(merged.Rows), MonteCarloFile.ResultsDigest(onCluster.Rows));
        string clusterStripped = Path.Combine(state, "cluster-without-timings.parquet");
        MonteCarloFile.WriteParquet(clusterStripped, onCluster.Header, onCluster.Rows.Select(r => r.WithoutTimings()).ToArray());
        MonteCarloFile.WriteParquet(Path.Combine(single, MonteCarloFile.MergedName), merged.Header, merged.Rows.Select(r => r.WithoutTimings()).ToArray());
        Assert.Equal(File.ReadAllBytes(Path.Combine(single, MonteCarloFile.MergedName)), File.ReadAllBytes(clusterStripped));
        Assert.Equal(File.ReadAllText(MergedSet.PathOf(single, "summary_checks.csv")), File.ReadAllText(MergedSet.PathOf(outDir, "summary_checks.csv")));
        Assert.Contains("Pattern checks on case69, 20 draws", File.ReadAllText(Path.Combine(outDir, "logs", "merge.out")));

        // A failing task (its shard file belongs to another run): the merge job is cancelled, not left pending.
        string broken = Path.Combine(state, "broken");
        var foreign = new MonteCarloJob("case69", 2, 1, ["0"]);
        MonteCarloShards.RunShard(foreign, TestData.Study.Value, scenarios, broken, 0, 2);
        var (badArray, badMerge) = Submit(env, broken, draws: 2, shards: 2, "--scenarios", "0");
        WaitForJobs(env, [badArray, badMerge], TimeSpan.FromSeconds(90));
        Assert.Contains("FAILED", JobStates(env, badArray));
        Assert.Equal(["CANCELLED"], JobStates(env, badMerge));
        Assert.False(Directory.Exists(MergedSet.FolderOf(broken)));
        log.WriteLine($"failure case done after {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void A_time_series_sharded_by_time_window_merges_to_the_bytes_of_a_single_process_run()
    {
        Assert.True(cluster.Failure is null, cluster.Failure);
        var clock = Stopwatch.StartNew();
        // The representative day of case69, two scenarios, 3 window shards as 3 array tasks (the same path as Monte Carlo).
        string outDir = Path.Combine(cluster.State, "ts");
        var (arrayJob, mergeJob) = SubmitCli(cluster.Env, ["timeseries", "submit", "--window", "day", "--scenarios", "0,2", "--shards", "3", "--out", outDir]);
        WaitForJobs(cluster.Env, [arrayJob, mergeJob], TimeSpan.FromSeconds(150));
        Assert.Equal(["COMPLETED", "COMPLETED", "COMPLETED"], JobStates(cluster.Env, arrayJob));
        Assert.Equal(["COMPLETED"], JobStates(cluster.Env, mergeJob));
        Assert.Equal(3, Directory.GetFiles(outDir, "shard-*.parquet").Length);
        log.WriteLine($"time-series array + merge done after {clock.Elapsed.TotalSeconds:F1} s");

        // The same window in one process (the CLI in-process), merged: identical files.
        string single = Path.Combine(cluster.State, "ts-single");
        var run = CliRunner.Run("timeseries", "run", "--window", "day", "--scenarios", "0,2", "--out", single);
        Assert.True(run.Code == 0, run.Err);
        var merge = CliRunner.Run("timeseries", "merge", single);
        Assert.True(merge.Code == 0, merge.Err);
        // Identical but for the stage timings, which differ from run to run.
        Assert.Equal(P2PFlex.Tests.TimeSeries.TimeSeriesTests.WithoutTimings(MergedSet.PathOf(single, "merged.parquet")),
            P2PFlex.Tests.TimeSeries.TimeSeriesTests.WithoutTimings(MergedSet.PathOf(outDir, "merged.parquet")));
        Assert.Equal(File.ReadAllText(MergedSet.PathOf(single, "summary_scenarios.csv")), File.ReadAllText(MergedSet.PathOf(outDir, "summary_scenarios.csv")));
        Assert.Contains("merged 3 shard(s)", File.ReadAllText(Path.Combine(outDir, "logs", "merge.out")));
    }

    private static (string Array, string Merge) Submit(Dictionary<string, string> env, string outDir, int draws, int shards, params string[] extra) =>
        SubmitCli(env, ["montecarlo", "submit", "--feeder", "case69", "--draws", draws.ToString(), "--shards", shards.ToString(), "--out", outDir, .. extra]);

    private static (string Array, string Merge) SubmitCli(Dictionary<string, string> env, string[] arguments)
    {
        // The CLI as a user runs it (a separate process, sbatch from the PATH, SLURM_CONF from the environment).
        string dll = typeof(MonteCarloCommand).Assembly.Location;
        var result = Run("dotnet", [dll, .. arguments], env, TimeSpan.FromSeconds(120));
        Assert.True(result.Code == 0, $"submit failed ({result.Code}):\n{result.Out}\n{result.Err}");
        var m = Regex.Match(result.Out, @"array job (\d+) .*merge job (\d+)");
        Assert.True(m.Success, result.Out);
        return (m.Groups[1].Value, m.Groups[2].Value);
    }

    private static void WaitForJobs(Dictionary<string, string> env, string[] ids, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var q = Run("squeue", ["-h", "-j", string.Join(",", ids), "-o", "%i %T %r"], env);
            if (q.Code == 0 && q.Out.Trim().Length == 0) return;
            if (clock.Elapsed > timeout) Assert.Fail($"jobs {string.Join(",", ids)} still queued after {timeout.TotalSeconds} s:\n{q.Out}{q.Err}");
            Thread.Sleep(500);
        }
    }

    /// <summary>JobState of a job, one entry per array task (the controller keeps finished jobs for MinJobAge).</summary>
    private static IReadOnlyList<string> JobStates(Dictionary<string, string> env, string id)
    {
        var r = Run("scontrol", ["-o", "show", "job", id], env);
        Assert.True(r.Code == 0, r.Err);
        return Regex.Matches(r.Out, @"JobState=([A-Z_]+)").Select(x => x.Groups[1].Value).ToArray();
    }

    internal static (int Code, string Out, string Err) Run(string file, IReadOnlyList<string> args, Dictionary<string, string>? env, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) info.Environment[k] = v;
        string path = info.Environment.TryGetValue("PATH", out var p) ? p ?? "" : "";
        if (!path.Split(':').Contains("/usr/sbin")) info.Environment["PATH"] = path + ":/usr/sbin:/sbin";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(" ", args)} did not finish in {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
