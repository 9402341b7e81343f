using P2PFlex.Data;
using P2PFlex.Display;
using P2PFlex.Grid;

namespace P2PFlex.Tests.Display;

/// <summary>
/// The model (P2PFlex.Core) carries no display dependency: charts and tables live in P2PFlex.Display, which depends on
/// the core, never the other way round (README, "What is where").
/// </summary>
public class AssemblySplitTests
{
    private static readonly string[] DisplayOnly = ["P2PFlex.Display", "Plotly.NET", "Plotly.NET.CSharp", "Deedle", "DynamicObj", "FSharp.Core"];

    [Fact]
    public void The_core_assembly_references_neither_the_display_assembly_nor_its_chart_and_table_packages()
    {
        var core = typeof(StudyFeeder).Assembly;
        Assert.Equal("P2PFlex.Core", core.GetName().Name);
        var referenced = core.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.All(DisplayOnly, name => Assert.DoesNotContain(name, referenced));
        Assert.DoesNotContain(core.GetTypes(), t => t.Namespace == "P2PFlex.Display");
    }

    [Fact]
    public void The_display_namespace_lives_in_its_own_assembly_built_on_the_core()
    {
        var display = typeof(StudyCharts).Assembly;
        Assert.Equal("P2PFlex.Display", display.GetName().Name);
        Assert.Contains("P2PFlex.Core", display.GetReferencedAssemblies().Select(a => a.Name));
        Assert.All(display.GetTypes().Where(t => t.IsPublic), t => Assert.Equal("P2PFlex.Display", t.Namespace));
    }
}
