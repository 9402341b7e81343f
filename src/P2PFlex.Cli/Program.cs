using P2PFlex.Cli;
using P2PFlex.Grid.Matpower;
using P2PFlex.IO;

// p2pflex: the command-line face of the library. Errors go to stderr with a non-zero exit code:
// 1 for bad input data or a failed computation, 2 for a usage error.
try
{
    return Commands.Run(args, Console.Out);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"p2pflex: {e.Message}");
    Console.Error.WriteLine("run 'p2pflex help' for the commands");
    return 2;
}
catch (Exception e) when (e is MatpowerFormatException or DataFormatException or FileNotFoundException or DirectoryNotFoundException
                              or ArgumentException or InvalidOperationException or KeyNotFoundException)
{
    Console.Error.WriteLine($"p2pflex: error: {e.Message}");
    return 1;
}
