// Setup for the official .NET Interactive C# kernel (Jupyter ".NET (C#)" / VS Code Polyglot Notebooks), loaded by the
// first cell of every notebook with #load. It does what that kernel lacks and the P2PFlex runner and kernel have built
// in; there (no Microsoft.DotNet.Interactive assembly in the process) it does nothing. See docs/notebooks.md.
//  1. FSharp.Core unification: the dotnet-interactive tool ships FSharp.Core 10.0.0.0 in its default load context;
//     Plotly.NET 6 and Deedle 8.1 are compiled against 10.1.0.0 and fail with FileNotFoundException. The runtime never
//     loads a second FSharp.Core beside the first, so requests for it are answered with the copy already loaded; so are
//     requests for an assembly the kernel has already loaded at the same or a higher version (see 3).
//  2. Formatters: the study's tables (TextTable), Deedle frames and series as HTML tables and Plotly.NET charts as offline HTML (plotly.js embedded
//     once per notebook run, no CDN), from the same P2PFlex.Display code the runner's formatters call.
//  3. Static pictures of charts, as the runner and the P2PFlex kernel publish them: image/svg+xml beside text/html, and a
//     WebP picture inside the chart's div in text/html, drawn by headless Chromium through P2PFlex.Notebooks (loaded from
//     the CLI's build beside the library the first cell loaded: dotnet build src/P2PFlex.Cli). Without that build or
//     without a Chromium, one stderr line says so and the charts stay interactive; P2PFLEX_STATIC_CHARTS=0 turns them off.
// A .csx may not hold #r "nuget:" lines, so the packages are referenced by the first cell itself.
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive.Formatting;

P2PFlexKernelSetup.Apply();

public static class P2PFlexKernelSetup
{
    private const string ResolverInstalledKey = "P2PFlex.AssemblyResolverInstalled";

    // Per #load, i.e. per run of a notebook's first cell: the first chart after it carries plotly.js.
    private static bool _plotlyJsWritten;

    // P2PFlex.Notebooks' SharedChartRenderer.StaticForms(chart, html) -> [html with the WebP picture, svg]; null: no pictures.
    private static MethodInfo _staticForms;   // (a script without #nullable: no annotations)

    // Both forms of a chart are drawn once, by whichever of its formatters runs first.
    private static readonly ConditionalWeakTable<Plotly.NET.GenericChart, string[]> _forms = new();

    /// <summary>True inside .NET Interactive (its core assembly is loaded); the P2PFlex runner/kernel load only its Formatting library.</summary>
    public static bool InOfficialKernel =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.DotNet.Interactive");

    public static void Apply()
    {
        if (!InOfficialKernel) return;
        UnifyFSharpCore();
        LoadChartPictures();
        RegisterFormatters();
    }

    /// <summary>Finds P2PFlex.Notebooks in the CLI's build (same configuration as the P2PFlex.Core the first cell loaded)
    /// and a Chromium; says once on stderr why static chart pictures are skipped when either is missing.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LoadChartPictures()
    {
        _staticForms = null;
        string setting = Environment.GetEnvironmentVariable("P2PFLEX_STATIC_CHARTS")?.Trim().ToLowerInvariant();
        if (setting is "0" or "false" or "no" or "off") return;
        // <clone>/src/P2PFlex/bin/<configuration>/net10.0/P2PFlex.Core.dll -> <clone>/src/P2PFlex.Cli/bin/<configuration>/net10.0/
        var bin = new DirectoryInfo(Path.GetDirectoryName(typeof(P2PFlex.Data.DataPaths).Assembly.Location)!);
        var src = bin.Parent?.Parent?.Parent?.Parent;
        string notebooks = src is null || bin.Parent is null ? null : Path.Combine(src.FullName, "P2PFlex.Cli", "bin", bin.Parent.Name, bin.Name, "P2PFlex.Notebooks.dll");
        if (notebooks is null || !File.Exists(notebooks))
        {
            Console.Error.WriteLine($"[p2pflex] static chart pictures skipped (the charts stay interactive): no {notebooks ?? "P2PFlex.Notebooks.dll"}; build it with 'dotnet build src/P2PFlex.Cli'");
            return;
        }
        try
        {
            var assembly = Assembly.LoadFrom(notebooks);   // its dependencies (PuppeteerSharp) are found in the same folder
            assembly.GetType("P2PFlex.Notebooks.ChromiumLocator", throwOnError: true)!.GetMethod("Find", [typeof(string)])!.Invoke(null, [null]);
            _staticForms = assembly.GetType("P2PFlex.Notebooks.SharedChartRenderer", throwOnError: true)!.GetMethod("StaticForms");
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            Console.Error.WriteLine($"[p2pflex] static chart pictures skipped (the charts stay interactive): {e.InnerException.Message}");
        }
    }

    /// <summary>The chart's text/html (with its WebP picture when pictures are on) and its SVG (null when off).</summary>
    private static string[] Forms(Plotly.NET.GenericChart chart) => _forms.GetValue(chart, c =>
    {
        string html = P2PFlex.Display.PlotlyCharts.ToHtml(c);
        if (_staticForms is null) return [html, null];
        try
        {
            return (string[])_staticForms.Invoke(null, [c, html])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // Chromium failed on this chart: its image/svg+xml says so (the type is already announced for it); later
            // charts are published without pictures.
            _staticForms = null;
            Formatter.SetPreferredMimeTypesFor(typeof(Plotly.NET.GenericChart), "text/html");
            Console.Error.WriteLine($"[p2pflex] static chart pictures skipped from here on: {e.InnerException.Message}");
            return [html, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"40\"><text x=\"10\" y=\"25\">static picture skipped: "
                          + System.Net.WebUtility.HtmlEncode(e.InnerException.Message) + "</text></svg>"];
        }
    });

    // Must run before any method that touches a Plotly.NET or Deedle type is compiled, hence NoInlining below.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UnifyFSharpCore()
    {
        if (AppDomain.CurrentDomain.GetData(ResolverInstalledKey) is true) return;   // once per process, not per notebook
        // Also, for P2PFlex.Notebooks (loaded for the chart pictures, below): an assembly it needs that the kernel has
        // loaded already at the same or a higher version (P2PFlex.Core and P2PFlex.Display from the first cell's #r,
        // Plotly.NET from NuGet) is that copy. A second copy from the CLI's folder would give P2PFlex's types a second
        // identity, and later cells fail with "MissingFieldException: Field not found: 'Submission#2.scenarios'".
        AssemblyLoadContext.Default.Resolving += (_, name) => AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a =>
            a.GetName() is var loaded && loaded.Name == name.Name
            && (name.Name == "FSharp.Core" || name.Version is null || loaded.Version is null || loaded.Version >= name.Version));
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
            writer.Write(Forms(chart)[0]);
        }, "text/html");
        Formatter.Register<Plotly.NET.GenericChart>((chart, writer) => writer.Write(Forms(chart)[1] ?? ""), "image/svg+xml");
        // The kernel publishes every preferred type of a value: the SVG beside the HTML when pictures are on.
        if (_staticForms is null) Formatter.SetPreferredMimeTypesFor(typeof(Plotly.NET.GenericChart), "text/html");
        else Formatter.SetPreferredMimeTypesFor(typeof(Plotly.NET.GenericChart), "text/html", "image/svg+xml");
    }
}
