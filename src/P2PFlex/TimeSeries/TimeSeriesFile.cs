using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using P2PFlex.MonteCarlo;
using Parquet;
using Parquet.Schema;

namespace P2PFlex.TimeSeries;

/// <summary>
/// What a time-series file holds, in its Parquet key-value metadata (key <see cref="TimeSeriesFile.MetadataKey"/>):
/// the job, and for a shard its number (0-based) of <c>Shards</c> and its intervals; both null in a merged file.
/// </summary>
public sealed record TimeSeriesHeader(
    [property: JsonPropertyName("feeder")] string Feeder,
    [property: JsonPropertyName("profiles")] string Profiles,
    [property: JsonPropertyName("profile_digest")] string ProfileDigest,
    [property: JsonPropertyName("step_minutes")] double StepMinutes,
    [property: JsonPropertyName("first")] int First,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("scenarios")] IReadOnlyList<string> Scenarios,
    [property: JsonPropertyName("shard")] int? Shard,
    [property: JsonPropertyName("shards")] int? Shards,
    [property: JsonPropertyName("shard_first")] int ShardFirst,
    [property: JsonPropertyName("shard_count")] int ShardCount) : IShardHeader<TimeSeriesJob>
{
    public TimeSeriesJob Job => new(Feeder, Profiles, ProfileDigest, First, Count, Scenarios);

    public bool Matches(TimeSeriesJob job) =>
        Feeder == job.Feeder && ProfileDigest == job.ProfileDigest && First == job.First && Count == job.Count && Scenarios.SequenceEqual(job.Scenarios);

    public string Describe() =>
        $"feeder {Feeder}, intervals {First}…{First + Count - 1}, profiles {Profiles} ({ProfileDigest[..12]}), scenarios {string.Join(" ", Scenarios)}" +
        (Shard is int s ? $", shard {s + 1}/{Shards}" : ", merged");
}

/// <summary>
/// Time-series rows as Parquet (one row per interval × scenario: interval, time, feeder, scenario, error, every KPI
/// column, blocked and steered pairs, then the stage timings, <see cref="Scenarios.StageTimings"/>), written as a stream of row groups so memory stays flat in the window's length.
/// </summary>
public sealed class TimeSeriesFile : IDisposable
{
    public const string MetadataKey = "p2pflex.timeseries";

    /// <summary>Intervals per row group of a merged file (a week of quarter-hours): fixed, so a merge of any split
    /// writes the same bytes.</summary>
    public const int MergedGroupIntervals = 672;

    private static readonly JsonSerializerOptions Json = IO.LibraryJson.With(new() { WriteIndented = false }, [TimeSeriesJsonContext.Default, MonteCarlo.MonteCarloJsonContext.Default, .. Scenarios.ScenarioJsonOptions.Contexts]);

    public static readonly string[] IdColumns = ["interval", "time", "feeder", "scenario", "error"];
    public static readonly string[] InterventionColumns = ["blocked_pairs", "steered_pairs"];

    /// <summary>Every column, in file order: the deterministic ones, then the timing columns.</summary>
    public static IReadOnlyList<string> ColumnNames { get; } =
        [.. IdColumns, .. MonteCarloRow.KpiTypes.Select(k => k.Name), .. InterventionColumns, .. Scenarios.StageTimings.Columns];

    private static ParquetSchema Schema() => new(
        new Field[]
        {
            new DataField<int>("interval"), new DataField<string>("time", false), new DataField<string>("feeder", false),
            new DataField<string>("scenario", false), new DataField<string>("error", true),
        }
        .Concat(MonteCarloRow.KpiTypes.Select(k => MonteCarloFile.FieldOf(k.Name, k.Type)))
        .Concat(InterventionColumns.Select(c => new DataField<int?>(c)))
        .Concat(Scenarios.StageTimings.Columns.Select(c => new DataField<double?>(c))));

    private readonly ParquetWriter _writer;
    private readonly DataField[] _fields;
    private readonly string _feeder;
    private readonly System.Security.Cryptography.IncrementalHash _digest = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
    private bool _done;

    private TimeSeriesFile(Stream stream, TimeSeriesHeader header)
    {
        _feeder = header.Feeder;
        var schema = Schema();
        _fields = schema.GetDataFields();
        _writer = ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }).GetAwaiter().GetResult();
        _writer.CustomMetadata = new Dictionary<string, string> { [MetadataKey] = JsonSerializer.Serialize(header, Json) };
    }

    /// <summary>
    /// Starts a file on a stream — the stream of <see cref="IO.AtomicFile.Write"/> or <see cref="IO.ShardIntegrity.WriteStreamed"/>,
    /// so that a file under its final name is always whole; rows follow with <see cref="Append"/>, <see cref="Finish"/>
    /// writes the footer.
    /// </summary>
    public static TimeSeriesFile Create(Stream stream, TimeSeriesHeader header) => new(stream, header);

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    /// <summary>SHA-256 of the rows written (their text: interval, time, scenario, error, KPIs in round-trip form, pairs,
    /// timings), the shard manifest's <c>rows_sha256</c>.</summary>
    public string RowsSha256 => Convert.ToHexStringLower(_digest.GetCurrentHash());

    /// <summary>Writes rows as one row group.</summary>
    public void Append(IReadOnlyList<TimeSeriesRow> rows)
    {
        if (rows.Count == 0) return;
        AppendAsync(rows).GetAwaiter().GetResult();
        foreach (var r in rows)
        {
            var sb = new System.Text.StringBuilder();
            sb.Append(r.Interval).Append('|').Append(TimeAxis.Format(r.Time)).Append('|').Append(r.Scenario).Append('|').Append(r.Error);
            foreach (var k in r.Kpis) sb.Append('|').Append(k is double d ? IO.CsvTable.Format(d) : Convert.ToString(k, CultureInfo.InvariantCulture));
            sb.Append('|').Append(r.BlockedPairs).Append('|').Append(r.SteeredPairs);
            foreach (var t in Scenarios.StageTimings.Values(r.Timings)) sb.Append('|').Append(t is double d ? IO.CsvTable.Format(d) : "");
            sb.Append('\n');
            _digest.AppendData(System.Text.Encoding.UTF8.GetBytes(sb.ToString()));
        }
        Rows += rows.Count;
    }

    private async Task AppendAsync(IReadOnlyList<TimeSeriesRow> rows)
    {
        using var group = _writer.CreateRowGroup();
        int f = 0;
        await group.WriteAsync(_fields[f++], (ReadOnlyMemory<int>)rows.Select(r => r.Interval).ToArray());
        await group.WriteAsync(_fields[f++], rows.Select(r => TimeAxis.Format(r.Time)).ToArray());
        await group.WriteAsync(_fields[f++], rows.Select(_ => _feeder).ToArray());
        await group.WriteAsync(_fields[f++], rows.Select(r => r.Scenario).ToArray());
        await group.WriteAsync(_fields[f++], rows.Select(r => r.Error).ToArray()!);
        f = await MonteCarloFile.WriteKpiColumnsAsync(group, _fields, f, rows.Select(r => r.Kpis).ToArray());
        await group.WriteAsync(_fields[f++], (ReadOnlyMemory<int?>)rows.Select(r => r.BlockedPairs).ToArray());
        await group.WriteAsync(_fields[f++], (ReadOnlyMemory<int?>)rows.Select(r => r.SteeredPairs).ToArray());
        await MonteCarloFile.WriteTimingColumnsAsync(group, _fields, f, rows.Select(r => r.Timings).ToArray());
    }

    /// <summary>Writes the footer (the file is then complete on its stream).</summary>
    public void Finish()
    {
        if (_done) return;
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _done = true;
    }

    public void Dispose()
    {
        Finish();
        _digest.Dispose();
    }

    /// <summary>Reads a file's header.</summary>
    public static TimeSeriesHeader ReadHeader(string path)
    {
        var reader = Open(path);
        try { return HeaderOf(path, reader); }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    private static ParquetReader Open(string path)
    {
        try { return ParquetReader.CreateAsync(path).GetAwaiter().GetResult(); }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a readable Parquet file: {e.Message}", e);
        }
    }

    private static TimeSeriesHeader HeaderOf(string path, ParquetReader reader)
    {
        if (!reader.CustomMetadata.TryGetValue(MetadataKey, out var text))
            throw new InvalidDataException($"{path}: not a P2PFlex time-series file (no '{MetadataKey}' metadata)");
        return JsonSerializer.Deserialize<TimeSeriesHeader>(text, Json) ?? throw new InvalidDataException($"{path}: empty '{MetadataKey}' metadata");
    }

    /// <summary>Reads a file's rows group by group (a stream: one row group in memory at a time).</summary>
    public static IEnumerable<IReadOnlyList<TimeSeriesRow>> ReadGroups(string path)
    {
        var reader = Open(path);
        try
        {
            var fields = reader.Schema.GetDataFields();
            if (!fields.Select(x => x.Name).SequenceEqual(ColumnNames))
                throw new InvalidDataException($"{path}: its columns differ from this version's: written by another P2PFlex version? Recompute it with this one.");
            for (int g = 0; g < reader.RowGroupCount; g++)
                yield return ReadGroup(reader, fields, g).GetAwaiter().GetResult();
        }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    /// <summary>Every row of a file (small files and tests; large ones stream with <see cref="ReadGroups"/>).</summary>
    public static IReadOnlyList<TimeSeriesRow> ReadAll(string path) => ReadGroups(path).SelectMany(g => g).ToArray();

    private static async Task<IReadOnlyList<TimeSeriesRow>> ReadGroup(ParquetReader reader, DataField[] fields, int g)
    {
        using var group = reader.OpenRowGroupReader(g);
        int n = (int)group.RowCount, f = 0;
        var interval = new int[n]; await group.ReadAsync(fields[f++], interval.AsMemory());
        var time = new string?[n]; await group.ReadAsync(fields[f++], time.AsMemory());
        f++;   // feeder: in the header
        var scenario = new string?[n]; await group.ReadAsync(fields[f++], scenario.AsMemory());
        var error = new string?[n]; await group.ReadAsync(fields[f++], error.AsMemory());
        var kpis = await MonteCarloFile.ReadKpiColumnsAsync(group, fields, f, n);
        f += kpis.Length;
        var blocked = new int?[n]; await group.ReadAsync(fields[f++], blocked.AsMemory());
        var steered = new int?[n]; await group.ReadAsync(fields[f++], steered.AsMemory());
        var timings = await MonteCarloFile.ReadTimingColumnsAsync(group, fields, f, n);
        var rows = new TimeSeriesRow[n];
        for (int i = 0; i < n; i++)
        {
            var t = ProfileCsv.ParseTime(time[i] ?? "") ?? throw new InvalidDataException($"row {i} of group {g}: time '{time[i]}' is not ISO 8601");
            rows[i] = new TimeSeriesRow(interval[i], t, scenario[i] ?? throw new InvalidDataException($"row {i} of group {g} has no scenario"),
                error[i], kpis.Select(c => c[i]).ToArray(), blocked[i], steered[i], timings[i]);
        }
        return rows;
    }

    /// <summary>Name of shard i (0-based) of n: the Monte Carlo files' naming (<see cref="MonteCarloFile.ShardName"/>).</summary>
    public static string ShardName(int shard, int shards) => MonteCarloFile.ShardName(shard, shards);

    /// <summary>The merged rows, in the run's merged set (<see cref="IO.MergedSet"/>: <c>RUN/merged/merged.parquet</c>).</summary>
    public const string MergedName = IO.MergedSet.MarkerName;

    /// <summary>The per-scenario totals of a merge, beside <see cref="MergedName"/> in the merged set.</summary>
    public const string SummaryName = "summary_scenarios.csv";

    internal static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
