using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;
using P2PFlex.Kernel;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// An in-process kernel on loopback (ports picked by the kernel, a fresh random key) and a Jupyter client for it made
/// of plain NetMQ sockets: DEALER for shell and control, SUB for iopub, REQ for heartbeat.
/// </summary>
internal sealed class KernelClient : IDisposable
{
    /// <summary>
    /// How long a test waits for a message before failing: a guard against hangs, not a timing assertion. The first cell
    /// of a fresh kernel compiles with Roslyn and loads the library, which took over 20 s on a 2-core machine under a load
    /// average of 12 (three test assemblies and a build at once); 60 s leaves room for that.
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly DealerSocket _shell = new(), _control = new();
    private readonly SubscriberSocket _iopub = new();
    private readonly string _session = Guid.NewGuid().ToString("N");

    private readonly JupyterKernel? _kernel;

    public KernelClient(KernelOptions? options = null, string? key = null, byte[]? identity = null)
    {
        Log = new StringWriter();
        var requested = new ConnectionInfo { Ip = "127.0.0.1", Key = key ?? Guid.NewGuid().ToString(), KernelName = "p2pflex-csharp" };
        _kernel = new JupyterKernel(requested, new KernelOptions
        {
            Log = TextWriter.Synchronized(Log),
            BaseDirectory = options?.BaseDirectory,
            EmbedPlotlyJs = options?.EmbedPlotlyJs ?? false,
            InterruptGrace = options?.InterruptGrace ?? TimeSpan.FromSeconds(2),
        });
        _kernel.Start();
        Connection = _kernel.Connection;
        Signer = new MessageSigner(Connection.Key);
        Connect(identity);
    }

    /// <summary>A client for a kernel that runs elsewhere (its own process, started from a connection file).</summary>
    public KernelClient(ConnectionInfo connection)
    {
        Log = new StringWriter();
        Connection = connection;
        Signer = new MessageSigner(Connection.Key);
        Connect(null);
    }

    private void Connect(byte[]? identity)
    {
        foreach (var s in new NetMQSocket[] { _shell, _control, _iopub }) s.Options.Linger = TimeSpan.Zero;
        if (identity is not null) _shell.Options.Identity = identity;   // Jupyter clients give shell and stdin one identity
        _shell.Connect(Connection.Endpoint(Connection.ShellPort));
        _control.Connect(Connection.Endpoint(Connection.ControlPort));
        _iopub.Connect(Connection.Endpoint(Connection.IOPubPort));
        _iopub.Subscribe("");
        WaitForIopub();
    }

    /// <summary>The in-process kernel (not for a client of a kernel in another process).</summary>
    public JupyterKernel Kernel => _kernel ?? throw new InvalidOperationException("this client's kernel runs in another process");
    public ConnectionInfo Connection { get; }
    public MessageSigner Signer { get; }
    public StringWriter Log { get; }
    public NetMQSocket Shell => _shell;
    public NetMQSocket Control => _control;

    /// <summary>PUB/SUB drops messages until the subscription has arrived: send kernel_info until iopub shows a status, as Jupyter clients do.</summary>
    private void WaitForIopub()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < Timeout)
        {
            string id = Send(_shell, "kernel_info_request", new JsonObject());
            ReceiveReply(_shell, id);
            if (TryReceiveIopub(TimeSpan.FromMilliseconds(200)) is not null)
            {
                DrainIopub(TimeSpan.FromMilliseconds(100));
                return;
            }
        }
        throw new TimeoutException("iopub never delivered a status message");
    }

    public JupyterMessage Create(string msgType, JsonObject content) =>
        new()
        {
            Header = JupyterMessage.NewHeader(msgType, _session, "test"),
            Content = content,
        };

    public string Send(NetMQSocket socket, string msgType, JsonObject content, MessageSigner? signer = null)
    {
        var msg = Create(msgType, content);
        socket.SendMultipartMessage(msg.ToFrames(signer ?? Signer));
        return msg.MsgId;
    }

    /// <summary>The next message on a DEALER socket (signature checked with the kernel's key), or null after <paramref name="timeout"/>.</summary>
    public JupyterMessage? TryReceive(NetMQSocket socket, TimeSpan timeout)
    {
        var frames = new NetMQMessage();
        if (!socket.TryReceiveMultipartMessage(timeout, ref frames)) return null;
        var msg = JupyterMessage.Parse(frames, Signer, out var problem);
        Assert.True(msg is not null, "the kernel sent a message that does not verify: " + problem);
        return msg;
    }

    public JupyterMessage ReceiveReply(NetMQSocket socket, string requestId)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < Timeout)
        {
            var msg = TryReceive(socket, Timeout - clock.Elapsed);
            if (msg is null) break;
            if (msg.ParentHeader["msg_id"]?.GetValue<string>() == requestId) return msg;
        }
        throw new TimeoutException($"no reply to {requestId}");
    }

    public JupyterMessage? TryReceiveIopub(TimeSpan timeout) => TryReceive(_iopub, timeout);

    public void DrainIopub(TimeSpan quiet)
    {
        while (TryReceiveIopub(quiet) is not null) { }
    }

    /// <summary>The iopub messages caused by <paramref name="requestId"/>, up to and including its status idle.</summary>
    public List<JupyterMessage> IopubFor(string requestId)
    {
        var list = new List<JupyterMessage>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < Timeout)
        {
            var msg = TryReceiveIopub(Timeout - clock.Elapsed);
            if (msg is null) break;
            if (msg.ParentHeader["msg_id"]?.GetValue<string>() != requestId) continue;
            list.Add(msg);
            if (msg.MsgType == "status" && msg.Content["execution_state"]?.GetValue<string>() == "idle") return list;
        }
        throw new TimeoutException($"no status idle for {requestId}; got {string.Join(", ", list.Select(m => m.MsgType))}");
    }

    public sealed record Execution(JupyterMessage Reply, List<JupyterMessage> Iopub)
    {
        public string Status => Reply.Content["status"]!.GetValue<string>();
        public IEnumerable<JupyterMessage> Of(string type) => Iopub.Where(m => m.MsgType == type);
        public string Stdout => string.Concat(Of("stream").Where(m => m.Content["name"]!.GetValue<string>() == "stdout").Select(m => m.Content["text"]!.GetValue<string>()));
        public string Stderr => string.Concat(Of("stream").Where(m => m.Content["name"]!.GetValue<string>() == "stderr").Select(m => m.Content["text"]!.GetValue<string>()));
        public string? ResultText => Of("execute_result").SingleOrDefault()?.Content["data"]?["text/plain"]?.GetValue<string>();
    }

    public Execution Execute(string code, bool stopOnError = true, bool allowStdin = false)
    {
        string id = Send(_shell, "execute_request", new JsonObject
        {
            ["code"] = code,
            ["silent"] = false,
            ["store_history"] = true,
            ["user_expressions"] = new JsonObject(),
            ["allow_stdin"] = allowStdin,
            ["stop_on_error"] = stopOnError,
        });
        var reply = ReceiveReply(_shell, id);
        return new Execution(reply, IopubFor(id));
    }

    public JupyterMessage Request(string msgType, JsonObject content, bool control = false)
    {
        var socket = control ? _control : _shell;
        string id = Send(socket, msgType, content);
        var reply = ReceiveReply(socket, id);
        IopubFor(id);
        return reply;
    }

    public void Dispose()
    {
        _kernel?.Dispose();
        _shell.Dispose();
        _control.Dispose();
        _iopub.Dispose();
    }
}
