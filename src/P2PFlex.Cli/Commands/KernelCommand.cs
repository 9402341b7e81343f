using System.CommandLine;
using System.Runtime.InteropServices;
using P2PFlex.Kernel;

namespace P2PFlex.Cli;

/// <summary>What <c>p2pflex kernel install</c> was asked for (no prefix: the user's Jupyter folder).</summary>
public sealed record KernelInstallOptions(string? Prefix, string Name, string DisplayName);

/// <summary>
/// <c>p2pflex kernel install [--user|--prefix DIR] [--name NAME] [--display-name TEXT]</c> registers the Jupyter
/// kernelspec; <c>p2pflex kernel start --connection-file FILE</c> is what Jupyter runs (see src/P2PFlex.Kernel).
/// </summary>
public static class KernelCommand
{
    public static Command Build()
    {
        var user = new Option<bool>("--user") { Description = "into the user's Jupyter folder (the default)" };
        var prefix = new Option<string>("--prefix") { Description = "into DIR/share/jupyter/kernels instead", HelpName = "DIR" };
        var name = new Option<string>("--name")
        {
            Description = "the kernelspec's name",
            HelpName = "NAME",
            DefaultValueFactory = _ => KernelSpec.DefaultName,
        };
        var display = new Option<string>("--display-name")
        {
            Description = "the label Jupyter shows",
            HelpName = "TEXT",
            DefaultValueFactory = _ => KernelSpec.DefaultDisplayName,
        };
        var install = new Command("install", "register the Jupyter kernelspec (default: --user, name p2pflex-csharp, \"P2PFlex C#\")")
        {
            user, prefix, name, display,
        };
        install.Validators.Add(r =>
        {
            if (r.GetValue(user) && r.GetValue(prefix) is not null) r.AddError("give either --user or --prefix DIR, not both");
        });
        install.SetAction(r => Install(new KernelInstallOptions(r.GetValue(prefix), r.GetValue(name)!, r.GetValue(display)!), CliKit.Out(r)));

        var connectionFile = new Option<string>("--connection-file") { Description = "the connection file Jupyter wrote", HelpName = "FILE" };
        var connectionArgument = new Argument<string?>("connection-file") { Description = "the same, given without the option", Arity = ArgumentArity.ZeroOrOne };
        var start = new Command("start", "run the kernel (Jupyter does this, with the connection file it wrote)") { connectionFile, connectionArgument };
        start.Validators.Add(r =>
        {
            bool option = r.GetValue(connectionFile) is not null, argument = r.GetValue(connectionArgument) is not null;
            if (option == argument) r.AddError("kernel start needs the connection file once: --connection-file FILE");
        });
        start.SetAction(r => Start(r.GetValue(connectionFile) ?? r.GetValue(connectionArgument)!));

        return new Command("kernel", "the \"P2PFlex C#\" Jupyter kernel: install its kernelspec; start is what Jupyter runs") { install, start }
            .WithExamples("""
                p2pflex kernel install                          ~/.local/share/jupyter/kernels/p2pflex-csharp
                p2pflex kernel install --prefix /opt/jupyter-env --name p2pflex-test --display-name "P2PFlex test"
                p2pflex kernel start --connection-file FILE     (Jupyter runs this)
                """);
    }

    private static int Install(KernelInstallOptions options, TextWriter output)
    {
        string? prefix = options.Prefix;
        string name = options.Name, display = options.DisplayName;
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

    private static int Start(string file)
    {
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
        using var kernel = new JupyterKernel(info, new KernelOptions { ParentProcessId = parent, OwnsProcess = true });
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
