using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace P2PFlex.Notebooks;

/// <summary>
/// C# source as HTML with syntax classes (<c>kw</c>, <c>str</c>, <c>num</c>, <c>com</c>, <c>pre</c>),
/// from Roslyn's own tokenizer: no JavaScript highlighter needed in the report. The text is reproduced exactly.
/// </summary>
public static class CSharpHighlighter
{
    private static readonly HashSet<string> ContextualKeywords =
        ["var", "await", "async", "nameof", "dynamic", "record", "init", "required", "with", "when", "yield", "value", "get", "set", "global", "notnull", "unmanaged", "managed", "file", "scoped"];

    public static string ToHtml(string source)
    {
        var tree = CSharpSyntaxTree.ParseText(source, NotebookParameters.ScriptParseOptions);
        var sb = new StringBuilder(source.Length * 2);
        foreach (var token in tree.GetRoot().DescendantTokens(descendIntoTrivia: false))
        {
            foreach (var t in token.LeadingTrivia) Trivia(sb, t);
            Token(sb, token);
            foreach (var t in token.TrailingTrivia) Trivia(sb, t);
        }
        return sb.ToString();
    }

    private static void Token(StringBuilder sb, SyntaxToken token)
    {
        string text = token.Text;
        if (text.Length == 0) return;
        var kind = token.Kind();
        string? cls =
            SyntaxFacts.IsKeywordKind(kind) ? "kw"
            : kind == SyntaxKind.IdentifierToken && ContextualKeywords.Contains(text) && token.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax ? "kw"
            : kind is SyntaxKind.StringLiteralToken or SyntaxKind.CharacterLiteralToken or SyntaxKind.InterpolatedStringStartToken
                or SyntaxKind.InterpolatedStringEndToken or SyntaxKind.InterpolatedStringTextToken or SyntaxKind.InterpolatedRawStringEndToken
                or SyntaxKind.InterpolatedSingleLineRawStringStartToken or SyntaxKind.InterpolatedMultiLineRawStringStartToken
                or SyntaxKind.SingleLineRawStringLiteralToken or SyntaxKind.MultiLineRawStringLiteralToken
                or SyntaxKind.Utf8StringLiteralToken or SyntaxKind.Utf8SingleLineRawStringLiteralToken or SyntaxKind.Utf8MultiLineRawStringLiteralToken ? "str"
            : kind == SyntaxKind.NumericLiteralToken ? "num"
            : null;
        Span(sb, cls, text);
    }

    private static void Trivia(StringBuilder sb, SyntaxTrivia trivia)
    {
        var kind = trivia.Kind();
        string text = trivia.ToFullString();
        string? cls = kind is SyntaxKind.SingleLineCommentTrivia or SyntaxKind.MultiLineCommentTrivia
                or SyntaxKind.SingleLineDocumentationCommentTrivia or SyntaxKind.MultiLineDocumentationCommentTrivia ? "com"
            : trivia.IsDirective || kind is SyntaxKind.ShebangDirectiveTrivia or SyntaxKind.DisabledTextTrivia or SyntaxKind.SkippedTokensTrivia ? "pre"
            : null;
        Span(sb, cls, text);
    }

    private static void Span(StringBuilder sb, string? cls, string text)
    {
        if (cls is null) { sb.Append(Html.Escape(text)); return; }
        sb.Append("<span class=\"").Append(cls).Append("\">").Append(Html.Escape(text)).Append("</span>");
    }
}
