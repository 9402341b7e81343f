using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using P2PFlex.IO;

namespace P2PFlex.Cli;

/// <summary>
/// The <c>p2pflex</c> command line (System.CommandLine): the root command, and <see cref="Execute"/>, which runs one
/// command line in-process and maps failures to exit codes.
/// </summary>
public static class Commands
{
    public const string Description =
        "p2pflex — P2P trading, DSO interventions and local flexibility markets on MATPOWER feeders";

    /// <summary>
    /// The root command with every subcommand.
    /// <para>
    /// To add a command: create <c>Commands/FooCommand.cs</c> with a static <c>Build()</c> returning a
    /// <see cref="Command"/> (options and arguments declared there, <c>SetAction</c> reading them into a typed options
    /// record and calling library code, writing to <see cref="CliKit.Out"/>; usage problems found after parsing throw
    /// <see cref="UsageException"/>), optionally <c>.WithExamples(...)</c> for its help, and add it to the list below.
    /// Help, typo suggestions, completion and exit codes then come for free.
    /// </para>
    /// </summary>
    public static RootCommand Build()
    {
        var root = new RootCommand(Description) { HelpName = "p2pflex" };
        Command[] commands =
        [
            ReproduceCommand.Build(),
            NotebooksCommand.Build(),
            FiguresCommand.Build(),
            PowerFlowCommand.Build(),
            GridCheckCommand.Build(),
            ScenariosCommand.Build(),
            SweepCommand.Build(),
            MonteCarloCommand.Build(),
            BenchCommand.Build(),
            DataCommand.Build(),
            ProfilesCommand.Build(),
            TimeSeriesCommand.Build(),
            KernelCommand.Build(),
            CompletionCommand.Build(),
            HelpCommand.Build(),
        ];
        foreach (var c in commands) root.Subcommands.Add(c);
        root.Options.Add(CliKit.DataFolder());
        root.WithExamples("""
            p2pflex reproduce                                   run every notebook into reports/ and print Table 8
            p2pflex powerflow data/cases/case69.m --json
            p2pflex reproduce --pdf                             the same, with a PDF beside each HTML report
            p2pflex figures --format svg,png,pdf --out figures/ the study's figures as files (+ figures.json)
            p2pflex scenarios run 1 2
            p2pflex sweep --scenario 3-theta80 --param W --from 0 --to 0.95 --step 0.05 --csv
            p2pflex COMMAND --help                              options of one command
            """);
        // No command: the overview, as with --help.
        root.SetAction(r => Help(r, root));
        foreach (var help in root.Options.OfType<HelpOption>())
            if (help.Action is HelpAction action) help.Action = new HelpWithExamples(action);
        return root;
    }

    /// <summary>
    /// Parses and runs one command line. Exit codes: 0 success; 1 bad input data or a failed computation; 2 a usage
    /// error (unknown command or option, missing or malformed value). Errors go to <paramref name="error"/>, each line
    /// prefixed <c>p2pflex:</c>; <paramref name="output"/> gets only results.
    /// </summary>
    public static int Execute(string[] args, TextWriter output, TextWriter error)
    {
        // No response files: a notebook or case path starting with '@' is a path, as before the move to System.CommandLine.
        var parse = Build().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction action) return ParseErrors(parse, action, error);
        try
        {
            using var data = Data.DataPaths.Using(parse.GetValue<string?>("--data"));
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            WriteError(error, e.Message);
            error.WriteLine($"p2pflex: run '{CommandPath(parse.CommandResult.Command)} --help' for its usage");
            return 2;
        }
        // Files that cannot be read or written (missing, a folder, no permission, disk full) are failures of that
        // input or output, exit 1 with the message, never a crash with a stack trace.
        catch (Exception e) when (e is Grid.Matpower.MatpowerFormatException or DataFormatException or IOException or UnauthorizedAccessException
                                      or ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            WriteError(error, "error: " + e.Message);
            return 1;
        }
    }

    /// <summary>The library's parse errors and typo suggestions, on stderr, prefixed; exit code 2.</summary>
    private static int ParseErrors(ParseResult parse, ParseErrorAction action, TextWriter error)
    {
        foreach (var e in parse.Errors) WriteError(error, e.Message);
        // The library's own typo corrections ("'powrflow' was not matched. Did you mean one of the following?" and the
        // candidates, one a line), captured and re-printed with the prefix; its help text is left out.
        action.ShowHelp = false;
        action.ShowTypoCorrections = true;
        var suggestions = new StringWriter();
        _ = parse.Invoke(new InvocationConfiguration { Output = suggestions, Error = TextWriter.Null });
        // Only the first mistyped word's block: the words after an unknown command are unmatched too, and their
        // "corrections" are noise.
        int blocks = 0;
        foreach (string line in suggestions.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool header = line.Contains(' ');
            if (header && ++blocks > 1) break;
            error.WriteLine(header ? $"p2pflex: {line}" : $"p2pflex:   {line}");
        }
        error.WriteLine($"p2pflex: run '{CommandPath(parse.CommandResult.Command)} --help' for its usage");
        return 2;
    }

    private static void WriteError(TextWriter error, string message)
    {
        foreach (string line in message.Replace("\r", "").Split('\n'))
            error.WriteLine($"p2pflex: {line.Replace('\t', ' ')}");
    }

    /// <summary>"p2pflex", "p2pflex sweep", "p2pflex scenarios run", ….</summary>
    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
            names.Insert(0, c.Name);
        names.Insert(0, "p2pflex");
        return string.Join(' ', names);
    }

    /// <summary>Writes the help of <paramref name="command"/> (exactly as <c>--help</c> does) and returns 0.</summary>
    internal static int Help(ParseResult current, Command command)
    {
        var path = new List<string>();
        for (Command? c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault()) path.Insert(0, c.Name);
        path.Add("--help");
        return current.RootCommandResult.Command.Parse(path, new ParserConfiguration { ResponseFileTokenReplacer = null })
            .Invoke(new InvocationConfiguration { Output = CliKit.Out(current), Error = CliKit.Err(current) });
    }

    /// <summary>The library's help at a fixed width (output independent of the terminal), then the command's examples.</summary>
    private sealed class HelpWithExamples(HelpAction library) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            library.MaxWidth = 120;
            int code = library.Invoke(parseResult);
            string? examples = CliKit.Examples(parseResult.CommandResult.Command);
            if (examples is null) return code;
            var output = CliKit.Out(parseResult);
            output.WriteLine("Examples:");
            foreach (string line in examples.TrimEnd().Split('\n')) output.WriteLine("  " + line.TrimEnd());
            output.WriteLine();
            return code;
        }
    }
}
