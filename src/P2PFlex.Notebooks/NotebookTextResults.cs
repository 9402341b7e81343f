namespace P2PFlex.Notebooks;

/// <summary>
/// What an executed notebook printed as text: its stdout and the plain-text form of the values it showed (tables,
/// frames, numbers), cell by cell — what a command line prints as the notebook's results. Charts (their plain text
/// is only "Plotly chart: …") and the plotly.js loader are left out.
/// </summary>
public static class NotebookTextResults
{
    public static IReadOnlyList<string> Of(Notebook executed)
    {
        var parts = new List<string>();
        foreach (var cell in executed.Cells.Where(c => c.CellType == CellType.Code))
            foreach (var output in cell.Outputs)
            {
                string? text = output switch
                {
                    StreamOutput { Name: StreamOutput.Stdout } s => s.Text,
                    DisplayDataOutput d when !d.Data.MimeTypes.Any(m => m.StartsWith("application/vnd.plotly", StringComparison.Ordinal)) =>
                        d.Data.GetText("text/plain") is { } plain && !plain.StartsWith("(plotly.js", StringComparison.Ordinal) ? plain : null,
                    _ => null,
                };
                if (!string.IsNullOrWhiteSpace(text)) parts.Add(text.TrimEnd('\n', '\r'));
            }
        return parts;
    }
}
