using System.Text.Json.Nodes;

namespace P2PFlex.Notebooks;

/// <summary>The kind of a notebook cell (nbformat <c>cell_type</c>).</summary>
public enum CellType
{
    Markdown,
    Code,
    Raw,
}

/// <summary>
/// A Jupyter notebook in nbformat 4.5: cells with an <c>id</c> each, free-form metadata (kept as JSON so unknown keys
/// survive a read/write round trip), and for code cells the outputs and execution count.
/// Read and written by <see cref="NotebookJson"/>; executed by <see cref="NotebookRunner"/>.
/// </summary>
public sealed class Notebook
{
    public const int FormatMajor = 4;
    public const int FormatMinor = 5;

    public int NbFormat { get; set; } = FormatMajor;
    public int NbFormatMinor { get; set; } = FormatMinor;
    public JsonObject Metadata { get; set; } = new();
    public List<NotebookCell> Cells { get; } = new();

    /// <summary>A new, empty C# notebook with the .NET Interactive / Polyglot metadata (see <see cref="PolyglotMetadata"/>).</summary>
    public static Notebook CreateCSharp()
    {
        var nb = new Notebook();
        PolyglotMetadata.EnsureNotebook(nb);
        return nb;
    }

    public NotebookCell AddMarkdown(string source) => Add(new NotebookCell(CellType.Markdown, source));

    public NotebookCell AddCode(string source, params string[] tags)
    {
        var cell = new NotebookCell(CellType.Code, source);
        PolyglotMetadata.EnsureCSharpCell(cell);
        foreach (var t in tags) cell.AddTag(t);
        return Add(cell);
    }

    public NotebookCell AddRaw(string source) => Add(new NotebookCell(CellType.Raw, source));

    private NotebookCell Add(NotebookCell cell)
    {
        Cells.Add(cell);
        CellIds.EnsureUnique(this);
        return cell;
    }

    /// <summary>A deep copy (cells, outputs and metadata); the copy can be executed without touching this one.</summary>
    public Notebook Clone()
    {
        var nb = new Notebook { NbFormat = NbFormat, NbFormatMinor = NbFormatMinor, Metadata = (JsonObject)Metadata.DeepClone() };
        foreach (var c in Cells) nb.Cells.Add(c.Clone());
        return nb;
    }

    /// <summary>The text of the first level-1 markdown heading, if any (the report's title).</summary>
    public string? Title()
    {
        foreach (var cell in Cells.Where(c => c.CellType == CellType.Markdown))
            foreach (var line in cell.Source.Split('\n'))
            {
                var l = line.TrimEnd('\r');
                if (l.StartsWith("# ", StringComparison.Ordinal)) return l[2..].Trim();
            }
        return null;
    }
}

/// <summary>One cell. <see cref="Outputs"/> and <see cref="ExecutionCount"/> are only meaningful for code cells.</summary>
public sealed class NotebookCell
{
    public NotebookCell(CellType cellType, string source, string? id = null)
    {
        CellType = cellType;
        Source = source;
        Id = id ?? "";
    }

    public CellType CellType { get; set; }

    /// <summary>nbformat 4.5 cell id (1–64 characters of <c>[A-Za-z0-9_-]</c>, unique in the notebook).</summary>
    public string Id { get; set; }

    public string Source { get; set; }
    public JsonObject Metadata { get; set; } = new();
    public List<NotebookOutput> Outputs { get; } = new();
    public int? ExecutionCount { get; set; }

    /// <summary>Markdown/raw cell attachments (<c>{name: {mime: base64}}</c>), kept as read.</summary>
    public JsonObject? Attachments { get; set; }

    public IReadOnlyList<string> Tags =>
        Metadata["tags"] is JsonArray a ? a.Select(t => t is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToArray() : [];

    public bool HasTag(string tag) => Tags.Contains(tag, StringComparer.Ordinal);

    public void AddTag(string tag)
    {
        if (HasTag(tag)) return;
        if (Metadata["tags"] is not JsonArray a) Metadata["tags"] = a = new JsonArray();
        a.Add(tag);
    }

    public NotebookCell Clone()
    {
        var c = new NotebookCell(CellType, Source, Id)
        {
            Metadata = (JsonObject)Metadata.DeepClone(),
            ExecutionCount = ExecutionCount,
            Attachments = (JsonObject?)Attachments?.DeepClone(),
        };
        foreach (var o in Outputs) c.Outputs.Add(o.Clone());
        return c;
    }
}

/// <summary>A code cell's output (nbformat <c>output_type</c>).</summary>
public abstract class NotebookOutput
{
    public abstract string OutputType { get; }
    public abstract NotebookOutput Clone();
}

/// <summary><c>stream</c>: text written to stdout or stderr.</summary>
public sealed class StreamOutput(string name, string text) : NotebookOutput
{
    public const string Stdout = "stdout";
    public const string Stderr = "stderr";

    public override string OutputType => "stream";
    public string Name { get; } = name;
    public string Text { get; set; } = text;
    public override NotebookOutput Clone() => new StreamOutput(Name, Text);
}

/// <summary><c>display_data</c>: a value shown with <c>display(x)</c>, as a MIME bundle.</summary>
public class DisplayDataOutput(MimeBundle data, JsonObject? metadata = null) : NotebookOutput
{
    public override string OutputType => "display_data";
    public MimeBundle Data { get; } = data;
    public JsonObject Metadata { get; } = metadata ?? new JsonObject();
    public override NotebookOutput Clone() => new DisplayDataOutput(Data.Clone(), (JsonObject)Metadata.DeepClone());
}

/// <summary><c>execute_result</c>: the value of a cell's trailing expression.</summary>
public sealed class ExecuteResultOutput(int? executionCount, MimeBundle data, JsonObject? metadata = null)
    : DisplayDataOutput(data, metadata)
{
    public override string OutputType => "execute_result";
    public int? ExecutionCount { get; set; } = executionCount;
    public override NotebookOutput Clone() => new ExecuteResultOutput(ExecutionCount, Data.Clone(), (JsonObject)Metadata.DeepClone());
}

/// <summary><c>error</c>: a compile error or an exception; <see cref="Traceback"/> holds one line per entry.</summary>
public sealed class ErrorOutput(string ename, string evalue, IReadOnlyList<string> traceback) : NotebookOutput
{
    public override string OutputType => "error";
    public string EName { get; } = ename;
    public string EValue { get; } = evalue;
    public IReadOnlyList<string> Traceback { get; } = traceback;
    public override NotebookOutput Clone() => new ErrorOutput(EName, EValue, Traceback.ToArray());
}

/// <summary>
/// A MIME bundle (<c>{"text/html": ..., "text/plain": ...}</c>), in insertion order. Text types hold strings;
/// JSON types (<c>application/json</c>, <c>*+json</c>) may hold any JSON value.
/// </summary>
public sealed class MimeBundle : IEnumerable<KeyValuePair<string, JsonNode>>
{
    private readonly List<KeyValuePair<string, JsonNode>> _items = new();

    public int Count => _items.Count;
    public IEnumerable<string> MimeTypes => _items.Select(i => i.Key);
    public bool Contains(string mimeType) => _items.Any(i => i.Key == mimeType);

    /// <summary>The text of <paramref name="mimeType"/> (JSON values serialized), or null if absent.</summary>
    public string? GetText(string mimeType)
    {
        foreach (var (k, v) in _items)
            if (k == mimeType) return v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : v.ToJsonString();
        return null;
    }

    public JsonNode? Get(string mimeType) => _items.FirstOrDefault(i => i.Key == mimeType).Value;

    public MimeBundle Set(string mimeType, string text) => Set(mimeType, JsonValue.Create(text));

    public MimeBundle Set(string mimeType, JsonNode value)
    {
        int i = _items.FindIndex(p => p.Key == mimeType);
        if (i >= 0) _items[i] = new(mimeType, value);
        else _items.Add(new(mimeType, value));
        return this;
    }

    public MimeBundle Clone()
    {
        var b = new MimeBundle();
        foreach (var (k, v) in _items) b._items.Add(new(k, v.DeepClone()));
        return b;
    }

    public IEnumerator<KeyValuePair<string, JsonNode>> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
