using Ciaf.Metadata.Tests.Backends.PostgreSql;

namespace Ciaf.Samples.Tests;

[CollectionDefinition(Name)]
public sealed class SamplesPostgreSqlCollection : ICollectionFixture<PostgreSqlServer>
{
    public const string Name = "Samples PostgreSQL server";
}

/// <summary>Every sample runs to the end, in an empty folder, and prints what it promises.</summary>
[Collection(SamplesPostgreSqlCollection.Name)]
public sealed class SampleRunTests(PostgreSqlServer server) : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("BasicUsage", "my_classifier / training: 1 record(s)", "buffered: 1 record(s) durable after Flush")]
    [InlineData("Pipeline", "customer_classifier: 7 records in 6 stages", "compliance: gdpr_compliance")]
    [InlineData("AutomaticCapture", "training/model_fit_error", "\"api_key\":\"[REDACTED]\"")]
    [InlineData("ComplianceTracking", "female: selection rate", "GDPR 1.00 (passed)")]
    [InlineData("Governance", "incident Serious: due", "Reported")]
    [InlineData("SearchAndLedger", "search: 5 match(es), lowest accuracy first: 0.86", "receipt valid: True")]
    [InlineData("StoreOperations", "3 imported, 0 already present, 0 mismatched", "encrypted: a@b.org read back with the key")]
    public async Task Sample_RunsInAnEmptyFolder_AndPrintsItsResults(string sample, string first, string second)
    {
        var (code, output) = await Repository.RunSampleAsync(sample, _folder.Path);
        Assert.True(code == 0, output);
        Assert.Contains(first, output, StringComparison.Ordinal);
        Assert.Contains(second, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AspNetCoreSample_ServesAScoreAndRecordsIt_InTheConfiguredStore()
    {
        var (code, output) = await Repository.RunSampleAsync("AspNetCore", _folder.Path, null,
            "--self-test", "--urls", "http://127.0.0.1:0", "--contentRoot", Path.Combine(Repository.SamplesFolder, "AspNetCore"));
        Assert.True(code == 0, output);
        Assert.Contains("POST /score: 200 {\"approved\":true}", output, StringComparison.Ordinal);
        Assert.Contains("{\"stage\":\"inference\",\"records\":1}", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder.Path, "web_metadata", "ciaf_metadata.db")), output);   // appsettings.json: sqlite in web_metadata
    }

    [Fact]
    public async Task PostgreSqlSample_WritesAndMigratesIntoTheServer()
    {
        var environment = new Dictionary<string, string> { ["CIAF_POSTGRES_CONNECTION"] = server.ConnectionString };
        var (code, output) = await Repository.RunSampleAsync("PostgreSql", _folder.Path, environment);
        Assert.True(code == 0, output);
        Assert.Contains("training: model_trained", output, StringComparison.Ordinal);
        Assert.Contains("validation: model_validated", output, StringComparison.Ordinal);

        var (missing, message) = await Repository.RunSampleAsync("PostgreSql", _folder.Path, new Dictionary<string, string> { ["CIAF_POSTGRES_CONNECTION"] = "" });
        Assert.Equal(2, missing);
        Assert.Contains("Set CIAF_POSTGRES_CONNECTION", message, StringComparison.Ordinal);
    }
}
