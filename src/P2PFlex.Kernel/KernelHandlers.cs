using System.Text.Json.Nodes;

namespace P2PFlex.Kernel;

/// <summary>
/// What the kernel does with each request. Shell: kernel_info, execute (<see cref="ExecuteHandler"/>), is_complete,
/// complete, inspect, comm_info, history, comm_open (closed: no comm targets), shutdown. Control: interrupt, shutdown,
/// kernel_info, and nothing else (control never executes, completes or inspects). Every request is bracketed by
/// status busy/idle on iopub.
/// </summary>
internal sealed class KernelHandlers(KernelTransport transport, KernelScriptSession script, ExecuteHandler execute, TextWriter log,
    Action stop)
{
    /// <summary>True when a shutdown request asked for a restart (the frontend then starts a new kernel process).</summary>
    public bool RestartRequested { get; private set; }

    /// <summary>A request received on the control channel.</summary>
    public void HandleControl(JupyterMessage msg)
    {
        transport.Status("busy", msg);
        try
        {
            switch (msg.MsgType)
            {
                case "interrupt_request":
                    execute.Interrupt();
                    transport.Reply(KernelChannel.Control, msg, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                    break;
                case "shutdown_request":
                    Shutdown(KernelChannel.Control, msg);
                    return;
                case "kernel_info_request":
                    transport.Reply(KernelChannel.Control, msg, "kernel_info_reply", JupyterKernel.KernelInfo());
                    break;
                default:
                    // Never execute (or complete, inspect…) anything that comes in on control.
                    log.WriteLine($"p2pflex kernel: ignored {msg.MsgType} on the control channel");
                    break;
            }
        }
        finally
        {
            transport.Status("idle", msg);
        }
    }

    /// <summary>A request received on the shell channel.</summary>
    public void HandleShell(JupyterMessage msg)
    {
        if (msg.MsgType == "shutdown_request")
        {
            transport.Status("busy", msg);
            Shutdown(KernelChannel.Shell, msg);
            transport.Status("idle", msg);
            return;
        }
        transport.Status("busy", msg);
        try
        {
            switch (msg.MsgType)
            {
                case "kernel_info_request":
                    transport.Reply(KernelChannel.Shell, msg, "kernel_info_reply", JupyterKernel.KernelInfo());
                    break;
                case "execute_request":
                    execute.Execute(msg, HandleShell);
                    break;
                case "is_complete_request":
                    IsComplete(msg);
                    break;
                case "complete_request":
                    Complete(msg);
                    break;
                case "inspect_request":
                    Inspect(msg);
                    break;
                case "comm_info_request":
                    transport.Reply(KernelChannel.Shell, msg, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                    break;
                case "history_request":
                    transport.Reply(KernelChannel.Shell, msg, "history_reply", execute.History.Reply(msg.Content));
                    break;
                case "comm_open":
                    // No comm targets: close it, as the protocol asks.
                    transport.Publish("comm_close", new JsonObject { ["comm_id"] = msg.Content["comm_id"]?.DeepClone(), ["data"] = new JsonObject() }, msg);
                    break;
                case "comm_msg":
                case "comm_close":
                    break;
                default:
                    log.WriteLine($"p2pflex kernel: unknown message type {msg.MsgType} on shell; ignored");
                    break;
            }
        }
        finally
        {
            transport.Status("idle", msg);
        }
    }

    /// <summary>Replies on the request's channel and on iopub, then stops the kernel (the frontend restarts it if asked).</summary>
    private void Shutdown(KernelChannel channel, JupyterMessage msg)
    {
        bool restart = msg.Content["restart"] is JsonValue v && v.TryGetValue<bool>(out bool r) && r;
        RestartRequested = restart;
        var content = new JsonObject { ["status"] = "ok", ["restart"] = restart };
        transport.Reply(channel, msg, "shutdown_reply", content);
        transport.Publish("shutdown_reply", (JsonObject)content.DeepClone(), msg);
        ThreadPool.QueueUserWorkItem(_ => stop());
    }

    private void IsComplete(JupyterMessage msg)
    {
        string status = KernelScriptSession.IsComplete(KernelContent.String(msg.Content, "code"));
        var content = new JsonObject { ["status"] = status };
        if (status == "incomplete") content["indent"] = "";
        transport.Reply(KernelChannel.Shell, msg, "is_complete_reply", content);
    }

    private void Complete(JupyterMessage msg)
    {
        string code = KernelContent.String(msg.Content, "code");
        int index = TextPositions.ToUtf16Index(code, KernelContent.CursorPosition(msg.Content, code));
        IReadOnlyList<string> matches;
        int start, end;
        try
        {
            (matches, start, end) = script.Complete(code, index);
        }
        catch (Exception e)
        {
            log.WriteLine($"p2pflex kernel: completion failed: {e.Message}");
            (matches, start, end) = ([], index, index);
        }
        transport.Reply(KernelChannel.Shell, msg, "complete_reply", new JsonObject
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
        string code = KernelContent.String(msg.Content, "code");
        int cursor = KernelContent.CursorPosition(msg.Content, code);
        string? text;
        try
        {
            text = script.Inspect(code, TextPositions.ToUtf16Index(code, cursor));
        }
        catch (Exception e)
        {
            log.WriteLine($"p2pflex kernel: inspection failed: {e.Message}");
            text = null;
        }
        var content = new JsonObject { ["status"] = "ok", ["found"] = text is not null, ["metadata"] = new JsonObject() };
        content["data"] = text is null ? new JsonObject() : new JsonObject { ["text/plain"] = text };
        transport.Reply(KernelChannel.Shell, msg, "inspect_reply", content);
    }
}
