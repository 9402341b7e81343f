using System.Text.Json.Nodes;
using NetMQ;
using NetMQ.Sockets;

namespace P2PFlex.Kernel;

/// <summary>The channels a kernel receives requests on (iopub is publish-only, heartbeat only echoes).</summary>
internal enum KernelChannel
{
    Shell,
    Control,
    Stdin,
}

/// <summary>
/// The kernel's five ZeroMQ sockets (NetMQ) and what happens on the wire: binding to the connection file's ip and
/// ports, the heartbeat echo, receiving with authentication (size limit, HMAC-SHA256 signature, replay), and sending
/// signed replies, iopub messages and stdin's input requests. Knows nothing of what a message means: the handlers do.
/// <para>
/// Threads: each receiving channel is served by one thread (<see cref="Serve"/>); a socket is used only by the thread
/// that serves it, except iopub, which any thread publishes on under a lock, and stdin, which the running cell's
/// thread uses (under its own lock) to ask for input.
/// </para>
/// </summary>
internal sealed class KernelTransport
{
    private readonly ConnectionInfo _requested;
    private readonly TextWriter _log;
    private readonly MessageSigner _signer;
    private readonly object _iopubLock = new();
    private readonly object _stdinLock = new();
    // One per receiving channel, held around each receive and send on its socket: a socket is not thread-safe, and a
    // death report (KernelDeathReport) replies on shell from whatever thread the process is ending on.
    private readonly object[] _channelLocks = [new(), new(), new()];
    private readonly HashSet<string> _seenSignatures = new(StringComparer.Ordinal);
    private readonly Queue<string> _seenOrder = new();
    private readonly List<Thread> _threads = new();
    private RouterSocket? _shell, _control, _stdin;
    private PublisherSocket? _iopub;
    private ResponseSocket? _heartbeat;
    private int _stopping;
    private int _dropped;

    public KernelTransport(ConnectionInfo requested, TextWriter log)
    {
        _requested = requested;
        _log = log;
        _signer = new MessageSigner(requested.Key);
        Connection = requested;
    }

    /// <summary>The connection with the ports actually bound (differs from the file's where it said 0).</summary>
    public ConnectionInfo Connection { get; private set; }

    /// <summary>This kernel's session id (the header's <c>session</c> of every message it sends).</summary>
    public string Session { get; } = Guid.NewGuid().ToString("N");

    /// <summary>How many incoming messages were dropped (bad or missing signature, replay, malformed).</summary>
    public int DroppedMessages => Volatile.Read(ref _dropped);

    /// <summary>True once <see cref="BeginStop"/> was called: loops end, and only shutdown replies and status are still sent.</summary>
    public bool Stopping => Volatile.Read(ref _stopping) != 0;

    /// <summary>Creates and binds the sockets; warns when the kernel is reachable from other machines or unauthenticated.</summary>
    public void Bind()
    {
        if (!_requested.IsLoopback)
            _log.WriteLine($"p2pflex kernel: warning: binding to {_requested.Ip}, which is not a loopback address: other machines can reach this kernel");
        if (!_signer.Enabled)
            _log.WriteLine("p2pflex kernel: warning: the connection file has no key: messages are not authenticated");
        _shell = new RouterSocket();
        _control = new RouterSocket();
        _stdin = new RouterSocket();
        // A ROUTER silently drops a message to a peer it does not know yet; mandatory routing makes that an error, so
        // AskInput can wait for the frontend's stdin connection instead of waiting forever for an unsent request.
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
            foreach (var s in Sockets()) s?.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="body"/> on a background thread named after it; its failure is logged, never thrown.</summary>
    public void StartThread(string name, Action body)
    {
        var t = new Thread(() =>
        {
            try { body(); }
            catch (Exception e) when (Stopping && e is ObjectDisposedException or NetMQException or TerminatingException) { }
            catch (Exception e) { _log.WriteLine($"p2pflex kernel: {name} thread failed: {e}"); }
        })
        { IsBackground = true, Name = "p2pflex-kernel-" + name };
        _threads.Add(t);
        t.Start();
    }

    /// <summary>Echoes heartbeat pings until the kernel stops.</summary>
    public void RunHeartbeat()
    {
        var msg = new NetMQMessage();
        while (!Stopping)
        {
            if (!_heartbeat!.TryReceiveMultipartMessage(TimeSpan.FromMilliseconds(100), ref msg)) continue;
            _heartbeat!.SendMultipartMessage(msg);
        }
    }

    /// <summary>Hands every authenticated message received on <paramref name="channel"/> to <paramref name="handle"/> until
    /// the kernel stops; a handler's failure is logged and the loop goes on.</summary>
    public void Serve(KernelChannel channel, Action<JupyterMessage> handle)
    {
        while (!Stopping)
        {
            if (!TryReceive(channel, TimeSpan.FromMilliseconds(100), out var msg) || msg is null) continue;
            try
            {
                handle(msg);
            }
            catch (Exception e) when (!Stopping)
            {
                _log.WriteLine($"p2pflex kernel: error handling {msg.MsgType} on {Name(channel)}: {e}");
            }
        }
    }

    /// <summary>
    /// Receives one message on <paramref name="channel"/> within <paramref name="timeout"/>. False when nothing came;
    /// true with <paramref name="message"/> null when something came that had to be dropped (logged and counted).
    /// Only the thread that serves the channel may call it.
    /// </summary>
    public bool TryReceive(KernelChannel channel, TimeSpan timeout, out JupyterMessage? message)
    {
        var frames = new NetMQMessage();
        message = null;
        lock (_channelLocks[(int)channel])
        {
            if (!Socket(channel).TryReceiveMultipartMessage(timeout, ref frames)) return false;
        }
        message = Accept(frames, Name(channel));
        return true;
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

    /// <summary>Sends <paramref name="msgType"/> in reply to <paramref name="request"/> on the channel it came in on.</summary>
    public void Reply(KernelChannel channel, JupyterMessage request, string msgType, JsonObject content, JsonObject? metadata = null)
    {
        var reply = JupyterMessage.Create(msgType, content, request, Session, request.Identities, metadata);
        if (Stopping && msgType != "shutdown_reply") return;
        lock (_channelLocks[(int)channel]) Socket(channel).SendMultipartMessage(reply.ToFrames(_signer));
    }

    /// <summary>Publishes on iopub (any thread), with <paramref name="parent"/> as the parent header.</summary>
    public void Publish(string msgType, JsonObject content, JupyterMessage? parent)
    {
        var msg = JupyterMessage.Create(msgType, content, parent, Session,
            [System.Text.Encoding.UTF8.GetBytes($"kernel.{Session}.{msgType}")]);
        lock (_iopubLock)
        {
            if (_iopub is null || (Stopping && msgType != "shutdown_reply" && msgType != "status")) return;
            try { _iopub.SendMultipartMessage(msg.ToFrames(_signer)); }
            catch (ObjectDisposedException) { }
        }
    }

    /// <summary>Publishes the kernel's execution state (busy, idle) for <paramref name="parent"/>.</summary>
    public void Status(string state, JupyterMessage parent) => Publish("status", new JsonObject { ["execution_state"] = state }, parent);

    /// <summary>How long an input_request waits for the frontend's stdin connection (see <see cref="SendInputRequest"/>).</summary>
    internal static readonly TimeSpan StdinConnectGrace = TimeSpan.FromSeconds(5);

    /// <summary>A line typed by the user: input_request on stdin to the client of <paramref name="request"/>, then its input_reply.</summary>
    public string AskInput(JupyterMessage request, string prompt, CancellationToken cancellationToken)
    {
        lock (_stdinLock)
        {
            var stale = new NetMQMessage();
            while (_stdin!.TryReceiveMultipartMessage(TimeSpan.Zero, ref stale)) { }   // stale replies
            var ask = JupyterMessage.Create("input_request", new JsonObject { ["prompt"] = prompt, ["password"] = false }, request, Session, request.Identities);
            SendInputRequest(ask, cancellationToken);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Stopping) throw new OperationCanceledException("the kernel is stopping");
                if (!TryReceive(KernelChannel.Stdin, TimeSpan.FromMilliseconds(100), out var reply)) continue;
                if (reply is { MsgType: "input_reply" }) return KernelContent.String(reply.Content, "value");
            }
        }
    }

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
                if (Stopping) throw new OperationCanceledException("the kernel is stopping");
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>Marks the transport as stopping; false when it already was (the caller then has nothing to do).</summary>
    public bool BeginStop() => Interlocked.Exchange(ref _stopping, 1) == 0;

    /// <summary>
    /// Ends the threads (each notices <see cref="Stopping"/> within 0.1 s) and closes the sockets. With a
    /// <paramref name="linger"/>, messages still queued are sent for up to that long after the close (ZeroMQ's linger;
    /// see <see cref="KernelDeathReport"/>, which then waits for them before the process ends); otherwise they are dropped.
    /// </summary>
    public void Close(TimeSpan? linger = null)
    {
        var self = Thread.CurrentThread;
        foreach (var t in _threads.Where(t => t != self)) t.Join(TimeSpan.FromSeconds(2));
        lock (_iopubLock)
        {
            foreach (var s in Sockets())
            {
                try
                {
                    if (s is null) continue;
                    if (linger is { } l) s.Options.Linger = l;
                    s.Dispose();
                }
                catch (Exception e) when (e is ObjectDisposedException or NetMQException) { }
            }
        }
    }

    /// <summary>Binds one channel; a port already in use or an address that cannot be bound is an
    /// <see cref="InvalidOperationException"/> naming the channel and the endpoint (the CLI exits 1 with it).</summary>
    private int Bind(NetMQSocket socket, int port, string channel)
    {
        socket.Options.Linger = TimeSpan.Zero;
        // ZeroMQ's ZMQ_MAXMSGSIZE: a frame announcing more bytes than this disconnects its sender as soon as the
        // frame's length header is read, before the frame is buffered or its signature computed (issue 22: a 256 MiB
        // message with a wrong signature raised the kernel's memory by 512 MiB).
        socket.Options.MaxMsgSize = JupyterKernel.MaxFrameBytes;
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

    private NetMQSocket?[] Sockets() => [_shell, _control, _stdin, _iopub, _heartbeat];

    private RouterSocket Socket(KernelChannel channel) => channel switch
    {
        KernelChannel.Shell => _shell!,
        KernelChannel.Control => _control!,
        KernelChannel.Stdin => _stdin!,
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };

    private static string Name(KernelChannel channel) => channel.ToString().ToLowerInvariant();
}
