using System.Collections.Concurrent;
using System.Diagnostics;
using P2PFlex.Numerics;
using Xunit.Abstractions;

namespace P2PFlex.Tests.Fuzz;

/// <summary>
/// Fuzzing in the suite (issue 13): thousands of mutants of the published MATPOWER cases (../shared/data/matpower:
/// their statements and expressions are what the reader must survive), a fixed seed and a fixed count, so a failure
/// names an input that can be regenerated. P2PFLEX_FUZZ_INPUTS and P2PFLEX_FUZZ_SEED run a longer or
/// different campaign with the same test (docs/grid.md, "Fuzzing").
/// </summary>
public class MatpowerFuzzTests(ITestOutputHelper log)
{
    private const int DefaultInputs = 4000;
    private const ulong DefaultSeed = 20261201;

    [Fact]
    public void Mutated_cases_give_a_case_or_a_located_error_never_a_crash()
    {
        int inputs = int.TryParse(Environment.GetEnvironmentVariable("P2PFLEX_FUZZ_INPUTS"), out int n) ? n : DefaultInputs;
        ulong seed = ulong.TryParse(Environment.GetEnvironmentVariable("P2PFLEX_FUZZ_SEED"), out ulong s) ? s : DefaultSeed;
        var seeds = TestData.AllCases.Select(c => File.ReadAllText(TestData.PublishedCase(c))).ToArray();
        var failures = new ConcurrentBag<(int Input, string Failure)>();
        int accepted = 0, refused = 0;
        var slowest = new ConcurrentBag<(double Seconds, int Input)>();
        var clock = Stopwatch.StartNew();
        Parallel.For(0, inputs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            long start = Stopwatch.GetTimestamp();
            var (ok, failure) = CaseFuzzProperty.Run(Input(seeds, seed, i), $"fuzz-{i}.m");
            slowest.Add((Stopwatch.GetElapsedTime(start).TotalSeconds, i));
            if (failure is not null) failures.Add((i, failure));
            else if (ok) Interlocked.Increment(ref accepted);
            else Interlocked.Increment(ref refused);
        });
        clock.Stop();
        log.WriteLine($"fuzz: {inputs} inputs (seed {seed}) in {clock.Elapsed.TotalSeconds:F1} s, {inputs / clock.Elapsed.TotalSeconds:F0} inputs/s; " +
                      $"{accepted} read and solved, {refused} refused with a located error, {failures.Count} failures; slowest inputs: " +
                      string.Join(", ", slowest.OrderByDescending(x => x.Seconds).Take(5).Select(x => $"#{x.Input} {x.Seconds:F2} s")));
        if (failures.IsEmpty) return;
        var first = failures.OrderBy(f => f.Input).First();
        string minimal = CaseFuzzProperty.Minimize(Input(seeds, seed, first.Input), $"fuzz-{first.Input}.m", first.Failure);
        Assert.Fail($"{failures.Count} of {inputs} inputs broke the property; first: input {first.Input} (seed {seed}): {first.Failure}\n" +
                    $"minimal input:\n<<<\n{minimal}\n>>>");
    }

    /// <summary>Input <paramref name="i"/> of the campaign with <paramref name="seed"/>: a mutant of one published case.</summary>
    public static string Input(string[] seeds, ulong seed, int i)
    {
        var random = new SplitMix64(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(i + 1)));
        return CaseMutator.Mutate(seeds[random.NextInt(seeds.Length)], random);
    }
}
