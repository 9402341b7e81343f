using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace P2PFlex.IO;

/// <summary>
/// JSON metadata of IO's own types (the shard manifest), generated at compile time. Every namespace that reads or
/// writes JSON has such a context for its own types (<c>GridJsonContext</c>, <c>ScenarioJsonContext</c>,
/// <c>MonteCarloJsonContext</c>, <c>TimeSeriesJsonContext</c>), so that no namespace names the types of a layer above it
/// (<c>NamespaceDependencyTests</c>). A program that turns reflection-based serialization off — a .NET 10 file-based
/// program (<c>dotnet run kpis.cs</c>) does, since it defaults to <c>PublishAot</c> — still reads scenario files and
/// writes exports with no setting of its own (docs/library.md).
/// </summary>
[JsonSerializable(typeof(ShardManifest))]
internal sealed partial class IoJsonContext : JsonSerializerContext;

/// <summary>Where the library's JSON options get their type metadata (each namespace's generated context, see <see cref="IoJsonContext"/>).</summary>
internal static class LibraryJson
{
    /// <summary>
    /// The generated metadata of <paramref name="contexts"/> first; types they do not know (a market design's parameters
    /// that a user registers, docs/extending.md) by reflection, where the program allows it.
    /// </summary>
    public static IJsonTypeInfoResolver Resolver(params IJsonTypeInfoResolver[] contexts) => JsonSerializer.IsReflectionEnabledByDefault
        ? JsonTypeInfoResolver.Combine([.. contexts, new DefaultJsonTypeInfoResolver()])
        : JsonTypeInfoResolver.Combine(contexts);

    /// <summary><paramref name="options"/> with the <see cref="Resolver"/> of <paramref name="contexts"/>, made read-only.</summary>
    public static JsonSerializerOptions With(JsonSerializerOptions options, params IJsonTypeInfoResolver[] contexts)
    {
        options.TypeInfoResolver = Resolver(contexts);
        options.MakeReadOnly();
        return options;
    }
}
