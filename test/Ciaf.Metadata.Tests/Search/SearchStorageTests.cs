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

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    public void Search_CursorPages_StayCorrectWhileOthersInsert(string backend)
    {
        using var storage = Open(backend);
        SaveValues(storage);
        var first = storage.Search("metadata.i >= 0", new SearchOptions { Limit = 4, OrderBy = "metadata.i", Descending = false });
        Assert.Equal([0, 1, 2, 3], first.Records.Select(r => (int)r.Metadata["i"]!));
        // Inserted before and after the cursor: the next page continues after i = 3, sees the later one, not the earlier one.
        storage.SaveMetadata("m", "training", "evt", new Dictionary<string, object?> { ["i"] = 1.5 });
        storage.SaveMetadata("m", "training", "evt", new Dictionary<string, object?> { ["i"] = 4.5 });
        var second = storage.Search("metadata.i >= 0", new SearchOptions { Limit = 4, OrderBy = "metadata.i", Descending = false, Cursor = first.NextCursor });
        Assert.Equal([4.0, 4.5, 5, 6], second.Records.Select(r => (double)r.Metadata["i"]!));
        Assert.NotNull(second.NextCursor);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    public void Search_CursorOfAnotherSearch_ArgumentException(string backend)
    {
        using var storage = Open(backend);
        SaveValues(storage);
        var page = storage.Search("metadata.i >= 0", new SearchOptions { Limit = 2 });
        var ex = Assert.Throws<ArgumentException>(() => storage.Search("metadata.i >= 1", new SearchOptions { Limit = 2, Cursor = page.NextCursor }));
        Assert.Equal("cursor", ex.ParamName);
        Assert.Contains("another filter or order", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => storage.Search("metadata.i >= 0", new SearchOptions { Limit = 2, Cursor = page.NextCursor, Descending = false }));
        Assert.Contains("another filter or order", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => storage.Search("metadata.i >= 0", new SearchOptions { Cursor = "not-a-cursor" }));
        Assert.Contains("not one this library issued", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.Search("metadata.i >= 0", new SearchOptions { Limit = -1 }));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    public async Task Search_BufferedPendingWrites_MergedInOrder(string backend)
    {
        await using var storage = Open(backend, o => { o.WriteMode = Ciaf.Metadata.Storage.WriteMode.Buffered; o.BatchSize = 1000; });
        SaveValues(storage);
        await storage.FlushAsync();
        storage.SaveMetadata("m", "training", "evt", new Dictionary<string, object?> { ["i"] = 3.5 });
        storage.SaveMetadata("m", "training", "evt", new Dictionary<string, object?> { ["i"] = -1 });
        var page = await storage.SearchAsync("metadata.i < 5", new SearchOptions { OrderBy = "metadata.i", Descending = false, Limit = 0 });
        Assert.Equal([-1, 0, 1, 2, 3, 3.5, 4], page.Records.Select(r => (double)r.Metadata["i"]!));
        Assert.Equal(7, await storage.CountAsync("metadata.i < 5"));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    public async Task SearchAllAsync_StreamsEveryMatchInOrder(string backend)
    {
        await using var storage = Open(backend);
        SaveValues(storage);
        var ids = new List<int>();
        await foreach (var r in storage.SearchAllAsync("EXISTS(metadata.c)", new SearchOptions { Limit = 1 })) ids.Add((int)r.Metadata["i"]!);
        Assert.Equal([8, 7, 6, 5, 4, 3, 2, 1, 0], ids);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    public void SearchComplianceEvents_FilterOverEventFields(string backend)
    {
        using var storage = Open(backend);
        string id = storage.SaveMetadata("m", "training", "evt", new Dictionary<string, object?> { ["a"] = 1 });
        storage.AddComplianceEvent(id, "GDPR", 0.4, "failed");
        storage.AddComplianceEvent(id, "EEOC", 0.9, "passed");
        storage.AddComplianceEvent(null, "EEOC", null, "failed");
        storage.AddComplianceEvent(id, "HIPAA", 0.2, "failed");
        var events = storage.SearchComplianceEvents("validation_status = 'failed' AND framework IN ('GDPR', 'EEOC')");
        Assert.Equal(["EEOC", "GDPR"], events.Select(e => e.Framework));
        Assert.Single(storage.SearchComplianceEvents("compliance_score < 0.5 AND metadata_id IS NOT NULL", limit: 1));
        Assert.Throws<FilterSyntaxException>(() => storage.SearchComplianceEvents("stage = 'x'"));
    }

    [Fact]
    public void Search_AuditAllAccess_OneSearchEntryWithTheFilter()
    {
        using var storage = Open("sqlite", o => o.AuditAllAccess = true);
        SaveValues(storage);
        storage.Search("metadata.i > 6");
        storage.Flush();
        var entry = storage.GetAuditTrail(new Ciaf.Metadata.Audit.AuditQuery { Action = "query" }).Single();
        var details = System.Text.Json.Nodes.JsonNode.Parse(entry.Details!)!;
        Assert.Equal("metadata.i > 6", (string)details["filter"]!);
        Assert.Equal(3, (int)details["results"]!);
    }
}
