using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using NetMQ;
using P2PFlex.Kernel;

namespace P2PFlex.Kernel.Tests;

public class SigningTests
{
    private const string Key = "a0436f6c-1916-498b-8eb9-e81ab9368e84";

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>The reference: hex HMAC-SHA256 of header|parent|metadata|content, computed independently.</summary>
    private static string Reference(string key, params string[] parts)
    {
        using var h = new HMACSHA256(B(key));
        return Convert.ToHexStringLower(h.ComputeHash(B(string.Concat(parts))));
    }

    [Fact]
    public void Signature_is_hex_hmac_sha256_of_the_four_frames_in_order()
    {
        var signer = new MessageSigner(Key);
        string h = """{"msg_id":"1","msg_type":"execute_request"}""", p = "{}", m = "{}", c = """{"code":"1+1"}""";
        Assert.Equal(Reference(Key, h, p, m, c), signer.Sign(B(h), B(p), B(m), B(c)));
        Assert.True(signer.Verify(Reference(Key, h, p, m, c), B(h), B(p), B(m), B(c)));
        Assert.True(signer.Verify(Reference(Key, h, p, m, c).ToUpperInvariant(), B(h), B(p), B(m), B(c)));
    }

    [Fact]
    public void Wrong_key_tampered_content_empty_or_malformed_signatures_are_rejected()
    {
        var signer = new MessageSigner(Key);
        string h = "{}", p = "{}", m = "{}", c = """{"code":"1+1"}""";
        Assert.False(signer.Verify(Reference("other key", h, p, m, c), B(h), B(p), B(m), B(c)));
        Assert.False(signer.Verify(Reference(Key, h, p, m, c), B(h), B(p), B(m), B("""{"code":"2+2"}""")));
        Assert.False(signer.Verify("", B(h), B(p), B(m), B(c)));
        Assert.False(signer.Verify("not hex", B(h), B(p), B(m), B(c)));
        Assert.False(signer.Verify(Reference(Key, h, p, m, c)[..63], B(h), B(p), B(m), B(c)));
    }

    [Fact]
    public void Without_a_key_messages_are_unsigned_and_accepted()
    {
        var signer = new MessageSigner("");
        Assert.False(signer.Enabled);
        Assert.Equal("", signer.Sign(B("{}"), B("{}"), B("{}"), B("{}")));
        Assert.True(signer.Verify("", B("{}"), B("{}"), B("{}"), B("{}")));
    }

    [Fact]
    public void Parse_accepts_a_well_signed_message_and_keeps_identities_and_buffers()
    {
        var signer = new MessageSigner(Key);
        var msg = JupyterMessage.Create("execute_request", new JsonObject { ["code"] = "1+1" }, null, "client", [B("id-1"), B("id-2")]);
        var frames = msg.ToFrames(signer);
        frames.Append(B("raw buffer"));
        var parsed = JupyterMessage.Parse(frames, signer, out var problem);
        Assert.Null(problem);
        Assert.NotNull(parsed);
        Assert.Equal("execute_request", parsed.MsgType);
        Assert.Equal("1+1", parsed.Content["code"]!.GetValue<string>());
        Assert.Equal(["id-1", "id-2"], parsed.Identities.Select(Encoding.UTF8.GetString));
        Assert.Equal("raw buffer", Encoding.UTF8.GetString(Assert.Single(parsed.Buffers)));
        Assert.Equal("5.3", parsed.Header["version"]!.GetValue<string>());
    }

    [Fact]
    public void Parse_drops_mis_signed_unsigned_and_tampered_messages()
    {
        var signer = new MessageSigner(Key);
        var msg = JupyterMessage.Create("execute_request", new JsonObject { ["code"] = "1+1" }, null, "client");

        Assert.Null(JupyterMessage.Parse(msg.ToFrames(new MessageSigner("attacker's key")), signer, out var p1));
        Assert.Equal("bad signature", p1);

        Assert.Null(JupyterMessage.Parse(msg.ToFrames(new MessageSigner("")), signer, out var p2));
        Assert.Contains("unsigned", p2);

        var tampered = msg.ToFrames(signer).Select(f => f.ToByteArray()).ToArray();
        tampered[^1] = B("""{"code":"System.IO.File.Delete(\"x\")"}""");
        Assert.Null(JupyterMessage.Parse(tampered, signer, out var p3));
        Assert.Equal("bad signature", p3);
    }

    [Fact]
    public void Parse_rejects_malformed_frames()
    {
        var signer = new MessageSigner("");
        Assert.Null(JupyterMessage.Parse([B("no delimiter")], signer, out var p1));
        Assert.Contains("delimiter", p1);
        Assert.Null(JupyterMessage.Parse([B("<IDS|MSG>"), B(""), B("{}")], signer, out var p2));
        Assert.Contains("frames", p2);
        Assert.Null(JupyterMessage.Parse([B("<IDS|MSG>"), B(""), B("not json"), B("{}"), B("{}"), B("{}")], signer, out var p3));
        Assert.Contains("JSON", p3);
        Assert.Null(JupyterMessage.Parse([B("<IDS|MSG>"), B(""), B("{}"), B("{}"), B("{}"), B("{}")], signer, out var p4));
        Assert.Contains("msg_type", p4);
    }

    [Fact]
    public void Connection_file_is_read_with_its_ports_key_and_ip()
    {
        var info = ConnectionInfo.Parse("""
            {"shell_port": 5001, "iopub_port": 5002, "stdin_port": 5003, "control_port": 5004, "hb_port": 5005,
             "ip": "127.0.0.1", "key": "k", "transport": "tcp", "signature_scheme": "hmac-sha256", "kernel_name": "p2pflex-csharp"}
            """);
        Assert.Equal((5001, 5002, 5003, 5004, 5005), (info.ShellPort, info.IOPubPort, info.StdinPort, info.ControlPort, info.HeartbeatPort));
        Assert.Equal("tcp://127.0.0.1:5001", info.Endpoint(info.ShellPort));
        Assert.True(info.IsLoopback);
        Assert.Throws<FormatException>(() => ConnectionInfo.Parse("""{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": "k", "signature_scheme": "hmac-md5"}"""));
        Assert.Throws<FormatException>(() => ConnectionInfo.Parse("""{"shell_port": "x"}"""));
        Assert.False(ConnectionInfo.Parse("""{"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "ip": "0.0.0.0"}""").IsLoopback);
    }
}
