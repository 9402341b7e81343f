using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive.Formatting;

namespace P2PFlex.Display;

/// <summary>
/// Sets up the official .NET Interactive C# kernel (Jupyter ".NET (C#)", VS Code Polyglot Notebooks) for the study
/// notebooks: the last line of every notebook's header calls <see cref="Setup"/> after <c>#r "nuget: P2PFlex.Display,
/// …"</c> loaded this assembly from its package (docs/notebooks.md, "The first cell"). It does what that kernel lacks
/// and the P2PFlex runner and kernel have built in; there (no Microsoft.DotNet.Interactive assembly in the process) it
/// does nothing.
/// <list type="number">
/// <item>FSharp.Core unification: the dotnet-interactive tool ships FSharp.Core 10.0.0.0 in its default load context;
/// Plotly.NET 6 and Deedle 8.1 are compiled against 10.1.0.0 and fail with FileNotFoundException. The runtime never loads
/// a second FSharp.Core beside the first, so requests for it are answered with the copy already loaded; so are requests
/// for an assembly the kernel has already loaded at the same or a higher version (see 3).</item>
/// <item>Formatters: the study's tables (<see cref="Scenarios.TextTable"/>), Deedle frames and series as HTML tables
/// and Plotly.NET charts as offline HTML (plotly.js embedded once per run of the first cell, no CDN), from the same
/// code the runner's formatters call.</item>
/// <item>Static pictures of charts, as the runner and the P2PFlex kernel publish them: <c>image/svg+xml</c> beside
/// <c>text/html</c>, and a WebP picture inside the chart's div, drawn by headless Chromium through P2PFlex.Notebooks
/// from the CLI's build (<c>dotnet build src/P2PFlex.Cli</c>) of the clone the package was made from. Without that
/// build or without a Chromium, one stderr line says so and the charts stay interactive; <c>P2PFLEX_STATIC_CHARTS=0</c>
/// turns them off.</item>
/// </list>
/// The Formatting library is referenced at compile time only (not a dependency of the package): the kernel's own copy
/// answers at run time.
/// </summary>
public static class OfficialKernel
{
    /// <summary>The file that <c>dotnet pack src/P2PFlex.Display</c> puts at the package's root, naming the folder of the
    /// CLI's build in the clone the package was made from (where P2PFlex.Notebooks is, for the chart pictures).</summary>
    public const string CliBuildFile = "p2pflex-cli-build.txt";

    private const string ResolverInstalledKey = "P2PFlex.AssemblyResolverInstalled";

    /// <summary>True inside .NET Interactive (its core assembly is loaded); the P2PFlex runner and kernel load only its
    /// Formatting library.</summary>
    public static bool IsRunning =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.DotNet.Interactive");

    /// <summary>Sets up the official kernel (once per run of a notebook's first cell); does nothing elsewhere.</summary>
    public static void Setup()
    {
        if (!IsRunning) return;
        UnifyAssemblies();
        OfficialKernelFormatters.Register(LoadChartPictures());
    }

    // Must run before any method that touches a Plotly.NET or Deedle type is compiled, hence no such type here.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UnifyAssemblies()
    {
        if (AppDomain.CurrentDomain.GetData(ResolverInstalledKey) is true) return;   // once per process, not per notebook
        // Also, for P2PFlex.Notebooks (loaded for the chart pictures, below): an assembly it needs that the kernel has
        // loaded already at the same or a higher version (P2PFlex.Core and P2PFlex.Display from their packages,
        // Plotly.NET) is that copy. A second copy from the CLI's folder would give P2PFlex's types a second identity, and
        // later cells fail with "MissingFieldException: Field not found: 'Submission#2.scenarios'".
        AssemblyLoadContext.Default.Resolving += (_, name) => AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a =>
            a.GetName() is var loaded && loaded.Name == name.Name
            && (name.Name == "FSharp.Core" || name.Version is null || loaded.Version is null || loaded.Version >= name.Version));
        AppDomain.CurrentDomain.SetData(ResolverInstalledKey, true);
    }

    /// <summary>The folders where P2PFlex.Notebooks.dll may be: the CLI's build named by the package
    /// (<see cref="CliBuildFile"/>), or, for this assembly loaded from a clone's build
    /// (<c>&lt;clone&gt;/src/P2PFlex.Display/bin/&lt;configuration&gt;/net10.0/</c>), the CLI's build beside it.</summary>
    internal static IEnumerable<string> CliBuildCandidates(string displayAssemblyFolder)
    {
        var bin = new DirectoryInfo(displayAssemblyFolder);
        // <package>/lib/net10.0/P2PFlex.Display.dll -> <package>/p2pflex-cli-build.txt
        string? packageRoot = bin.Parent?.Parent?.FullName;
        if (packageRoot is not null && File.Exists(Path.Combine(packageRoot, CliBuildFile)))
        {
            string named = File.ReadAllText(Path.Combine(packageRoot, CliBuildFile)).Trim();
            if (named.Length > 0) yield return named;
        }
        var src = bin.Parent?.Parent?.Parent?.Parent;
        if (src is not null && bin.Parent is not null)
            yield return Path.Combine(src.FullName, "P2PFlex.Cli", "bin", bin.Parent.Name, bin.Name);
    }

    /// <summary>P2PFlex.Notebooks' <c>SharedChartRenderer.StaticForms(chart, html)</c> (-> [html with the WebP picture,
    /// svg]) and whether a Chromium is there; null, with one stderr line saying why, when pictures are skipped.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static MethodInfo? LoadChartPictures()
    {
        string? setting = Environment.GetEnvironmentVariable("P2PFLEX_STATIC_CHARTS")?.Trim().ToLowerInvariant();
        if (setting is "0" or "false" or "no" or "off") return null;
        var candidates = CliBuildCandidates(Path.GetDirectoryName(typeof(OfficialKernel).Assembly.Location)!)
            .Select(folder => Path.Combine(folder, "P2PFlex.Notebooks.dll")).ToArray();
        string? notebooks = candidates.FirstOrDefault(File.Exists);
        if (notebooks is null)
        {
            Console.Error.WriteLine("[p2pflex] static chart pictures skipped (the charts stay interactive): no "
                + (candidates.Length > 0 ? string.Join(" or ", candidates) : "P2PFlex.Notebooks.dll")
                + "; build it with 'dotnet build src/P2PFlex.Cli' in the clone the P2PFlex.Display package was made from");
            return null;
        }
        try
        {
            var assembly = Assembly.LoadFrom(notebooks);   // its dependencies (PuppeteerSharp) are found in the same folder
            assembly.GetType("P2PFlex.Notebooks.ChromiumLocator", throwOnError: true)!.GetMethod("Find", [typeof(string)])!.Invoke(null, [null]);
            return assembly.GetType("P2PFlex.Notebooks.SharedChartRenderer", throwOnError: true)!.GetMethod("StaticForms");
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            Console.Error.WriteLine($"[p2pflex] static chart pictures skipped (the charts stay interactive): {e.InnerException.Message}");
            return null;
        }
    }
}

/// <summary>The official kernel's formatters (<see cref="OfficialKernel"/>, 2 and 3). A class of its own: its Plotly.NET
/// and Deedle types are loaded only after the FSharp.Core unification.</summary>
internal static class OfficialKernelFormatters
{
    // Per run of the first cell: the first chart after it carries plotly.js.
    private static bool _plotlyJsWritten;

    // SharedChartRenderer.StaticForms; null: no pictures.
    private static MethodInfo? _staticForms;

    // Both forms of a chart are drawn once, by whichever of its formatters runs first.
    private static readonly ConditionalWeakTable<Plotly.NET.GenericChart, string?[]> _forms = new();

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Register(MethodInfo? staticForms)
    {
        _staticForms = staticForms;
        _plotlyJsWritten = false;
        // Registered again on every run of the first cell: the latest registration wins, and it is the same code each time.
        Formatter.Register<Scenarios.TextTable>((table, writer) => writer.Write(TableHtml.Render(table)), "text/html");
        Formatter.Register<Scenarios.TextTable>((table, writer) => writer.Write(table.ToPlainText()), "text/plain");
        Formatter.Register<Deedle.IFrame>((frame, writer) => writer.Write(DeedleHtml.Table(frame)), "text/html");
        Formatter.Register(typeof(Deedle.Series<,>), (object series, TextWriter writer) => writer.Write(DeedleHtml.Series(series)), "text/html");
        Formatter.Register<Plotly.NET.GenericChart>((chart, writer) =>
        {
            if (!_plotlyJsWritten)
            {
                writer.Write(PlotlyJs.ScriptElement(guard: true));
                _plotlyJsWritten = true;
            }
            writer.Write(Forms(chart)[0]);
        }, "text/html");
        Formatter.Register<Plotly.NET.GenericChart>((chart, writer) => writer.Write(Forms(chart)[1] ?? ""), "image/svg+xml");
        // The kernel publishes every preferred type of a value: the SVG beside the HTML when pictures are on.
        if (_staticForms is null) Formatter.SetPreferredMimeTypesFor(typeof(Plotly.NET.GenericChart), "text/html");
        else Formatter.SetPreferredMimeTypesFor(typeof(Plotly.NET.GenericChart), "text/html", "image/svg+xml");
    }

    /// <summary>The chart's text/html (with its WebP picture when pictures are on) and its SVG (null when off).</summary>
    private static string?[] Forms(Plotly.NET.GenericChart chart) => _forms.GetValue(chart, c =>
    {
        string html = PlotlyCharts.ToHtml(c);
        var staticForms = _staticForms;
        if (staticForms is null) return [html, null];
        try
        {
            return (string[])staticForms.Invoke(null, [c, html])!;
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
}
