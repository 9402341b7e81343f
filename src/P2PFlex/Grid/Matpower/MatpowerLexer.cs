using System.Globalization;
using System.Text;

namespace P2PFlex.Grid.Matpower;

internal enum TokenKind { Number, Identifier, String, Operator, Newline, End }

/// <summary>A token of the MATLAB subset that MATPOWER case files use. <c>SpaceBefore</c>: whitespace preceded the
/// token, which inside <c>[ ]</c> separates matrix elements.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, double Number, int Line, bool SpaceBefore)
{
    public bool Is(string op) => Kind == TokenKind.Operator && Text == op;

    public override string ToString() => Kind switch
    {
        TokenKind.Newline => "end of line",
        TokenKind.End => "end of file",
        TokenKind.String => $"'{Text}'",
        _ => $"'{Text}'",
    };
}

/// <summary>
/// Splits a case file into tokens: numbers, names, strings, operators and line ends. Comments
/// (<c>%</c> to end of line, <c>%{ … %}</c> blocks) are dropped; <c>...</c> continues a statement on the next line.
/// </summary>
internal static class MatpowerLexer
{
    private static readonly string[] TwoCharOperators = [".*", "./", ".^", ".'", "==", "~=", "<=", ">=", "&&", "||"];

    public static List<Token> Tokenize(string text, string file)
    {
        var tokens = new List<Token>();
        int i = 0, line = 1;
        bool space = false;
        while (i < text.Length)
        {
            if (tokens.Count >= MatpowerLimits.MaxTokens)
                throw new MatpowerFormatException(file, line, "file", $"has more than {MatpowerLimits.MaxTokens} tokens (MatpowerLimits.MaxTokens)");
            char c = text[i];
            if (c == '\r') { i++; continue; }
            if (c == '\n')
            {
                tokens.Add(new Token(TokenKind.Newline, "\n", 0, line, space));
                line++; i++; space = false;
                if (StartsBlockComment(text, i)) SkipBlockComment(text, ref i, ref line, file);
                continue;
            }
            if (c is ' ' or '\t') { space = true; i++; continue; }
            if (c == '%' || c == '#')
            {
                while (i < text.Length && text[i] != '\n') i++;
                continue;
            }
            if (c == '.' && i + 2 < text.Length && text[i + 1] == '.' && text[i + 2] == '.')
            {
                // Continuation: the rest of the line is a comment and the statement goes on.
                while (i < text.Length && text[i] != '\n') i++;
                if (i < text.Length) { i++; line++; }
                space = true;
                continue;
            }
            if (char.IsDigit(c) || (c == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                int start = i;
                while (i < text.Length && char.IsDigit(text[i])) i++;
                if (i < text.Length && text[i] == '.' && !(i + 1 < text.Length && (text[i + 1] is '*' or '/' or '^' or '\'')))
                {
                    i++;
                    while (i < text.Length && char.IsDigit(text[i])) i++;
                }
                if (i < text.Length && (text[i] is 'e' or 'E'))
                {
                    int save = i;
                    i++;
                    if (i < text.Length && (text[i] is '+' or '-')) i++;
                    if (i < text.Length && char.IsDigit(text[i]))
                        while (i < text.Length && char.IsDigit(text[i])) i++;
                    else
                        i = save;
                }
                string s = text[start..i];
                if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    throw new MatpowerFormatException(file, line, "number", $"'{s}' is not a number");
                tokens.Add(new Token(TokenKind.Number, s, v, line, space));
                space = false;
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                int start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                tokens.Add(new Token(TokenKind.Identifier, text[start..i], 0, line, space));
                space = false;
                continue;
            }
            if (c == '\'' && IsStringStart(tokens, space))
            {
                var sb = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length || text[i] == '\n')
                        throw new MatpowerFormatException(file, line, "string", "string literal is not closed on its line");
                    if (text[i] == '\'')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '\'') { sb.Append('\''); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(text[i++]);
                }
                tokens.Add(new Token(TokenKind.String, sb.ToString(), 0, line, space));
                space = false;
                continue;
            }
            string? op = null;
            if (i + 1 < text.Length)
            {
                string two = text.Substring(i, 2);
                if (Array.IndexOf(TwoCharOperators, two) >= 0) op = two;
            }
            if (op is null)
            {
                if ("+-*/\\^=()[]{},;:.<>&|~'".IndexOf(c) < 0)
                    throw new MatpowerFormatException(file, line, "character", $"unexpected character '{c}'");
                op = c.ToString();
            }
            tokens.Add(new Token(TokenKind.Operator, op, 0, line, space));
            i += op.Length;
            space = false;
        }
        tokens.Add(new Token(TokenKind.Newline, "\n", 0, line, space));
        tokens.Add(new Token(TokenKind.End, "", 0, line, false));
        return tokens;
    }

    // A quote starts a string unless it follows something that can be transposed (a name, a number, a closing bracket).
    private static bool IsStringStart(List<Token> tokens, bool space)
    {
        if (tokens.Count == 0) return true;
        var prev = tokens[^1];
        bool transposable = prev.Kind is TokenKind.Identifier or TokenKind.Number
            || prev.Is(")") || prev.Is("]") || prev.Is("}") || prev.Is("'") || prev.Is(".'");
        if (!transposable) return true;
        // Inside a matrix, "[a 'x']" has a string after whitespace; at statement level a name then space then quote is rare.
        return space;
    }

    private static bool StartsBlockComment(string text, int i)
    {
        int j = i;
        while (j < text.Length && text[j] is ' ' or '\t') j++;
        if (j + 1 >= text.Length || text[j] != '%' || text[j + 1] != '{') return false;
        j += 2;
        while (j < text.Length && text[j] is ' ' or '\t' or '\r') j++;
        return j >= text.Length || text[j] == '\n';
    }

    private static void SkipBlockComment(string text, ref int i, ref int line, string file)
    {
        int startLine = line;
        while (i < text.Length)
        {
            int eol = text.IndexOf('\n', i);
            string current = (eol < 0 ? text[i..] : text[i..eol]).Trim();
            i = eol < 0 ? text.Length : eol + 1;
            line++;
            if (current == "%}") return;
        }
        throw new MatpowerFormatException(file, startLine, "comment", "block comment '%{' is never closed with '%}'");
    }
}
