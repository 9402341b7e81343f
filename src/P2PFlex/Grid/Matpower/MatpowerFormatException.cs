namespace P2PFlex.Grid.Matpower;

/// <summary>
/// A MATPOWER case file could not be read. The message names the file, the line (1-based, 0 when the
/// problem is not tied to one line) and the field or statement at fault, so the user can fix the file.
/// </summary>
public sealed class MatpowerFormatException : Exception
{
    public MatpowerFormatException(string file, int line, string field, string problem)
        : base(Format(file, line, field, problem))
    {
        File = file;
        Line = line;
        Field = field;
        Problem = problem;
    }

    /// <summary>The file (path as given to the reader).</summary>
    public string File { get; }

    /// <summary>1-based line, or 0 when the problem concerns the whole file.</summary>
    public int Line { get; }

    /// <summary>The field, matrix column or statement concerned (e.g. <c>branch.T_BUS</c>).</summary>
    public string Field { get; }

    /// <summary>What is wrong, in words.</summary>
    public string Problem { get; }

    private static string Format(string file, int line, string field, string problem) =>
        line > 0 ? $"{file}:{line}: {field}: {problem}" : $"{file}: {field}: {problem}";
}
