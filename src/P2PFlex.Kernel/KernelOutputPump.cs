using System.Text.Json.Nodes;
using P2PFlex.Notebooks;

namespace P2PFlex.Kernel;

/// <summary>
/// Publishes a cell's outputs while it runs: stream text as it is written (only the part not yet sent), displayed
/// values as they come (each with a display id, so <c>display(x).Update(y)</c> becomes update_display_data), the
/// trailing value as execute_result and error outputs as error. The cell writes into a <see cref="CellCapture"/>; the
/// executing thread calls <see cref="Flush"/> every 0.1 s and once at the end. A silent request has no publisher.
/// </summary>
internal sealed class KernelOutputPump(CellCapture capture, Action<string, JsonObject>? publish, int executionCount, KernelChartPictures? pictures = null)
{
    private readonly object _gate = new();
    private readonly Dictionary<int, (DisplayDataOutput Output, string DisplayId)> _displays = new();
    private int _done;       // outputs published completely
    private int _chars;      // characters already published of output _done (a stream still being written)

    /// <summary>Publishes what is new since the last flush; <paramref name="final"/> also sends the last stream's tail.</summary>
    public void Flush(bool final)
    {
        if (publish is null) return;
        lock (_gate) FlushLocked(final);
    }

    private void FlushLocked(bool final)
    {
        var outputs = capture.ToOutputs();
        // display(x).Update(y) replaced an output already shown: update it in place.
        foreach (var (index, shown) in _displays.ToList())
        {
            if (index < outputs.Count && outputs[index] is DisplayDataOutput now && !ReferenceEquals(now, shown.Output))
            {
                AddPictures(now);
                publish!("update_display_data", new JsonObject
                {
                    ["data"] = Bundle(now.Data),
                    ["metadata"] = (JsonObject)now.Metadata.DeepClone(),
                    ["transient"] = new JsonObject { ["display_id"] = shown.DisplayId },
                });
                _displays[index] = (now, shown.DisplayId);
            }
        }
        while (_done < outputs.Count)
        {
            var o = outputs[_done];
            bool last = _done == outputs.Count - 1;
            if (o is StreamOutput s)
            {
                if (s.Text.Length > _chars)
                    publish!("stream", new JsonObject { ["name"] = s.Name, ["text"] = s.Text[_chars..] });
                if (last && !final) { _chars = s.Text.Length; return; }
            }
            else if (o is ExecuteResultOutput r)
            {
                AddPictures(r);
                publish!("execute_result", new JsonObject
                {
                    ["execution_count"] = r.ExecutionCount ?? executionCount,
                    ["data"] = Bundle(r.Data),
                    ["metadata"] = (JsonObject)r.Metadata.DeepClone(),
                });
            }
            else if (o is DisplayDataOutput d)
            {
                AddPictures(d);
                string displayId = Guid.NewGuid().ToString("N");
                _displays[_done] = (d, displayId);
                publish!("display_data", new JsonObject
                {
                    ["data"] = Bundle(d.Data),
                    ["metadata"] = (JsonObject)d.Metadata.DeepClone(),
                    ["transient"] = new JsonObject { ["display_id"] = displayId },
                });
            }
            else if (o is ErrorOutput e)
            {
                publish!("error", KernelContent.Error(e));
            }
            _done++;
            _chars = 0;
        }
    }

    /// <summary>A chart's static forms (<see cref="KernelChartPictures"/>) before it is published; the line saying they
    /// are skipped, once, on stderr.</summary>
    private void AddPictures(DisplayDataOutput output)
    {
        if (pictures?.Add(output) is { } skipped) publish!("stream", new JsonObject { ["name"] = "stderr", ["text"] = skipped });
    }

    private static JsonObject Bundle(MimeBundle b)
    {
        var o = new JsonObject();
        foreach (var (mime, value) in b) o[mime] = value.DeepClone();
        return o;
    }
}
