using System.Text.Json.Nodes;
using P2PFlex.Display;

namespace P2PFlex.Tests.Cli;

/// <summary><c>p2pflex figures</c> and the <c>--pdf</c> flags (the rendering itself is tested in P2PFlex.Notebooks.Tests/Export).</summary>
public class FiguresCommandTests
{
    [Theory]
    [InlineData("--format must be svg, png or pdf, not 'bmp'", "figures", "--format", "bmp")]
    [InlineData("--format must be svg, png or pdf, not 'jpg'", "figures", "--format", "svg,jpg")]
    [InlineData("--width needs a length: '0' is 0 cm; a figure is 2–200 cm", "figures", "--width", "0")]
    [InlineData("--width needs a length: '8.8' has no unit", "figures", "--width", "8.8")]
    [InlineData("--height needs a length: 'tall' is not a length", "figures", "--height", "tall")]
    [InlineData("give --dpi or --scale, not both", "figures", "--dpi", "300", "--scale", "2")]
    [InlineData("--dpi must be 50–2400, is 10", "figures", "--dpi", "10")]
    [InlineData("--scale needs a number, not 'x'", "figures", "--scale", "x")]
    [InlineData("--scale must be in (0, 10]", "figures", "--scale", "11")]
    [InlineData("unknown figure 'fig99'", "figures", "--figure", "fig99")]
    public void Bad_options_are_usage_errors(string message, params string[] args)
    {
        var (code, output, err) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(message, err);
    }

    [Fact]
    public void List_names_every_figure_with_its_study_number_and_notebook()
    {
        var (code, output, _) = CliRunner.Run("figures", "--list");
        Assert.Equal(0, code);
        foreach (var f in StudyFigures.Catalogue) Assert.Contains(f.Id, output);
        Assert.Contains("Fig. 22", output);
        Assert.Contains("03-scenario-1.ipynb", output);
    }

    [Theory]
    [InlineData("figures", "--help")]
    [InlineData("reproduce", "--help")]
    [InlineData("notebooks", "run", "--help")]
    public void Help_shows_the_figure_and_pdf_options(params string[] args)
    {
        var (code, output, _) = CliRunner.Run(args);
        Assert.Equal(0, code);
        Assert.Contains(args[0] == "figures" ? "--format <svg|png|pdf>" : "--pdf", output);
    }

    [Fact]
    public void Figures_writes_the_asked_figure_and_its_manifest()
    {
        // Needs the system Chromium (environment/install.sh).
        string dir = Path.Combine(Path.GetTempPath(), $"p2pflex-figures-cli-{Guid.NewGuid():N}");
        try
        {
            var (code, output, err) = CliRunner.Run("figures", "--format", "png", "--figure", "fig21-occupancy-histogram-scenario-0",
                "--width", "500", "--height", "300", "--scale", "1", "--out", dir);
            Assert.True(code == 0, err);
            Assert.Contains("fig21-occupancy-histogram-scenario-0.png", output);
            Assert.Contains("1 files", output);
            byte[] png = File.ReadAllBytes(Path.Combine(dir, "fig21-occupancy-histogram-scenario-0.png"));
            Assert.Equal((500, 300), (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "figures.json")))!;
            Assert.Equal("fig21-occupancy-histogram-scenario-0.png", (string?)manifest["figures"]![0]!["file"]);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_chromium_that_is_not_there_is_an_error_naming_it()
    {
        var (code, _, err) = CliRunner.Run("figures", "--chromium", "/nonexistent/chromium", "--out", Path.Combine(Path.GetTempPath(), $"p2pflex-nochrome-{Guid.NewGuid():N}"));
        Assert.Equal(1, code);
        Assert.Contains("p2pflex: error: the Chromium given (/nonexistent/chromium) does not exist", err);
        Assert.Contains("apt-get install chromium", err);
    }
}

/// <summary><c>notebooks run --pdf</c>: the PDFs arrive with the reports, in the same folder swap.</summary>
public class NotebooksPdfTests
{
    [Fact]
    public void Notebooks_run_with_pdf_writes_a_pdf_beside_each_report_and_the_index()
    {
        // Needs the system Chromium (environment/install.sh).
        string parent = Path.Combine(Path.GetTempPath(), $"p2pflex-pdf-cli-{Guid.NewGuid():N}");
        string dir = Path.Combine(parent, "reports");
        try
        {
            string notebook = Path.Combine(Path.GetDirectoryName(P2PFlex.Data.DataPaths.Root)!, "notebooks", "04-scenario-2.ipynb");
            var (code, output, err) = CliRunner.Run("notebooks", "run", notebook, "--out", dir, "--pdf");
            Assert.True(code == 0, err);
            Assert.Contains("pdf: 04-scenario-2.pdf (", output);
            Assert.Contains("pdf: index.pdf (", output);
            Assert.Equal(["04-scenario-2.html", "04-scenario-2.ipynb", "04-scenario-2.pdf", "index.html", "index.pdf"],
                Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(["reports"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));   // no staging folder left
            Assert.StartsWith("%PDF-", File.ReadAllText(Path.Combine(dir, "04-scenario-2.pdf"))[..8]);
        }
        finally
        {
            if (Directory.Exists(parent)) Directory.Delete(parent, recursive: true);
        }
    }
}
