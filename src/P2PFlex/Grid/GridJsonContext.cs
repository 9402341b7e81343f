using System.Text.Json.Serialization;

namespace P2PFlex.Grid;

/// <summary>JSON metadata of this namespace's own types, generated at compile time (see <c>IO.IoJsonContext</c>).</summary>
[JsonSerializable(typeof(PowerFlowReport))]
internal sealed partial class GridJsonContext : JsonSerializerContext;
