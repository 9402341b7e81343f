using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

using P2PFlex.IO;

namespace P2PFlex.Notebooks;

/// <summary>A file that is not a notebook this library can read, with the reason.</summary>
public sealed class NotebookFormatException(string origin, string reason)
    : Exception($"{origin}: {reason}")
{
    /// <summary>The file (or name) the notebook was read from, with the cell/output if known.</summary>
    public string Origin { get; } = origin;
    public string Reason { get; } = reason;
}

/// <summary>
/// Reads and writes <c>.ipynb</c> files (nbformat 4; written as 4.5) with System.Text.Json. Reading accepts sources
/// and texts as strings or line arrays and any nbformat 4.x; missing cell ids are added. Writing follows Jupyter's
/// layout (one-space indent, sorted keys, multi-line strings as line arrays) without escaping HTML characters, so
/// executed notebooks stay readable and diff well.
/// </summary>
public static class NotebookJson
{
    /// <summary>Largest notebook read (bytes): the study's executed notebooks are at most a few MB with their charts.</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    public static Notebook Read(string path)
    {
        string text;
        // Counted while reading (a device or a pipe reports size 0); UTF-8 unless a byte-order mark says otherwise.
        try { text = P2PFlex.IO.BoundedInput.ReadAllText(path, MaxFileBytes); }
        catch (P2PFlex.IO.InputTooLargeException) { throw new NotebookFormatException(path, $"more than {MaxFileBytes} bytes, the limit of a notebook (a device or a pipe?)"); }
        catch (IOException e) { throw new NotebookFormatException(path, e.Message); }
        return Parse(text, path);
    }

    public static Notebook Parse(string json, string sourceName = "<notebook>")
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw new NotebookFormatException(sourceName, $"not valid JSON: {e.Message}"); }
        if (root is not JsonObject o) throw new NotebookFormatException(sourceName, "the top level is not a JSON object");

        int major = Int(o["nbformat"]) ?? throw new NotebookFormatException(sourceName, "no 'nbformat' version");
        if (major != Notebook.FormatMajor)
            throw new NotebookFormatException(sourceName, $"nbformat {major} is not supported (only 4; convert with 'jupyter nbconvert --to notebook')");
        var nb = new Notebook
        {
            NbFormat = major,
            NbFormatMinor = Math.Max(Int(o["nbformat_minor"]) ?? 0, Notebook.FormatMinor),
            Metadata = o["metadata"] is JsonObject md ? (JsonObject)md.DeepClone() : new JsonObject(),
        };
        if (o["cells"] is not JsonArray cells) throw new NotebookFormatException(sourceName, "no 'cells' array");
        for (int i = 0; i < cells.Count; i++)
        {
            if (cells[i] is not JsonObject c) throw new NotebookFormatException(sourceName, $"cell {i + 1} is not a JSON object");
            nb.Cells.Add(ReadCell(c, $"{sourceName}: cell {i + 1}"));
        }
        CellIds.EnsureUnique(nb);
        return nb;
    }

    private static NotebookCell ReadCell(JsonObject c, string where)
    {
        var type = Str(c["cell_type"]) switch
        {
            "markdown" => CellType.Markdown,
            "code" => CellType.Code,
            "raw" => CellType.Raw,
            var t => throw new NotebookFormatException(where, $"unknown cell_type '{t}'"),
        };
        var cell = new NotebookCell(type, MultiLine(c["source"]), Str(c["id"]))
        {
            Metadata = c["metadata"] is JsonObject m ? (JsonObject)m.DeepClone() : new JsonObject(),
        };
        if (type == CellType.Code)
        {
            cell.ExecutionCount = Int(c["execution_count"]);
            if (c["outputs"] is JsonArray outs)
                for (int k = 0; k < outs.Count; k++)
                    cell.Outputs.Add(ReadOutput(outs[k] as JsonObject ?? throw new NotebookFormatException(where, $"output {k + 1} is not an object"), $"{where}, output {k + 1}"));
        }
        else if (c["attachments"] is JsonObject att)
        {
            cell.Attachments = (JsonObject)att.DeepClone();
        }
        return cell;
    }

    private static NotebookOutput ReadOutput(JsonObject o, string where) => Str(o["output_type"]) switch
    {
        "stream" => new StreamOutput(Str(o["name"]) ?? StreamOutput.Stdout, MultiLine(o["text"])),
        "display_data" => new DisplayDataOutput(ReadBundle(o["data"]), OutputMetadata(o)),
        "execute_result" => new ExecuteResultOutput(Int(o["execution_count"]), ReadBundle(o["data"]), OutputMetadata(o)),
        "error" => new ErrorOutput(Str(o["ename"]) ?? "", Str(o["evalue"]) ?? "",
            o["traceback"] is JsonArray tb ? tb.Select(t => Str(t) ?? "").ToArray() : []),
        var t => throw new NotebookFormatException(where, $"unknown output_type '{t}'"),
    };

    private static JsonObject OutputMetadata(JsonObject o) => o["metadata"] is JsonObject m ? (JsonObject)m.DeepClone() : new JsonObject();

    private static MimeBundle ReadBundle(JsonNode? data)
    {
        var b = new MimeBundle();
        if (data is not JsonObject d) return b;
        foreach (var (mime, value) in d)
        {
            if (value is null) continue;
            if (IsJsonMime(mime)) b.Set(mime, value.DeepClone());
            else b.Set(mime, MultiLine(value));
        }
        return b;
    }

    /// <summary>JSON MIME types hold JSON values in nbformat; all others hold (possibly line-split) text.</summary>
    public static bool IsJsonMime(string mime) =>
        mime == "application/json" || mime.EndsWith("+json", StringComparison.Ordinal);

    private static string MultiLine(JsonNode? n) => n switch
    {
        null => "",
        JsonArray a => string.Concat(a.Select(x => Str(x) ?? "")),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => n.ToJsonString(),
    };

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static int? Int(JsonNode? n)
    {
        if (n is not JsonValue v) return null;
        if (v.TryGetValue<int>(out var i)) return i;
        if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue) return (int)d;
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions CompactJson = new()
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The notebook as nbformat 4.5 JSON text (ids are made valid and unique first).</summary>
    public static string Serialize(Notebook nb)
    {
        CellIds.EnsureUnique(nb);
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartArray("cells");
            foreach (var c in nb.Cells) WriteCell(w, c);
            w.WriteEndArray();
            w.WritePropertyName("metadata");
            nb.Metadata.WriteTo(w);
            w.WriteNumber("nbformat", nb.NbFormat);
            w.WriteNumber("nbformat_minor", Math.Max(nb.NbFormatMinor, Notebook.FormatMinor));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Writes the notebook atomically (temporary file in the same folder, then rename).</summary>
    public static void Write(Notebook nb, string path) => AtomicFile.WriteAllText(path, Serialize(nb));

    private static void WriteCell(Utf8JsonWriter w, NotebookCell c)
    {
        w.WriteStartObject();
        if (c.CellType != CellType.Code && c.Attachments is { Count: > 0 })
        {
            w.WritePropertyName("attachments");
            c.Attachments.WriteTo(w);
        }
        w.WriteString("cell_type", c.CellType switch { CellType.Markdown => "markdown", CellType.Code => "code", _ => "raw" });
        if (c.CellType == CellType.Code)
        {
            if (c.ExecutionCount is int n) w.WriteNumber("execution_count", n);
            else w.WriteNull("execution_count");
        }
        w.WriteString("id", c.Id);
        w.WritePropertyName("metadata");
        c.Metadata.WriteTo(w);
        if (c.CellType == CellType.Code)
        {
            w.WriteStartArray("outputs");
            foreach (var o in c.Outputs) WriteOutput(w, o);
            w.WriteEndArray();
        }
        WriteLines(w, "source", c.Source);
        w.WriteEndObject();
    }

    private static void WriteOutput(Utf8JsonWriter w, NotebookOutput o)
    {
        w.WriteStartObject();
        switch (o)
        {
            case StreamOutput s:
                w.WriteString("name", s.Name);
                w.WriteString("output_type", "stream");
                WriteLines(w, "text", s.Text);
                break;
            case DisplayDataOutput d: // and ExecuteResultOutput
                w.WritePropertyName("data");
                w.WriteStartObject();
                foreach (var (mime, value) in d.Data)
                {
                    if (!IsJsonMime(mime) && value is JsonValue v && v.TryGetValue<string>(out var text)) WriteLines(w, mime, text);
                    else
                    {
                        // A JSON value (a plotly figure) on one line: indented, each of its thousands of numbers took a
                        // line of its own, and the indentation alone was 40 % of a report notebook's bytes.
                        w.WritePropertyName(mime);
                        w.WriteRawValue(value.ToJsonString(CompactJson), skipInputValidation: true);
                    }
                }
                w.WriteEndObject();
                if (d is ExecuteResultOutput r)
                {
                    if (r.ExecutionCount is int n) w.WriteNumber("execution_count", n);
                    else w.WriteNull("execution_count");
                }
                w.WritePropertyName("metadata");
                d.Metadata.WriteTo(w);
                w.WriteString("output_type", d.OutputType);
                break;
            case ErrorOutput e:
                w.WriteString("ename", e.EName);
                w.WriteString("evalue", e.EValue);
                w.WriteString("output_type", "error");
                w.WriteStartArray("traceback");
                foreach (var line in e.Traceback) w.WriteStringValue(line);
                w.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"unknown output {o.GetType().Name}");
        }
        w.WriteEndObject();
    }

    /// <summary>nbformat's multi-line string: an array of lines, each but the last keeping its "\n".</summary>
    private static void WriteLines(Utf8JsonWriter w, string name, string text)
    {
        w.WriteStartArray(name);
        foreach (var line in SplitLines(text)) w.WriteStringValue(line);
        w.WriteEndArray();
    }

    internal static IEnumerable<string> SplitLines(string text)
    {
        int start = 0;
        while (start < text.Length)
        {
            int nl = text.IndexOf('\n', start);
            if (nl < 0) { yield return text[start..]; yield break; }
            yield return text[start..(nl + 1)];
            start = nl + 1;
        }
    }
}
