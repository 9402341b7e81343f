using System.Text.Json.Serialization;

namespace P2PFlex.TimeSeries;

/// <summary>JSON metadata of this namespace's own types, generated at compile time (see <c>IO.IoJsonContext</c>).</summary>
[JsonSerializable(typeof(TimeSeriesHeader))]
internal sealed partial class TimeSeriesJsonContext : JsonSerializerContext;
