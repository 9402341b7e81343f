using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using P2PFlex.IO;
using Parquet;
using Parquet.Schema;

namespace P2PFlex.MonteCarlo;

/// <summary>
/// What a result file holds, stored in the Parquet file's key-value metadata (key <see cref="MonteCarloFile.MetadataKey"/>)
/// so that merge can check shards belong together without trusting file names. <c>Shard</c> (0-based) and <c>Shards</c>
/// are null in a merged file: a merge of 1 or of 40 shards holds the same results. <c>Rows</c> and <c>RowsSha256</c> (the
/// SHA-256 of the rows' CSV, <see cref="MonteCarloFile.RowsDigest"/>) are set by the writer; the reader refuses rows that
/// decode to anything else (<see cref="ShardIntegrity.VerifyRows"/>).
/// </summary>
public sealed record MonteCarloHeader(
    [property: JsonPropertyName("feeder")] string Feeder,
    [property: JsonPropertyName("draws")] int Draws,
    [property: JsonPropertyName("master_seed")] ulong MasterSeed,
    [property: JsonPropertyName("scenarios")] IReadOnlyList<string> Scenarios,
    [property: JsonPropertyName("shard")] int? Shard,
    [property: JsonPropertyName("shards")] int? Shards,
    [property: JsonPropertyName("first_draw")] int FirstDraw,
    [property: JsonPropertyName("draw_count")] int DrawCount,
    [property: JsonPropertyName("rows")] long? Rows = null,
    [property: JsonPropertyName("rows_sha256")] string? RowsSha256 = null) : IShardHeader<MonteCarloJob>
{
    public MonteCarloJob Job => new(Feeder, Draws, MasterSeed, Scenarios);

    /// <summary>Whether this file was written for the given job (same feeder, draws, seed and scenarios).</summary>
    public bool Matches(MonteCarloJob job) =>
        Feeder == job.Feeder && Draws == job.Draws && MasterSeed == job.MasterSeed && Scenarios.SequenceEqual(job.Scenarios);

    public string Describe() =>
        $"feeder {Feeder}, {Draws} draws, seed {MasterSeed}, scenarios {string.Join(" ", Scenarios)}" +
        (Shard is int s ? $", shard {s + 1}/{Shards}" : ", merged");
}

/// <summary>
/// Reads and writes Monte Carlo rows as Parquet (Parquet.Net, Snappy-compressed, one row group) — a columnar file
/// pandas, polars, DuckDB and R read directly — and as CSV on request. Every Parquet file is written through
/// <see cref="ShardIntegrity.Write"/>: atomically (a half-written result file never exists), with its size and SHA-256 in
/// a manifest beside it and its rows' count and digest in its metadata, so that a reader detects any changed byte.
/// </summary>
public static class MonteCarloFile
{
    public const string MetadataKey = "p2pflex.montecarlo";

    /// <summary>File name of shard i (0-based) of n: <c>shard-0001-of-0004.parquet</c> (1-based, as Slurm array tasks).</summary>
    public static string ShardName(int shard, int shards) => string.Create(CultureInfo.InvariantCulture, $"shard-{shard + 1:D4}-of-{shards:D4}.parquet");

    /// <summary>File name of a merged result, in the run's merged set (<see cref="MergedSet"/>: <c>RUN/merged/merged.parquet</c>).</summary>
    public const string MergedName = MergedSet.MarkerName;

    private static readonly JsonSerializerOptions Json = LibraryJson.With(new() { WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull }, [MonteCarloJsonContext.Default, .. Scenarios.ScenarioJsonOptions.Contexts]);

    /// <summary>The Parquet field of a KPI column (nullable: a scenario that could not run has no values).</summary>
    public static DataField FieldOf(string name, Type type) =>
        type == typeof(string) ? new DataField<string>(name, true)
        : type == typeof(int) ? new DataField<int?>(name)
        : type == typeof(double) ? new DataField<double?>(name)
        : type == typeof(bool) ? new DataField<bool?>(name)
        : throw new NotSupportedException($"KPI column '{name}' has type {type.Name}, which the Monte Carlo file does not store");

    private static ParquetSchema Schema() => new(
        new Field[]
        {
            new DataField<int>("draw"), new DataField<ulong>("seed"), new DataField<string>("feeder", false),
            new DataField<string>("scenario", false), new DataField<string>("error", true),
        }
        .Concat(MonteCarloRow.KpiTypes.Select(k => FieldOf(k.Name, k.Type)))
        .Concat(Scenarios.StudyPattern.CheckIds.Select(id => new DataField<bool?>(MonteCarloRow.CheckColumn(id))))
        .Concat(Scenarios.StageTimings.Columns.Select(c => new DataField<double?>(c))));

    /// <summary>SHA-256 of the rows' canonical text (their CSV, every column): what the metadata and the manifest record
    /// to detect a changed byte. It covers the timing columns, so two runs of one job differ in it; compare results with
    /// <see cref="ResultsDigest"/>.</summary>
    public static string RowsDigest(IReadOnlyList<MonteCarloRow> rows) => ShardIntegrity.Sha256OfText(CsvText(rows));

    /// <summary>
    /// SHA-256 of the rows' results: their CSV without the timing columns (<see cref="Scenarios.StageTimings"/>), the one
    /// part of a row that differs between two runs. The same on every run, core count, shard split and machine: what
    /// identity checks compare.
    /// </summary>
    public static string ResultsDigest(IReadOnlyList<MonteCarloRow> rows) => ShardIntegrity.Sha256OfText(CsvText(rows, timings: false));

    /// <summary>
    /// Writes rows to a Parquet file atomically, with their count and digest in its metadata and its manifest
    /// (<see cref="ShardIntegrity"/>); <paramref name="recompute"/> is the command that recomputes the file.
    /// </summary>
    public static void WriteParquet(string path, MonteCarloHeader header, IReadOnlyList<MonteCarloRow> rows, string? recompute = null)
    {
        string digest = RowsDigest(rows);
        var stamped = header with { Rows = rows.Count, RowsSha256 = digest };
        ShardIntegrity.Write(path, rows.Count, digest, recompute ?? $"rerun the command that wrote {Path.GetFileName(path)}",
            stream => WriteAsync(stream, stamped, rows).GetAwaiter().GetResult());
    }

    private static async Task WriteAsync(Stream stream, MonteCarloHeader header, IReadOnlyList<MonteCarloRow> rows)
    {
        var schema = Schema();
        var fields = schema.GetDataFields();
        await using var writer = await ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy });
        writer.CustomMetadata = new Dictionary<string, string> { [MetadataKey] = JsonSerializer.Serialize(header, Json) };
        using var group = writer.CreateRowGroup();
        int f = 0;
        await group.WriteAsync(fields[f++], (ReadOnlyMemory<int>)rows.Select(r => r.Draw).ToArray());
        await group.WriteAsync(fields[f++], (ReadOnlyMemory<ulong>)rows.Select(r => r.Seed).ToArray());
        await group.WriteAsync(fields[f++], rows.Select(r => r.Feeder).ToArray());
        await group.WriteAsync(fields[f++], rows.Select(r => r.Scenario).ToArray());
        await group.WriteAsync(fields[f++], rows.Select(r => r.Error).ToArray()!);
        f = await WriteKpiColumnsAsync(group, fields, f, rows.Select(r => r.Kpis).ToArray());
        for (int c = 0; c < Scenarios.StudyPattern.CheckIds.Length; c++)
        {
            int check = c;
            await group.WriteAsync(fields[f++], (ReadOnlyMemory<bool?>)rows.Select(r => r.Checks[check]).ToArray());
        }
        await WriteTimingColumnsAsync(group, fields, f, rows.Select(r => r.Timings).ToArray());
    }

    /// <summary>Writes the timing columns (<see cref="Scenarios.StageTimings.Columns"/>) from field <paramref name="first"/> on;
    /// returns the index of the next field. Shared by the Monte Carlo and time-series files.</summary>
    public static async Task<int> WriteTimingColumnsAsync(ParquetRowGroupWriter group, IReadOnlyList<DataField> fields, int first, IReadOnlyList<Scenarios.StageTimings?> timings)
    {
        var values = timings.Select(Scenarios.StageTimings.Values).ToArray();
        for (int c = 0; c < Scenarios.StageTimings.Columns.Length; c++)
        {
            int column = c;
            await group.WriteAsync(fields[first + c], (ReadOnlyMemory<double?>)values.Select(v => v[column]).ToArray());
        }
        return first + Scenarios.StageTimings.Columns.Length;
    }

    /// <summary>Reads the timing columns of a row group of <paramref name="n"/> rows from field <paramref name="first"/> on.</summary>
    public static async Task<Scenarios.StageTimings?[]> ReadTimingColumnsAsync(ParquetRowGroupReader group, IReadOnlyList<DataField> fields, int first, int n)
    {
        var columns = new double?[Scenarios.StageTimings.Columns.Length][];
        for (int c = 0; c < columns.Length; c++) { columns[c] = new double?[n]; await group.ReadAsync(fields[first + c], columns[c].AsMemory()); }
        return Enumerable.Range(0, n).Select(i => Scenarios.StageTimings.From(columns[0][i], columns[1][i], columns[2][i])).ToArray();
    }

    /// <summary>
    /// Reads a result file written by <see cref="WriteParquet"/> and checks the rows decode to what was written (count
    /// and digest of its metadata, and of <paramref name="manifest"/> when given); files of other layouts, unreadable or
    /// corrupted files are an <see cref="InvalidDataException"/> naming the file, never another exception.
    /// </summary>
    public static (MonteCarloHeader Header, IReadOnlyList<MonteCarloRow> Rows) ReadParquet(string path, ShardManifest? manifest = null, string? recompute = null)
    {
        var (header, rows) = Guarded(path, () => ReadAsync(path).GetAwaiter().GetResult());
        ShardIntegrity.VerifyRows(path, manifest, header.Rows, header.RowsSha256, rows.Count, RowsDigest(rows),
            recompute ?? $"rerun the command that wrote {Path.GetFileName(path)}");
        return (header, rows);
    }

    /// <summary>Reads only the header of a result file.</summary>
    public static MonteCarloHeader ReadHeader(string path) => Guarded(path, () => ReadHeaderAsync(path).GetAwaiter().GetResult());

    // A damaged file can make the Parquet and Thrift decoders fail in many ways (index, overflow, format, huge
    // allocations); every one is this file's problem, reported as such.
    private static T Guarded<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (e is not ShardIntegrityException and not FileNotFoundException and not DirectoryNotFoundException
                                      and not UnauthorizedAccessException && !(e is InvalidDataException && e.Message.StartsWith(path, StringComparison.Ordinal)))
        {
            throw new InvalidDataException($"{path}: not a readable Monte Carlo result file ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private static async Task<MonteCarloHeader> ReadHeaderAsync(string path)
    {
        await using var reader = await OpenAsync(path);
        return HeaderOf(path, reader);
    }

    private static async Task<ParquetReader> OpenAsync(string path)
    {
        try { return await ParquetReader.CreateAsync(path); }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a readable Parquet file: {e.Message}", e);
        }
    }

    private static MonteCarloHeader HeaderOf(string path, ParquetReader reader)
    {
        if (!reader.CustomMetadata.TryGetValue(MetadataKey, out var text))
            throw new InvalidDataException($"{path}: not a P2PFlex Monte Carlo file (no '{MetadataKey}' metadata)");
        try
        {
            var header = JsonSerializer.Deserialize<MonteCarloHeader>(text, Json) ?? throw new InvalidDataException($"{path}: empty '{MetadataKey}' metadata");
            if (header.Feeder is null || header.Scenarios is null || header.Scenarios.Any(s => s is null))
                throw new InvalidDataException($"{path}: its '{MetadataKey}' metadata lacks the feeder or the scenarios");
            return header;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: its '{MetadataKey}' metadata is not valid ({e.Message})", e);
        }
    }

    private static async Task<(MonteCarloHeader, IReadOnlyList<MonteCarloRow>)> ReadAsync(string path)
    {
        await using var reader = await OpenAsync(path);
        var header = HeaderOf(path, reader);
        var expected = Schema().GetDataFields();
        var fields = reader.Schema.GetDataFields();
        if (!fields.Select(x => x.Name).SequenceEqual(expected.Select(x => x.Name)))
        {
            var have = fields.Select(x => x.Name).ToArray();
            var want = expected.Select(x => x.Name).ToArray();
            string missing = string.Join(", ", want.Except(have).Take(5)), extra = string.Join(", ", have.Except(want).Take(5));
            throw new InvalidDataException($"{path}: its columns differ from this version's (missing: {(missing.Length > 0 ? missing : "none")}; " +
                $"not known: {(extra.Length > 0 ? extra : "none")}): written by another P2PFlex version? Recompute it with this one.");
        }
        var rows = new List<MonteCarloRow>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int n = (int)group.RowCount;
            int f = 0;
            var draw = new int[n]; await group.ReadAsync(fields[f++], draw.AsMemory());
            var seed = new ulong[n]; await group.ReadAsync(fields[f++], seed.AsMemory());
            var feeder = new string?[n]; await group.ReadAsync(fields[f++], feeder.AsMemory());
            var scenario = new string?[n]; await group.ReadAsync(fields[f++], scenario.AsMemory());
            if (feeder.Contains(null) || scenario.Contains(null)) throw new InvalidDataException($"{path}: a row has no feeder or scenario");
            var error = new string?[n]; await group.ReadAsync(fields[f++], error.AsMemory());
            var kpis = await ReadKpiColumnsAsync(group, fields, f, n);
            f += kpis.Length;
            var checks = new bool?[Scenarios.StudyPattern.CheckIds.Length][];
            for (int c = 0; c < checks.Length; c++) { checks[c] = new bool?[n]; await group.ReadAsync(fields[f++], checks[c].AsMemory()); }
            var timings = await ReadTimingColumnsAsync(group, fields, f, n);
            for (int i = 0; i < n; i++)
                rows.Add(new MonteCarloRow(draw[i], seed[i], feeder[i]!, scenario[i]!, error[i],
                    kpis.Select(col => col[i]).ToArray(), checks.Select(col => col[i]).ToArray(), timings[i]));
        }
        return (header, rows);
    }

    /// <summary>Writes the KPI columns (<see cref="MonteCarloRow.KpiTypes"/>, in order) of a row group from field
    /// <paramref name="first"/> on; returns the index of the next field. Shared by the Monte Carlo and time-series files.</summary>
    public static async Task<int> WriteKpiColumnsAsync(ParquetRowGroupWriter group, IReadOnlyList<DataField> fields, int first, IReadOnlyList<IReadOnlyList<object?>> kpis)
    {
        int f = first;
        for (int k = 0; k < MonteCarloRow.KpiTypes.Count; k++)
        {
            var type = MonteCarloRow.KpiTypes[k].Type;
            var field = fields[f++];
            int column = k;
            if (type == typeof(string)) await group.WriteAsync(field, kpis.Select(r => (string?)r[column]).ToArray()!);
            else if (type == typeof(int)) await group.WriteAsync(field, (ReadOnlyMemory<int?>)kpis.Select(r => (int?)r[column]).ToArray());
            else if (type == typeof(double)) await group.WriteAsync(field, (ReadOnlyMemory<double?>)kpis.Select(r => (double?)r[column]).ToArray());
            else await group.WriteAsync(field, (ReadOnlyMemory<bool?>)kpis.Select(r => (bool?)r[column]).ToArray());
        }
        return f;
    }

    /// <summary>Reads the KPI columns of a row group of <paramref name="n"/> rows from field <paramref name="first"/> on:
    /// one array per KPI column.</summary>
    public static async Task<object?[][]> ReadKpiColumnsAsync(ParquetRowGroupReader group, IReadOnlyList<DataField> fields, int first, int n)
    {
        var kpis = new object?[MonteCarloRow.KpiTypes.Count][];
        int f = first;
        for (int k = 0; k < kpis.Length; k++)
        {
            var type = MonteCarloRow.KpiTypes[k].Type;
            var field = fields[f++];
            if (type == typeof(string)) { var v = new string?[n]; await group.ReadAsync(field, v.AsMemory()); kpis[k] = v.Cast<object?>().ToArray(); }
            else if (type == typeof(int)) { var v = new int?[n]; await group.ReadAsync(field, v.AsMemory()); kpis[k] = v.Select(x => (object?)x).ToArray(); }
            else if (type == typeof(double)) { var v = new double?[n]; await group.ReadAsync(field, v.AsMemory()); kpis[k] = v.Select(x => (object?)x).ToArray(); }
            else { var v = new bool?[n]; await group.ReadAsync(field, v.AsMemory()); kpis[k] = v.Select(x => (object?)x).ToArray(); }
        }
        return kpis;
    }

    /// <summary>The rows as CSV (header line, invariant culture, doubles round-trip, empty for null), written atomically.</summary>
    public static void WriteCsv(string path, IReadOnlyList<MonteCarloRow> rows) => AtomicFile.WriteAllText(path, CsvText(rows));

    /// <summary>The rows' CSV text: what <see cref="WriteCsv"/> writes and <see cref="RowsDigest"/> digests; with
    /// <paramref name="timings"/> false, without the timing columns (what <see cref="ResultsDigest"/> digests).</summary>
    public static string CsvText(IReadOnlyList<MonteCarloRow> rows, bool timings = true)
    {
        var sb = new StringBuilder();
        var columns = timings ? MonteCarloRow.ColumnNames : MonteCarloRow.ColumnNames.SkipLast(Scenarios.StageTimings.Columns.Length);
        sb.Append(string.Join(",", columns)).Append('\n');
        foreach (var r in rows)
        {
            var cells = new List<string>
            {
                r.Draw.ToString(CultureInfo.InvariantCulture), r.Seed.ToString(CultureInfo.InvariantCulture),
                Quote(r.Feeder), Quote(r.Scenario), Quote(r.Error),
            };
            cells.AddRange(r.Kpis.Select(Cell));
            cells.AddRange(r.Checks.Select(c => c is bool b ? (b ? "true" : "false") : ""));
            if (timings) cells.AddRange(Scenarios.StageTimings.Values(r.Timings).Select(t => t is double d ? CsvTable.Format(d) : ""));
            sb.Append(string.Join(",", cells)).Append('\n');
        }
        return sb.ToString();
    }

    private static string Cell(object? v) => v switch
    {
        null => "",
        double d => CsvTable.Format(d),
        int i => i.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string s => Quote(s),
        _ => Quote(Convert.ToString(v, CultureInfo.InvariantCulture)),
    };

    private static string Quote(string? s) =>
        s is null ? "" : s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
