using System.Globalization;
using System.Runtime.InteropServices;

namespace P2PFlex.Cli;

/// <summary>Where the dynamic-PGO setting of this process came from (the runtime reads them in this order).</summary>
public enum DynamicPgoSource
{
    /// <summary><c>DOTNET_TieredPGO</c> (or the older <c>COMPlus_TieredPGO</c>) in the process's environment.</summary>
    Environment,
    /// <summary><c>System.Runtime.TieredPGO</c> in <c>p2pflex.runtimeconfig.json</c>.</summary>
    RuntimeConfig,
    /// <summary>Neither: the runtime's default (on since .NET 8).</summary>
    RuntimeDefault,
}

/// <summary>Whether the JIT's dynamic PGO is on in this process, and which setting decided it.</summary>
public sealed record DynamicPgoSetting(bool On, DynamicPgoSource Source);

/// <summary>
/// The JIT's dynamic profile-guided optimisation (tiered PGO) per command. It is on for the CLI
/// (<c>p2pflex.runtimeconfig.json</c>), because the solvers' hot loops run thousands of times in <c>bench</c>,
/// <c>sweep</c>, Monte Carlo and time series, and PGO's inlining and devirtualisation make a W re-solve about a
/// quarter faster. The commands that compile notebook cells (<c>reproduce</c>, <c>notebooks run</c>,
/// <c>kernel start</c>) spend their time instead in code that runs a few hundred times (Roslyn compiling each cell,
/// the report writers): there PGO's instrumented tier and second recompilation cost more than they return (a warm
/// <c>reproduce</c> took 80.5 s wall with PGO against 67.6 s without; docs/performance.md). Those commands therefore
/// replace the process image with the same command line and <c>DOTNET_TieredPGO=0</c> before doing anything
/// (<c>execve</c>: the same process id, so signals, exit code and standard streams are the caller's as before),
/// unless the user set the variable. The JIT's tiers change no result: every output is the same bits either way.
/// </summary>
public static class DynamicPgo
{
    public const string EnvironmentVariable = "DOTNET_TieredPGO";
    private const string LegacyEnvironmentVariable = "COMPlus_TieredPGO";
    public const string RuntimeConfigProperty = "System.Runtime.TieredPGO";

    /// <summary>The setting this process runs with, from the sources the runtime reads, in its order.</summary>
    public static DynamicPgoSetting Current() =>
        Of(Environment.GetEnvironmentVariable, AppContext.GetData(RuntimeConfigProperty) as string);

    /// <summary>
    /// The runtime's rule: the environment variable wins (its value a hexadecimal number with or without <c>0x</c>, non-zero = on; the
    /// <c>DOTNET_</c> name before the <c>COMPlus_</c> one), then the runtimeconfig property (<c>true</c> = on), then the
    /// default, on.
    /// </summary>
    public static DynamicPgoSetting Of(Func<string, string?> environment, string? runtimeConfigValue)
    {
        foreach (string name in new[] { EnvironmentVariable, LegacyEnvironmentVariable })
        {
            string? text = environment(name)?.Trim();
            if (text is not null && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) text = text[2..];
            if (uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value))
                return new DynamicPgoSetting(value != 0, DynamicPgoSource.Environment);
        }
        if (runtimeConfigValue is not null)
            return new DynamicPgoSetting(runtimeConfigValue.Equals("true", StringComparison.OrdinalIgnoreCase), DynamicPgoSource.RuntimeConfig);
        return new DynamicPgoSetting(true, DynamicPgoSource.RuntimeDefault);
    }

    /// <summary>
    /// Whether the command line compiles notebook cells (<c>reproduce</c>, <c>notebooks run</c>, <c>kernel start</c>),
    /// its command words read past options and the root's <c>--data DIR</c>.
    /// </summary>
    public static bool CompilesCells(IReadOnlyList<string> args)
    {
        var words = new List<string>();
        for (int i = 0; i < args.Count && words.Count < 2; i++)
        {
            if (args[i] == "--data") { i++; continue; }
            if (args[i].StartsWith('-')) continue;
            words.Add(args[i]);
        }
        return words.Count > 0 && (words[0] == "reproduce"
            || (words.Count > 1 && ((words[0] == "notebooks" && words[1] == "run") || (words[0] == "kernel" && words[1] == "start"))));
    }

    /// <summary>
    /// For a command that compiles notebook cells, unless the user chose a setting in the environment: replaces this process
    /// with the same command line and <c>DOTNET_TieredPGO=0</c>. Returns (and the command runs here, with PGO as
    /// configured) where that is not possible: not Linux (the command line is read from <c>/proc/self/cmdline</c>), or
    /// <c>execve</c> failed.
    /// </summary>
    public static void CompileCellsWithoutPgo(IReadOnlyList<string> args)
    {
        if (!CompilesCells(args) || Current().Source == DynamicPgoSource.Environment || !OperatingSystem.IsLinux()) return;
        string? program = Environment.ProcessPath;
        string[]? argv = CommandLine();
        if (program is null || argv is null) return;
        var environment = new List<string?>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            environment.Add($"{e.Key}={e.Value}");
        environment.Add($"{EnvironmentVariable}=0");
        environment.Add(null);
        ReleaseDiagnosticsSocket();
        _ = Execve(program, [.. argv, null], [.. environment]);
        // Only reached when execve failed: the command runs in this process.
    }

    /// <summary>
    /// The runtime's diagnostics server (dotnet-trace, dotnet-counters) listens on
    /// <c>$TMPDIR/dotnet-diagnostic-PID-START-socket</c>; the new image has the same process id and start time, so it
    /// could not bind that path while the old socket file is there, and would run without the server.
    /// </summary>
    private static void ReleaseDiagnosticsSocket()
    {
        try
        {
            foreach (string socket in Directory.GetFiles(Path.GetTempPath(), $"dotnet-diagnostic-{Environment.ProcessId}-*-socket"))
                File.Delete(socket);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>This process's command line as the kernel has it (the host's own options included), or null.</summary>
    private static string[]? CommandLine()
    {
        try
        {
            byte[] raw = File.ReadAllBytes("/proc/self/cmdline");
            string[] argv = System.Text.Encoding.UTF8.GetString(raw).TrimEnd('\0').Split('\0');
            return argv.Length > 0 && argv[0].Length > 0 ? argv : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "execve", SetLastError = true)]
    private static extern int Execve(string path, string?[] argv, string?[] environment);
}
