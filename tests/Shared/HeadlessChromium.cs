using System.Diagnostics;
using System.Text.RegularExpressions;

namespace P2PFlex.TestSupport;

/// <summary>
/// Opens an HTML page in headless Chromium (Debian <c>chromium</c>, installed by environment/install.sh) with every
/// host name unresolvable, so nothing can come from the network, and checks that each Plotly chart of the page drew.
/// Shared by the notebook tests (runner reports) and the kernel tests (notebooks executed by Jupyter kernels).
/// </summary>
internal static partial class HeadlessChromium
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>The ids of the charts a page draws: one <c>Plotly.newPlot('id', …)</c> call per chart.</summary>
    public static IReadOnlyList<string> ChartIds(string html) =>
        NewPlotCall().Matches(html).Select(m => m.Groups["id"].Value).ToArray();

    /// <summary>
    /// Asserts that the page loads without script errors and that every chart's div became a Plotly plot with an SVG
    /// drawing. Returns the number of charts.
    /// </summary>
    public static int AssertEveryChartDraws(string page)
    {
        var ids = ChartIds(File.ReadAllText(page));
        string profile = Path.Combine(Path.GetTempPath(), $"p2pflex-chromium-{Guid.NewGuid():N}");
        var psi = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
            "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND", $"--user-data-dir={profile}",
            "--virtual-time-budget=20000", "--enable-logging=stderr", "--v=0", "--dump-dom", new Uri(page).AbsoluteUri,
        }) psi.ArgumentList.Add(a);
        string output;
        int code;
        using (var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {Chromium} (run environment/install.sh)"))
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"chromium did not finish in 120 s on {page}"); }
            code = p.ExitCode;
            output = stdout.Result + stderr.Result;
        }
        try { Directory.Delete(profile, true); } catch (IOException) { }
        Assert.True(code == 0, $"chromium exited {code} on {page}");
        Assert.DoesNotContain("Uncaught", output);
        foreach (var id in ids)
        {
            var div = Regex.Match(output, "<div[^>]*id=\"" + Regex.Escape(id) + "\"[^>]*>");
            Assert.True(div.Success, $"{page}: chart div {id} missing from the rendered page");
            Assert.Contains("js-plotly-plot", div.Value);
        }
        Assert.True(MainSvg().Matches(output).Count >= ids.Count, $"{page}: not every chart drew an SVG");
        return ids.Count;
    }

    [GeneratedRegex(@"Plotly\.newPlot\('(?<id>[^']+)'")]
    private static partial Regex NewPlotCall();

    [GeneratedRegex("class=\"main-svg\"")]
    private static partial Regex MainSvg();
}
