using System.Diagnostics;
using System.Text.RegularExpressions;
using P2PFlex.Data;
using Xunit;

namespace P2PFlex.Tests.Architecture;

/// <summary>
/// The two conventions of the code that a reviewer would otherwise police by hand: the tree is formatted as
/// <c>.editorconfig</c> says (so diffs carry only real changes), and every test is named as the sentence it checks
/// (so a failing test's name reads as the broken promise, docs/testing.md).
/// </summary>
public sealed partial class CodeStyleTests
{
    private static readonly string Repository = Path.GetDirectoryName(DataPaths.Root)!;

    [Fact]
    public void Every_test_is_named_as_a_sentence_with_underscores_between_words()
    {
        var pascalCase = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository, "tests"), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                              && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")))
        {
            var text = File.ReadAllText(file);
            foreach (Match test in TestMethod().Matches(text))
            {
                var name = test.Groups["name"].Value;
                if (!name.Contains('_'))
                    pascalCase.Add($"{Path.GetRelativePath(Repository, file)}: {name}");
            }
        }

        Assert.True(pascalCase.Count == 0, "tests named in PascalCase, not as sentences:\n" + string.Join("\n", pascalCase));
    }

    [Fact]
    public async Task The_tree_is_formatted_as_editorconfig_says()
    {
        // Whitespace only, in folder mode: it needs no build and no MSBuild workspace, so it is safe beside other tests.
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repository,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "format", "whitespace", "--folder", "--verify-no-changes", "--include", "src/", "tests/", "tools/" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0,
            $"the tree is not formatted (run `dotnet format whitespace P2PFlex.sln`):\n{await output}{await error}");
    }

    // An attribute line [Fact…] or [Theory…] (with any arguments), then optional further attributes, then the method.
    [GeneratedRegex(@"\[(?:Fact|Theory)\b[^\n]*\n(?:\s*\[[^\n]*\n|\s*//[^\n]*\n)*\s*public\s+(?:async\s+)?(?:Task|void)\s+(?<name>\w+)\s*\(")]
    private static partial Regex TestMethod();
}
