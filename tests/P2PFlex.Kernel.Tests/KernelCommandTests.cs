using System.Text.Json.Nodes;
using P2PFlex.Cli;

namespace P2PFlex.Kernel.Tests;

/// <summary>The <c>p2pflex kernel</c> command line (in process).</summary>
public class KernelCommandTests
{
    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Commands.Execute(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Install_with_prefix_name_and_display_name_writes_kernel_json()
    {
        var dir = Directory.CreateTempSubdirectory("p2pflex-kernelspec-");
        try
        {
            var (code, output, _) = Cli("kernel", "install", "--prefix", dir.FullName, "--name", "p2pflex-test", "--display-name", "P2PFlex test");
            Assert.Equal(0, code);
            string json = Path.Combine(dir.FullName, "share", "jupyter", "kernels", "p2pflex-test", "kernel.json");
            Assert.Contains(Path.GetDirectoryName(json)!, output);
            var spec = JsonNode.Parse(File.ReadAllText(json))!;
            Assert.Equal("P2PFlex test", spec["display_name"]!.GetValue<string>());
            Assert.Equal("csharp", spec["language"]!.GetValue<string>());
            var argv = spec["argv"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
            Assert.EndsWith("p2pflex.dll", argv[1]);
            Assert.Equal("{connection_file}", argv[^1]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("kernel", "install", "--user", "--prefix", "/tmp/x")]
    [InlineData("kernel", "install", "--bogus")]
    [InlineData("kernel", "frobnicate")]
    [InlineData("kernel", "start")]
    [InlineData("kernel", "install", "--prefix", "/tmp/x", "--name", "bad name")]
    public void Usage_errors_exit_2_or_1_with_a_message(params string[] args)
    {
        var (code, _, err) = Cli(args);
        Assert.True(code is 1 or 2, $"exit code {code}");
        Assert.StartsWith("p2pflex: ", err);
    }

    [Fact]
    public void Start_with_a_missing_or_bad_connection_file_fails_with_exit_1()
    {
        var (code, _, err) = Cli("kernel", "start", "--connection-file", "/nonexistent/kernel-1.json");
        Assert.Equal(1, code);
        Assert.Contains("kernel-1.json", err);
        string bad = Path.GetTempFileName();
        try
        {
            File.WriteAllText(bad, """{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "transport": "ipc"}""");
            (code, _, err) = Cli("kernel", "start", bad);
            Assert.Equal(1, code);
            Assert.Contains("transport", err);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public void Help_lists_install_and_start()
    {
        var (code, output, _) = Cli("kernel", "--help");
        Assert.Equal(0, code);
        Assert.Contains("kernel install", output);
        Assert.Contains("kernel start", output);
    }
}
