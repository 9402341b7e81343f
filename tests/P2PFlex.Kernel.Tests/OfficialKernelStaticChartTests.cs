using System.Text.Json.Nodes;

namespace P2PFlex.Kernel.Tests;

/// <summary>
/// The official kernel's chart outputs carry static pictures as the runner's and the P2PFlex kernel's do (issue 21):
/// P2PFlex.Display's OfficialKernel.Setup() draws them through P2PFlex.Notebooks (from the CLI's build) and headless Chromium.
/// Part of <see cref="OfficialKernelTests"/> so that it reads the notebooks that class's fixture already executed.
/// </summary>
public partial class OfficialKernelTests
{
    [Fact]
    public void Every_chart_output_of_the_official_kernel_carries_an_svg_and_a_webp_picture()
    {
        int charts = 0;
        foreach (var name in run.Summary.Keys)
        {
            foreach (var cell in NotebookOutputs.CodeCells(run.Executed(name)))
            {
                foreach (var output in NotebookOutputs.Outputs(cell).Where(o => NotebookOutputs.Html(o).Contains("Plotly.newPlot", StringComparison.Ordinal)))
                {
                    string where = $"{name}, cell {cell["id"]}";
                    var data = output["data"]!.AsObject();
                    Assert.True(data["image/svg+xml"] is JsonNode svg && NotebookOutputs.Text(svg).StartsWith("<svg", StringComparison.Ordinal),
                        $"{where}: no image/svg+xml (stderr of the first cell says why)\nmime types: {string.Join(", ", data.Select(p => p.Key))}");
                    Assert.Contains("class=\"main-svg\"", NotebookOutputs.Text(data["image/svg+xml"]));
                    Assert.Contains("src=\"data:image/webp;base64,", NotebookOutputs.Html(output));
                    charts++;
                }
            }
        }
        log.WriteLine($"{charts} chart outputs with static pictures");
        Assert.True(charts > 0, "no chart output in any notebook");
    }
}
