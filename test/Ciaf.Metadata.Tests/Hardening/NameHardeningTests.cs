using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Hardening;

/// <summary>
/// Issue 11, item 14: names with bidirectional overrides (U+202E) and NFC/NFD lookalikes ("mé" twice) were accepted
/// and displayed as the same model. New names are now stored in NFC and looked up in NFC; bidi controls are refused.
/// </summary>
public sealed class NameHardeningTests : IDisposable
{
    private const string Composed = "m\u00e9";
    private const string Decomposed = "me\u0301";
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private MetadataStorage Open(string backend) =>
        new(new MetadataStorageOptions { StoragePath = _folder.Combine("store"), Backend = backend });

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    [InlineData("pickle")]
    public void SaveMetadata_ComposedAndDecomposedName_OneModelFoundByEitherSpelling(string backend)
    {
        using var storage = Open(backend);
        storage.SaveMetadata(Composed, "training", "training_completed", new { run = 1 });
        storage.SaveMetadata(Decomposed, "trai\u0301ning", "training_completed", new { run = 2 });
        storage.Flush();

        foreach (var spelling in new[] { Composed, Decomposed })
        {
            var records = storage.GetModelMetadata(spelling, limit: null);
            Assert.Equal(2, records.Count);
            Assert.All(records, r => Assert.Equal(Composed, r.ModelName));
            Assert.Equal(2, storage.QueryMetadata(new MetadataQuery { ModelName = spelling }).Count);
            Assert.Equal(2, storage.GetPipelineTrace(spelling).EntryCount);
        }
        Assert.Single(storage.QueryMetadata(new MetadataQuery { Stage = "trai\u0301ning" }));
        Assert.Contains(storage.QueryMetadata(new MetadataQuery()), r => r.Stage == "tra\u00edning");
        if (backend != "sqlite")
        {
            var modelFolders = Directory.GetDirectories(storage.StoragePath).Select(Path.GetFileName)
                .Where(n => !NameRules.ReservedNames.Contains(n)).ToList();
            Assert.Equal([Composed], modelFolders);
        }
    }

    [Theory]
    [InlineData("modelName", "\u202E")]
    [InlineData("stage", "\u202E")]
    [InlineData("eventType", "\u202E")]
    [InlineData("modelName", "\u2066")]
    [InlineData("modelName", "\u200F")]
    [InlineData("stage", "\u061C")]
    public void SaveMetadata_BidiControlInAName_RefusedNamingTheParameterAndCodePoint(string parameter, string control)
    {
        using var storage = Open("json");
        string name = "model" + control + "lpt.exe";

        var ex = Assert.Throws<ArgumentException>(() => storage.SaveMetadata(
            parameter == "modelName" ? name : "m",
            parameter == "stage" ? name : "training",
            parameter == "eventType" ? name : "training_completed",
            new { a = 1 }));

        Assert.Equal(parameter, ex.ParamName);
        Assert.Contains($"U+{(int)control[0]:X4}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(control, ex.Message, StringComparison.Ordinal);
        Assert.Empty(storage.QueryMetadata(new MetadataQuery()));
    }

    [Fact]
    public void PlaceLegalHold_BidiControlInTheModel_Refused()
    {
        using var storage = Open("json");

        var ex = Assert.Throws<ArgumentException>(() => storage.PlaceLegalHold("m\u202Ex", "litigation"));

        Assert.Equal("target", ex.ParamName);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    public void PlaceLegalHold_DecomposedSpelling_HoldsTheModelAndIsReleasedByEitherSpelling(string backend)
    {
        using var storage = Open(backend);
        storage.SaveMetadata(Composed, "training", "training_completed", new { run = 1 });
        storage.Flush();

        var hold = storage.PlaceLegalHold(Decomposed, "litigation");
        var report = storage.CleanupOldMetadata(0, dryRun: true);

        Assert.Equal(Composed, hold.Target);
        Assert.Single(report.Held);
        Assert.True(storage.ReleaseLegalHold(Composed));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    public void ImportMetadata_DecomposedNameInTheSource_KeptExactly(string backend)
    {
        // Records already written (imports, migrations, the reference's stores) keep their bytes: no normalization on read.
        var record = SampleRecords.Create(model: Decomposed, id: "nfd-1");
        string file = _folder.Combine("in.jsonl");
        File.WriteAllLines(file, [RecordJson.ToJsonObject(record).ToJsonString()]);
        using var storage = Open(backend);

        Assert.Equal(1, storage.ImportMetadata(file).Imported);

        Assert.Equal(Decomposed, storage.GetMetadata("nfd-1")!.ModelName);
    }
}
