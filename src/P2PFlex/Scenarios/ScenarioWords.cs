using P2PFlex.Data;
using P2PFlex.Grid;
using P2PFlex.Interventions;

namespace P2PFlex.Scenarios;

/// <summary>The words of one closed list of a scenario file (a value ↔ its word), defined once for the reader, the
/// export and the commands that take the same words.</summary>
/// <typeparam name="T">The value's type.</typeparam>
public sealed class ScenarioWordList<T> where T : struct, Enum
{
    private readonly (T Value, string Word)[] _words;

    public ScenarioWordList(params (T Value, string Word)[] words) => _words = words;

    /// <summary>The words, in their documented order.</summary>
    public IReadOnlyList<string> Words => _words.Select(w => w.Word).ToArray();

    /// <summary>The word of <paramref name="value"/>.</summary>
    public string Word(T value) => _words.First(w => w.Value.Equals(value)).Word;

    /// <summary>The value of <paramref name="word"/> (exact, case-sensitive), if it is one of the words.</summary>
    public bool TryParse(string? word, out T value)
    {
        foreach (var (v, w) in _words)
            if (w == word) { value = v; return true; }
        value = default;
        return false;
    }

    /// <summary>The words for a message: <c>'a', 'b' or 'c'</c>.</summary>
    public string Describe() =>
        _words.Length == 1 ? $"'{_words[0].Word}'" : string.Join(", ", _words[..^1].Select(w => $"'{w.Word}'")) + $" or '{_words[^1].Word}'";
}

/// <summary>
/// The vocabulary of scenario files (docs/model.md): the loading state, the peer selection, the intervention kind and
/// the market design kind (the names in <see cref="Designs.MarketDesigns"/>). The reader, the export and
/// <c>p2pflex gridcheck</c> use these lists, so a word is spelt in one place.
/// </summary>
public static class ScenarioWords
{
    /// <summary><c>state</c>: the loading state.</summary>
    public static ScenarioWordList<StudyState> State { get; } = new((StudyState.Base, "base"), (StudyState.Extreme, "extreme"));

    /// <summary><c>peers</c>: which bids become peers.</summary>
    public static ScenarioWordList<PeerSelection> Peers { get; } =
        new((PeerSelection.None, "none"), (PeerSelection.Subset, "subset"), (PeerSelection.LateralRelief, "lateral-relief"));

    /// <summary><c>intervention.kind</c>: what the DSO does.</summary>
    public static ScenarioWordList<InterventionKind> Intervention { get; } =
        new((InterventionKind.None, "none"), (InterventionKind.Block, "block"), (InterventionKind.Incentive, "incentive"));

    /// <summary><c>market_design.kind</c>: the registered designs.</summary>
    public static IReadOnlyList<string> DesignKinds => Designs.MarketDesigns.Names;
}
