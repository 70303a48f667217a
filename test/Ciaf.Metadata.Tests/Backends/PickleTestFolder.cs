namespace Ciaf.Metadata.Tests.Backends;

/// <summary>A temporary folder for the Pickle tests, deleted on dispose.</summary>
internal sealed class PickleTestFolder : IDisposable
{
    public PickleTestFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ciaf-pickle-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
