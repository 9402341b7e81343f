namespace P2PFlex.Kernel;

/// <summary>
/// <c>Console.ReadLine()</c> in a cell: the process's <c>Console.In</c> is replaced once by a reader that, inside a
/// running cell (an <see cref="AsyncLocal{T}"/> set for the cell's async flow), asks the kernel for a line, which sends
/// <c>input_request</c> on the stdin channel and waits for <c>input_reply</c>. Outside cells it reads the original
/// input. Without it a cell reading the console would block forever (Jupyter gives kernels a stdin pipe it never writes).
/// </summary>
internal static class KernelStdin
{
    private static readonly object Gate = new();
    private static readonly AsyncLocal<Func<string, string>?> Current = new();
    private static TextReader? _installed;

    /// <summary>Makes <paramref name="readLine"/> (prompt → line) answer console reads in the calling async flow.</summary>
    public static void Enter(Func<string, string> readLine)
    {
        Install();
        Current.Value = readLine;
    }

    private static void Install()
    {
        lock (Gate)
        {
            if (ReferenceEquals(Console.In, _installed)) return;
            Console.SetIn(new Router(Console.In));
            _installed = Console.In;
        }
    }

    private sealed class Router(TextReader fallback) : TextReader
    {
        private readonly AsyncLocal<string?> _pending = new();   // the rest of a line read by Read()/Peek()

        public override string? ReadLine()
        {
            if (Current.Value is not { } read) return fallback.ReadLine();
            if (_pending.Value is { } rest)
            {
                _pending.Value = null;
                return rest.EndsWith('\n') ? rest[..^1] : rest;
            }
            return read("");
        }

        public override int Read()
        {
            if (Current.Value is null) return fallback.Read();
            int c = Peek();
            if (c >= 0) _pending.Value = _pending.Value!.Length > 1 ? _pending.Value[1..] : null;
            return c;
        }

        public override int Peek()
        {
            if (Current.Value is not { } read) return fallback.Peek();
            _pending.Value ??= read("") + "\n";
            return _pending.Value[0];
        }

        public override string ReadToEnd() => Current.Value is null ? fallback.ReadToEnd()
            : throw new NotSupportedException("Console.In.ReadToEnd() is not supported in a kernel cell; read lines with Console.ReadLine()");
    }
}
