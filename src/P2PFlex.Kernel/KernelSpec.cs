using System.Text.Json;
using System.Text.Json.Nodes;

namespace P2PFlex.Kernel;

/// <summary>
/// The Jupyter kernelspec of the P2PFlex C# kernel: a folder <c>kernels/&lt;name&gt;/</c> holding <c>kernel.json</c>
/// with the command Jupyter runs (<c>dotnet p2pflex.dll kernel start --connection-file {connection_file}</c>).
/// </summary>
public static class KernelSpec
{
    public const string DefaultName = "p2pflex-csharp";
    public const string DefaultDisplayName = "P2PFlex C#";

    /// <summary>The kernel.json content for a kernel started as <paramref name="argvPrefix"/> + <c>kernel start --connection-file {connection_file}</c>.</summary>
    public static JsonObject Json(IReadOnlyList<string> argvPrefix, string displayName = DefaultDisplayName)
    {
        var argv = new JsonArray();
        foreach (var a in argvPrefix) argv.Add(a);
        foreach (var a in new[] { "kernel", "start", "--connection-file", "{connection_file}" }) argv.Add(a);
        return new JsonObject
        {
            ["argv"] = argv,
            ["display_name"] = displayName,
            ["language"] = "csharp",
            // Interrupts come as interrupt_request on the control channel (a SIGINT would not stop a .NET cell anyway).
            ["interrupt_mode"] = "message",
            ["env"] = new JsonObject { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" },
            ["metadata"] = new JsonObject { ["debugger"] = false },
        };
    }

    /// <summary>
    /// The folder kernelspecs go to: <c>DIR/share/jupyter/kernels</c> for a prefix; for the user, Jupyter's user data
    /// folder (<c>JUPYTER_DATA_DIR</c>, else <c>~/Library/Jupyter</c> on macOS, <c>%APPDATA%\jupyter</c> on Windows,
    /// <c>$XDG_DATA_HOME/jupyter</c> or <c>~/.local/share/jupyter</c> elsewhere) + <c>/kernels</c>.
    /// </summary>
    public static string KernelsDirectory(string? prefix)
    {
        if (prefix is not null) return Path.Combine(Path.GetFullPath(prefix), "share", "jupyter", "kernels");
        string? data = Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR");
        if (string.IsNullOrEmpty(data))
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (OperatingSystem.IsWindows()) data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter");
            else if (OperatingSystem.IsMacOS()) data = Path.Combine(home, "Library", "Jupyter");
            else
            {
                string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
                data = Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "share") : xdg, "jupyter");
            }
        }
        return Path.Combine(data, "kernels");
    }

    /// <summary>Writes <c>kernels/&lt;name&gt;/kernel.json</c> (replacing an older one) and returns the folder.</summary>
    public static string Install(string kernelsDirectory, IReadOnlyList<string> argvPrefix, string name = DefaultName, string displayName = DefaultDisplayName)
    {
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new ArgumentException($"kernel name '{name}' may only contain ASCII letters, digits, '-', '_' and '.'");
        string dir = Path.Combine(kernelsDirectory, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "kernel.json"), Json(argvPrefix, displayName).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return dir;
    }
}
