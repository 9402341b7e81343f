using System.Runtime.InteropServices;
using P2PFlex.Kernel;

namespace P2PFlex.Cli;

/// <summary>
/// <c>p2pflex kernel install [--user|--prefix DIR] [--name NAME] [--display-name TEXT]</c> registers the Jupyter
/// kernelspec; <c>p2pflex kernel start --connection-file FILE</c> is what Jupyter runs (see src/P2PFlex.Kernel).
/// </summary>
public static class KernelCommand
{
    public const string Usage = """
        usage:
          p2pflex kernel install [--user | --prefix DIR] [--name NAME] [--display-name TEXT]
                register the Jupyter kernelspec (default: --user, name p2pflex-csharp, "P2PFlex C#")
          p2pflex kernel start --connection-file FILE
                run the kernel (Jupyter does this, with the connection file it wrote)
        """;

    public static int Run(string[] args, TextWriter output)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            output.WriteLine(Usage);
            return 0;
        }
        var a = new CliArguments(args.Skip(1), new HashSet<string> { "user" });
        return args[0] switch
        {
            "install" => Install(a, output),
            "start" => Start(a),
            _ => throw new UsageException($"unknown kernel command '{args[0]}'\n{Usage}"),
        };
    }

    private static int Install(CliArguments a, TextWriter output)
    {
        bool user = a.Flag("user");
        string? prefix = a.Option("prefix");
        string name = a.Option("name") ?? KernelSpec.DefaultName;
        string display = a.Option("display-name") ?? KernelSpec.DefaultDisplayName;
        a.RejectUnknown();
        if (a.Positional.Count > 0) throw new UsageException("kernel install takes no positional arguments");
        if (user && prefix is not null) throw new UsageException("give either --user or --prefix DIR, not both");
        string dir = KernelSpec.Install(KernelSpec.KernelsDirectory(prefix), ArgvPrefix(), name, display);
        output.WriteLine($"installed kernelspec '{name}' (\"{display}\") in {dir}");
        output.WriteLine($"  command: {string.Join(' ', ArgvPrefix())} kernel start --connection-file {{connection_file}}");
        if (prefix is not null) output.WriteLine($"  (Jupyter finds it when {Path.Combine(Path.GetFullPath(prefix), "share", "jupyter")} is on JUPYTER_PATH or is its sys.prefix)");
        return 0;
    }

    /// <summary>How to start this CLI again: the dotnet host (absolute, so Jupyter's PATH does not matter) and p2pflex.dll.</summary>
    internal static IReadOnlyList<string> ArgvPrefix()
    {
        string dll = typeof(KernelCommand).Assembly.Location;
        string? host = Environment.ProcessPath;
        if (host is null || !Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        return [host, dll];
    }

    private static int Start(CliArguments a)
    {
        string? file = a.Option("connection-file");
        a.RejectUnknown();
        if (file is null && a.Positional.Count == 1) file = a.Positional[0];
        if (file is null || a.Positional.Count > (a.Option("connection-file") is null ? 1 : 0))
            throw new UsageException("usage: p2pflex kernel start --connection-file FILE");
        ConnectionInfo info;
        try
        {
            info = ConnectionInfo.Read(file);
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message, e);
        }
        int? parent = int.TryParse(Environment.GetEnvironmentVariable("JPY_PARENT_PID"), out int pid) && pid > 1 ? pid : null;
        using var kernel = new JupyterKernel(info, new KernelOptions { ParentProcessId = parent });
        kernel.Start();
        // A SIGINT (a frontend that ignores interrupt_mode "message", or Ctrl+C) interrupts the cell instead of killing the kernel.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; kernel.Interrupt(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; kernel.Stop(); });
        kernel.WarmUp();
        kernel.Completion.GetAwaiter().GetResult();
        NetMQ.NetMQConfig.Cleanup(block: false);
        return 0;
    }
}
