using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace P2PFlex.IO;

/// <summary>
/// JSON metadata of every type the library reads or writes, generated at compile time. A program that turns reflection-
/// based serialization off — a .NET 10 file-based program (<c>dotnet run kpis.cs</c>) does, since it defaults to
/// <c>PublishAot</c> — still reads scenario files and writes exports with no setting of its own (docs/library.md).
/// </summary>
[JsonSerializable(typeof(Scenarios.ScenarioDefinition.Json))]
[JsonSerializable(typeof(Scenarios.MarketParameters))]
[JsonSerializable(typeof(Scenarios.Designs.NoParameters))]
[JsonSerializable(typeof(Scenarios.Designs.AuctionParameters))]
[JsonSerializable(typeof(Scenarios.Designs.NetworkAuctionParameters))]
[JsonSerializable(typeof(Scenarios.Designs.CapacityTradeParameters))]
[JsonSerializable(typeof(Scenarios.ScenarioKpis))]
[JsonSerializable(typeof(Grid.PowerFlowReport))]
[JsonSerializable(typeof(ShardManifest))]
[JsonSerializable(typeof(MonteCarlo.MonteCarloHeader))]
[JsonSerializable(typeof(TimeSeries.TimeSeriesHeader))]
internal sealed partial class LibraryJsonContext : JsonSerializerContext;

/// <summary>Where the library's JSON options get their type metadata (<see cref="LibraryJsonContext"/>).</summary>
internal static class LibraryJson
{
    /// <summary>
    /// The generated metadata first; types it does not know (a market design's parameters that a user registers,
    /// docs/extending.md) by reflection, where the program allows it.
    /// </summary>
    public static IJsonTypeInfoResolver Resolver { get; } = JsonSerializer.IsReflectionEnabledByDefault
        ? JsonTypeInfoResolver.Combine(LibraryJsonContext.Default, new DefaultJsonTypeInfoResolver())
        : LibraryJsonContext.Default;

    /// <summary>Default options on <see cref="Resolver"/>.</summary>
    public static JsonSerializerOptions Default { get; } = With(new JsonSerializerOptions());

    /// <summary><paramref name="options"/> with <see cref="Resolver"/>, made read-only.</summary>
    public static JsonSerializerOptions With(JsonSerializerOptions options)
    {
        options.TypeInfoResolver = Resolver;
        options.MakeReadOnly();
        return options;
    }
}
