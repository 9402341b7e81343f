using System.Globalization;
using P2PFlex.Cli;

// Output never depends on the machine's locale (the project also builds with invariant globalization; this holds
// when a host turns that off). The in-process tests call Commands.Execute under other cultures to keep every
// formatter explicit.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
// reproduce, notebooks run and kernel start continue in a fresh process image without dynamic PGO (DynamicPgo: it
// costs compiling cells more than it returns); every other command runs here with it.
DynamicPgo.CompileCellsWithoutPgo(args);
return Commands.Execute(args, Console.Out, Console.Error);
