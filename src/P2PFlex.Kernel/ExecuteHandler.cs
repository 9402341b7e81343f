using System.Diagnostics;
using System.Text.Json.Nodes;
using P2PFlex.Notebooks;

namespace P2PFlex.Kernel;

/// <summary>
/// execute_request: runs a cell in the script session on a pool thread while the shell thread publishes its output
/// (<see cref="KernelOutputPump"/>, every 0.1 s), answers <c>Console.ReadLine()</c> through stdin, turns an interrupt
/// into the cell's cancellation (and says so on stderr when the cell does not observe it), records history, sends the
/// execute_reply and, after a failed cell with stop_on_error, answers the execute requests already queued "aborted".
/// An exception nobody catches on a thread the cell started fails the cell, or, after it, is published under it
/// (<see cref="CellFaults"/>); when the process itself ends, <see cref="KernelDeathReport"/> takes the running cell over
/// (<see cref="ClaimRunning"/>).
/// </summary>
internal sealed class ExecuteHandler(KernelTransport transport, KernelScriptSession script, KernelOptions options, TextWriter log)
{
    private readonly object _stateLock = new();
    private CancellationTokenSource? _running;
    private RunningCell? _cell;
    private JupyterMessage? _lastRequest;
    private int _executionCount;
    private readonly KernelChartPictures _pictures = new(KernelChartPictures.EnabledByEnvironment(), log);

    /// <summary>A cell being run: its request, <c>In [n]</c> and the pump that publishes its output.</summary>
    internal sealed record RunningCell(JupyterMessage Request, int ExecutionCount, KernelOutputPump Pump, bool Silent);

    /// <summary>
    /// Takes over the running cell's reply (the process is ending: <see cref="KernelDeathReport"/> answers it): after this
    /// the executing thread sends no execute_reply for it. Null when no cell runs or its reply was already sent.
    /// </summary>
    public RunningCell? ClaimRunning() => Interlocked.Exchange(ref _cell, null);

    /// <summary>The last execute_request handled (the cell a late death is attributed to), or null.</summary>
    public JupyterMessage? LastRequest => Volatile.Read(ref _lastRequest);

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

        // A thread of this cell that throws after the cell has finished: its error goes to iopub with this cell as
        // parent (the cell's reply is sent; the kernel goes on). While the cell runs, it is the cell's error.
        var capture = new CellCapture { AfterCell = (e, thread) => PublishLateFault(msg, silent, e, thread) };
        var pump = new KernelOutputPump(capture, silent ? null : (type, content) => transport.Publish(type, content, msg), count, _pictures);
        var cell = new RunningCell(msg, count, pump, silent);
        Volatile.Write(ref _lastRequest, msg);
        Volatile.Write(ref _cell, cell);
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
                if (transport.Stopping)
                {
                    Interlocked.CompareExchange(ref _cell, null, cell);
                    return;
                }
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
        capture.Finish();
        // The process began to end while the cell ran and its reply was sent by the death report: nothing more to say.
        if (Interlocked.CompareExchange(ref _cell, null, cell) != cell) return;
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
            // A fault of the cell's threads is among its outputs: the pump has published it already.
            if (!silent && !ReferenceEquals(error, capture.Fault))
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

    /// <summary>An uncaught exception of a thread the finished cell of <paramref name="request"/> started: a stderr line
    /// and an error on iopub with that cell as parent. The thread has ended; the kernel and its session go on.</summary>
    private bool PublishLateFault(JupyterMessage request, bool silent, Exception exception, string? thread)
    {
        var error = CellFaults.Error(exception, thread, "this cell started, after the cell had finished", "that thread ended; the kernel goes on");
        log.WriteLine($"p2pflex kernel: {error.EName} on a thread a finished cell started: {exception.Message}");
        if (silent) return true;
        transport.Publish("stream", new JsonObject
        {
            ["name"] = "stderr",
            ["text"] = $"[p2pflex kernel] {error.EName}: {exception.Message} (unhandled on a thread this cell started, after it had finished; the kernel goes on)\n",
        }, request);
        transport.Publish("error", KernelContent.Error(error), request);
        return true;
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
