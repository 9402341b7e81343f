namespace P2PFlex.TestSupport;

/// <summary>
/// The parameters the tests give study notebooks that would otherwise spend most of the suite's time on more of the
/// same work: notebook 08's Monte Carlo with 20 draws instead of 200, and 4 per other feeder instead of 40. Passed
/// through the notebook's own parameters (as <c>-p</c> does), so every cell and check runs, on fewer draws.
/// </summary>
internal static class StudyNotebookInputs
{
    /// <summary>Per notebook file name, the parameters the tests give it (name → value).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> TestParameters =
        new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal)
        {
            ["08-robustness.ipynb"] = new Dictionary<string, string>(StringComparer.Ordinal) { ["draws"] = "20", ["otherDraws"] = "4" },
        };
}
