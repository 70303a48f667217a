using Ciaf.Metadata;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Transfer;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Configuration;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Retention;

// Configuration, export and import, migration, backup and restore, verification, retention and legal holds,
// encryption and the access audit, on stores in a fresh temporary folder (printed first).
Directory.SetCurrentDirectory(Directory.CreateTempSubdirectory("ciaf-store-operations-").FullName);
Console.WriteLine($"working in {Environment.CurrentDirectory}");
File.WriteAllText("my_config.json", """{ "storage_backend": "sqlite", "storage_path": "ciaf_metadata" }""");

var config = new MetadataConfig("my_config.json");          // defaults → file → CIAF_* variables
config.Set("enable_metrics", true);
bool on = config.Get<bool>("enable_metrics");
IReadOnlyDictionary<string, string> errors = config.Validate();   // every error at once, keyed by setting
MetadataConfig.CreateConfigTemplate("production", "prod_config.json");  // development, production, testing,
                                                                         // high_performance, ultra_fast,
                                                                         // inference_optimized, compliance_first
using var storage = new MetadataStorage(config);            // backend, path, async_writes, batch_size, limits, retention
Console.WriteLine($"config: metrics {on}, {errors.Count} error(s); store {storage.StoragePath} ({storage.Backend})");

string recordId = "";
for (int i = 0; i < 3; i++)
{
    recordId = storage.SaveMetadata("credit_scoring", "inference", "inference_performed", new { batch = i, approved = 40 + i });
}
storage.SaveMetadata("fraud_model", "training", "model_trained", new { auc = 0.97 });

ExportAndImport(storage);
MigrateBackUpAndRestore(storage);
Verify(storage);
CleanUp(storage, recordId);
string id = await EncryptAsync();
await AuditAsync(id);

static void ExportAndImport(MetadataStorage storage)
{
    using var other = new MetadataStorage("imported", "sqlite");
    string file = storage.ExportMetadata("credit_scoring", "jsonl");        // <store>/exports/credit_scoring_metadata_<time>.jsonl
    string events = storage.ExportComplianceEvents("csv");
    ImportResult result = other.ImportMetadata(file);                       // tampered records are listed, never written
    Console.WriteLine($"{result.Imported} imported, {result.Skipped} already present, {result.Mismatched.Count} mismatched");
    Console.WriteLine($"exported {Path.GetFileName(file)} and {Path.GetFileName(events)}");
}

static void MigrateBackUpAndRestore(MetadataStorage storage)
{
    using var target = new MetadataStorage("ciaf_metadata_sqlite", "sqlite");
    MigrationReport report = storage.MigrateTo(target, new Progress<MigrationProgress>(p => Console.WriteLine(p.RecordsCopied)));

    string backup = storage.Backup();                                       // <store>/backups/<backend>_backup_<time>.zip
    BackupManifest manifest = MetadataStorage.Restore(backup, "restored/ciaf_metadata");
    using var restored = new MetadataStorage("restored/ciaf_metadata", manifest.Backend);
    Console.WriteLine($"migrated {report.RecordsCopied} record(s); restored {restored.GetPerformanceMetrics().RecordCount} from {Path.GetFileName(backup)}");
}

static void Verify(MetadataStorage storage)
{
    VerificationReport report = storage.Verify();
    foreach (var issue in report.Issues)
        Console.WriteLine($"{issue.Kind} {issue.Id} at {issue.Location}: {issue.Detail}");
    Console.WriteLine($"verified: {report.Issues.Count} issue(s)");
}

static void CleanUp(MetadataStorage storage, string recordId)
{
    CleanupReport preview = storage.PreviewCleanup();                        // a dry run: what would go, and why
    storage.PlaceLegalHold("fraud_model", "Case 2026-17");                   // a whole model
    storage.PlaceLegalHold(recordId, "DSAR 881", LegalHoldScope.Record);     // one record
    CleanupReport report = storage.CleanupOldMetadata(null, dryRun: false);  // report.Held: what the holds kept
    storage.ReleaseLegalHold("fraud_model", reason: "case closed");
    Console.WriteLine($"cleanup: {preview.Removed.Count} would go, {report.Removed.Count} removed, {report.Held.Count} held");
}

static async Task<string> EncryptAsync()
{
    if (!File.Exists("keys/metadata.key")) MetadataEncryption.GenerateKey("keys/metadata.key"); // 32 random bytes, 0600
    await using var secure = new MetadataStorage(new MetadataStorageOptions
    {
        StoragePath = "metadata", Backend = "sqlite",
        EncryptSensitiveData = true, EncryptionKeyPath = "keys/metadata.key",   // sensitive_fields → AES-256-GCM
    });
    string id = secure.SaveMetadata("credit", "data_ingestion", "data_loaded", new { rows = 10_000, contact = new { email = "a@b.org" } });
    secure.GetMetadata(id);                                                    // decrypted transparently
    Console.WriteLine($"encrypted: {secure.GetMetadata(id)!.Metadata["contact"]!["email"]} read back with the key");
    return id;
}

static async Task AuditAsync(string id)
{
    var options = new MetadataStorageOptions { StoragePath = "metadata", Backend = "sqlite", AuditAllAccess = true, UserId = "alice" };
    await using var audited = new MetadataStorage(options);                   // every save, read, query, export, import
    audited.GetMetadata(id);
    var reads = audited.GetAuditTrail(new AuditQuery { Action = AuditActions.Read, ParentId = id, Limit = 20 });
    string file = audited.ExportAuditTrail("csv");
    Console.WriteLine($"audit: {reads.Count} read(s) of {id} listed; trail exported to {Path.GetFileName(file)}");
}
