using System.Collections.Concurrent;
using System.Diagnostics;
using P2PFlex.Data;
using P2PFlex.Numerics;
using P2PFlex.Scenarios;
using Xunit.Abstractions;

namespace P2PFlex.Tests.Fuzz;

/// <summary>
/// Fuzzing the scenario and market inputs (issue 22): mutants of every shipped scenario file (all designs: bilateral,
/// CM1, CM3, CM5, the interventions, the voltage-aware LFM) run on case69 and case33bw, and mutants of every market CSV
/// a design reads (orderbook, P2P subset, line limits, both loading states) of case33bw and case69 run under a
/// scenario of each design. Property (<see cref="MarketInputFuzzProperty"/>): a located error naming the broken file,
/// line and field, or a result whose KPIs are all finite. Fixed seeds and counts, so a failure names an input that can
/// be regenerated; P2PFLEX_FUZZ_INPUTS and P2PFLEX_FUZZ_SEED run a longer or different campaign (docs/testing.md).
/// </summary>
public class MarketInputFuzzTests(ITestOutputHelper log)
{
    private const ulong DefaultSeed = 20261207;

    private static readonly string[] Feeders = ["case69", "case33bw"];

    private static readonly Lazy<StudyContext> Case33bw = new(() => StudyContext.Load(feeder: "case33bw"));

    private static StudyContext Context(string feeder) => feeder == "case69" ? TestData.Study.Value : Case33bw.Value;

    /// <summary>One scenario of each design and LFM mode: what a market file is run under.</summary>
    private static readonly string[] RunUnder = ["1", "cm1", "cm3-v2-extreme", "cm3-v1", "cm5", "0-voltage", "3-theta80"];

    private static int Inputs(int fallback) => int.TryParse(Environment.GetEnvironmentVariable("P2PFLEX_FUZZ_INPUTS"), out int n) ? n : fallback;

    private static ulong Seed => ulong.TryParse(Environment.GetEnvironmentVariable("P2PFLEX_FUZZ_SEED"), out ulong s) ? s : DefaultSeed;

    private static SplitMix64 Random(ulong seed, int i) => new(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(i + 1)));

    private static string ScenarioText(string name) => File.ReadAllText(Path.Combine(DataPaths.BuiltIn, "scenarios", name + ".json"));

    [Fact]
    public void Mutated_scenario_files_give_a_located_error_or_finite_kpis()
    {
        int inputs = Inputs(300);
        ulong seed = Seed;
        var names = Directory.GetFiles(Path.Combine(DataPaths.BuiltIn, "scenarios"), "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Order(StringComparer.Ordinal).ToArray();
        var texts = names.Select(ScenarioText).ToArray();
        string dir = Directory.CreateTempSubdirectory("p2pflex-fuzz-scenarios-").FullName;
        try
        {
            Run(inputs, seed, "scenario files", i =>
            {
                var random = Random(seed, i);
                int which = random.NextInt(texts.Length);
                string feeder = Feeders[random.NextInt(Feeders.Length)];
                string text = TextMutator.Mutate(texts[which], random);
                string path = Path.Combine(dir, $"fuzz-{i}.json");
                File.WriteAllText(path, text);
                return (path, text, $"{names[which]}.json on {feeder}", () => ScenarioRunner.Run(ScenarioDefinition.Read(path), Context(feeder)));
            });
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Mutated_market_csv_files_give_a_located_error_or_finite_kpis()
    {
        int inputs = Inputs(120);
        ulong seed = Seed + 1;
        var scenarios = RunUnder.ToDictionary(n => n, n => ScenarioDefinition.Read(Path.Combine(DataPaths.BuiltIn, "scenarios", n + ".json")));
        string dir = Directory.CreateTempSubdirectory("p2pflex-fuzz-csv-").FullName;
        try
        {
            Run(inputs, seed, "market CSV files", i =>
            {
                var random = Random(seed, i);
                string feeder = Feeders[random.NextInt(Feeders.Length)];
                var files = FeederResolver.DerivedFiles(feeder);
                string relative = files[random.NextInt(files.Count)];
                string scenario = RunUnder[random.NextInt(RunUnder.Length)];
                string text = TextMutator.Mutate(File.ReadAllText(Path.Combine(DataPaths.BuiltIn, relative)), random);
                // A data folder holding only the broken file: the rest comes from the built-in data (docs/data.md).
                string root = Path.Combine(dir, $"fuzz-{i}");
                string path = Path.Combine(root, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text);
                return (path, text, $"{relative} under {scenario}",
                    () => ScenarioRunner.Run(scenarios[scenario], StudyContext.Load(root, feeder)));
            });
        }
        finally { Directory.Delete(dir, true); }
    }

    private void Run(int inputs, ulong seed, string what, Func<int, (string Path, string Text, string From, Func<ScenarioResult> Run)> input)
    {
        var failures = new ConcurrentBag<(int Input, string From, string Failure)>();
        int ran = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, inputs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var (path, text, from, run) = input(i);
            var (outcome, failure) = MarketInputFuzzProperty.Check(path, text, run);
            if (outcome == MarketInputFuzzProperty.Outcome.Failed) failures.Add((i, from, failure!));
            else if (outcome == MarketInputFuzzProperty.Outcome.Ran) Interlocked.Increment(ref ran);
            else Interlocked.Increment(ref refused);
        });
        log.WriteLine($"fuzz {what}: {inputs} inputs (seed {seed}) in {clock.Elapsed.TotalSeconds:F1} s; {ran} ran with finite KPIs, " +
                      $"{refused} refused with a located error, {failures.Count} failures");
        if (failures.IsEmpty) return;
        var first = failures.OrderBy(f => f.Input).First();
        var (p, t, _, _) = input(first.Input);
        Assert.Fail($"{failures.Count} of {inputs} inputs broke the property; first: input {first.Input} (seed {seed}, from {first.From}): {first.Failure}\n" +
                    string.Join("\n", failures.OrderBy(f => f.Input).Skip(1).Take(8).Select(f => $"  input {f.Input} ({f.From}): {f.Failure.Split('\n')[0]}")) +
                    $"\ninput {first.Input} ({p}):\n<<<\n{(t.Length > 3000 ? t[..3000] + "…" : t)}\n>>>");
    }
}
