using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NetMQ;

namespace P2PFlex.Kernel;

/// <summary>
/// One Jupyter message: routing identities, header, parent header, metadata, content (and raw buffers).
/// On the wire (messaging protocol 5.3):
/// <c>[identities…] "&lt;IDS|MSG&gt;" signature header parent_header metadata content [buffers…]</c>.
/// </summary>
public sealed class JupyterMessage
{
    public const string ProtocolVersion = "5.3";
    public const string Delimiter = "<IDS|MSG>";

    public IReadOnlyList<byte[]> Identities { get; init; } = [];
    public JsonObject Header { get; init; } = new();
    public JsonObject ParentHeader { get; init; } = new();
    public JsonObject Metadata { get; init; } = new();
    public JsonObject Content { get; init; } = new();
    public IReadOnlyList<byte[]> Buffers { get; init; } = [];

    public string MsgType => Header["msg_type"]?.GetValue<string>() ?? "";
    public string MsgId => Header["msg_id"]?.GetValue<string>() ?? "";

    /// <summary>A new message of <paramref name="msgType"/> in reply to (or caused by) <paramref name="parent"/>.</summary>
    public static JupyterMessage Create(string msgType, JsonObject content, JupyterMessage? parent, string session,
        IReadOnlyList<byte[]>? identities = null, JsonObject? metadata = null) => new()
        {
            Identities = identities ?? [],
            Header = NewHeader(msgType, session),
            ParentHeader = parent is null ? new JsonObject() : (JsonObject)parent.Header.DeepClone(),
            Metadata = metadata ?? new JsonObject(),
            Content = content,
        };

    public static JsonObject NewHeader(string msgType, string session, string username = "kernel") => new()
    {
        ["msg_id"] = Guid.NewGuid().ToString("N"),
        ["session"] = session,
        ["username"] = username,
        ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
        ["msg_type"] = msgType,
        ["version"] = ProtocolVersion,
    };

    /// <summary>The frames to send, signed with <paramref name="signer"/>.</summary>
    public NetMQMessage ToFrames(MessageSigner signer)
    {
        byte[] header = Utf8(Header), parent = Utf8(ParentHeader), metadata = Utf8(Metadata), content = Utf8(Content);
        var m = new NetMQMessage();
        foreach (var id in Identities) m.Append(id);
        m.Append(Encoding.UTF8.GetBytes(Delimiter));
        m.Append(Encoding.ASCII.GetBytes(signer.Sign(header, parent, metadata, content)));
        m.Append(header);
        m.Append(parent);
        m.Append(metadata);
        m.Append(content);
        foreach (var b in Buffers) m.Append(b);
        return m;
    }

    /// <summary>
    /// Parses received frames and checks their signature. Returns null, with the reason in <paramref name="problem"/>,
    /// for a malformed message or one whose signature is missing or wrong (when a key is set): such a message must be
    /// dropped, never acted on.
    /// </summary>
    public static JupyterMessage? Parse(IReadOnlyList<byte[]> frames, MessageSigner signer, out string? problem)
    {
        problem = null;
        byte[] delimiter = Encoding.UTF8.GetBytes(Delimiter);
        int d = -1;
        for (int i = 0; i < frames.Count; i++)
            if (frames[i].AsSpan().SequenceEqual(delimiter)) { d = i; break; }
        if (d < 0) { problem = "no <IDS|MSG> delimiter"; return null; }
        if (frames.Count < d + 6) { problem = $"{frames.Count - d - 1} frames after the delimiter, need 5"; return null; }
        string signature = Encoding.ASCII.GetString(frames[d + 1]);
        byte[] header = frames[d + 2], parent = frames[d + 3], metadata = frames[d + 4], content = frames[d + 5];
        if (!signer.Verify(signature, header, parent, metadata, content))
        {
            problem = signature.Length == 0 ? "unsigned message (a key is set)" : "bad signature";
            return null;
        }
        try
        {
            var msg = new JupyterMessage
            {
                Identities = frames.Take(d).ToArray(),
                Header = Object(header, "header"),
                ParentHeader = Object(parent, "parent_header"),
                Metadata = Object(metadata, "metadata"),
                Content = Object(content, "content"),
                Buffers = frames.Skip(d + 6).ToArray(),
            };
            if (msg.MsgType.Length == 0) { problem = "header has no msg_type"; return null; }
            return msg;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            problem = "malformed JSON: " + e.Message;
            return null;
        }
    }

    public static JupyterMessage? Parse(NetMQMessage frames, MessageSigner signer, out string? problem) =>
        Parse(frames.Select(f => f.ToByteArray()).ToArray(), signer, out problem);

    private static JsonObject Object(byte[] json, string what) =>
        JsonNode.Parse(json.Length == 0 ? "{}"u8 : json) as JsonObject ?? throw new FormatException($"{what} is not a JSON object");

    private static byte[] Utf8(JsonObject o) => Encoding.UTF8.GetBytes(o.ToJsonString());
}
