using Ciaf.Metadata;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Transfer;

// PostgreSQL through the builder. The connection string comes from the environment, never from code:
//   CIAF_POSTGRES_CONNECTION="Host=localhost;Username=ciaf;Password=...;Database=ciaf" dotnet run --project samples/PostgreSql
string? connectionString = Environment.GetEnvironmentVariable("CIAF_POSTGRES_CONNECTION");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("Set CIAF_POSTGRES_CONNECTION to a PostgreSQL connection string (the store creates its schema).");
    return 2;
}

// Each backend has its own options, validated once when the store is built, with every problem listed.
using var sqlite = MetadataStorage.Create(b => b
    .UseSqlite("metadata", o => o.JournalMode = "WAL")
    .Configure(o => { o.WriteMode = WriteMode.Buffered; o.BatchSize = 500; }));
using var shared = MetadataStorage.Create(b => b.UsePostgreSql(connectionString, o =>
{
    o.Schema = "ciaf"; o.CommandTimeout = TimeSpan.FromSeconds(10);
}));
shared.SaveMetadata("credit_model", "training", "model_trained", new { accuracy = 0.91 });

// A local SQLite store migrates into the shared one, records, events, audit trail and holds alike.
sqlite.SaveMetadata("credit_model", "validation", "model_validated", new { auc = 0.93 });
sqlite.Flush();
MigrationReport report = sqlite.MigrateTo(shared);
Console.WriteLine($"migrated {report.RecordsCopied} record(s) from {sqlite.StoragePath} into PostgreSQL");
foreach (var stage in shared.GetPipelineTrace("credit_model").Stages)
{
    Console.WriteLine($"{stage.Stage}: {string.Join(", ", stage.Entries.Select(e => e.EventType))}");
}
return 0;
