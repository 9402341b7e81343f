using P2PFlex.Data;
using P2PFlex.Markets.Orderbook;

namespace P2PFlex.Scenarios;

/// <summary>
/// The screen case69's shipped P2P subset is drawn under: the first draw whose scenarios 1 and 2 tell the study's story
/// (<see cref="Checks"/> of <see cref="StudyPattern"/>). The study's own draw was random and unpublished; its scenarios
/// 1 and 2 tell a particular story, so the shipped draw is the first that tells the same one. Scenarios 1′ and 3 are not
/// screened: their outcomes are what the model predicts for that draw. <see cref="StudyDataGenerator"/> takes it as its
/// <see cref="ISubsetScreen"/> (the data sit below the scenarios and do not name them).
/// </summary>
public sealed class StudyStoryScreen : ISubsetScreen
{
    /// <summary>The screen (it has no state).</summary>
    public static StudyStoryScreen Instance { get; } = new();

    private StudyStoryScreen()
    {
    }

    private static readonly string[] StoryChecks = ["1-story", "1-congestions", "1-cost", "2-congestions", "2-cost-volume"];

    /// <summary>The checks of <see cref="StudyPattern"/> the shipped draw is screened on: the story of scenarios 1 and 2.</summary>
    public IReadOnlyList<string> Checks => StoryChecks;

    /// <inheritdoc/>
    public Func<IReadOnlyList<string>, bool> Acceptance(string dataRoot, StudyFeeder baseFeeder, StudyFeeder extremeFeeder, FlexibilityOrderbook orderbook)
    {
        var context = new StudyContext(baseFeeder, extremeFeeder, orderbook, []);
        var scenarios = StudyContext.LoadScenarios(dataRoot);
        return subset => TellsTheStudysStory(context, scenarios, subset);
    }

    /// <summary>Whether a subset tells the study's story of scenarios 1 and 2 (<see cref="Checks"/>).</summary>
    public static bool TellsTheStudysStory(StudyContext context, IReadOnlyList<ScenarioDefinition> scenarios, IReadOnlyList<string> subset)
    {
        var candidate = context with { P2PSubset = subset };
        var needed = new[] { "0", "1", "2" };
        var results = scenarios.Where(s => needed.Contains(s.Name)).ToDictionary(s => s.Name, s => ScenarioRunner.Run(s, candidate));
        if (results.Count != needed.Length) throw new InvalidOperationException("scenarios 0, 1 and 2 are needed to screen the P2P subset");
        var checks = StudyPattern.Evaluate(results);
        return StoryChecks.All(id => checks.Single(c => c.Id == id).Holds);
    }
}
