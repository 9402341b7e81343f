using System.Text;
using System.Text.Json;
using P2PFlex.Grid;
using P2PFlex.Grid.Matpower;
using SharpFuzz;

// The fuzz target: what `p2pflex powerflow FILE --json` does with a case file. A MatpowerFormatException is the
// expected answer to a bad file; any other exception (or invalid JSON, which JsonDocument.Parse turns into one)
// escapes and AFL++ records the input as a crash. With --replay FILE… the inputs are run once each, without AFL,
// to check a crash or a minimised input.
if (args is ["--replay", .. var files])
{
    int failures = 0;
    foreach (var file in files)
    {
        try { Target(File.ReadAllBytes(file)); Console.WriteLine($"{file}: ok"); }
        catch (Exception e) { failures++; Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}"); }
    }
    return failures == 0 ? 0 : 1;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    Target(buffer.ToArray());
});
return 0;

static void Target(byte[] input)
{
    string text = Encoding.UTF8.GetString(input);
    try
    {
        var network = GridNetwork.FromCase(MatpowerReader.Parse(text, "fuzz.m"));
        var result = AcPowerFlow.Solve(network);
        using var json = JsonDocument.Parse(PowerFlowReport.From(network, result).ToJson());
    }
    catch (MatpowerFormatException e) when (e.File == "fuzz.m" && e.Line >= 0)
    {
    }
}
