using System.Diagnostics;
using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;
using P2PFlex.Notebooks;

namespace P2PFlex.Kernel;

/// <summary>How to run a kernel.</summary>
public sealed class KernelOptions
{
    /// <summary>Where the kernel's own messages go (dropped messages, warnings). Default: the process's stderr.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>The folder relative <c>#r</c>/<c>#load</c> paths resolve against. Default: the current directory (Jupyter starts kernels in the notebook's folder).</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Put plotly.js into the session's first chart output (once), so charts render offline. Default true.</summary>
    public bool EmbedPlotlyJs { get; init; } = true;

    /// <summary>A process whose exit stops the kernel (Jupyter sets <c>JPY_PARENT_PID</c>): no orphaned kernels.</summary>
    public int? ParentProcessId { get; init; }

    /// <summary>After an interrupt, how long a cell may keep running before the kernel says it does not observe cancellation.</summary>
    public TimeSpan InterruptGrace { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// A Jupyter kernel for C# (messaging protocol 5.3 over ZeroMQ, with NetMQ) around the notebook runner's script
/// session. Threads: heartbeat (REP, echoes), shell (ROUTER: execute, is_complete, complete, inspect, kernel_info,
/// comm_info, history, shutdown), control (ROUTER, its own thread so interrupt and shutdown are answered while a cell
/// runs), iopub (PUB, shared under a lock: status, execute_input, stream, display_data/update_display_data,
/// execute_result, error) and stdin (ROUTER: <c>Console.ReadLine()</c> in a cell sends <c>input_request</c> when the
/// request allows stdin, see <see cref="KernelStdin"/>). Cell output is published while the cell runs (every 0.1 s).
/// <para>
/// Security: every socket binds only to the connection file's ip; when a key is set every incoming message's
/// HMAC-SHA256 signature is checked and a message with a missing or wrong signature, or a replayed one, is dropped
/// (logged, never acted on). Code is executed only from <c>execute_request</c> on the shell channel; iopub is
/// publish-only and control never executes code.
/// </para>
/// </summary>
public sealed class JupyterKernel : IDisposable
{
    public const string ImplementationName = "p2pflex";

    private readonly ConnectionInfo _requested;
    private readonly KernelOptions _options;
    private readonly TextWriter _log;
    private readonly MessageSigner _signer;
    private readonly string _session = Guid.NewGuid().ToString("N");
    private readonly object _iopubLock = new();
    private readonly object _stateLock = new();
    private readonly HashSet<string> _seenSignatures = new(StringComparer.Ordinal);
    private readonly Queue<string> _seenOrder = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private KernelScriptSession? _script;
    private RouterSocket? _shell, _control, _stdin;
    private PublisherSocket? _iopub;
    private ResponseSocket? _heartbeat;
    private readonly List<Thread> _threads = new();
    private volatile bool _stopping;
    private int _executionCount;
    private CancellationTokenSource? _running;
    private int _dropped;
    private readonly KernelHistory _history = new();
    private readonly object _stdinLock = new();

    public JupyterKernel(ConnectionInfo connection, KernelOptions? options = null)
    {
        _requested = connection;
        _options = options ?? new KernelOptions();
        // Taken now: the notebook runner later routes Console.Error to the running cell.
        _log = _options.Log ?? Console.Error;
        _signer = new MessageSigner(connection.Key);
        Connection = connection;
    }

    /// <summary>The connection with the ports actually bound (differs from the file's where it said 0).</summary>
    public ConnectionInfo Connection { get; private set; }

    /// <summary>Completes when the kernel has stopped (after a shutdown request, <see cref="Stop"/>, or its parent's exit).</summary>
    public Task Completion => _stopped.Task;

    /// <summary>True when the shutdown request asked for a restart (the frontend then starts a new kernel process).</summary>
    public bool RestartRequested { get; private set; }

    /// <summary>Largest frame a client may send (64 MiB): far above any request a front-end sends (code, completions,
    /// comm messages), checked by ZeroMQ before the frame is read into memory.</summary>
    public const long MaxFrameBytes = 64L * 1024 * 1024;

    /// <summary>How many incoming messages were dropped (bad or missing signature, replay, malformed).</summary>
    public int DroppedMessages => Volatile.Read(ref _dropped);

    /// <summary>The protocol's kernel_info_reply content.</summary>
    public static JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = ImplementationName,
        ["implementation_version"] = typeof(JupyterKernel).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
        ["language_info"] = new JsonObject
        {
            ["name"] = "C#",
            ["version"] = "14.0",
            ["mimetype"] = "text/x-csharp",
            ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp",
            ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = "P2PFlex C# — Roslyn C# script with the P2PFlex library, Plotly.NET, Deedle, MathNet and OR-Tools preloaded "
            + $"(.NET {Environment.Version}). display(x) shows a value; long cells can observe CancellationToken to be interruptible.",
        ["help_links"] = new JsonArray(),
        ["debugger"] = false,
    };

    /// <summary>Binds the sockets and starts serving. Returns once the kernel is reachable.</summary>
    public void Start()
    {
        if (!_requested.IsLoopback)
            _log.WriteLine($"p2pflex kernel: warning: binding to {_requested.Ip}, which is not a loopback address: other machines can reach this kernel");
        if (!_signer.Enabled)
            _log.WriteLine("p2pflex kernel: warning: the connection file has no key: messages are not authenticated");
        _script = new KernelScriptSession(_options.BaseDirectory ?? Directory.GetCurrentDirectory(), _options.EmbedPlotlyJs);

        _shell = new RouterSocket();
        _control = new RouterSocket();
        _stdin = new RouterSocket();
        // A ROUTER silently drops a message to a peer it does not know yet; mandatory routing makes that an error, so
        // ReadInput can wait for the frontend's stdin connection instead of waiting forever for an unsent request.
        _stdin.Options.RouterMandatory = true;
        _iopub = new PublisherSocket();
        _heartbeat = new ResponseSocket();
        try
        {
            Connection = _requested with
            {
                ShellPort = Bind(_shell, _requested.ShellPort, "shell"),
                ControlPort = Bind(_control, _requested.ControlPort, "control"),
                StdinPort = Bind(_stdin, _requested.StdinPort, "stdin"),
                IOPubPort = Bind(_iopub, _requested.IOPubPort, "iopub"),
                HeartbeatPort = Bind(_heartbeat, _requested.HeartbeatPort, "heartbeat"),
            };
        }
        catch
        {
            foreach (var s in new NetMQSocket?[] { _shell, _control, _stdin, _iopub, _heartbeat }) s?.Dispose();
            throw;
        }

        StartThread("heartbeat", HeartbeatLoop);
        StartThread("control", () => ServeLoop(_control, "control", HandleControl));
        StartThread("shell", () => ServeLoop(_shell, "shell", HandleShell));
        if (_options.ParentProcessId is int ppid) StartThread("parent-watch", () => WatchParent(ppid));
    }

    /// <summary>Warms Roslyn up (the first cell otherwise takes about a second longer) without touching the session.</summary>
    public void WarmUp()
    {
        try
        {
            _ = KernelScriptSession.IsComplete("1");
            Microsoft.CodeAnalysis.CSharp.Scripting.CSharpScript.EvaluateAsync<int>("1").GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            _log.WriteLine($"p2pflex kernel: warm-up failed: {e.Message}");
        }
    }

    /// <summary>Stops serving: cancels a running cell, ends the threads and closes the sockets.</summary>
    public void Stop()
    {
        if (_stopping) return;
        _stopping = true;
        lock (_stateLock) _running?.Cancel();
        var self = Thread.CurrentThread;
        foreach (var t in _threads.Where(t => t != self)) t.Join(TimeSpan.FromSeconds(2));
        lock (_iopubLock)
        {
            foreach (var s in new NetMQSocket?[] { _shell, _control, _stdin, _iopub, _heartbeat })
            {
                try { s?.Dispose(); } catch (Exception e) when (e is ObjectDisposedException or NetMQException) { }
            }
        }
        _stopped.TrySetResult();
    }

    public void Dispose() => Stop();

    /// <summary>Binds one channel; a port already in use or an address that cannot be bound is an
    /// <see cref="InvalidOperationException"/> naming the channel and the endpoint (the CLI exits 1 with it).</summary>
    private int Bind(NetMQSocket socket, int port, string channel)
    {
        socket.Options.Linger = TimeSpan.Zero;
        // ZeroMQ's ZMQ_MAXMSGSIZE: a frame announcing more bytes than this disconnects its sender as soon as the
        // frame's length header is read, before the frame is buffered or its signature computed (issue 22: a 256 MiB
        // message with a wrong signature raised the kernel's memory by 512 MiB).
        socket.Options.MaxMsgSize = MaxFrameBytes;
        if (_requested.Ip.Contains(':')) socket.Options.IPv4Only = false;
        string endpoint = port == 0 ? $"{_requested.Transport}://{_requested.HostPart}" : _requested.Endpoint(port);
        try
        {
            if (port == 0) return socket.BindRandomPort(endpoint);
            socket.Bind(endpoint);
            return port;
        }
        catch (AddressAlreadyInUseException)
        {
            throw new InvalidOperationException($"cannot start the kernel: the {channel} port {port} on {_requested.Ip} is already in use ({endpoint}); "
                + "another kernel or program holds it: free it or let Jupyter write a new connection file");
        }
        catch (NetMQException e)
        {
            throw new InvalidOperationException($"cannot start the kernel: the {channel} channel cannot bind {endpoint}: {e.Message}");
        }
    }

    private void StartThread(string name, Action body)
    {
        var t = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) when (_stopping && e is ObjectDisposedException or NetMQException or TerminatingException) { }
            catch (Exception e) { _log.WriteLine($"p2pflex kernel: {name} thread failed: {e}"); }
        })
        { IsBackground = true, Name = "p2pflex-kernel-" + name };
        _threads.Add(t);
        t.Start();
    }

    private void HeartbeatLoop()
    {
        var msg = new NetMQMessage();
        while (!_stopping)
        {
            if (!_heartbeat!.TryReceiveMultipartMessage(TimeSpan.FromMilliseconds(100), ref msg)) continue;
            _heartbeat!.SendMultipartMessage(msg);
        }
    }

    private void WatchParent(int pid)
    {
        while (!_stopping)
        {
            Thread.Sleep(1000);
            bool alive;
            try { using var p = Process.GetProcessById(pid); alive = !p.HasExited; }
            catch (ArgumentException) { alive = false; }
            catch (InvalidOperationException) { alive = false; }
            if (!alive && !_stopping)
            {
                _log.WriteLine($"p2pflex kernel: parent process {pid} has exited; stopping");
                ThreadPool.QueueUserWorkItem(_ => Stop());
                return;
            }
        }
    }

    private void ServeLoop(RouterSocket socket, string channel, Action<JupyterMessage> handle)
    {
        var frames = new NetMQMessage();
        while (!_stopping)
        {
            if (!socket.TryReceiveMultipartMessage(TimeSpan.FromMilliseconds(100), ref frames)) continue;
            var msg = Accept(frames, channel);
            if (msg is null) continue;
            try
            {
                handle(msg);
            }
            catch (Exception e) when (!_stopping)
            {
                _log.WriteLine($"p2pflex kernel: error handling {msg.MsgType} on {channel}: {e}");
            }
        }
    }

    /// <summary>Parses and authenticates a received message; null (logged, counted) when it must be dropped.</summary>
    private JupyterMessage? Accept(NetMQMessage frames, string channel)
    {
        var msg = JupyterMessage.Parse(frames, _signer, out var problem);
        if (msg is null)
        {
            Interlocked.Increment(ref _dropped);
            _log.WriteLine($"p2pflex kernel: dropped a message on {channel}: {problem}");
            return null;
        }
        if (_signer.Enabled)
        {
            // Replay protection, as jupyter_client's Session does: a signature seen before is a replayed message. The key
            // is the decoded digest, not the text, so the same signature in another letter case is still a replay.
            string raw = frames[msg.Identities.Count + 1].ConvertToString();
            string signature = MessageSigner.Digest(raw) ?? raw;
            lock (_seenSignatures)
            {
                if (!_seenSignatures.Add(signature))
                {
                    Interlocked.Increment(ref _dropped);
                    _log.WriteLine($"p2pflex kernel: dropped a replayed {msg.MsgType} on {channel}");
                    return null;
                }
                _seenOrder.Enqueue(signature);
                if (_seenOrder.Count > 65536) _seenSignatures.Remove(_seenOrder.Dequeue());
            }
        }
        return msg;
    }

    // ---------------------------------------------------------------- sending

    private void Reply(RouterSocket socket, JupyterMessage request, string msgType, JsonObject content, JsonObject? metadata = null)
    {
        var reply = JupyterMessage.Create(msgType, content, request, _session, request.Identities, metadata);
        if (_stopping && msgType != "shutdown_reply") return;
        socket.SendMultipartMessage(reply.ToFrames(_signer));
    }

    private void Publish(string msgType, JsonObject content, JupyterMessage? parent)
    {
        var msg = JupyterMessage.Create(msgType, content, parent, _session,
            [System.Text.Encoding.UTF8.GetBytes($"kernel.{_session}.{msgType}")]);
        lock (_iopubLock)
        {
            if (_iopub is null || (_stopping && msgType != "shutdown_reply" && msgType != "status")) return;
            try { _iopub.SendMultipartMessage(msg.ToFrames(_signer)); }
            catch (ObjectDisposedException) { }
        }
    }

    private void Status(string state, JupyterMessage parent) => Publish("status", new JsonObject { ["execution_state"] = state }, parent);

    // ---------------------------------------------------------------- control

    private void HandleControl(JupyterMessage msg)
    {
        Status("busy", msg);
        try
        {
            switch (msg.MsgType)
            {
                case "interrupt_request":
                    Interrupt();
                    Reply(_control!, msg, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                    break;
                case "shutdown_request":
                    Shutdown(_control!, msg);
                    return;
                case "kernel_info_request":
                    Reply(_control!, msg, "kernel_info_reply", KernelInfo());
                    break;
                default:
                    // Never execute (or complete, inspect…) anything that comes in on control.
                    _log.WriteLine($"p2pflex kernel: ignored {msg.MsgType} on the control channel");
                    break;
            }
        }
        finally
        {
            Status("idle", msg);
        }
    }

    /// <summary>Cancels the running cell's token (what an interrupt_request does).</summary>
    public void Interrupt()
    {
        lock (_stateLock) _running?.Cancel();
    }

    private void Shutdown(RouterSocket socket, JupyterMessage msg)
    {
        bool restart = msg.Content["restart"] is JsonValue v && v.TryGetValue<bool>(out bool r) && r;
        RestartRequested = restart;
        var content = new JsonObject { ["status"] = "ok", ["restart"] = restart };
        Reply(socket, msg, "shutdown_reply", content);
        Publish("shutdown_reply", (JsonObject)content.DeepClone(), msg);
        ThreadPool.QueueUserWorkItem(_ => Stop());
    }

    // ---------------------------------------------------------------- shell

    private void HandleShell(JupyterMessage msg)
    {
        if (msg.MsgType == "shutdown_request")
        {
            Status("busy", msg);
            Shutdown(_shell!, msg);
            Status("idle", msg);
            return;
        }
        Status("busy", msg);
        try
        {
            switch (msg.MsgType)
            {
                case "kernel_info_request":
                    Reply(_shell!, msg, "kernel_info_reply", KernelInfo());
                    break;
                case "execute_request":
                    Execute(msg);
                    break;
                case "is_complete_request":
                    {
                        string status = KernelScriptSession.IsComplete(Str(msg.Content, "code"));
                        var content = new JsonObject { ["status"] = status };
                        if (status == "incomplete") content["indent"] = "";
                        Reply(_shell!, msg, "is_complete_reply", content);
                        break;
                    }
                case "complete_request":
                    Complete(msg);
                    break;
                case "inspect_request":
                    Inspect(msg);
                    break;
                case "comm_info_request":
                    Reply(_shell!, msg, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                    break;
                case "history_request":
                    Reply(_shell!, msg, "history_reply", _history.Reply(msg.Content));
                    break;
                case "comm_open":
                    // No comm targets: close it, as the protocol asks.
                    Publish("comm_close", new JsonObject { ["comm_id"] = msg.Content["comm_id"]?.DeepClone(), ["data"] = new JsonObject() }, msg);
                    break;
                case "comm_msg":
                case "comm_close":
                    break;
                default:
                    _log.WriteLine($"p2pflex kernel: unknown message type {msg.MsgType} on shell; ignored");
                    break;
            }
        }
        finally
        {
            Status("idle", msg);
        }
    }

    private static string Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static bool Bool(JsonObject o, string name, bool fallback) =>
        o[name] is JsonValue v && v.TryGetValue<bool>(out bool b) ? b : fallback;

    private void Execute(JupyterMessage msg)
    {
        string code = Str(msg.Content, "code");
        bool silent = Bool(msg.Content, "silent", false);
        bool storeHistory = Bool(msg.Content, "store_history", !silent) && !silent;
        if (storeHistory) _executionCount++;
        int count = Math.Max(_executionCount, 1);
        if (!silent) Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, msg);

        var capture = new CellCapture();
        var pump = new OutputPump(capture, silent ? null : (type, content) => Publish(type, content, msg), count);
        using var cts = new CancellationTokenSource();
        lock (_stateLock) _running = cts;
        ExecutionOutcome outcome;
        var clock = Stopwatch.StartNew();
        try
        {
            // On a pool thread: the cell's awaits must not need this thread (see notebook-stack notes §4.1 (a)).
            bool allowStdin = Bool(msg.Content, "allow_stdin", true);
            var task = Task.Run(() =>
            {
                // Numbers in cell output never depend on the machine's locale (as in the headless runner).
                System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
                KernelStdin.Enter(prompt => ReadInput(msg, allowStdin, prompt, pump, cts.Token));
                return _script!.ExecuteAsync(code, count, capture, cts.Token);
            });
            TimeSpan? cancelledAt = null;
            bool warned = false;
            while (!task.Wait(100))
            {
                pump.Flush(final: false);
                if (_stopping) return;
                if (cts.IsCancellationRequested)
                {
                    cancelledAt ??= clock.Elapsed;
                    if (!warned && clock.Elapsed - cancelledAt > _options.InterruptGrace)
                    {
                        warned = true;
                        if (!silent)
                            Publish("stream", new JsonObject
                            {
                                ["name"] = "stderr",
                                ["text"] = "[p2pflex kernel] interrupt requested, but this cell does not observe cancellation and keeps running. "
                                    + "Use the global CancellationToken in long loops (CancellationToken.ThrowIfCancellationRequested()), "
                                    + "or restart the kernel to stop it.\n",
                            }, msg);
                        _log.WriteLine("p2pflex kernel: interrupt requested, but the running cell does not observe cancellation");
                    }
                }
            }
            outcome = task.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            outcome = new ExecutionOutcome(NotebookRunner.RuntimeError(e));
        }
        finally
        {
            lock (_stateLock) _running = null;
        }
        pump.Flush(final: true);

        if (storeHistory)
        {
            string? result = capture.ToOutputs().OfType<ExecuteResultOutput>().LastOrDefault()?.Data.GetText(NotebookFormatters.PlainTextMime);
            _history.Add(count, code, result);
        }
        var error = outcome.Error;
        if (error is not null && cts.IsCancellationRequested && error.EName == typeof(OperationCanceledException).FullName)
            error = new ErrorOutput("Interrupted", "the cell was interrupted", ["Interrupted: the cell was interrupted (OperationCanceledException)"]);
        if (error is not null)
        {
            if (!silent)
                Publish("error", ErrorContent(error), msg);
            var reply = ErrorContent(error);
            reply["status"] = "error";
            reply["execution_count"] = count;
            Reply(_shell!, msg, "execute_reply", reply, new JsonObject { ["status"] = "error" });
            if (Bool(msg.Content, "stop_on_error", true)) AbortQueued();
        }
        else
        {
            Reply(_shell!, msg, "execute_reply", new JsonObject
            {
                ["status"] = "ok",
                ["execution_count"] = count,
                ["payload"] = new JsonArray(),
                ["user_expressions"] = new JsonObject(),
            }, new JsonObject { ["status"] = "ok" });
        }
    }

    /// <summary>A line typed by the user: input_request on stdin to the client of <paramref name="request"/>, then its input_reply.</summary>
    private string ReadInput(JupyterMessage request, bool allowed, string prompt, OutputPump pump, CancellationToken cancellationToken)
    {
        if (!allowed)
            throw new InvalidOperationException("this frontend does not accept input (allow_stdin is false): Console.ReadLine() is not available");
        pump.Flush(final: false);   // a prompt written with Console.Write shows before the input box
        lock (_stdinLock)
        {
            var frames = new NetMQMessage();
            while (_stdin!.TryReceiveMultipartMessage(TimeSpan.Zero, ref frames)) { }   // stale replies
            var ask = JupyterMessage.Create("input_request", new JsonObject { ["prompt"] = prompt, ["password"] = false }, request, _session, request.Identities);
            SendInputRequest(ask, cancellationToken);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_stopping) throw new OperationCanceledException("the kernel is stopping");
                if (!_stdin!.TryReceiveMultipartMessage(TimeSpan.FromMilliseconds(100), ref frames)) continue;
                var reply = Accept(frames, "stdin");
                if (reply is { MsgType: "input_reply" }) return Str(reply.Content, "value");
            }
        }
    }

    /// <summary>How long an input_request waits for the frontend's stdin connection (see <see cref="SendInputRequest"/>).</summary>
    internal static readonly TimeSpan StdinConnectGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends input_request to the frontend's stdin socket. A frontend may send execute_request on shell before its
    /// stdin connection has finished its handshake (it connects all channels at once); the request would then be lost
    /// and the cell would wait for a reply forever. With mandatory routing the send fails instead: retry until the
    /// connection is there, and after <see cref="StdinConnectGrace"/> fail the cell with an error that says why.
    /// </summary>
    private void SendInputRequest(JupyterMessage ask, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                _stdin!.SendMultipartMessage(ask.ToFrames(_signer));
                return;
            }
            catch (HostUnreachableException)
            {
                if (clock.Elapsed >= StdinConnectGrace)
                    throw new InvalidOperationException(
                        $"Console.ReadLine(): no frontend is connected to the kernel's stdin channel (port {Connection.StdinPort}); the input request could not be delivered within {StdinConnectGrace.TotalSeconds:0} s");
                cancellationToken.ThrowIfCancellationRequested();
                if (_stopping) throw new OperationCanceledException("the kernel is stopping");
                Thread.Sleep(20);
            }
        }
    }

    private static JsonObject ErrorContent(ErrorOutput e) => new()
    {
        ["ename"] = e.EName,
        ["evalue"] = e.EValue,
        ["traceback"] = new JsonArray(e.Traceback.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
    };

    /// <summary>After a failed cell with stop_on_error: execute requests already queued are answered "aborted", not run.</summary>
    private void AbortQueued()
    {
        var frames = new NetMQMessage();
        while (_shell!.TryReceiveMultipartMessage(TimeSpan.Zero, ref frames))
        {
            var queued = Accept(frames, "shell");
            if (queued is null) continue;
            if (queued.MsgType != "execute_request")
            {
                HandleShell(queued);
                continue;
            }
            Status("busy", queued);
            Reply(_shell!, queued, "execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = _executionCount },
                new JsonObject { ["status"] = "aborted" });
            Status("idle", queued);
        }
    }

    private void Complete(JupyterMessage msg)
    {
        string code = Str(msg.Content, "code");
        int cursor = msg.Content["cursor_pos"] is JsonValue v && v.TryGetValue<int>(out int c) ? c : TextPositions.CodePointLength(code);
        int index = TextPositions.ToUtf16Index(code, cursor);
        IReadOnlyList<string> matches;
        int start, end;
        try
        {
            (matches, start, end) = _script!.Complete(code, index);
        }
        catch (Exception e)
        {
            _log.WriteLine($"p2pflex kernel: completion failed: {e.Message}");
            (matches, start, end) = ([], index, index);
        }
        Reply(_shell!, msg, "complete_reply", new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(matches.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["cursor_start"] = TextPositions.ToCodePointIndex(code, start),
            ["cursor_end"] = TextPositions.ToCodePointIndex(code, end),
            ["metadata"] = new JsonObject(),
        });
    }

    private void Inspect(JupyterMessage msg)
    {
        string code = Str(msg.Content, "code");
        int cursor = msg.Content["cursor_pos"] is JsonValue v && v.TryGetValue<int>(out int c) ? c : TextPositions.CodePointLength(code);
        string? text;
        try
        {
            text = _script!.Inspect(code, TextPositions.ToUtf16Index(code, cursor));
        }
        catch (Exception e)
        {
            _log.WriteLine($"p2pflex kernel: inspection failed: {e.Message}");
            text = null;
        }
        var content = new JsonObject { ["status"] = "ok", ["found"] = text is not null, ["metadata"] = new JsonObject() };
        content["data"] = text is null ? new JsonObject() : new JsonObject { ["text/plain"] = text };
        Reply(_shell!, msg, "inspect_reply", content);
    }

    /// <summary>Publishes a cell's outputs while it runs: stream text as it is written, displayed values as they come.</summary>
    private sealed class OutputPump(CellCapture capture, Action<string, JsonObject>? publish, int executionCount)
    {
        private readonly object _gate = new();
        private readonly Dictionary<int, (DisplayDataOutput Output, string DisplayId)> _displays = new();
        private int _done;       // outputs published completely
        private int _chars;      // characters already published of output _done (a stream still being written)

        public void Flush(bool final)
        {
            if (publish is null) return;
            lock (_gate) FlushLocked(final);
        }

        private void FlushLocked(bool final)
        {
            var outputs = capture.ToOutputs();
            // display(x).Update(y) replaced an output already shown: update it in place.
            foreach (var (index, shown) in _displays.ToList())
            {
                if (index < outputs.Count && outputs[index] is DisplayDataOutput now && !ReferenceEquals(now, shown.Output))
                {
                    publish!("update_display_data", new JsonObject
                    {
                        ["data"] = Bundle(now.Data),
                        ["metadata"] = (JsonObject)now.Metadata.DeepClone(),
                        ["transient"] = new JsonObject { ["display_id"] = shown.DisplayId },
                    });
                    _displays[index] = (now, shown.DisplayId);
                }
            }
            while (_done < outputs.Count)
            {
                var o = outputs[_done];
                bool last = _done == outputs.Count - 1;
                if (o is StreamOutput s)
                {
                    if (s.Text.Length > _chars)
                        publish!("stream", new JsonObject { ["name"] = s.Name, ["text"] = s.Text[_chars..] });
                    if (last && !final) { _chars = s.Text.Length; return; }
                }
                else if (o is ExecuteResultOutput r)
                {
                    publish!("execute_result", new JsonObject
                    {
                        ["execution_count"] = r.ExecutionCount ?? executionCount,
                        ["data"] = Bundle(r.Data),
                        ["metadata"] = (JsonObject)r.Metadata.DeepClone(),
                    });
                }
                else if (o is DisplayDataOutput d)
                {
                    string displayId = Guid.NewGuid().ToString("N");
                    _displays[_done] = (d, displayId);
                    publish!("display_data", new JsonObject
                    {
                        ["data"] = Bundle(d.Data),
                        ["metadata"] = (JsonObject)d.Metadata.DeepClone(),
                        ["transient"] = new JsonObject { ["display_id"] = displayId },
                    });
                }
                else if (o is ErrorOutput e)
                {
                    publish!("error", ErrorContent(e));
                }
                _done++;
                _chars = 0;
            }
        }

        private static JsonObject Bundle(MimeBundle b)
        {
            var o = new JsonObject();
            foreach (var (mime, value) in b) o[mime] = value.DeepClone();
            return o;
        }
    }
}

/// <summary>Jupyter counts cursor positions in Unicode code points (protocol ≥ 5.2); .NET strings in UTF-16 units.</summary>
internal static class TextPositions
{
    public static int ToUtf16Index(string s, int codePoints)
    {
        int i = 0;
        for (int k = 0; k < codePoints && i < s.Length; k++)
            i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
        return i;
    }

    public static int ToCodePointIndex(string s, int utf16)
    {
        int k = 0;
        for (int i = 0; i < utf16 && i < s.Length; k++)
            i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
        return k;
    }

    public static int CodePointLength(string s) => ToCodePointIndex(s, s.Length);
}
