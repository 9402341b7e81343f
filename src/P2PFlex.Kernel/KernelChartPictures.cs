using P2PFlex.Notebooks;

namespace P2PFlex.Kernel;

/// <summary>
/// The static forms of the charts this kernel shows (<see cref="StaticChartImages"/>: <c>image/svg+xml</c> and a WebP
/// picture inside <c>text/html</c>, beside <c>application/vnd.plotly.v1+json</c>), added as each output is published, so
/// that a notebook saved from a Jupyter front-end or executed by <c>nbconvert --execute</c> through this kernel shows its
/// charts in static viewers as the runner's executed notebooks do. The pictures are drawn by the process's shared
/// headless Chromium (<see cref="SharedChartRenderer"/>, started at the first chart, closed when the kernel ends).
/// Without a browser, the first chart gets one stderr line saying that the pictures are skipped and why, and no later
/// chart tries again. <c>P2PFLEX_STATIC_CHARTS=0</c> turns them off.
/// </summary>
/// <param name="enabled">False: add nothing (<see cref="EnvironmentVariable"/>).</param>
/// <param name="log">The kernel's log.</param>
/// <param name="draw">Adds the forms to one output (default: <see cref="SharedChartRenderer.AddStaticFormsAsync"/>).</param>
internal sealed class KernelChartPictures(bool enabled, TextWriter log, Func<DisplayDataOutput, bool>? draw = null)
{
    public const string EnvironmentVariable = "P2PFLEX_STATIC_CHARTS";

    private bool _off = !enabled;

    /// <summary>On unless <see cref="EnvironmentVariable"/> is <c>0</c>, <c>false</c>, <c>no</c> or <c>off</c>.</summary>
    public static bool EnabledByEnvironment() =>
        (Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim().ToLowerInvariant()) is not ("0" or "false" or "no" or "off");

    /// <summary>Adds the static forms to a chart output (nothing for other outputs); returns the line to show on stderr
    /// when the pictures are skipped from now on, else null.</summary>
    public string? Add(DisplayDataOutput output)
    {
        if (_off || !StaticChartImages.IsChart(output)) return null;
        try
        {
            // The cell's executing thread waits here (about 0.3 s a chart, plus the browser's start at the first).
            (draw ?? (o => SharedChartRenderer.AddStaticFormsAsync(o).GetAwaiter().GetResult()))(output);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or PuppeteerSharp.PuppeteerException or IOException or TimeoutException)
        {
            _off = true;
            log.WriteLine($"p2pflex kernel: static chart pictures skipped: {e.Message}");
            return "[p2pflex kernel] static chart pictures skipped (the charts stay interactive; a notebook saved from here shows "
                   + $"no chart where JavaScript does not run): {e.Message}\n";
        }
    }
}
