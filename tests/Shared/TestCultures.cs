using System.Globalization;

namespace P2PFlex.TestSupport;

/// <summary>Cultures for the locale tests of the CLI and the notebook runner (shared by both test projects).</summary>
internal static class TestCultures
{
    /// <summary>
    /// A German culture: de-DE itself where the runtime has culture data; under the project's invariant-globalization
    /// mode (no culture data) the invariant culture with de-DE's number format (decimal comma, '.' grouping), which is
    /// what a locale-dependent format would pick up.
    /// </summary>
    public static CultureInfo German()
    {
        try
        {
            var de = new CultureInfo("de-DE");
            if (de.NumberFormat.NumberDecimalSeparator == ",") return de;
        }
        catch (CultureNotFoundException)
        {
        }
        var c = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        c.NumberFormat.NumberDecimalSeparator = ",";
        c.NumberFormat.NumberGroupSeparator = ".";
        c.NumberFormat.PercentDecimalSeparator = ",";
        c.NumberFormat.CurrencyDecimalSeparator = ",";
        return c;
    }
}
