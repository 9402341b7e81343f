namespace P2PFlex.Grid.Matpower;

/// <summary>A value of the case-file language: a real matrix (scalars are 1×1), a string or a struct.</summary>
internal abstract class MValue;

internal sealed class MMatrix : MValue
{
    public MMatrix(int rows, int cols, double[] data)
    {
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    public int Rows { get; }
    public int Cols { get; }
    /// <summary>Row-major values.</summary>
    public double[] Data { get; }
    /// <summary>The file line on which each row was written (matrix literals only; empty otherwise).</summary>
    public int[] RowLines { get; init; } = [];

    public bool IsScalar => Rows == 1 && Cols == 1;
    public double this[int r, int c] => Data[r * Cols + c];
    public static MMatrix Scalar(double v) => new(1, 1, [v]);
}

internal sealed class MString(string text) : MValue
{
    public string Text { get; } = text;
}

internal sealed class MStruct : MValue
{
    public Dictionary<string, MValue> Fields { get; } = new(StringComparer.Ordinal);
}
