using Ciaf.Metadata.Backends.Sqlite;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Ciaf.Metadata.Tests.Storage;

/// <summary>The builder: each backend chosen with its own options, every option validated once with every error listed.</summary>
public sealed class MetadataStorageBuilderTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("DELETE", "delete")]
    [InlineData("wal", "wal")]
    public void UseSqlite_JournalMode_IsAppliedToTheDatabase(string requested, string expected)
    {
        string path = _folder.Combine("s");
        using (var storage = MetadataStorage.Create(b => b.UseSqlite(path, o => o.JournalMode = requested)))
        {
            Assert.Equal("sqlite", storage.Backend);
            storage.SaveMetadata("m", "training", "e", new { a = 1 });
        }
        using var connection = new SqliteConnection($"Data Source={Path.Combine(path, "ciaf_metadata.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal(expected, (string?)command.ExecuteScalar());
    }

    [Fact]
    public void Build_BadBackendAndCommonOptions_EveryErrorListedAndNothingCreated()
    {
        string path = _folder.Combine("never");
        var ex = Assert.Throws<ArgumentException>(() => MetadataStorage.Create(b => b
            .UseSqlite(path, o => o.JournalMode = "WAL; DROP TABLE metadata")
            .Configure(o => { o.BatchSize = 0; o.WriteRetries = -1; })));

        Assert.Contains("sqlite.JournalMode", ex.Message, StringComparison.Ordinal);
        Assert.Contains("DELETE", ex.Message, StringComparison.Ordinal); // the allowed values are named
        Assert.Contains("BatchSize", ex.Message, StringComparison.Ordinal);
        Assert.Contains("WriteRetries", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public void Build_UnknownBackendName_ListsTheValidOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => MetadataStorage.Create(b => b.Configure(o => { o.Backend = "nope"; o.StoragePath = _folder.Path; })));
        Assert.Contains("'nope'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sqlite", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NewMetadataStorage_ByName_BuildsThroughTheSameBackendOptions()
    {
        // db_journal_mode reaches the SQLite backend's options when the backend is chosen by name.
        var options = new MetadataStorageOptions { StoragePath = _folder.Combine("n"), Backend = "sqlite", JournalMode = "bogus" };
        var ex = Assert.Throws<ArgumentException>(() => new MetadataStorage(options));
        Assert.Contains("sqlite.JournalMode", ex.Message, StringComparison.Ordinal);

        options.JournalMode = "WAL";
        using var storage = new MetadataStorage(options);
        Assert.Equal("sqlite", storage.Backend);
    }

    [Fact]
    public void UseJsonAndPickle_CommonOptions_Applied()
    {
        using var json = MetadataStorage.Create(b => b.UseJson(_folder.Combine("j")).Configure(o => o.WriteMode = WriteMode.Buffered));
        using var pickle = MetadataStorage.Create(b => b.UsePickle(_folder.Combine("p")));
        Assert.Equal(("json", WriteMode.Buffered), (json.Backend, json.WriteMode));
        Assert.Equal(("pickle", WriteMode.Immediate), (pickle.Backend, pickle.WriteMode));
        Assert.Equal(_folder.Combine("j"), json.StoragePath);
    }

    [Fact]
    public void AddCiafMetadata_WithBuilder_ResolvesTheConfiguredStore()
    {
        string path = _folder.Combine("di");
        var services = new ServiceCollection();
        services.AddCiafMetadata(b => b.UseSqlite(path).Configure(o => o.UserId = "svc"));
        using (var provider = services.BuildServiceProvider())
        {
            var storage = provider.GetRequiredService<MetadataStorage>();
            Assert.Equal("sqlite", storage.Backend);
            Assert.Same(storage, provider.GetRequiredService<MetadataStorage>());
            var manager = provider.GetRequiredService<Ciaf.Metadata.DependencyInjection.ModelMetadataManagerFactory>().Create("m");
            manager.LogTrainingStart(new { a = 1 });
        }
        Assert.True(File.Exists(Path.Combine(path, SqliteMetadataBackend.DatabaseFileName)));
    }
}
