namespace P2PFlex.TestSupport;

/// <summary>
/// The parameters the tests give study notebooks that would otherwise spend most of the suite's time on more of the
/// same work: notebook 08's Monte Carlo with 20 draws instead of 200, and 4 per other feeder instead of 40; notebook 10
/// on the representative day instead of the week (96 quarter-hours instead of 672, the day's slider, heat map and W
/// policy as before). Passed through the notebooks' own parameters (as <c>-p</c> does), so every cell and check runs, on
/// fewer draws and a shorter window. The headless study run (StudyNotebooksFixture) and the kernel tests'
/// copies (StudyNotebookRuns) use these same values.
/// </summary>
internal static class StudyNotebookInputs
{
    /// <summary>Per notebook file name, the parameters the tests give it (name → value).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> TestParameters =
        new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal)
        {
            ["08-robustness.ipynb"] = new Dictionary<string, string>(StringComparer.Ordinal) { ["draws"] = "20", ["otherDraws"] = "4" },
            ["10-timeseries.ipynb"] = new Dictionary<string, string>(StringComparer.Ordinal) { ["window"] = "day" },
        };
}
