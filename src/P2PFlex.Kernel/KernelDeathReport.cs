using System.Text.Json.Nodes;
using NetMQ;
using P2PFlex.Notebooks;

namespace P2PFlex.Kernel;

/// <summary>
/// When the kernel's process begins to end because of a cell — <c>Environment.Exit</c>, or an exception nobody caught
/// on a thread that no cell takes (a thread of a cell is its cell's error and the kernel goes on, see
/// <see cref="CellFaults"/>) — tells the frontend before the process is gone, instead of leaving it with "kernel died"
/// and no reason. Neither can be prevented (.NET ends the process after the handlers of
/// <see cref="ProcessDeathWatch"/> return), but both run those handlers while the kernel's threads still work:
/// <list type="bullet">
/// <item>a cell running: its output so far, a stderr line and an <c>error</c> message on iopub, its execute_reply with
/// status error (ename <c>ProcessExit</c>, or the exception's type, message and stack), and status idle;</item>
/// <item>no cell running: the stderr line and the error, on iopub, with the last execute_request as parent.</item>
/// </list>
/// Then the sockets close with a linger and the report waits (at most <see cref="Linger"/> + 1 s) until ZeroMQ has sent
/// what is queued. A stack overflow runs no handler: the process ends at once and the frontend only sees that the
/// kernel died (docs/notebooks.md, "When a cell ends the process").
/// </summary>
internal sealed class KernelDeathReport(KernelTransport transport, ExecuteHandler execute, TextWriter log) : IDisposable
{
    /// <summary>How long queued messages may take to leave after the sockets are closed.</summary>
    internal static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    private IDisposable? _subscription;

    public void Start() => _subscription = ProcessDeathWatch.Subscribe(Report);

    public void Dispose() => _subscription?.Dispose();

    private void Report(ProcessDeath death)
    {
        if (transport.Stopping) return;   // the kernel was stopped first: the process's end is its own, not a cell's
        var cell = execute.ClaimRunning();
        var parent = cell?.Request ?? execute.LastRequest;
        const string consequence = "the kernel process ends now and the session's variables are lost; restart the kernel to go on";
        var error = death.ToError(afterCell: cell is null, consequence);
        string where = cell is null ? "after the last cell had finished" : $"while cell [{cell.ExecutionCount}] ran";
        log.WriteLine($"p2pflex kernel: {death.Describe()} {where}; the kernel process ends");

        cell?.Pump.Flush(final: true);
        if (cell is not { Silent: true })
        {
            transport.Publish("stream", new JsonObject
            {
                ["name"] = "stderr",
                ["text"] = $"[p2pflex kernel] {death.Describe()} {where}: the kernel process ends now; restart the kernel\n",
            }, parent);
            transport.Publish("error", KernelContent.Error(error), parent);
        }
        if (cell is not null)
        {
            var reply = KernelContent.Error(error);
            reply["status"] = "error";
            reply["execution_count"] = cell.ExecutionCount;
            transport.Reply(KernelChannel.Shell, cell.Request, "execute_reply", reply, new JsonObject { ["status"] = "error" });
            transport.Status("idle", cell.Request);
        }

        if (!transport.BeginStop()) return;
        execute.Interrupt();
        transport.Close(Linger);
        // Closing with a linger hands the queued messages to ZeroMQ's I/O thread, which the process's end would cut
        // short; terminating the context waits until they are sent (or the linger is over).
        var flush = new Thread(() =>
        {
            try { NetMQConfig.Cleanup(block: true); }
            catch (Exception e) when (e is NetMQException or ObjectDisposedException or InvalidOperationException) { }
        })
        { IsBackground = true, Name = "p2pflex-kernel-flush" };
        flush.Start();
        flush.Join(Linger + TimeSpan.FromSeconds(1));
    }
}
