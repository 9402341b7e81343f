using P2PFlex.Cli;

return Commands.Execute(args, Console.Out, Console.Error);
