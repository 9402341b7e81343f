using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using NetMQ;

namespace P2PFlex.Kernel.Tests;

/// <summary>Kernel findings of issue 13: replays in another letter case, a port already in use.</summary>
public class KernelHardeningTests
{
    [Fact]
    public void A_signature_is_the_same_digest_in_any_letter_case_and_non_hex_is_refused()
    {
        const string lower = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        string upper = lower.ToUpperInvariant();
        string mixed = string.Concat(lower.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : c));
        Assert.Equal(lower, MessageSigner.Digest(upper));
        Assert.Equal(lower, MessageSigner.Digest(mixed));
        Assert.Null(MessageSigner.Digest(new string('g', 64)));
        Assert.Null(MessageSigner.Digest(lower[..62]));
        Assert.False(new MessageSigner("k").Verify(new string('g', 64), [], [], [], []));
    }

    [Theory]
    [InlineData("upper")]
    [InlineData("mixed")]
    public void A_captured_message_replayed_with_its_signature_in_another_case_is_dropped(string variant)
    {
        using var k = new KernelClient();
        var valid = k.Create("execute_request", new JsonObject { ["code"] = "var runs = 1;" });
        var frames = valid.ToFrames(k.Signer);
        k.Shell.SendMultipartMessage(frames);
        k.ReceiveReply(k.Shell, valid.MsgId);
        k.IopubFor(valid.MsgId);
        Assert.Equal(0, k.Kernel.DroppedMessages);

        var replay = valid.ToFrames(k.Signer);
        int at = Enumerable.Range(0, replay.FrameCount).First(i => replay[i].ConvertToString() == "<IDS|MSG>") + 1;
        string signature = replay[at].ConvertToString();
        string changed = variant == "upper" ? signature.ToUpperInvariant()
            : string.Concat(signature.Select((c, i) => i % 3 == 0 ? char.ToUpperInvariant(c) : c));
        Assert.NotEqual(signature, changed);
        var resent = new NetMQMessage();
        for (int i = 0; i < replay.FrameCount; i++) resent.Append(i == at ? new NetMQFrame(changed) : replay[i]);
        k.Shell.SendMultipartMessage(resent);
        Assert.Null(k.TryReceive(k.Shell, TimeSpan.FromSeconds(1)));
        Assert.Equal(1, k.Kernel.DroppedMessages);
        Assert.Contains("replayed execute_request", k.Log.ToString());
    }

    [Fact]
    public void A_frame_above_the_size_limit_is_refused_before_it_is_read_and_its_signature_never_checked()
    {
        using var k = new KernelClient();
        var valid = k.Create("execute_request", new JsonObject { ["code"] = "1" });
        var frames = valid.ToFrames(new MessageSigner("wrong key"));
        var huge = new NetMQMessage();
        for (int i = 0; i < frames.FrameCount; i++) huge.Append(frames[i]);
        huge.Append(new byte[JupyterKernel.MaxFrameBytes + 1]);   // a buffer frame one byte above the limit
        k.Shell.SendMultipartMessage(huge);
        Assert.Null(k.TryReceive(k.Shell, TimeSpan.FromSeconds(3)));
        // Never parsed, so never counted as a bad signature: ZeroMQ dropped the connection at the frame's length.
        Assert.Equal(0, k.Kernel.DroppedMessages);
        Assert.DoesNotContain("bad signature", k.Log.ToString());
        // The kernel still serves other clients.
        using var control = new NetMQ.Sockets.DealerSocket();
        control.Options.Linger = TimeSpan.Zero;
        control.Connect(k.Connection.Endpoint(k.Connection.ControlPort));
        string id = k.Send(control, "kernel_info_request", new JsonObject());
        Assert.Equal("kernel_info_reply", k.ReceiveReply(control, id).MsgType);
    }

    [Fact]
    public void A_port_already_in_use_is_a_clear_error_naming_channel_port_and_address()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        int taken = ((IPEndPoint)holder.LocalEndpoint).Port;
        var connection = new ConnectionInfo { Ip = "127.0.0.1", Key = "k", ShellPort = taken };
        using var kernel = new JupyterKernel(connection, new KernelOptions { Log = TextWriter.Null });
        var e = Assert.Throws<InvalidOperationException>(kernel.Start);
        Assert.Contains($"shell port {taken} on 127.0.0.1 is already in use", e.Message);
        Assert.Contains($"tcp://127.0.0.1:{taken}", e.Message);
    }
}
