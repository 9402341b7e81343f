using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using P2PFlex.Grid.Matpower;

namespace P2PFlex.Data;

/// <summary>
/// Writes the shipped feeder cases (<c>data/cases/*.m</c>) from the published MATPOWER case files: each source is read
/// with <see cref="MatpowerReader"/> (its unit conversions and expressions applied) and written back by
/// <see cref="MatpowerCaseWriter"/> with the figures already in MW and per unit and a header of ours naming the
/// publication, the source file's SHA-256 and the licence. Reading a written case gives every number of the source bit
/// for bit. Runs read only the written files; the sources are needed only to regenerate them
/// (<c>p2pflex data cases --from DIR</c>), and a test checks that the shipped files are what this gives.
/// </summary>
public static class CaseFileGenerator
{
    /// <summary>Header lines are wrapped at this width (the case files' data rows are longer anyway).</summary>
    private const int HeaderWidth = 110;

    /// <summary>Every shipped case read from <paramref name="sourceFolder"/> (<c>NAME.m</c> each): path relative to the
    /// data folder (<c>cases/NAME.m</c>) → content.</summary>
    public static IReadOnlyDictionary<string, string> Files(string sourceFolder)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in CaseSource.Shipped)
            files[RelativePath(source.Name)] = Content(source, Path.Combine(sourceFolder, source.Name + ".m"));
        return files;
    }

    /// <summary>The shipped file of a case, relative to the data folder.</summary>
    public static string RelativePath(string caseName) => Path.Combine("cases", caseName + ".m");

    /// <summary>The case file written from one source file. A source whose function name is not the case's name is
    /// refused, so a mix-up of files cannot ship under the wrong name.</summary>
    public static string Content(CaseSource source, string sourceFile)
    {
        var c = MatpowerReader.ReadFile(sourceFile);
        if (c.Name != source.Name)
            throw new MatpowerFormatException(sourceFile, 1, "function",
                $"the file defines case '{c.Name}', expected '{source.Name}'");
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(IO.BoundedInput.ReadAllBytes(sourceFile, MatpowerLimits.MaxFileBytes)));
        return MatpowerCaseWriter.Write(c, Header(source, c, Path.GetFileName(sourceFile), sha256));
    }

    private static List<string> Header(CaseSource source, MatpowerCase c, string sourceName, string sha256)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>();
        void Paragraph(string text, string indent = "  ") => lines.AddRange(Wrap(text, indent));

        Paragraph($"{c.Name}: {source.Description}");
        Paragraph(string.Create(inv,
            $"{c.Buses.Count} buses, {c.Branches.Count} branches ({c.Branches.Count(b => b.InService)} in service), " +
            $"{c.Generators.Count} generator{(c.Generators.Count == 1 ? "" : "s")}, base {MatpowerCaseWriter.Number(c.BaseMva)} MVA; " +
            $"total load {MatpowerCaseWriter.Number(c.TotalLoadMw)} MW."));
        lines.Add("");
        lines.Add("Source of the figures:");
        foreach (string reference in source.Citation) Paragraph("- " + reference, "    ");
        if (source.Licence is not null) Paragraph("Licence of the figures: " + source.Licence + ".");
        Paragraph($"Taken from the case file {sourceName} of the MATPOWER distribution (SHA-256 {sha256}); cite MATPOWER too.");
        lines.Add("");
        Paragraph("Written by P2PFlex (MatpowerCaseWriter, `p2pflex data cases --from DIR`; see docs/data.md). The source " +
                  "file was read with its unit conversions and expressions evaluated; the numbers below are those values, " +
                  "written so that they read back bit for bit: loads and shunts in MW and MVAr, r, x and b in per unit on " +
                  "baseMVA, voltages in per unit, angles in degrees. No statement follows the data. Left out: generator " +
                  "columns after PMIN and branch columns after ANGMAX, which no power flow reads.");
        return lines;
    }

    /// <summary>Words of <paramref name="text"/> in lines of at most <see cref="HeaderWidth"/> characters (a longer
    /// word keeps its own line); continuation lines start with <paramref name="indent"/>.</summary>
    private static IEnumerable<string> Wrap(string text, string indent)
    {
        var line = new StringBuilder();
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > HeaderWidth)
            {
                yield return line.ToString();
                line.Clear().Append(indent);
            }
            else if (line.Length > 0 && line.ToString() != indent)
            {
                line.Append(' ');
            }
            line.Append(word);
        }
        if (line.Length > 0) yield return line.ToString();
    }
}
