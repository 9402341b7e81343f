using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Notebooks;

/// <summary>Small notebooks built in code, and the outputs they should give.</summary>
internal static class SampleNotebooks
{
    /// <summary>
    /// Markdown + code: parameters, a variable carried across cells, stdout, a Plotly chart, a Deedle frame, a
    /// trailing expression, then a failing cell and a cell after it (which must not run).
    /// </summary>
    public static Notebook Study()
    {
        var nb = Notebook.CreateCSharp();
        nb.AddMarkdown("# Sample study\n\nA *small* notebook with a `code` span, a [link](https://example.org) and a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n");
        nb.AddCode("#!csharp\n#r \"nuget: Plotly.NET, 6.0.0\"\n#r \"nuget: Deedle\"\ndouble alpha = 0.5;\nstring label = \"default\";\nint rounds = 3;", NotebookParameters.ParametersTag);
        nb.AddCode("var prices = new[] { 10.0, 12.5, 11.0 };\nConsole.WriteLine($\"alpha={alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)} label={label} rounds={rounds}\");\nprices.Length");
        nb.AddCode("var chart = Chart.Line<int, double, string>(x: new[] { 1, 2, 3 }, y: prices, Name: \"price\");\ndisplay(chart);\nConsole.WriteLine(\"after chart\");");
        nb.AddCode("var frame = Frame.FromColumns(new[] {\n    KeyValue.Create(\"price\", new Series<int, double>(new[] { 0, 1, 2 }, prices)),\n    KeyValue.Create(\"scaled\", new Series<int, double>(new[] { 0, 1, 2 }, prices.Select(p => p * alpha).ToArray())),\n});\nframe");
        nb.AddMarkdown("## Failure\nThe next cell throws.");
        nb.AddCode("Console.WriteLine(\"before the throw\");\nthrow new InvalidOperationException(\"boom in cell\");");
        nb.AddCode("Console.WriteLine(\"must not run\");");
        return nb;
    }
}
