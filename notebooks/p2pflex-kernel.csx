// Setup for the official .NET Interactive C# kernel (Jupyter ".NET (C#)" / VS Code Polyglot Notebooks), loaded by the
// first cell of every notebook with #load. It does what that kernel lacks and the P2PFlex runner and kernel have built
// in; there (no Microsoft.DotNet.Interactive assembly in the process) it does nothing. See docs/notebooks.md.
//  1. FSharp.Core unification: the dotnet-interactive tool ships FSharp.Core 10.0.0.0 in its default load context;
//     Plotly.NET 6 and Deedle 8.1 are compiled against 10.1.0.0 and fail with FileNotFoundException. The runtime never
//     loads a second FSharp.Core beside the first, so requests for it are answered with the copy already loaded.
//  2. Formatters: the study's tables (TextTable), Deedle frames and series as HTML tables and Plotly.NET charts as offline HTML (plotly.js embedded
//     once per notebook run, no CDN), from the same P2PFlex.Display code the runner's formatters call.
// A .csx may not hold #r "nuget:" lines, so the packages are referenced by the first cell itself.
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive.Formatting;

P2PFlexKernelSetup.Apply();

public static class P2PFlexKernelSetup
{
    private const string ResolverInstalledKey = "P2PFlex.FSharpCoreResolverInstalled";

    // Per #load, i.e. per run of a notebook's first cell: the first chart after it carries plotly.js.
    private static bool _plotlyJsWritten;

    /// <summary>True inside .NET Interactive (its core assembly is loaded); the P2PFlex runner/kernel load only its Formatting library.</summary>
    public static bool InOfficialKernel =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.DotNet.Interactive");

    public static void Apply()
    {
        if (!InOfficialKernel) return;
        UnifyFSharpCore();
        RegisterFormatters();
    }

    // Must run before any method that touches a Plotly.NET or Deedle type is compiled, hence NoInlining below.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UnifyFSharpCore()
    {
        if (AppDomain.CurrentDomain.GetData(ResolverInstalledKey) is true) return;   // once per process, not per notebook
        AssemblyLoadContext.Default.Resolving += (_, name) => name.Name == "FSharp.Core"
            ? AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core")
            : null;
        AppDomain.CurrentDomain.SetData(ResolverInstalledKey, true);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RegisterFormatters()
    {
        _plotlyJsWritten = false;
        // Registered again on every #load: the latest registration wins, and it is the same code each time.
        Formatter.Register<P2PFlex.Scenarios.TextTable>((table, writer) => writer.Write(P2PFlex.Display.TableHtml.Render(table)), "text/html");
        Formatter.Register<P2PFlex.Scenarios.TextTable>((table, writer) => writer.Write(table.ToPlainText()), "text/plain");
        Formatter.Register<Deedle.IFrame>((frame, writer) => writer.Write(P2PFlex.Display.DeedleHtml.Table(frame)), "text/html");
        Formatter.Register(typeof(Deedle.Series<,>), (object series, TextWriter writer) => writer.Write(P2PFlex.Display.DeedleHtml.Series(series)), "text/html");
        Formatter.Register<Plotly.NET.GenericChart>((chart, writer) =>
        {
            if (!_plotlyJsWritten)
            {
                writer.Write(P2PFlex.Display.PlotlyJs.ScriptElement(guard: true));
                _plotlyJsWritten = true;
            }
            writer.Write(P2PFlex.Display.PlotlyCharts.ToHtml(chart));
        }, "text/html");
    }
}
