using Ciaf.Metadata.Search;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Search;

/// <summary>Search through the facade on every built-in backend: order, pages, cursors, count, pending writes, errors.</summary>
public sealed class SearchStorageTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private MetadataStorage Open(string backend, Action<Ciaf.Metadata.Storage.MetadataStorageOptions>? configure = null) => MetadataStorage.Create(b =>
    {
        switch (backend)
        {
            case "json": b.UseJson(_folder.Combine(backend)); break;
            case "pickle": b.UsePickle(_folder.Combine(backend)); break;
            default: b.UseSqlite(_folder.Combine(backend)); break;
        }
        if (configure is not null) b.Configure(configure);
    });

    private static readonly object?[] Values = [1, "a", true, null, new[] { 1 }, 2.5, false, "B", -3];

    private static void SaveValues(MetadataStorage storage)
    {
        for (int i = 0; i < Values.Length; i++) storage.SaveMetadata("m", "training", "evt", new Dictionary<string, object?> { ["c"] = Values[i], ["i"] = i });
        storage.SaveMetadata("m", "training", "evt", new Dictionary<string, object?> { ["i"] = Values.Length });
    }

    [Theory]
    [InlineData("json")]
    [InlineData("pickle")]
    [InlineData("sqlite")]
    public void Search_OrderByPathWithMixedTypes_TypeRankThenValue(string backend)
    {
        using var storage = Open(backend);
        SaveValues(storage);
        var page = storage.Search("metadata.i >= 0", new SearchOptions { OrderBy = "metadata.c", Descending = false, Limit = 0 });
        // missing/null (by id: saved in order), false, true, numbers, strings, arrays.
        Assert.Equal([3, 9, 6, 2, 8, 0, 5, 7, 1, 4], page.Records.Select(r => (int)r.Metadata["i"]!));
        page = storage.Search("metadata.i >= 0", new SearchOptions { OrderBy = "metadata.c", Limit = 0 });
        Assert.Equal([4, 1, 7, 5, 0, 8, 2, 6, 9, 3], page.Records.Select(r => (int)r.Metadata["i"]!));
    }
}
