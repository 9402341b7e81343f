using P2PFlex.Cli;

namespace P2PFlex.Tests.Cli;

/// <summary>Runs a <c>p2pflex</c> command in-process and captures its exit code, stdout and stderr.</summary>
public static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Commands.Execute(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
