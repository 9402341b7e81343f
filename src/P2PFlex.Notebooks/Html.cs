namespace P2PFlex.Notebooks;

/// <summary>HTML text escaping for the report pages: the one the notebook formatters use (<see cref="P2PFlex.Display.HtmlText"/>).</summary>
public static class Html
{
    public static string Escape(string? text) => P2PFlex.Display.HtmlText.Escape(text);
}
