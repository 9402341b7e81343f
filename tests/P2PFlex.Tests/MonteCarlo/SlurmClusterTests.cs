using System.Diagnostics;
using System.Text.RegularExpressions;
using P2PFlex.Cli;
using P2PFlex.Data;
using P2PFlex.MonteCarlo;
using P2PFlex.Scenarios;
using Xunit.Abstractions;

namespace P2PFlex.Tests.MonteCarlo;

/// <summary>
/// <c>p2pflex montecarlo submit</c> on a real Slurm: a throw-away single-node cluster from Debian's packages
/// (environment/slurm/single-node-cluster.sh; needs root and environment/install.sh), a 4-task job array of 5 draws
/// each plus the dependent merge job, polled until done; the merged file must equal a single-process run byte for byte.
/// A run whose array task fails must get its merge job cancelled, not left pending. The cluster is torn down also when
/// the test fails. Filter it out with <c>--filter Category!=Slurm</c> on a machine without root.
/// </summary>
[Trait("Category", "Slurm")]
public class SlurmClusterTests(ITestOutputHelper log)
{
    private static readonly string Repo = Path.GetDirectoryName(DataPaths.Root)!;
    private static readonly string ClusterScript = Path.Combine(Repo, "environment", "slurm", "single-node-cluster.sh");

    [Fact]
    public void Job_array_and_dependent_merge_give_the_single_process_result_bit_for_bit()
    {
        Assert.True(Environment.UserName == "root" || Run("id", ["-u"], null).Out.Trim() == "0",
            "the Slurm test needs root (slurmd starts jobs as the submitting user); run it as root or filter Category!=Slurm");
        var clock = Stopwatch.StartNew();
        string state = Directory.CreateTempSubdirectory("p2pflex-slurm-").FullName;
        var env = new Dictionary<string, string> { ["SLURM_CONF"] = Path.Combine(state, "slurm.conf"), ["P2PFLEX_DATA"] = DataPaths.Root };
        try
        {
            var up = Run("bash", [ClusterScript, "up", state], null, TimeSpan.FromSeconds(90));
            Assert.True(up.Code == 0, $"cluster did not come up:\n{up.Err}");
            log.WriteLine($"cluster up after {clock.Elapsed.TotalSeconds:F1} s");

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
            merged.Summary.WriteCsv(single);
            // Identical but for the timing columns (which differ from run to run): the same results digest, and the same
            // bytes once both files' timings are left out.
            var cluster = MonteCarloFile.ReadParquet(Path.Combine(outDir, MonteCarloFile.MergedName));
            Assert.Equal(MonteCarloFile.ResultsDigest(merged.Rows), MonteCarloFile.ResultsDigest(cluster.Rows));
            string clusterStripped = Path.Combine(state, "cluster-without-timings.parquet");
            MonteCarloFile.WriteParquet(clusterStripped, cluster.Header, cluster.Rows.Select(r => r.WithoutTimings()).ToArray());
            MonteCarloFile.WriteParquet(Path.Combine(single, MonteCarloFile.MergedName), merged.Header, merged.Rows.Select(r => r.WithoutTimings()).ToArray());
            Assert.Equal(File.ReadAllBytes(Path.Combine(single, MonteCarloFile.MergedName)), File.ReadAllBytes(clusterStripped));
            Assert.Equal(File.ReadAllText(Path.Combine(single, "summary_checks.csv")), File.ReadAllText(Path.Combine(outDir, "summary_checks.csv")));
            Assert.Contains("Pattern checks on case69, 20 draws", File.ReadAllText(Path.Combine(outDir, "logs", "merge.out")));

            // A failing task (its shard file belongs to another run): the merge job is cancelled, not left pending.
            string broken = Path.Combine(state, "broken");
            var foreign = new MonteCarloJob("case69", 2, 1, ["0"]);
            MonteCarloShards.RunShard(foreign, TestData.Study.Value, scenarios, broken, 0, 2);
            var (badArray, badMerge) = Submit(env, broken, draws: 2, shards: 2, "--scenarios", "0");
            WaitForJobs(env, [badArray, badMerge], TimeSpan.FromSeconds(90));
            Assert.Contains("FAILED", JobStates(env, badArray));
            Assert.Equal(["CANCELLED"], JobStates(env, badMerge));
            Assert.False(File.Exists(Path.Combine(broken, MonteCarloFile.MergedName)));
            log.WriteLine($"failure case done after {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            var down = Run("bash", [ClusterScript, "down", state], null, TimeSpan.FromSeconds(60));
            log.WriteLine(down.Err);
            log.WriteLine($"Slurm test wall time {clock.Elapsed.TotalSeconds:F1} s");
            try { Directory.Delete(state, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static (string Array, string Merge) Submit(Dictionary<string, string> env, string outDir, int draws, int shards, params string[] extra)
    {
        // The CLI as a user runs it (a separate process, sbatch from the PATH, SLURM_CONF from the environment).
        string dll = typeof(MonteCarloCommand).Assembly.Location;
        var result = Run("dotnet", [dll, "montecarlo", "submit", "--feeder", "case69", "--draws", draws.ToString(), "--shards", shards.ToString(),
            "--out", outDir, .. extra], env, TimeSpan.FromSeconds(120));
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

    private static (int Code, string Out, string Err) Run(string file, IReadOnlyList<string> args, Dictionary<string, string>? env, TimeSpan? timeout = null)
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
