using System.Diagnostics;
using System.Text.Json.Nodes;
using P2PFlex.Notebooks;

namespace P2PFlex.Kernel;

/// <summary>
/// execute_request: runs a cell in the script session on a pool thread while the shell thread publishes its output
/// (<see cref="KernelOutputPump"/>, every 0.1 s), answers <c>Console.ReadLine()</c> through stdin, turns an interrupt
/// into the cell's cancellation (and says so on stderr when the cell does not observe it), records history, sends the
/// execute_reply and, after a failed cell with stop_on_error, answers the execute requests already queued "aborted".
/// </summary>
internal sealed class ExecuteHandler(KernelTransport transport, KernelScriptSession script, KernelOptions options, TextWriter log)
{
    private readonly object _stateLock = new();
    private CancellationTokenSource? _running;
    private int _executionCount;

    /// <summary>The inputs (and plain-text results) of the cells run with store_history.</summary>
    public KernelHistory History { get; } = new();

    /// <summary>Cancels the running cell's token (what an interrupt_request does); nothing when no cell runs.</summary>
    public void Interrupt()
    {
        lock (_stateLock) _running?.Cancel();
    }

    /// <summary>Runs the cell of <paramref name="msg"/>; other shell requests found queued behind a failed cell go to
    /// <paramref name="handleOther"/>.</summary>
    public void Execute(JupyterMessage msg, Action<JupyterMessage> handleOther)
    {
        string code = KernelContent.String(msg.Content, "code");
        bool silent = KernelContent.Bool(msg.Content, "silent", false);
        bool storeHistory = KernelContent.Bool(msg.Content, "store_history", !silent) && !silent;
        if (storeHistory) _executionCount++;
        int count = Math.Max(_executionCount, 1);
        if (!silent) transport.Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, msg);

        var capture = new CellCapture();
        var pump = new KernelOutputPump(capture, silent ? null : (type, content) => transport.Publish(type, content, msg), count);
        using var cts = new CancellationTokenSource();
        lock (_stateLock) _running = cts;
        ExecutionOutcome outcome;
        var clock = Stopwatch.StartNew();
        try
        {
            // On a pool thread: the cell's awaits must not need this thread (see notebook-stack notes §4.1 (a)).
            bool allowStdin = KernelContent.Bool(msg.Content, "allow_stdin", true);
            var task = Task.Run(() =>
            {
                // Numbers in cell output never depend on the machine's locale (as in the headless runner).
                System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
                KernelStdin.Enter(prompt => ReadInput(msg, allowStdin, prompt, pump, cts.Token));
                return script.ExecuteAsync(code, count, capture, cts.Token);
            });
            TimeSpan? cancelledAt = null;
            bool warned = false;
            while (!task.Wait(100))
            {
                pump.Flush(final: false);
                if (transport.Stopping) return;
                if (cts.IsCancellationRequested)
                {
                    cancelledAt ??= clock.Elapsed;
                    if (!warned && clock.Elapsed - cancelledAt > options.InterruptGrace)
                    {
                        warned = true;
                        if (!silent)
                            transport.Publish("stream", new JsonObject
                            {
                                ["name"] = "stderr",
                                ["text"] = "[p2pflex kernel] interrupt requested, but this cell does not observe cancellation and keeps running. "
                                    + "Use the global CancellationToken in long loops (CancellationToken.ThrowIfCancellationRequested()), "
                                    + "or restart the kernel to stop it.\n",
                            }, msg);
                        log.WriteLine("p2pflex kernel: interrupt requested, but the running cell does not observe cancellation");
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
            History.Add(count, code, result);
        }
        var error = outcome.Error;
        if (error is not null && cts.IsCancellationRequested && error.EName == typeof(OperationCanceledException).FullName)
            error = new ErrorOutput("Interrupted", "the cell was interrupted", ["Interrupted: the cell was interrupted (OperationCanceledException)"]);
        if (error is not null)
        {
            if (!silent)
                transport.Publish("error", KernelContent.Error(error), msg);
            var reply = KernelContent.Error(error);
            reply["status"] = "error";
            reply["execution_count"] = count;
            transport.Reply(KernelChannel.Shell, msg, "execute_reply", reply, new JsonObject { ["status"] = "error" });
            if (KernelContent.Bool(msg.Content, "stop_on_error", true)) AbortQueued(handleOther);
        }
        else
        {
            transport.Reply(KernelChannel.Shell, msg, "execute_reply", new JsonObject
            {
                ["status"] = "ok",
                ["execution_count"] = count,
                ["payload"] = new JsonArray(),
                ["user_expressions"] = new JsonObject(),
            }, new JsonObject { ["status"] = "ok" });
        }
    }

    /// <summary>A line typed by the user for <c>Console.ReadLine()</c> in the cell of <paramref name="request"/>.</summary>
    private string ReadInput(JupyterMessage request, bool allowed, string prompt, KernelOutputPump pump, CancellationToken cancellationToken)
    {
        if (!allowed)
            throw new InvalidOperationException("this frontend does not accept input (allow_stdin is false): Console.ReadLine() is not available");
        pump.Flush(final: false);   // a prompt written with Console.Write shows before the input box
        return transport.AskInput(request, prompt, cancellationToken);
    }

    /// <summary>After a failed cell with stop_on_error: execute requests already queued are answered "aborted", not run.</summary>
    private void AbortQueued(Action<JupyterMessage> handleOther)
    {
        while (transport.TryReceive(KernelChannel.Shell, TimeSpan.Zero, out var queued))
        {
            if (queued is null) continue;
            if (queued.MsgType != "execute_request")
            {
                handleOther(queued);
                continue;
            }
            transport.Status("busy", queued);
            transport.Reply(KernelChannel.Shell, queued, "execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = _executionCount },
                new JsonObject { ["status"] = "aborted" });
            transport.Status("idle", queued);
        }
    }
}
