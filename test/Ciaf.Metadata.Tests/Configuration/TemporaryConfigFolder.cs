namespace Ciaf.Metadata.Tests.Configuration;

/// <summary>A temporary folder for configuration files, deleted on dispose.</summary>
internal sealed class TemporaryConfigFolder : IDisposable
{
    public TemporaryConfigFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ciaf-config-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="text"/> to a file in the folder and returns its full path.</summary>
    public string Write(string name, string text)
    {
        string file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, text);
        return file;
    }

    public string PathOf(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Builds configurations without touching the process environment.</summary>
internal static class TestConfig
{
    public static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();

    public static Ciaf.Metadata.Configuration.MetadataConfig Create(string? file = null, params (string Name, string Value)[] environment) =>
        new(file, environment.ToDictionary(e => e.Name, e => (string?)e.Value));
}
