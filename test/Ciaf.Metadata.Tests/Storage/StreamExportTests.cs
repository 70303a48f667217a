using System.Text;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Storage;

/// <summary>Exports into any stream (a server's response): the same content as the file export, the stream left open.</summary>
public sealed class StreamExportTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A write-only, forward-only stream, as an HTTP response body is.</summary>
    private sealed class ForwardOnlyStream : MemoryStream
    {
        public override bool CanSeek => false;
        public override bool CanRead => false;
        public bool Closed { get; private set; }
        protected override void Dispose(bool disposing)
        {
            Closed = true;
            base.Dispose(disposing);
        }
    }

    [Theory]
    [InlineData("jsonl")]
    [InlineData("json")]
    [InlineData("csv")]
    [InlineData("xml")]
    public void ExportMetadataTo_ForwardOnlyStream_SameBytesAsTheFileExportAndLeftOpen(string format)
    {
        using var storage = new MetadataStorage(new MetadataStorageOptions { StoragePath = _folder.Path, Backend = "sqlite", AuditAllAccess = true });
        for (int i = 0; i < 5; i++) storage.SaveMetadata("m", "training", "e", new { i, text = "é\"," });
        storage.SaveMetadata("other", "training", "e", new { x = 1 });
        var stream = new ForwardOnlyStream();

        storage.ExportMetadataTo(stream, "m", format);

        Assert.False(stream.Closed);
        string file = storage.ExportMetadata("m", format);
        Assert.Equal(File.ReadAllText(file), Encoding.UTF8.GetString(stream.ToArray()));
        Assert.Contains(storage.GetAuditTrail(new AuditQuery { Action = AuditActions.Export }), e => e.Details!.Contains("\"destination\":\"stream\"", StringComparison.Ordinal));
    }

    [Fact]
    public void ExportComplianceEventsTo_Stream_OneLinePerEvent()
    {
        using var storage = new MetadataStorage(_folder.Path, "json");
        string id = storage.SaveMetadata("m", "training", "e", new { a = 1 });
        storage.AddComplianceEvent(id, "GDPR", 0.9, "passed");
        storage.AddComplianceEvent(id, "EEOC", 0.4, "failed");
        using var stream = new MemoryStream();

        storage.ExportComplianceEventsTo(stream);

        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["EEOC", "GDPR"], lines.Select(l => PythonJson.Parse(l)!["framework"]!.GetValue<string>()));
    }

    [Fact]
    public void ExportMetadataTo_ParquetIntoAForwardOnlyStream_RefusedClearly()
    {
        using var storage = new MetadataStorage(_folder.Path, "json");
        var ex = Assert.Throws<ArgumentException>(() => storage.ExportMetadataTo(new ForwardOnlyStream(), format: "parquet"));
        Assert.Contains("seekable", ex.Message, StringComparison.Ordinal);
    }
}
