using System.Diagnostics;
using P2PFlex.MonteCarlo;

namespace P2PFlex.Tests.Cli;

/// <summary>Monte Carlo as a cluster job sees it: progress into a file, shard counts, the "A beats B" comparison.</summary>
public class MonteCarloTerminalTests
{
    [Fact]
    public async Task Progress_piped_to_a_file_is_plain_lines_with_an_ETA_and_a_shard_run_counts_its_shards()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"p2pflex-mc-{Guid.NewGuid():N}");
        // As a Slurm task runs it: a child process whose stderr is a file (here: a pipe the test reads, no terminal).
        string dll = Path.Combine(AppContext.BaseDirectory, "p2pflex.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "montecarlo", "run", "--draws", "30", "--scenarios", "0,1", "--shard", "1/3", "--out", dir }) start.ArgumentList.Add(a);
        start.Environment["TERM"] = "xterm-256color";   // even with a TERM set: stderr is not a terminal
        using var process = Process.Start(start)!;
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        string stdout = await stdoutTask;
        Assert.True(process.ExitCode == 0, stderr);
        Assert.DoesNotContain('\r', stderr);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("shard 1/3:", StringComparison.Ordinal)).ToArray();
        Assert.True(lines.Length >= 2, stderr);
        Assert.Contains(lines, l => l.Contains("left", StringComparison.Ordinal));
        Assert.EndsWith("10/10 draws (100 %)", lines[^1].Split(" in ")[0]);
        Assert.Contains("shard 1 of 3 computed", stdout);
        Assert.DoesNotContain("1 of 1", stdout);
        Assert.True(File.Exists(Path.Combine(dir, "shard-0001-of-0003.parquet")));
        Assert.False(File.Exists(Path.Combine(dir, "shard-0002-of-0003.parquet")));   // only the shard asked for

        // All shards here, one already there: the count says which.
        var (code, all, err) = CliRunner.Run("montecarlo", "run", "--draws", "30", "--scenarios", "0,1", "--shards", "3", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("2 of 3 shard(s) computed, 1 already there", all);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void The_live_bar_is_for_terminals_only()
    {
        var file = new StringWriter();
        var bar = new ProgressBar(file, "shard 1/1", 4, Stopwatch.StartNew());
        Assert.False(bar.Live);
        for (int d = 0; d <= 4; d++) bar.Report(d);
        bar.Finish();
        Assert.DoesNotContain('\r', file.ToString());
        var terminal = new StringWriter();
        var live = new ProgressBar(terminal, "shard 1/1", 4, Stopwatch.StartNew(), live: true);
        live.Report(2);
        Assert.StartsWith("\r", terminal.ToString());
        Assert.Equal("3 min 5 s", ProgressBar.Duration(185));
    }

    [Fact]
    public void A_beats_B_compares_the_DSOs_total_cost_so_a_design_without_an_LFM_is_not_free()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"p2pflex-mc-{Guid.NewGuid():N}");
        var (code, _, err) = CliRunner.Run("montecarlo", "--draws", "3", "--scenarios", "0,cm5", "--out", dir);
        Assert.True(code == 0, err);
        var merged = MonteCarloShards.Merge(dir);
        int total = Array.IndexOf(MonteCarloRow.KpiTypes.Select(k => k.Name).ToArray(), "dso_total_eur");
        double Cost(string s, int d) => merged.Rows.Single(r => r.Scenario == s && r.Draw == d).Kpis[total] is double c ? c : double.PositiveInfinity;
        int expected = Enumerable.Range(0, 3).Count(d => Cost("cm5", d) < Cost("0", d));
        var beats = merged.Summary.Beats.Single(b => b.A == "cm5" && b.B == "0");
        Assert.Equal(expected, beats.Beats);
        // cm5 runs no LFM (lfm_cost_eur 0 in every draw): on the LFM cost alone it would "beat" 0 whenever 0's LFM costs
        // anything; on what the DSO pays it beats 0 only where its capacity payments are the smaller bill.
        int lfmCost = Array.IndexOf(MonteCarloRow.KpiTypes.Select(k => k.Name).ToArray(), "lfm_cost_eur");
        Assert.All(merged.Rows.Where(r => r.Scenario == "cm5"), r => Assert.Equal(0.0, r.Kpis[lfmCost]));
        Assert.Contains("A beats B on the DSO's total cost", merged.Summary.Text());
        Directory.Delete(dir, true);

        // The shipped draw (the study's data), as the issue measured it: cm5's DSO total 2.123 € is above scenario 0's 1.825 €.
        var (runCode, table, runErr) = CliRunner.Run("scenarios", "run", "0", "cm5", "--json");
        Assert.True(runCode == 0, runErr);
        var kpis = System.Text.Json.Nodes.JsonNode.Parse(table)!.AsArray();
        double Total(string name) => (double)kpis.Single(k => (string?)k!["name"] == name)!["dso"]!["total_eur"]!;
        Assert.Equal((1.825, 2.123), (Math.Round(Total("0"), 3), Math.Round(Total("cm5"), 3)));
    }
}
