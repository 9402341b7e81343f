namespace P2PFlex.Tests;

/// <summary>
/// Test tiers (docs/testing.md): <c>[Trait(TestTiers.Category, TestTiers.Fast)]</c> marks the core unit and property
/// tests that together run in well under a minute — the inner loop, <c>dotnet test tests/P2PFlex.Tests --filter
/// Category=Fast</c>. Everything else (scenario files on every feeder, CLI processes, reports, notebooks, kernels,
/// Monte Carlo, benches, fuzzing) is the full tier that CI runs with the fast one.
/// </summary>
internal static class TestTiers
{
    public const string Category = "Category";

    public const string Fast = "Fast";
}
