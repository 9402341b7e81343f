using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace P2PFlex.Kernel;

/// <summary>
/// A Jupyter connection file: transport, ip, the five ports, the signing key and scheme. Jupyter writes it and starts
/// the kernel with its path. A port of 0 means "any free port" (the kernel binds one and reports it in
/// <see cref="JupyterKernel.Connection"/>), which tests use to avoid port races.
/// </summary>
public sealed record ConnectionInfo
{
    public string Transport { get; init; } = "tcp";
    public string Ip { get; init; } = "127.0.0.1";
    public int ShellPort { get; init; }
    public int IOPubPort { get; init; }
    public int StdinPort { get; init; }
    public int ControlPort { get; init; }
    public int HeartbeatPort { get; init; }
    public string Key { get; init; } = "";
    public string SignatureScheme { get; init; } = "hmac-sha256";
    public string KernelName { get; init; } = "";

    /// <summary>True when <see cref="Ip"/> is a loopback address (127.0.0.0/8, ::1, localhost).</summary>
    public bool IsLoopback => Ip == "localhost" || (IPAddress.TryParse(Ip, out var a) && IPAddress.IsLoopback(a));

    /// <summary>The ZeroMQ endpoint of a port: <c>tcp://127.0.0.1:5555</c> (IPv6 in brackets).</summary>
    public string Endpoint(int port) => $"{Transport}://{HostPart}:{port}";

    internal string HostPart => Ip.Contains(':') ? "[" + Ip + "]" : Ip;

    /// <summary>The most bytes a connection file may hold. Jupyter writes about 300; the cap bounds what a device, a
    /// pipe or a wrong path given as the file can cost (docs/data.md, "Input size limits").</summary>
    public const long MaxFileBytes = 64 * 1024;

    /// <summary>Reads a connection file; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static ConnectionInfo Read(string path)
    {
        string text;
        try { text = P2PFlex.IO.BoundedInput.ReadAllText(path, MaxFileBytes); }
        catch (P2PFlex.IO.InputTooLargeException e) { throw new FormatException($"connection file {e.Message}", e); }
        return Parse(text, path);
    }

    public static ConnectionInfo Parse(string json, string source = "connection file")
    {
        JsonObject o;
        try
        {
            o = JsonNode.Parse(json) as JsonObject ?? throw new FormatException($"{source}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not valid JSON: {e.Message}", e);
        }
        int Port(string name) => o[name] is JsonValue v && v.TryGetValue<int>(out int p) && p is >= 0 and <= 65535 ? p
            : throw new FormatException($"{source}: '{name}' must be a port number (0–65535)");
        string Str(string name, string fallback) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : fallback;
        var info = new ConnectionInfo
        {
            Transport = Str("transport", "tcp"),
            Ip = Str("ip", "127.0.0.1"),
            ShellPort = Port("shell_port"),
            IOPubPort = Port("iopub_port"),
            StdinPort = Port("stdin_port"),
            ControlPort = Port("control_port"),
            HeartbeatPort = Port("hb_port"),
            Key = Str("key", ""),
            SignatureScheme = Str("signature_scheme", "hmac-sha256"),
            KernelName = Str("kernel_name", ""),
        };
        if (info.Transport != "tcp") throw new FormatException($"{source}: transport '{info.Transport}' is not supported (only tcp)");
        if (info.Ip.Length == 0) throw new FormatException($"{source}: 'ip' is empty");
        if (info.Key.Length > 0 && info.SignatureScheme != "hmac-sha256")
            throw new FormatException($"{source}: signature_scheme '{info.SignatureScheme}' is not supported (only hmac-sha256)");
        return info;
    }

    public JsonObject ToJson() => new()
    {
        ["transport"] = Transport,
        ["ip"] = Ip,
        ["shell_port"] = ShellPort,
        ["iopub_port"] = IOPubPort,
        ["stdin_port"] = StdinPort,
        ["control_port"] = ControlPort,
        ["hb_port"] = HeartbeatPort,
        ["key"] = Key,
        ["signature_scheme"] = SignatureScheme,
        ["kernel_name"] = KernelName,
    };

    public void Write(string path) => File.WriteAllText(path, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
}
