using System.Diagnostics;
using System.Text.Json.Nodes;

namespace P2PFlex.Kernel;

/// <summary>
/// A Jupyter kernel for C# (messaging protocol 5.3 over ZeroMQ, with NetMQ) around the notebook runner's script
/// session. This class puts the parts together and owns their lifetime: <see cref="KernelTransport"/> (sockets,
/// signing, the heartbeat), <see cref="KernelHandlers"/> (what each shell and control request does),
/// <see cref="ExecuteHandler"/> (running a cell) with <see cref="KernelOutputPump"/> (its output on iopub while it
/// runs, every 0.1 s) and <see cref="KernelStdin"/> (<c>Console.ReadLine()</c> as input_request); with
/// <see cref="KernelOptions.OwnsProcess"/>, <see cref="KernelDeathReport"/> (a cell that ends the process is reported).
/// Threads: heartbeat, shell, control (its own thread, so interrupt and shutdown are answered while a cell runs) and,
/// with a parent process id, a watcher that stops the kernel when the parent is gone.
/// <para>
/// Security: every socket binds only to the connection file's ip; a frame above <see cref="MaxFrameBytes"/> is refused
/// before it is read; when a key is set every incoming message's HMAC-SHA256 signature is checked and a message with a
/// missing or wrong signature, or a replayed one, is dropped (logged, never acted on). Code is executed only from
/// <c>execute_request</c> on the shell channel; iopub is publish-only and control never executes code.
/// </para>
/// </summary>
public sealed class JupyterKernel : IDisposable
{
    public const string ImplementationName = "p2pflex";

    /// <summary>Largest frame a client may send (64 MiB): far above any request a front-end sends (code, completions,
    /// comm messages), checked by ZeroMQ before the frame is read into memory.</summary>
    public const long MaxFrameBytes = 64L * 1024 * 1024;

    private readonly KernelOptions _options;
    private readonly TextWriter _log;
    private readonly KernelTransport _transport;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ExecuteHandler? _execute;
    private KernelHandlers? _handlers;
    private KernelDeathReport? _deathReport;

    public JupyterKernel(ConnectionInfo connection, KernelOptions? options = null)
    {
        _options = options ?? new KernelOptions();
        // Taken now: the notebook runner later routes Console.Error to the running cell.
        _log = _options.Log ?? Console.Error;
        _transport = new KernelTransport(connection, _log);
    }

    /// <summary>The connection with the ports actually bound (differs from the file's where it said 0).</summary>
    public ConnectionInfo Connection => _transport.Connection;

    /// <summary>Completes when the kernel has stopped (after a shutdown request, <see cref="Stop"/>, or its parent's exit).</summary>
    public Task Completion => _stopped.Task;

    /// <summary>True when the shutdown request asked for a restart (the frontend then starts a new kernel process).</summary>
    public bool RestartRequested => _handlers?.RestartRequested ?? false;

    /// <summary>How many incoming messages were dropped (bad or missing signature, replay, malformed).</summary>
    public int DroppedMessages => _transport.DroppedMessages;

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
        var script = new KernelScriptSession(_options.BaseDirectory ?? Directory.GetCurrentDirectory(), _options.EmbedPlotlyJs);
        _transport.Bind();
        _execute = new ExecuteHandler(_transport, script, _options, _log);
        _handlers = new KernelHandlers(_transport, script, _execute, _log, Stop);
        if (_options.OwnsProcess)
        {
            _deathReport = new KernelDeathReport(_transport, _execute, _log);
            _deathReport.Start();
        }

        _transport.StartThread("heartbeat", _transport.RunHeartbeat);
        _transport.StartThread("control", () => _transport.Serve(KernelChannel.Control, _handlers.HandleControl));
        _transport.StartThread("shell", () => _transport.Serve(KernelChannel.Shell, _handlers.HandleShell));
        if (_options.ParentProcessId is int ppid) _transport.StartThread("parent-watch", () => WatchParent(ppid));
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

    /// <summary>Cancels the running cell's token (what an interrupt_request does).</summary>
    public void Interrupt() => _execute?.Interrupt();

    /// <summary>Stops serving: cancels a running cell, ends the threads and closes the sockets.</summary>
    public void Stop()
    {
        if (!_transport.BeginStop()) return;
        _deathReport?.Dispose();
        _execute?.Interrupt();
        _transport.Close();
        _stopped.TrySetResult();
    }

    public void Dispose() => Stop();

    private void WatchParent(int pid)
    {
        while (!_transport.Stopping)
        {
            Thread.Sleep(1000);
            bool alive;
            try { using var p = Process.GetProcessById(pid); alive = !p.HasExited; }
            catch (ArgumentException) { alive = false; }
            catch (InvalidOperationException) { alive = false; }
            if (!alive && !_transport.Stopping)
            {
                _log.WriteLine($"p2pflex kernel: parent process {pid} has exited; stopping");
                ThreadPool.QueueUserWorkItem(_ => Stop());
                return;
            }
        }
    }
}
