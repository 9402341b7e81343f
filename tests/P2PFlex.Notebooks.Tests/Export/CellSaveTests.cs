using System.Xml.Linq;
using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Export;

/// <summary><c>chart.SaveSvg/SavePng/SavePdf</c> in a notebook cell: imported into every cell, paths relative to the notebook.</summary>
[Collection(ExportCollection.Name)]
public class CellSaveTests
{
    [Fact]
    public async Task A_cell_saves_a_chart_as_svg_png_and_pdf_beside_its_notebook()
    {
        string dir = ExportFixture.TempDir("cell-save");
        try
        {
            var nb = Notebook.CreateCSharp();
            nb.AddCode("""
                var chart = StudyFigures.OccupancyHistogram(StudyContext.Load().BaseFeeder.Check());
                Console.WriteLine(Path.GetFileName(chart.SaveSvg("out/hist.svg")));
                chart.SavePng("out/hist.png", widthPx: 300, heightPx: 200);
                chart.SavePdf("out/hist.pdf");
                await chart.SaveAsync("out/hist-async.svg");
                """);
            string path = Path.Combine(dir, "save.ipynb");
            NotebookJson.Write(nb, path);
            var result = await NotebookRunner.RunFileAsync(path, new NotebookRunOptions { AdditionalImports = ["P2PFlex.Display"] });
            Assert.True(result.Succeeded, result.Error?.ToString());
            Assert.Contains(result.Notebook.Cells[0].Outputs, o => o is StreamOutput { Text: "hist.svg\n" });
            string outDir = Path.Combine(dir, "out");
            Assert.Equal("svg", XDocument.Load(Path.Combine(outDir, "hist.svg")).Root!.Name.LocalName);
            Assert.Equal("svg", XDocument.Load(Path.Combine(outDir, "hist-async.svg")).Root!.Name.LocalName);
            Assert.Equal((600, 400), FigureExportTests.PngSize(Path.Combine(outDir, "hist.png")));   // 2× by default
            Assert.Contains("How loaded the lines are", ExportFixture.PdfText(Path.Combine(outDir, "hist.pdf")));
            Assert.Equal(4, Directory.GetFiles(outDir).Length);   // no temporaries left
        }
        finally
        {
            await SharedChartRenderer.CloseAsync();
            Directory.Delete(dir, recursive: true);
        }
    }
}
