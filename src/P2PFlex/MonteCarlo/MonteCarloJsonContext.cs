using System.Text.Json.Serialization;

namespace P2PFlex.MonteCarlo;

/// <summary>JSON metadata of this namespace's own types, generated at compile time (see <c>IO.IoJsonContext</c>).</summary>
[JsonSerializable(typeof(MonteCarloHeader))]
internal sealed partial class MonteCarloJsonContext : JsonSerializerContext;
