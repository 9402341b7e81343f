namespace P2PFlex.Kernel;

/// <summary>How to run a kernel.</summary>
public sealed class KernelOptions
{
    /// <summary>Where the kernel's own messages go (dropped messages, warnings). Default: the process's stderr.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>The folder relative <c>#r</c>/<c>#load</c> paths resolve against. Default: the current directory (Jupyter starts kernels in the notebook's folder).</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Put plotly.js into the session's first chart output (once), so charts render offline. Default true.</summary>
    public bool EmbedPlotlyJs { get; init; } = true;

    /// <summary>A process whose exit stops the kernel (Jupyter sets <c>JPY_PARENT_PID</c>): no orphaned kernels.</summary>
    public int? ParentProcessId { get; init; }

    /// <summary>
    /// The kernel is its process's only purpose (<c>p2pflex kernel start</c>): when a cell makes the process end
    /// (<c>Environment.Exit</c>, an unhandled exception on a thread it started) the kernel reports it to the frontend
    /// and waits for the messages to leave (<see cref="KernelDeathReport"/>). Default false: a kernel hosted in another
    /// program leaves the process's end to that program.
    /// </summary>
    public bool OwnsProcess { get; init; }

    /// <summary>After an interrupt, how long a cell may keep running before the kernel says it does not observe cancellation.</summary>
    public TimeSpan InterruptGrace { get; init; } = TimeSpan.FromSeconds(2);
}
