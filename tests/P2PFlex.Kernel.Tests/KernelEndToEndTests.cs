using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;
using P2PFlex.Kernel;
using P2PFlex.Notebooks;

namespace P2PFlex.Kernel.Tests;

/// <summary>The kernel in this process on loopback, driven over NetMQ like a Jupyter client would.</summary>
public class KernelEndToEndTests
{
    private static string S(JsonNode? n) => n?.GetValue<string>() ?? "";

    [Fact]
    public void Kernel_info_reply_describes_the_csharp_kernel_with_busy_and_idle_on_iopub()
    {
        using var k = new KernelClient();
        string id = k.Send(k.Shell, "kernel_info_request", new JsonObject());
        var reply = k.ReceiveReply(k.Shell, id);
        var iopub = k.IopubFor(id);

        Assert.Equal("kernel_info_reply", reply.MsgType);
        Assert.Equal("5.3", S(reply.Content["protocol_version"]));
        Assert.Equal("p2pflex", S(reply.Content["implementation"]));
        Assert.Equal("C#", S(reply.Content["language_info"]!["name"]));
        Assert.Equal(".cs", S(reply.Content["language_info"]!["file_extension"]));
        Assert.Equal(id, S(reply.ParentHeader["msg_id"]));
        Assert.Equal(["busy", "idle"], iopub.Where(m => m.MsgType == "status").Select(m => S(m.Content["execution_state"])));
        Assert.StartsWith("127.0.0.1", k.Connection.Ip);
    }

    [Fact]
    public void Execute_publishes_input_results_streams_and_errors_and_keeps_variables()
    {
        using var k = new KernelClient();

        var two = k.Execute("1+1");
        Assert.Equal("ok", two.Status);
        Assert.Equal(1, two.Reply.Content["execution_count"]!.GetValue<int>());
        Assert.Equal(["status", "execute_input", "execute_result", "status"], two.Iopub.Select(m => m.MsgType));
        Assert.Equal("busy", S(two.Iopub[0].Content["execution_state"]));
        Assert.Equal("1+1", S(two.Iopub[1].Content["code"]));
        Assert.Equal("2", two.ResultText);
        Assert.Contains("text/html", two.Of("execute_result").Single().Content["data"]!.AsObject().Select(p => p.Key));
        Assert.Equal("idle", S(two.Iopub[^1].Content["execution_state"]));

        var printed = k.Execute("Console.WriteLine(\"hello from C#\"); Console.Error.WriteLine(\"to stderr\"); var prices = new[] { 40.0, 55.5 };");
        Assert.Equal("ok", printed.Status);
        Assert.Equal("hello from C#\n", printed.Stdout);
        Assert.Equal("to stderr\n", printed.Stderr);
        Assert.Empty(printed.Of("execute_result"));

        var persisted = k.Execute("prices.Sum()");
        Assert.Equal("95.5", persisted.ResultText);
        Assert.Equal(3, persisted.Reply.Content["execution_count"]!.GetValue<int>());

        var compileError = k.Execute("int y = \"not an int\";");
        Assert.Equal("error", compileError.Status);
        Assert.Equal("CompilationError", S(compileError.Reply.Content["ename"]));
        var error = Assert.Single(compileError.Of("error"));
        Assert.Contains("CS0029", S(error.Content["evalue"]));
        Assert.NotEmpty(error.Content["traceback"]!.AsArray());

        var thrown = k.Execute("throw new InvalidOperationException(\"boom\");");
        Assert.Equal("error", thrown.Status);
        Assert.Equal("System.InvalidOperationException", S(Assert.Single(thrown.Of("error")).Content["ename"]));

        // Failed cells leave the session usable and its variables intact.
        Assert.Equal("2", k.Execute("prices.Length").ResultText);

        var shown = k.Execute("display(HTML(\"<b>bold</b>\")); display(prices.Max());");
        var displays = shown.Of("display_data").ToList();
        Assert.Equal(2, displays.Count);
        Assert.Equal("<b>bold</b>", S(displays[0].Content["data"]!["text/html"]));
        Assert.Equal("55.5", S(displays[1].Content["data"]!["text/plain"]));
    }

    [Fact]
    public void Cells_share_the_runners_preprocessing_and_formatters()
    {
        using var k = new KernelClient();
        var nuget = k.Execute("#r \"nuget: Deedle, 8.1.0\"\nvar f = Frame.FromColumns(new Dictionary<string, Series<int, double>> { [\"kW\"] = new Series<int, double>(new[] { 1, 2 }, new[] { 3.0, 4.0 }) });\nf");
        Assert.Equal("ok", nuget.Status);
        Assert.Contains("<table", S(nuget.Of("execute_result").Single().Content["data"]!["text/html"]));

        var unknown = k.Execute("#r \"nuget: Some.Unknown.Package\"");
        Assert.Equal("error", unknown.Status);
        Assert.Equal("UnsupportedDirective", S(unknown.Reply.Content["ename"]));
        Assert.Contains("needs an exact version", S(unknown.Reply.Content["evalue"]));

        // A package beyond the preloaded ones is restored through NuGet (issue 20), as in the runner.
        var restored = k.Execute("#r \"nuget: Pluralize.NET, 1.0.2\"\nvar words = new Pluralize.NET.Pluralizer();\nwords.Pluralize(\"battery\")");
        Assert.Equal("ok", restored.Status);
        Assert.Equal("batteries", restored.ResultText);
        Assert.Equal("feeders", k.Execute("words.Pluralize(\"feeder\")").ResultText);

        var chart = k.Execute("Plotly.NET.CSharp.Chart.Line<int, int, string>(x: new[] { 1, 2 }, y: new[] { 3, 4 })");
        Assert.Equal("ok", chart.Status);
        var data = chart.Of("execute_result").Single().Content["data"]!;
        Assert.Contains("Plotly.newPlot", S(data["text/html"]));
        // The forms of the runner's executed notebooks (needs the system Chromium, environment/install.sh): the figure
        // for JupyterLab and VS Code, an SVG for static viewers, a WebP picture in the HTML for pages without JavaScript.
        Assert.Equal([3, 4], data["application/vnd.plotly.v1+json"]!["data"]![0]!["y"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal("", chart.Stderr);
        Assert.StartsWith("<svg", S(data["image/svg+xml"]));
        Assert.Contains("class=\"main-svg\"", S(data["image/svg+xml"]));
        Assert.Contains("<img alt=\"chart\"", S(data["text/html"]));
        Assert.Contains("src=\"data:image/webp;base64,", S(data["text/html"]));
        var metadata = chart.Of("execute_result").Single().Content["metadata"]!["image/svg+xml"]!;
        Assert.True(metadata["width"]!.GetValue<int>() > 0 && metadata["height"]!.GetValue<int>() > 0);
    }

    [Fact]
    public void Without_a_browser_the_first_chart_says_once_that_its_static_pictures_are_skipped()
    {
        // The shared browser is the process's: the test does not stop it, it draws with a browser that is not there.
        int tries = 0;
        var pictures = new KernelChartPictures(enabled: true, TextWriter.Null, _ =>
        {
            tries++;
            ChromiumLocator.Find("/nonexistent/chromium");
            return true;
        });
        var first = Chart();
        string? message = pictures.Add(first);
        Assert.NotNull(message);
        Assert.StartsWith("[p2pflex kernel] static chart pictures skipped", message);
        Assert.Contains("/nonexistent/chromium", message);
        Assert.False(first.Data.Contains("image/svg+xml"));
        Assert.Contains("Plotly.newPlot", first.Data.GetText("text/html"));   // the interactive forms stay
        var second = Chart();
        Assert.Null(pictures.Add(second));                                    // said once; no second try
        Assert.Equal(1, tries);
        Assert.False(second.Data.Contains("image/svg+xml"));
        Assert.Null(new KernelChartPictures(enabled: false, TextWriter.Null).Add(Chart()));

        static DisplayDataOutput Chart() => new(NotebookFormatters.ToBundle(Plotly.NET.CSharp.Chart.Line<int, int, string>(x: new[] { 1, 2 }, y: new[] { 3, 4 })));
    }

    [Fact]
    public void Is_complete_complete_and_inspect()
    {
        using var k = new KernelClient();
        Assert.Equal("incomplete", S(k.Request("is_complete_request", new JsonObject { ["code"] = "var x = (" }).Content["status"]));
        Assert.Equal("incomplete", S(k.Request("is_complete_request", new JsonObject { ["code"] = "if (true) {" }).Content["status"]));
        Assert.Equal("complete", S(k.Request("is_complete_request", new JsonObject { ["code"] = "var x = 1;" }).Content["status"]));

        var console = k.Request("complete_request", new JsonObject { ["code"] = "Console.Wri", ["cursor_pos"] = 11 }).Content;
        Assert.Equal(["Write", "WriteLine"], console["matches"]!.AsArray().Select(S).OrderBy(s => s));
        Assert.Equal(8, console["cursor_start"]!.GetValue<int>());
        Assert.Equal(11, console["cursor_end"]!.GetValue<int>());

        k.Execute("var myPrices = new List<double> { 1 };");
        var scope = k.Request("complete_request", new JsonObject { ["code"] = "myPr", ["cursor_pos"] = 4 }).Content;
        Assert.Equal(["myPrices"], scope["matches"]!.AsArray().Select(S));
        var members = k.Request("complete_request", new JsonObject { ["code"] = "myPrices.Ad", ["cursor_pos"] = 11 }).Content;
        Assert.Contains("Add", members["matches"]!.AsArray().Select(S));
        Assert.Contains("AddRange", members["matches"]!.AsArray().Select(S));
        var globals = k.Request("complete_request", new JsonObject { ["code"] = "disp", ["cursor_pos"] = 4 }).Content;
        Assert.Contains("display", globals["matches"]!.AsArray().Select(S));

        var found = k.Request("inspect_request", new JsonObject { ["code"] = "myPrices", ["cursor_pos"] = 3, ["detail_level"] = 0 }).Content;
        Assert.True(found["found"]!.GetValue<bool>());
        Assert.Contains("List<double>", S(found["data"]!["text/plain"]));
        var missing = k.Request("inspect_request", new JsonObject { ["code"] = "   ", ["cursor_pos"] = 1, ["detail_level"] = 0 }).Content;
        Assert.False(missing["found"]!.GetValue<bool>());
        Assert.Equal("ok", S(missing["status"]));
    }

    [Fact]
    public void Mis_signed_unsigned_and_replayed_requests_are_dropped_and_never_executed()
    {
        using var k = new KernelClient();
        var attacker = new MessageSigner("not the kernel's key");
        var content = new JsonObject { ["code"] = "var hacked = 1; Console.WriteLine(\"pwned\");", ["silent"] = false };
        string bad = k.Send(k.Shell, "execute_request", (JsonObject)content.DeepClone(), attacker);
        string unsigned = k.Send(k.Shell, "execute_request", (JsonObject)content.DeepClone(), new MessageSigner(""));
        string onControl = k.Send(k.Control, "execute_request", (JsonObject)content.DeepClone(), attacker);

        Assert.Null(k.TryReceive(k.Shell, TimeSpan.FromSeconds(1.5)));
        Assert.Null(k.TryReceive(k.Control, TimeSpan.FromMilliseconds(200)));
        for (JupyterMessage? m; (m = k.TryReceiveIopub(TimeSpan.FromMilliseconds(200))) is not null;)
            Assert.DoesNotContain(S(m.ParentHeader["msg_id"]), new[] { bad, unsigned, onControl });
        Assert.Equal(3, k.Kernel.DroppedMessages);
        Assert.Contains("bad signature", k.Log.ToString());
        Assert.Contains("unsigned", k.Log.ToString());

        // A replay of a valid message is dropped too.
        var valid = k.Create("execute_request", new JsonObject { ["code"] = "var counter = 1;" });
        var frames = valid.ToFrames(k.Signer);
        k.Shell.SendMultipartMessage(frames);
        k.ReceiveReply(k.Shell, valid.MsgId);
        k.IopubFor(valid.MsgId);
        k.Shell.SendMultipartMessage(valid.ToFrames(k.Signer));   // same header → same signature
        Assert.Null(k.TryReceive(k.Shell, TimeSpan.FromSeconds(1)));
        Assert.Equal(4, k.Kernel.DroppedMessages);
        Assert.Contains("replayed", k.Log.ToString());

        var check = k.Execute("hacked");
        Assert.Equal("error", check.Status);
        Assert.Contains("CS0103", S(check.Reply.Content["evalue"]));
        Assert.Equal("1", k.Execute("counter").ResultText);
    }

    [Fact]
    public void Control_channel_never_executes_code()
    {
        using var k = new KernelClient();
        string id = k.Send(k.Control, "execute_request", new JsonObject { ["code"] = "var viaControl = 1;" });
        Assert.Null(k.TryReceive(k.Control, TimeSpan.FromMilliseconds(800)));
        Assert.Contains("ignored execute_request on the control channel", k.Log.ToString());
        Assert.Contains("CS0103", S(k.Execute("viaControl").Reply.Content["evalue"]));
        _ = id;
    }

    [Fact]
    public void Interrupt_cancels_a_cell_that_observes_cancellation_and_reports_one_that_does_not()
    {
        using var k = new KernelClient(new KernelOptions { InterruptGrace = TimeSpan.FromMilliseconds(300) });
        string id = k.Send(k.Shell, "execute_request", new JsonObject
        {
            ["code"] = "Console.WriteLine(\"started\"); while (true) { CancellationToken.ThrowIfCancellationRequested(); System.Threading.Thread.Sleep(10); }",
        });
        WaitForStdout(k, id, "started");
        var interrupt = k.Request("interrupt_request", new JsonObject(), control: true);
        Assert.Equal("interrupt_reply", interrupt.MsgType);
        var reply = k.ReceiveReply(k.Shell, id);
        Assert.Equal("error", S(reply.Content["status"]));
        Assert.Equal("Interrupted", S(reply.Content["ename"]));
        k.IopubFor(id);

        // A cell that ignores the token runs to its end; the kernel says so on stderr.
        string stubborn = k.Send(k.Shell, "execute_request", new JsonObject { ["code"] = "Console.WriteLine(\"started\"); System.Threading.Thread.Sleep(1500); 7" });
        WaitForStdout(k, stubborn, "started");
        k.Request("interrupt_request", new JsonObject(), control: true);
        var stubbornReply = k.ReceiveReply(k.Shell, stubborn);
        var output = k.IopubFor(stubborn);
        Assert.Equal("ok", S(stubbornReply.Content["status"]));
        Assert.Contains(output, m => m.MsgType == "stream" && S(m.Content["text"]).Contains("does not observe cancellation"));

        Assert.Equal("ok", k.Execute("var after = 1;").Status);
    }

    private static void WaitForStdout(KernelClient k, string requestId, string text)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < KernelClient.Timeout)
        {
            var m = k.TryReceiveIopub(TimeSpan.FromSeconds(1));
            if (m is not null && m.MsgType == "stream" && S(m.ParentHeader["msg_id"]) == requestId && S(m.Content["text"]).Contains(text)) return;
        }
        throw new TimeoutException($"no '{text}' on stdout");
    }

    [Fact]
    public void After_an_error_queued_executions_are_aborted_when_stop_on_error()
    {
        using var k = new KernelClient();
        string failing = k.Send(k.Shell, "execute_request", new JsonObject { ["code"] = "System.Threading.Thread.Sleep(300); throw new Exception(\"x\");" });
        string queued = k.Send(k.Shell, "execute_request", new JsonObject { ["code"] = "var ranAnyway = 1;" });
        Assert.Equal("error", S(k.ReceiveReply(k.Shell, failing).Content["status"]));
        Assert.Equal("aborted", S(k.ReceiveReply(k.Shell, queued).Content["status"]));
        Assert.Contains("CS0103", S(k.Execute("ranAnyway").Reply.Content["evalue"]));
    }

    [Fact]
    public void Heartbeat_echoes()
    {
        using var k = new KernelClient();
        using var hb = new RequestSocket();
        hb.Options.Linger = TimeSpan.Zero;
        hb.Connect(k.Connection.Endpoint(k.Connection.HeartbeatPort));
        hb.SendFrame("ping");
        Assert.True(hb.TryReceiveFrameString(TimeSpan.FromSeconds(5), out var echo));
        Assert.Equal("ping", echo);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Shutdown_replies_with_the_restart_flag_and_stops_the_kernel(bool restart)
    {
        using var k = new KernelClient();
        string id = k.Send(k.Control, "shutdown_request", new JsonObject { ["restart"] = restart });
        var reply = k.ReceiveReply(k.Control, id);
        Assert.Equal("shutdown_reply", reply.MsgType);
        Assert.Equal(restart, reply.Content["restart"]!.GetValue<bool>());
        await k.Kernel.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(restart, k.Kernel.RestartRequested);
        // The shell socket is closed: nothing answers any more.
        k.Send(k.Shell, "kernel_info_request", new JsonObject());
        Assert.Null(k.TryReceive(k.Shell, TimeSpan.FromMilliseconds(500)));
    }
}

/// <summary>stdin (input_request/input_reply) and display updates.</summary>
public class KernelStdinAndDisplayTests
{
    private static string S(JsonNode? n) => n?.GetValue<string>() ?? "";

    [Fact]
    public void Console_ReadLine_asks_the_frontend_through_input_request()
    {
        var identity = System.Text.Encoding.UTF8.GetBytes("client-" + Guid.NewGuid().ToString("N"));
        using var k = new KernelClient(identity: identity);
        using var stdin = new DealerSocket();
        stdin.Options.Identity = identity;
        stdin.Options.Linger = TimeSpan.Zero;
        stdin.Connect(k.Connection.Endpoint(k.Connection.StdinPort));

        string id = k.Send(k.Shell, "execute_request", new JsonObject
        {
            ["code"] = "Console.Write(\"name? \"); var name = Console.ReadLine(); $\"hello {name}\"",
            ["allow_stdin"] = true,
        });
        var request = k.TryReceive(stdin, KernelClient.Timeout);
        Assert.NotNull(request);
        Assert.Equal("input_request", request.MsgType);
        Assert.Equal(id, S(request.ParentHeader["msg_id"]));
        stdin.SendMultipartMessage(k.Create("input_reply", new JsonObject { ["value"] = "Ada" }).ToFrames(k.Signer));
        var reply = k.ReceiveReply(k.Shell, id);
        var iopub = k.IopubFor(id);
        Assert.Equal("ok", S(reply.Content["status"]));
        Assert.Equal("hello Ada", S(iopub.Single(m => m.MsgType == "execute_result").Content["data"]!["text/plain"]));
        Assert.Contains(iopub, m => m.MsgType == "stream" && S(m.Content["text"]) == "name? ");

        // A frontend that does not allow stdin (nbconvert) gets an error, not a hang.
        var refused = k.Execute("Console.ReadLine()", allowStdin: false);
        Assert.Equal("error", refused.Status);
        Assert.Contains("allow_stdin", S(refused.Reply.Content["evalue"]));
    }

    [Fact]
    public void Stdin_connected_only_after_the_cell_asked_still_gets_the_input_request()
    {
        // The frontend connects stdin only once the prompt is on iopub, i.e. after the kernel first tried to send the
        // request: without mandatory routing and a retry, the ROUTER drops it and the cell waits forever.
        var identity = System.Text.Encoding.UTF8.GetBytes("late-" + Guid.NewGuid().ToString("N"));
        using var k = new KernelClient(identity: identity);
        string id = k.Send(k.Shell, "execute_request", new JsonObject
        {
            ["code"] = "Console.Write(\"name? \"); var name = Console.ReadLine(); $\"hello {name}\"",
            ["allow_stdin"] = true,
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var m = k.TryReceiveIopub(KernelClient.Timeout - clock.Elapsed);
            Assert.NotNull(m);
            if (m.MsgType == "stream" && S(m.Content["text"]) == "name? ") break;
        }

        System.Threading.Thread.Sleep(200);
        using var stdin = new DealerSocket();
        stdin.Options.Identity = identity;
        stdin.Options.Linger = TimeSpan.Zero;
        stdin.Connect(k.Connection.Endpoint(k.Connection.StdinPort));
        var request = k.TryReceive(stdin, KernelClient.Timeout);
        Assert.NotNull(request);
        Assert.Equal("input_request", request.MsgType);
        stdin.SendMultipartMessage(k.Create("input_reply", new JsonObject { ["value"] = "Grace" }).ToFrames(k.Signer));
        var reply = k.ReceiveReply(k.Shell, id);
        Assert.Equal("ok", S(reply.Content["status"]));
    }

    [Fact]
    public void Stdin_never_connected_fails_the_cell_instead_of_hanging()
    {
        using var k = new KernelClient();
        var run = k.Execute("Console.ReadLine()", allowStdin: true);
        Assert.Equal("error", run.Status);
        Assert.Contains("no frontend is connected to the kernel's stdin channel", S(run.Reply.Content["evalue"]));
    }

    [Fact]
    public void Display_update_in_a_running_cell_becomes_update_display_data()
    {
        using var k = new KernelClient();
        var run = k.Execute("var shown = display(\"step 1\"); System.Threading.Thread.Sleep(300); shown.Update(\"step 2\");");
        Assert.Equal("ok", run.Status);
        var first = run.Of("display_data").Single();
        string displayId = S(first.Content["transient"]!["display_id"]);
        Assert.NotEmpty(displayId);
        Assert.Equal("step 1", S(first.Content["data"]!["text/plain"]));
        var update = run.Of("update_display_data").Single();
        Assert.Equal(displayId, S(update.Content["transient"]!["display_id"]));
        Assert.Equal("step 2", S(update.Content["data"]!["text/plain"]));
    }
}
