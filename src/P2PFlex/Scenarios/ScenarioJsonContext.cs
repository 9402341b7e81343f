using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace P2PFlex.Scenarios;

/// <summary>JSON metadata of this namespace's own types, generated at compile time (see <c>IO.IoJsonContext</c>).</summary>
[JsonSerializable(typeof(ScenarioDefinition.Json))]
[JsonSerializable(typeof(MarketParameters))]
[JsonSerializable(typeof(Designs.NoParameters))]
[JsonSerializable(typeof(Designs.AuctionParameters))]
[JsonSerializable(typeof(Designs.NetworkAuctionParameters))]
[JsonSerializable(typeof(Designs.CapacityTradeParameters))]
[JsonSerializable(typeof(ScenarioKpis))]
internal sealed partial class ScenarioJsonContext : JsonSerializerContext;

/// <summary>The generated JSON metadata a scenario's files need: this namespace's and the layers' below it.</summary>
internal static class ScenarioJsonOptions
{
    /// <summary>The contexts, this layer's first.</summary>
    public static IJsonTypeInfoResolver[] Contexts { get; } = [ScenarioJsonContext.Default, Grid.GridJsonContext.Default, IO.IoJsonContext.Default];

    /// <summary>Default options on <see cref="Contexts"/>.</summary>
    public static JsonSerializerOptions Default { get; } = IO.LibraryJson.With(new JsonSerializerOptions(), Contexts);
}
