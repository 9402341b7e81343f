using System.CommandLine;

namespace P2PFlex.Cli;

/// <summary><c>p2pflex help [command…]</c>: the same text as <c>p2pflex [command…] --help</c>.</summary>
public static class HelpCommand
{
    public static Command Build()
    {
        var path = new Argument<string[]>("command") { Description = "a command, e.g. 'sweep' or 'scenarios run'", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("help", "this overview, or the help of one command") { path };
        command.SetAction(r =>
        {
            Command target = r.RootCommandResult.Command;
            foreach (string name in r.GetValue(path) ?? [])
                target = target.Subcommands.FirstOrDefault(c => c.Name == name)
                    ?? throw new UsageException($"no command '{name}'; commands: {string.Join(", ", target.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}");
            return Commands.Help(r, target);
        });
        return command;
    }
}
