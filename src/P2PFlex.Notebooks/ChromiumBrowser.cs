using PuppeteerSharp;

namespace P2PFlex.Notebooks;

/// <summary>No Chromium was found (or the one named cannot be started): the message says where we looked and how to install one.</summary>
public sealed class BrowserNotFoundException(string message, Exception? inner = null) : InvalidOperationException(message, inner);

/// <summary>Finds the Chromium (or Chrome) executable that static figures and report PDFs are rendered with.</summary>
public static class ChromiumLocator
{
    /// <summary>Names the browser executable to use, before any other place is searched.</summary>
    public const string EnvironmentVariable = "P2PFLEX_CHROMIUM";

    /// <summary>Where a Chromium or Chrome is looked for, in order, after the option and the environment variable.</summary>
    public static IReadOnlyList<string> Candidates { get; } = OperatingSystem.IsWindows()
        ?
        [
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), @"Google\Chrome\Application\chrome.exe"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFilesX86), @"Google\Chrome\Application\chrome.exe"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), @"Chromium\Application\chrome.exe"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ProgramFilesX86), @"Microsoft\Edge\Application\msedge.exe"),
        ]
        : OperatingSystem.IsMacOS()
        ?
        [
            "/Applications/Chromium.app/Contents/MacOS/Chromium",
            "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        ]
        :
        [
            "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium", "/snap/bin/chromium",
            "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/opt/google/chrome/chrome",
        ];

    /// <summary>
    /// The browser to use: <paramref name="explicitPath"/> if given, else <c>P2PFLEX_CHROMIUM</c>, else the first of
    /// <see cref="Candidates"/> that exists. Nothing is ever downloaded.
    /// </summary>
    /// <exception cref="BrowserNotFoundException">The path given does not exist, or no candidate does.</exception>
    public static string Find(string? explicitPath = null) =>
        Find(explicitPath, Environment.GetEnvironmentVariable(EnvironmentVariable), Candidates);

    internal static string Find(string? explicitPath, string? environmentValue, IReadOnlyList<string> candidates)
    {
        const string howTo = "Install Chromium (Debian/Ubuntu: 'apt-get install chromium', or run environment/install.sh; "
                             + "elsewhere Chromium or Google Chrome from your package manager) or set " + EnvironmentVariable + " to the browser's executable.";
        if (!string.IsNullOrEmpty(explicitPath))
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath)
                : throw new BrowserNotFoundException($"the Chromium given ({explicitPath}) does not exist. {howTo}");
        if (!string.IsNullOrEmpty(environmentValue))
            return File.Exists(environmentValue) ? Path.GetFullPath(environmentValue)
                : throw new BrowserNotFoundException($"{EnvironmentVariable}={environmentValue}: no such file. {howTo}");
        return candidates.FirstOrDefault(File.Exists) ?? throw new BrowserNotFoundException(
            "no Chromium found: static figures and PDFs are drawn by a headless Chromium (or Chrome), looked for at "
            + string.Join(", ", candidates) + ". " + howTo);
    }
}

/// <summary>
/// A headless Chromium driven over the DevTools protocol (PuppeteerSharp), found by <see cref="ChromiumLocator"/> and
/// never downloaded. Pages it opens are offline: any request other than <c>file:</c>, <c>data:</c>, <c>blob:</c> and
/// <c>about:</c> is refused, so a report or figure can never pull anything from the network. One instance serves many
/// figures and reports; dispose it to end the browser process and delete its temporary profile.
/// </summary>
public sealed class ChromiumBrowser : IAsyncDisposable
{
    private readonly IBrowser _browser;
    private readonly string _profileDir;

    private ChromiumBrowser(IBrowser browser, string executablePath, string profileDir, string version)
    {
        _browser = browser;
        ExecutablePath = executablePath;
        _profileDir = profileDir;
        Version = version;
    }

    /// <summary>The browser's executable.</summary>
    public string ExecutablePath { get; }

    /// <summary>The browser's product and version, e.g. <c>HeadlessChrome/131.0.6778.139</c>.</summary>
    public string Version { get; }

    /// <summary>A folder of the browser's temporary profile, for pages written to disk (deleted with the browser).</summary>
    internal string ScratchDirectory => _profileDir;

    /// <summary>Starts the browser.</summary>
    /// <param name="executablePath">A Chromium or Chrome executable; null to find one (<see cref="ChromiumLocator.Find(string?)"/>).</param>
    /// <exception cref="BrowserNotFoundException">No browser found, or it did not start.</exception>
    public static async Task<ChromiumBrowser> LaunchAsync(string? executablePath = null)
    {
        string exe = ChromiumLocator.Find(executablePath);
        string profile = Path.Combine(Path.GetTempPath(), $"p2pflex-chromium-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(profile);
        var args = new List<string>
        {
            "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
            "--hide-scrollbars", "--mute-audio", "--font-render-hinting=none",
        };
        // Chromium refuses to run as root with its sandbox, and containers often lack the namespaces it needs. The
        // pages rendered are our own, offline ones (see the request filter), so running without it is acceptable there.
        if (!OperatingSystem.IsWindows() && (IsRoot() || Environment.GetEnvironmentVariable("P2PFLEX_CHROMIUM_NO_SANDBOX") == "1"))
            args.Add("--no-sandbox");
        try
        {
            var browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                ExecutablePath = exe,
                Headless = true,
                UserDataDir = profile,
                Args = args.ToArray(),
                DefaultViewport = null,
                Timeout = 60_000,
                ProtocolTimeout = 180_000,
            }).ConfigureAwait(false);
            string version = await browser.GetVersionAsync().ConfigureAwait(false);
            return new ChromiumBrowser(browser, exe, profile, version);
        }
        catch (Exception e) when (e is not BrowserNotFoundException)
        {
            TryDelete(profile);
            throw new BrowserNotFoundException($"cannot start the browser {exe}: {e.Message}", e);
        }
    }

    /// <summary>A new tab that refuses every request leaving the machine.</summary>
    internal async Task<IPage> NewOfflinePageAsync()
    {
        var page = await _browser.NewPageAsync().ConfigureAwait(false);
        await page.SetRequestInterceptionAsync(true).ConfigureAwait(false);
        page.Request += async (_, e) =>
        {
            string url = e.Request.Url;
            bool local = url.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("data:", StringComparison.OrdinalIgnoreCase)
                         || url.StartsWith("blob:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("about:", StringComparison.OrdinalIgnoreCase);
            try
            {
                if (local) await e.Request.ContinueAsync().ConfigureAwait(false);
                else await e.Request.AbortAsync().ConfigureAwait(false);
            }
            catch (PuppeteerException) { /* the page went away meanwhile */ }
        };
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _browser.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is PuppeteerException or IOException or InvalidOperationException)
        {
            // The browser is gone already; nothing left to close.
        }
        _browser.Dispose();
        TryDelete(_profileDir);
    }

    private static void TryDelete(string dir)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                return;
            }
            catch (IOException) { Thread.Sleep(100); }   // the browser may still be writing its profile while it exits
            catch (UnauthorizedAccessException) { return; }
        }
    }

    private static bool IsRoot() => !OperatingSystem.IsWindows() && Environment.UserName == "root";
}
