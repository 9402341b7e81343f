using P2PFlex.Notebooks;

namespace P2PFlex.Notebooks.Tests.Notebooks;

/// <summary>Runs <see cref="SampleNotebooks.Study"/> once with parameters; the tests of <see cref="RunnerTests"/> read the result.</summary>
public sealed class StudyRunFixture : IAsyncLifetime
{
    public static readonly Dictionary<string, string> Parameters = new()
    {
        ["alpha"] = "0.25",
        ["label"] = "hi \"quoted\"",
        ["extra"] = "7",
    };

    public Notebook Input { get; } = SampleNotebooks.Study();
    public string InputJson { get; private set; } = "";
    public NotebookRunResult Result { get; private set; } = null!;
    public List<NotebookProgress> Progress { get; } = new();

    public async Task InitializeAsync()
    {
        InputJson = NotebookJson.Serialize(Input);
        Result = await NotebookRunner.RunAsync(Input, new NotebookRunOptions
        {
            Parameters = Parameters,
            NotebookName = "study.ipynb",
            Progress = new SyncProgress(Progress),
        });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private sealed class SyncProgress(List<NotebookProgress> sink) : IProgress<NotebookProgress>
    {
        public void Report(NotebookProgress value)
        {
            lock (sink) sink.Add(value);
        }
    }
}
