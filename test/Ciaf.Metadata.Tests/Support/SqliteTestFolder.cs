using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>A fresh temporary folder for one SQLite test, deleted (with any pooled connections to it released) on dispose.</summary>
public sealed class SqliteTestFolder : IDisposable
{
    /// <summary>Creates an empty folder under the system temp folder.</summary>
    public SqliteTestFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ciaf-sqlite-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>The backend's database file in this folder.</summary>
    public string DbPath => System.IO.Path.Combine(Path, "ciaf_metadata.db");

    /// <summary>Copies a file into the folder (e.g. a fixture database) and returns the copy's path.</summary>
    public string CopyIn(string source, string? name = null)
    {
        var target = System.IO.Path.Combine(Path, name ?? System.IO.Path.GetFileName(source));
        File.Copy(source, target, overwrite: true);
        return target;
    }

    /// <summary>Deletes the folder; failures are ignored (a leaked temp folder must not fail a test).</summary>
    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
