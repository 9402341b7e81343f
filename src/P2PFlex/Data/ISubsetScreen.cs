using P2PFlex.Markets.Orderbook;

namespace P2PFlex.Data;

/// <summary>
/// The screen a feeder's shipped P2P subset is drawn under when its setup asks for one (<see cref="FeederSetup.ScreenSubset"/>:
/// case69's subset is the first draw whose scenarios 1 and 2 tell the study's story). What the story is belongs to the
/// scenarios, which sit above the data (they read it), so <see cref="StudyDataGenerator"/> takes the screen as an
/// argument instead of naming them (the study's screen: <c>P2PFlex.Scenarios.StudyStoryScreen</c>).
/// </summary>
public interface ISubsetScreen
{
    /// <summary>The names of the checks a subset must pass, in order (written into the subset file's header).</summary>
    IReadOnlyList<string> Checks { get; }

    /// <summary>The acceptance test for subsets of one feeder's data: its two loading states and its orderbook, with the
    /// scenarios of <paramref name="dataRoot"/>.</summary>
    Func<IReadOnlyList<string>, bool> Acceptance(string dataRoot, StudyFeeder baseFeeder, StudyFeeder extremeFeeder, FlexibilityOrderbook orderbook);
}
