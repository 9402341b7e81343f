using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// Issue 22: a cell that makes the process end (<c>Environment.Exit</c>, an exception nobody catches on a thread it
/// started) is reported, with the cell, before the process is gone: by the kernel (started by the CLI as Jupyter starts
/// it, <c>p2pflex kernel start --connection-file</c>) to its client, and by the headless runner on stderr.
/// </summary>
public class ProcessDeathTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    private static string Cli => Path.Combine(AppContext.BaseDirectory, "p2pflex.dll");

    /// <summary>The CLI's kernel in its own process, on five free loopback ports, with its stderr collected.</summary>
    private sealed class KernelProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stderr = new();
        private readonly string _file;

        public KernelProcess()
        {
            Connection = new ConnectionInfo { Ip = "127.0.0.1", Key = Guid.NewGuid().ToString(), KernelName = "p2pflex-csharp" } with
            {
                ShellPort = FreePorts[0],
                IOPubPort = FreePorts[1],
                StdinPort = FreePorts[2],
                ControlPort = FreePorts[3],
                HeartbeatPort = FreePorts[4],
            };
            _file = Path.Combine(Path.GetTempPath(), $"p2pflex-kernel-{Guid.NewGuid():N}.json");
            Connection.Write(_file);
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[] { Cli, "kernel", "start", "--connection-file", _file }) psi.ArgumentList.Add(a);
            _process = Process.Start(psi)!;
            _process.ErrorDataReceived += (_, e) => { lock (_stderr) _stderr.AppendLine(e.Data); };
            _process.OutputDataReceived += (_, _) => { };
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
        }

        public ConnectionInfo Connection { get; }

        public string Stderr
        {
            get { lock (_stderr) return _stderr.ToString(); }
        }

        /// <summary>The exit code, once the process has ended (a test failure if it has not within <see cref="ExitTimeout"/>).</summary>
        public int WaitForExit()
        {
            Assert.True(_process.WaitForExit(ExitTimeout), "the kernel process did not end; its stderr:\n" + Stderr);
            _process.WaitForExit();   // the stderr reader has finished
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.Dispose();
            File.Delete(_file);
        }

        /// <summary>Five ports the system hands out now, held together so that they differ.</summary>
        private static int[] FreePorts
        {
            get
            {
                var listeners = Enumerable.Range(0, 5).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
                listeners.ForEach(l => l.Start());
                var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
                listeners.ForEach(l => l.Stop());
                return ports;
            }
        }
    }

    private static string Text(JupyterMessage m, string field) => m.Content[field]?.GetValue<string>() ?? "";

    [Fact]
    public void A_cell_calling_Environment_Exit_gets_its_output_an_error_and_an_error_reply_before_the_kernel_process_ends()
    {
        using var kernel = new KernelProcess();
        using var client = new KernelClient(kernel.Connection);
        var run = client.Execute("Console.WriteLine(\"before the exit\");\nEnvironment.Exit(3);");

        Assert.Equal("error", run.Status);
        Assert.Equal("ProcessExit", Text(run.Reply, "ename"));
        Assert.Contains("Environment.Exit(3) was called while this cell ran", Text(run.Reply, "evalue"));
        Assert.Contains("restart the kernel", Text(run.Reply, "evalue"));
        Assert.Equal("before the exit\n", run.Stdout);
        var error = Assert.Single(run.Of("error"));
        Assert.Equal("ProcessExit", Text(error, "ename"));
        Assert.Contains("Environment.Exit(3) was called while cell [1] ran", run.Stderr);
        // The process then ends with the cell's code, as the cell asked.
        Assert.Equal(3, kernel.WaitForExit());
        Assert.Contains("p2pflex kernel: Environment.Exit(3) was called while cell [1] ran", kernel.Stderr);
    }

    [Fact]
    public void Environment_Exit_after_the_cell_finished_is_published_with_the_last_cell_as_parent_before_the_process_ends()
    {
        using var kernel = new KernelProcess();
        using var client = new KernelClient(kernel.Connection);
        var run = client.Execute("""
            using System.Threading;
            new Thread(() => { Thread.Sleep(500); Environment.Exit(5); }).Start();
            "started"
            """);
        Assert.Equal("ok", run.Status);
        string id = run.Reply.ParentHeader["msg_id"]!.GetValue<string>();

        var late = new List<JupyterMessage>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < KernelClient.Timeout && !late.Any(m => m.MsgType == "error"))
        {
            var msg = client.TryReceiveIopub(TimeSpan.FromSeconds(1));
            if (msg is not null && msg.ParentHeader["msg_id"]?.GetValue<string>() == id) late.Add(msg);
        }
        var error = Assert.Single(late, m => m.MsgType == "error");
        Assert.Equal("ProcessExit", Text(error, "ename"));
        Assert.Contains("Environment.Exit(5) was called after this cell had finished", Text(error, "evalue"));
        Assert.Contains("Environment.Exit(5) was called after the last cell had finished", Text(Assert.Single(late, m => m.MsgType == "stream"), "text"));
        Assert.Equal(5, kernel.WaitForExit());
    }

    [Fact]
    public void An_exception_on_a_thread_the_running_cell_started_fails_that_cell_and_the_kernel_goes_on()
    {
        using var kernel = new KernelProcess();
        using var client = new KernelClient(kernel.Connection);
        Assert.Equal("ok", client.Execute("var before = 1;").Status);
        var run = client.Execute("""
            using System.Threading;
            var worker = new Thread(() => throw new InvalidOperationException("boom on a worker")) { Name = "worker" };
            worker.Start();
            worker.Join();
            Console.WriteLine("joined");
            """);

        Assert.Equal("error", run.Status);
        Assert.Equal("System.InvalidOperationException", Text(run.Reply, "ename"));
        Assert.Equal("boom on a worker (unhandled on the thread 'worker' this cell started: that thread ended and this cell fails)", Text(run.Reply, "evalue"));
        Assert.Equal(2, run.Reply.Content["execution_count"]!.GetValue<int>());
        var error = Assert.Single(run.Of("error"));
        Assert.Equal("System.InvalidOperationException", Text(error, "ename"));
        Assert.Equal("joined\n", run.Stdout);
        // The thread ended, not the process: the session and its variables are still there.
        var next = client.Execute("before + 1");
        Assert.Equal("ok", next.Status);
        Assert.Equal("2", next.ResultText);
    }

    [Fact]
    public void An_exception_on_a_thread_after_its_cell_finished_is_published_with_that_cell_as_parent_and_the_kernel_goes_on()
    {
        using var kernel = new KernelProcess();
        using var client = new KernelClient(kernel.Connection);
        var run = client.Execute("""
            using System.Threading;
            new Thread(() => { Thread.Sleep(500); throw new FormatException("late failure"); }).Start();
            "started"
            """);
        Assert.Equal("ok", run.Status);
        string id = run.Reply.ParentHeader["msg_id"]!.GetValue<string>();

        var late = new List<JupyterMessage>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < KernelClient.Timeout && !late.Any(m => m.MsgType == "error"))
        {
            var msg = client.TryReceiveIopub(TimeSpan.FromSeconds(1));
            if (msg is not null && msg.ParentHeader["msg_id"]?.GetValue<string>() == id) late.Add(msg);
        }
        var error = Assert.Single(late, m => m.MsgType == "error");
        Assert.Equal("System.FormatException", Text(error, "ename"));
        Assert.Contains("late failure (unhandled on a thread this cell started, after the cell had finished", Text(error, "evalue"));
        var stderr = Assert.Single(late, m => m.MsgType == "stream");
        Assert.Contains("System.FormatException: late failure", Text(stderr, "text"));
        Assert.Equal("2", client.Execute("1 + 1").ResultText);
    }

    [Fact]
    public void An_exception_on_a_thread_no_cell_owns_is_the_running_cells_error_reply_before_the_process_ends()
    {
        using var kernel = new KernelProcess();
        using var client = new KernelClient(kernel.Connection);
        // With the execution context's flow suppressed the thread belongs to no cell: .NET ends the process.
        var run = client.Execute("""
            using System.Threading;
            using (ExecutionContext.SuppressFlow())
                new Thread(() => throw new InvalidOperationException("nobody's thread")) { Name = "loose" }.Start();
            Thread.Sleep(60_000);
            """);

        Assert.Equal("error", run.Status);
        Assert.Equal("System.InvalidOperationException", Text(run.Reply, "ename"));
        string evalue = Text(run.Reply, "evalue");
        Assert.Contains("nobody's thread", evalue);
        Assert.Contains("unhandled on the background thread 'loose' while this cell ran", evalue);
        Assert.Contains(".NET ends the process", evalue);
        Assert.Single(run.Of("error"));
        Assert.Contains("System.InvalidOperationException: nobody's thread (unhandled on the background thread 'loose') while cell [1] ran", run.Stderr);
        Assert.NotEqual(0, kernel.WaitForExit());
    }

    [Fact]
    public void A_stack_overflow_ends_the_kernel_process_at_once_without_a_reply_as_documented()
    {
        using var kernel = new KernelProcess();
        using var client = new KernelClient(kernel.Connection);
        string id = client.Send(client.Shell, "execute_request", new JsonObject { ["code"] = "int Down(int n) => Down(n + 1) + 1;\nDown(0)", ["silent"] = false });

        Assert.NotEqual(0, kernel.WaitForExit());
        Assert.Contains("Stack overflow.", kernel.Stderr);
        Assert.Null(client.TryReceive(client.Shell, TimeSpan.FromSeconds(1)));
        Assert.NotEmpty(id);
    }

    [Fact]
    public void The_runner_names_the_notebook_and_cell_that_called_Environment_Exit()
    {
        var r = RunNotebook("Environment.Exit(4);");
        Assert.Equal(4, r.Result.ExitCode);
        Assert.Contains("p2pflex: ends.ipynb: cell 2 (code cell 2/3, id 'ender'): Environment.Exit(4) was called while it ran; "
            + "the process ends now and writes no executed notebook or report of this run", r.Result.Output);
        Assert.False(r.PublishedReport, "a run that ended the process published a report");
    }

    [Fact]
    public void In_the_runner_an_exception_on_a_thread_a_cell_started_fails_that_cell()
    {
        var r = RunNotebook("var worker = new Thread(() => throw new InvalidOperationException(\"boom\")) { Name = \"worker\" };\nworker.Start();\nworker.Join();");
        Assert.Equal(1, r.Result.ExitCode);
        Assert.Contains("FAILED at cell 2 (code cell 2/3, id 'ender')", r.Result.Output);
        Assert.Contains("System.InvalidOperationException: boom (unhandled on the thread 'worker' this cell started: that thread ended and this cell fails)", r.Result.Output);
        Assert.DoesNotContain("cell 3/3", r.Result.Output);
    }

    [Fact]
    public void In_the_runner_a_stack_overflow_ends_the_process_after_the_progress_line_that_names_the_cell()
    {
        var r = RunNotebook("int Down(int n) => Down(n + 1) + 1;\nDown(0)");
        Assert.NotEqual(0, r.Result.ExitCode);
        int overflow = r.Result.Output.IndexOf("Stack overflow.", StringComparison.Ordinal);
        Assert.True(overflow >= 0, "no 'Stack overflow.' in the output:\n" + r.Result.Output);
        string before = r.Result.Output[..overflow].TrimEnd();
        Assert.EndsWith("ends.ipynb  cell 2/3 …", before);
        Assert.False(r.PublishedReport);
    }

    private sealed record NotebookRun(JupyterToolsTests.ProcessResult Result, bool PublishedReport);

    /// <summary>Runs a notebook of three cells, the second ending in <paramref name="code"/>, through the CLI's runner.</summary>
    private static NotebookRun RunNotebook(string code)
    {
        var dir = Directory.CreateTempSubdirectory("p2pflex-death-");
        try
        {
            var nb = new JsonObject
            {
                ["nbformat"] = 4,
                ["nbformat_minor"] = 5,
                ["metadata"] = new JsonObject(),
                ["cells"] = new JsonArray(
                    Cell("first", "using System.Threading;\nvar x = 1;"),
                    Cell("ender", "Console.WriteLine(\"going\");\n" + code),
                    Cell("never", "x")),
            };
            string path = Path.Combine(dir.FullName, "ends.ipynb");
            File.WriteAllText(path, nb.ToJsonString());
            string outDir = Path.Combine(dir.FullName, "out");
            var r = JupyterToolsTests.Run("dotnet", [Cli, "notebooks", "run", path, "--out", outDir], new Dictionary<string, string>(), TimeSpan.FromSeconds(120));
            return new NotebookRun(r, File.Exists(Path.Combine(outDir, "index.html")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static JsonObject Cell(string id, string source) => new()
    {
        ["cell_type"] = "code",
        ["id"] = id,
        ["metadata"] = new JsonObject(),
        ["execution_count"] = null,
        ["outputs"] = new JsonArray(),
        ["source"] = source,
    };
}
