using Ciaf.Metadata.Interop.MlFlow;
using Ciaf.Metadata.Interop.OpenLineage;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Transfer;
using Ciaf.Metadata.Verification;

namespace Ciaf.Metadata;

// Export, import, migration, backup, restore and verification: everything that moves or checks a whole store,
// each a service in Transfer/ or Verification/ built on the store core.
public sealed partial class MetadataStorage
{
    /// <summary>The formats <see cref="ExportComplianceEvents(string, string?)"/> writes: <c>json</c>, <c>jsonl</c>, <c>csv</c>.</summary>
    public static IReadOnlyList<string> ComplianceEventExportFormats => Exporter.ComplianceEventFormats;

    /// <summary>
    /// How often the <see cref="IProgress{T}"/> overloads of export and import report: every this many items,
    /// and once more at the end with the total.
    /// </summary>
    public const int TransferProgressInterval = 100;

    /// <summary>How many records <see cref="MigrateTo(MetadataStorage, IProgress{MigrationProgress}?)"/> reads back from the target and compares field by field.</summary>
    public const int MigrationSampleSize = 200;

    // ------------------------------------------------------------------ export

    /// <summary>The export formats this version writes: <c>json</c>, <c>jsonl</c>, <c>csv</c>, <c>xml</c>, <c>parquet</c>, <c>openlineage</c>.</summary>
    public static IReadOnlyList<string> ExportFormats => Exporter.RecordFormats;

    /// <summary>
    /// Exports every record of a model (or of the store when <paramref name="modelName"/> is <c>null</c>), with
    /// no cap, streaming record by record so memory stays flat however large the store. Returns the file
    /// written: by default a new file under <c>&lt;store&gt;/exports/</c> whose name never collides with an
    /// earlier export. Buffered writes are flushed first. Order: the backend's storage order (SQLite: oldest
    /// first; file backends: model by model, in file-name order). Formats: see <c>docs/operations.md</c>.
    /// Records are written as stored: encrypted sensitive values stay encrypted (see <c>docs/security.md</c>).
    /// </summary>
    /// <param name="modelName">The model, or <c>null</c> for all.</param>
    /// <param name="format"><c>json</c> (an array, as the reference writes), <c>jsonl</c> (one record per line),
    /// <c>csv</c> (one header, metadata flattened to <c>metadata.a.b</c> columns, formulas neutralized),
    /// <c>xml</c> (keys as escaped attributes), <c>parquet</c> (typed columns, metadata as JSON) or <c>openlineage</c> (each
    /// record's OpenLineage RunEvents as JSON lines, oldest record first, the same bytes for the same store: docs/interop.md).</param>
    /// <param name="outputPath">Where to write (replaced if it exists); <c>null</c> for the exports folder.</param>
    /// <param name="progress">Told how many records have been written so far: every
    /// <see cref="TransferProgressInterval"/> records and once at the end with the total.</param>
    /// <param name="cancellationToken">Cancels the export; the partial temporary file is removed.</param>
    /// <exception cref="ArgumentException">Unknown format or invalid model name.</exception>
    public ValueTask<string> ExportMetadataAsync(string? modelName, string format, string? outputPath, IProgress<long>? progress,
        CancellationToken cancellationToken = default)
        => _exporter.ExportRecordsAsync(modelName, format, outputPath, progress, cancellationToken);

    /// <inheritdoc cref="ExportMetadataAsync(string?, string, string?, IProgress{long}?, CancellationToken)"/>
    public string ExportMetadata(string? modelName = null, string format = "json", string? outputPath = null) =>
        SyncOverAsync.Run(ExportMetadataAsync(modelName, format, outputPath, progress: null));

    /// <inheritdoc cref="ExportMetadataAsync(string?, string, string?, IProgress{long}?, CancellationToken)"/>
    public string ExportMetadata(string? modelName, string format, string? outputPath, IProgress<long>? progress) =>
        SyncOverAsync.Run(ExportMetadataAsync(modelName, format, outputPath, progress));

    /// <inheritdoc cref="ExportMetadataAsync(string?, string, string?, IProgress{long}?, CancellationToken)"/>
    public ValueTask<string> ExportMetadataAsync(string? modelName = null, string format = "json", string? outputPath = null,
        CancellationToken cancellationToken = default) =>
        ExportMetadataAsync(modelName, format, outputPath, progress: null, cancellationToken);

    /// <summary>
    /// Exports a model's records (or every record) to <paramref name="destination"/>, which is written and left open — a
    /// server streams an export straight into its response. Same formats, order, streaming and audit as
    /// <see cref="ExportMetadata(string?, string, string?)"/>; <c>parquet</c> needs a seekable stream.
    /// </summary>
    /// <param name="destination">Where to write; not closed.</param>
    /// <param name="modelName">The model, or <c>null</c> for all.</param>
    /// <param name="format">The format (see <see cref="ExportFormats"/>); <c>jsonl</c> by default.</param>
    /// <param name="progress">Told how many records have been written so far.</param>
    /// <exception cref="ArgumentException">Unknown format, invalid model name, a stream that cannot be written, or parquet into a stream that cannot seek.</exception>
    public void ExportMetadataTo(Stream destination, string? modelName = null, string format = "jsonl", IProgress<long>? progress = null) =>
        SyncOverAsync.Run(ExportMetadataToAsync(destination, modelName, format, progress));

    /// <inheritdoc cref="ExportMetadataTo"/>
    public ValueTask ExportMetadataToAsync(Stream destination, string? modelName = null, string format = "jsonl", IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return _exporter.ExportRecordsAsync(destination, modelName, format, progress, cancellationToken);
    }

    /// <summary>Exports every compliance event (newest first) to <paramref name="destination"/>, which is written and left open (formats: see <see cref="ComplianceEventExportFormats"/>).</summary>
    /// <exception cref="ArgumentException">Unknown format.</exception>
    public void ExportComplianceEventsTo(Stream destination, string format = "jsonl", IProgress<long>? progress = null) =>
        SyncOverAsync.Run(ExportComplianceEventsToAsync(destination, format, progress));

    /// <inheritdoc cref="ExportComplianceEventsTo"/>
    public ValueTask ExportComplianceEventsToAsync(Stream destination, string format = "jsonl", IProgress<long>? progress = null,
        CancellationToken cancellationToken = default) =>
        _exporter.ExportComplianceEventsAsync(destination, format, progress, cancellationToken);

    /// <summary>
    /// Exports every compliance event (newest first) to a new file under <c>&lt;store&gt;/exports/</c>
    /// (<c>compliance_events_&lt;time&gt;.&lt;format&gt;</c>, never colliding) or to <paramref name="outputPath"/>.
    /// The reference's event dicts: <c>{id, metadata_id, framework, compliance_score, validation_status, timestamp, details}</c>.
    /// A json or jsonl export of events is read back by <see cref="ImportMetadata(string)"/>.
    /// </summary>
    /// <param name="format"><c>json</c>, <c>jsonl</c> or <c>csv</c>.</param>
    /// <param name="outputPath">Where to write; <c>null</c> for the exports folder.</param>
    /// <param name="progress">Told how many events have been written so far: every
    /// <see cref="TransferProgressInterval"/> events and once at the end with the total.</param>
    /// <param name="cancellationToken">Cancels the export; the partial temporary file is removed.</param>
    /// <exception cref="ArgumentException">Unknown format.</exception>
    public ValueTask<string> ExportComplianceEventsAsync(string format, string? outputPath, IProgress<long>? progress,
        CancellationToken cancellationToken = default)
        => _exporter.ExportComplianceEventsAsync(format, outputPath, progress, cancellationToken);

    /// <inheritdoc cref="ExportComplianceEventsAsync(string, string?, IProgress{long}?, CancellationToken)"/>
    public string ExportComplianceEvents(string format = "json", string? outputPath = null) =>
        SyncOverAsync.Run(ExportComplianceEventsAsync(format, outputPath, progress: null));

    /// <inheritdoc cref="ExportComplianceEventsAsync(string, string?, IProgress{long}?, CancellationToken)"/>
    public string ExportComplianceEvents(string format, string? outputPath, IProgress<long>? progress) =>
        SyncOverAsync.Run(ExportComplianceEventsAsync(format, outputPath, progress));

    /// <inheritdoc cref="ExportComplianceEventsAsync(string, string?, IProgress{long}?, CancellationToken)"/>
    public ValueTask<string> ExportComplianceEventsAsync(string format = "json", string? outputPath = null,
        CancellationToken cancellationToken = default) =>
        ExportComplianceEventsAsync(format, outputPath, progress: null, cancellationToken);

    // ------------------------------------------------------------------ import

    /// <summary>
    /// Imports a <c>json</c> or <c>jsonl</c> export (ours, or the reference's <c>json</c> export), keeping every
    /// record's id, timestamp and hash. Each record's hash is recomputed from its metadata: a record whose hash
    /// does not match, or whose id the store already holds with different content, is reported in
    /// <see cref="ImportResult.Mismatched"/> and not written. A record already present and identical is
    /// skipped, so importing a file twice adds nothing. Compliance events in the file (an
    /// <see cref="ExportComplianceEvents(string, string?)"/> export) are imported too. Validators and the size limit do not
    /// apply (the records are history, not new payloads); names are checked as for any save, and ids must be non-empty
    /// (at most 128 characters, no control characters): an entry breaking a rule is listed in <see cref="ImportResult.Errors"/>
    /// and the rest is imported.
    /// <para>
    /// Into a store that encrypts sensitive fields, a record holding one of them in plaintext is not imported by default
    /// (it is listed in <see cref="ImportResult.Errors"/>): its <c>metadata_hash</c> covers the plaintext, so it cannot be
    /// encrypted without changing the hash that proves it. Pass <c>allowPlaintextSensitiveData</c> to import such records
    /// as they are (counted in <see cref="ImportResult.PlaintextSensitiveImported"/> and logged as a warning).
    /// </para>
    /// </summary>
    /// <param name="path">The export file.</param>
    /// <param name="allowPlaintextSensitiveData">Import records that hold sensitive fields in plaintext into a store that
    /// encrypts them, as they are (their hash proves that plaintext); false lists them as errors instead.</param>
    /// <param name="progress">Told how many entries of the file (records, events, unreadable entries) have been
    /// processed so far: every <see cref="TransferProgressInterval"/> entries and once at the end with the total.</param>
    /// <param name="cancellationToken">Cancels the import: batches already written stay (each is whole), and
    /// importing the file again completes it, skipping what is already there.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="MetadataStorageException">The backend failed to write.</exception>
    public ValueTask<ImportResult> ImportMetadataAsync(string path, bool allowPlaintextSensitiveData, IProgress<long>? progress,
        CancellationToken cancellationToken = default)
        => _importer.ImportAsync(path, allowPlaintextSensitiveData, progress, cancellationToken);

    /// <inheritdoc cref="ImportMetadataAsync(string, bool, IProgress{long}?, CancellationToken)"/>
    public ImportResult ImportMetadata(string path) => SyncOverAsync.Run(ImportMetadataAsync(path, progress: null));

    /// <inheritdoc cref="ImportMetadataAsync(string, bool, IProgress{long}?, CancellationToken)"/>
    public ImportResult ImportMetadata(string path, IProgress<long>? progress) => SyncOverAsync.Run(ImportMetadataAsync(path, progress));

    /// <inheritdoc cref="ImportMetadataAsync(string, bool, IProgress{long}?, CancellationToken)"/>
    public ValueTask<ImportResult> ImportMetadataAsync(string path, CancellationToken cancellationToken = default) =>
        ImportMetadataAsync(path, progress: null, cancellationToken);

    /// <inheritdoc cref="ImportMetadataAsync(string, bool, IProgress{long}?, CancellationToken)"/>
    public ValueTask<ImportResult> ImportMetadataAsync(string path, IProgress<long>? progress, CancellationToken cancellationToken = default) =>
        ImportMetadataAsync(path, allowPlaintextSensitiveData: false, progress, cancellationToken);

    /// <inheritdoc cref="ImportMetadataAsync(string, bool, IProgress{long}?, CancellationToken)"/>
    public ImportResult ImportMetadata(string path, bool allowPlaintextSensitiveData, IProgress<long>? progress = null) =>
        SyncOverAsync.Run(ImportMetadataAsync(path, allowPlaintextSensitiveData, progress));

    // ------------------------------------------------------------------ migration

    /// <summary>
    /// Copies every record and compliance event of this store into <paramref name="target"/> (any backend to
    /// any other), streaming in batches of <c>export_batch_size</c>, keeping ids, timestamps and hashes. The
    /// target upserts by id, so a migration that was interrupted (cancelled, crashed) can simply be run again:
    /// it finishes without duplicates. At the end the target's count and a sample of
    /// <see cref="MigrationSampleSize"/> records (every field, hash included) and every compliance event id are
    /// checked. Unreadable source entries cannot be copied; they are listed in the report.
    /// <para>
    /// When <paramref name="target"/> encrypts sensitive fields, a source record holding one of them in plaintext is not
    /// copied by default (listed in <see cref="MigrationReport.PlaintextSensitiveRefused"/>): its hash covers the
    /// plaintext, so it cannot be encrypted without changing the hash. Pass <c>allowPlaintextSensitiveData</c> to copy
    /// such records as they are (logged as a warning).
    /// </para>
    /// </summary>
    /// <param name="target">An open store, of any backend; it may already hold records.</param>
    /// <param name="allowPlaintextSensitiveData">Copy records holding sensitive fields in plaintext into a target that
    /// encrypts them, as they are; false leaves them out and lists them in the report.</param>
    /// <param name="progress">Told after each batch.</param>
    /// <param name="cancellationToken">Cancels the migration; what was written stays, and a re-run completes it.</param>
    /// <exception cref="ArgumentException"><paramref name="target"/> is this store (or the same folder and backend).</exception>
    /// <exception cref="MetadataStorageException">A write failed, or the check at the end found a difference (the message lists it).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; what was written stays, and a re-run completes it.</exception>
    public ValueTask<MigrationReport> MigrateToAsync(MetadataStorage target, bool allowPlaintextSensitiveData,
        IProgress<MigrationProgress>? progress, CancellationToken cancellationToken = default)
        => _migrator.MigrateToAsync((target ?? throw new ArgumentNullException(nameof(target)))._core, allowPlaintextSensitiveData, progress, cancellationToken);

    /// <inheritdoc cref="MigrateToAsync(MetadataStorage, bool, IProgress{MigrationProgress}?, CancellationToken)"/>
    public MigrationReport MigrateTo(MetadataStorage target, IProgress<MigrationProgress>? progress = null) =>
        SyncOverAsync.Run(MigrateToAsync(target, progress));

    /// <inheritdoc cref="MigrateToAsync(MetadataStorage, bool, IProgress{MigrationProgress}?, CancellationToken)"/>
    public ValueTask<MigrationReport> MigrateToAsync(MetadataStorage target, IProgress<MigrationProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        MigrateToAsync(target, allowPlaintextSensitiveData: false, progress, cancellationToken);

    /// <inheritdoc cref="MigrateToAsync(MetadataStorage, bool, IProgress{MigrationProgress}?, CancellationToken)"/>
    public MigrationReport MigrateTo(MetadataStorage target, bool allowPlaintextSensitiveData, IProgress<MigrationProgress>? progress = null) =>
        SyncOverAsync.Run(MigrateToAsync(target, allowPlaintextSensitiveData, progress));

    // ------------------------------------------------------------------ backup and restore

    /// <summary>
    /// Writes a backup archive (.zip) of the store while writers keep writing, and returns its path: by default
    /// a new file under <c>&lt;store&gt;/backups/</c> whose name never collides. SQLite: one consistent snapshot
    /// taken with SQLite's online backup API. File backends (json, pickle): every file of the store (records,
    /// compliance events, the audit folder; not <c>exports/</c> nor <c>backups/</c>), each whole, since every
    /// file is written atomically. Symbolic links in the store are never followed (nothing from outside the
    /// store is archived): they are logged and listed in the manifest's <see cref="BackupManifest.SkippedLinks"/>.
    /// The archive's <c>manifest.json</c> lists each file's path, size and SHA-256. Buffered writes are flushed first.
    /// </summary>
    /// <param name="path">Where to write the archive (must not exist); <c>null</c> for the backups folder.</param>
    /// <exception cref="IOException"><paramref name="path"/> already exists.</exception>
    /// <exception cref="NotSupportedException">The backend has no files to archive (e.g. a server database).</exception>
    /// <exception cref="MetadataStorageException">The snapshot could not be taken.</exception>
    public string Backup(string? path = null) => SyncOverAsync.Run(BackupAsync(path));

    /// <inheritdoc cref="Backup"/>
    public ValueTask<string> BackupAsync(string? path = null, CancellationToken cancellationToken = default)
        => _backup.BackupAsync(path, cancellationToken);

    /// <summary>
    /// Restores a backup made by <see cref="Backup"/> into <paramref name="targetPath"/>, then open it with the
    /// backend the manifest names (<see cref="BackupManifest.Backend"/>). The archive is checked first, against
    /// its manifest: a damaged backup (not a zip, no valid manifest, an entry name twice, a missing or extra file,
    /// a size or SHA-256 that differs, an entry whose path would leave the target) is refused with a message
    /// naming the problem, and the target is not touched. Each file is extracted only up to the size its manifest
    /// declares, and the first file that differs stops the restore. The files are extracted beside the target,
    /// verified, and only then moved into place.
    /// </summary>
    /// <param name="backupPath">The backup archive.</param>
    /// <param name="targetPath">The store folder to restore into; created if missing. A symbolic link is refused.</param>
    /// <param name="overwrite">Replace the data of a target folder that is not empty (its <c>backups/</c> and
    /// <c>exports/</c> folders are kept; the old data is deleted only once the restored copy is in place);
    /// otherwise such a target is refused. An archive lying in the target's data (outside those folders) is refused.</param>
    /// <returns>The manifest of the restored backup.</returns>
    /// <exception cref="MetadataStorageException">The backup is damaged, the target is a symbolic link, or the target
    /// is not empty and <paramref name="overwrite"/> is false.</exception>
    public static BackupManifest Restore(string backupPath, string targetPath, bool overwrite = false) =>
        SyncOverAsync.Run(RestoreAsync(backupPath, targetPath, overwrite));

    /// <inheritdoc cref="Restore"/>
    public static ValueTask<BackupManifest> RestoreAsync(string backupPath, string targetPath, bool overwrite = false,
        CancellationToken cancellationToken = default) =>
        BackupRestore.RestoreAsync(backupPath, targetPath, overwrite, cancellationToken);

    // ------------------------------------------------------------------ integrity

    /// <summary>
    /// Checks the whole store: recomputes every record's hash from its stored metadata (a record edited by hand
    /// is reported), lists every entry that cannot be read (corrupt files or rows) and every compliance event
    /// whose <c>metadata_id</c> names no record — each with its id and its path (file) or
    /// <c>&lt;database&gt;#&lt;id&gt;</c> (row). Streams the store; buffered writes are flushed first. Changes nothing.
    /// </summary>
    /// <exception cref="MetadataStorageException">The store could not be read at all.</exception>
    /// <remarks>
    /// With the ledger on (docs/ledger.md) it also checks every item against its latest leaf, items with no leaf and
    /// leaves whose item vanished without a tombstone, the log rebuilt from its leaves, and every kept checkpoint (and
    /// those in <paramref name="options"/>) against the rebuilt tree and its signature.
    /// </remarks>
    public VerificationReport Verify(VerifyOptions? options = null) => SyncOverAsync.Run(VerifyAsync(options));

    /// <inheritdoc cref="Verify"/>
    public ValueTask<VerificationReport> VerifyAsync(VerifyOptions? options = null, CancellationToken cancellationToken = default)
        => _verifier.VerifyAsync(options, cancellationToken);

    /// <inheritdoc cref="Verify"/>
    public ValueTask<VerificationReport> VerifyAsync(CancellationToken cancellationToken) => _verifier.VerifyAsync(null, cancellationToken);

    // ------------------------------------------------------------------ ledger

    /// <summary>The store's tamper-evident log: checkpoints, receipts, consistency proofs, adoption (docs/ledger.md).</summary>
    public MetadataLedger Ledger => _core.Ledger;

    // ------------------------------------------------------------------ interop

    /// <summary>
    /// The live OpenLineage emitter (docs/interop.md): its transports, counters and flush; null when no destination is
    /// configured (<see cref="MetadataStorageOptions.OpenLineage"/>, <c>openlineage_url</c>, <c>openlineage_file</c>). The
    /// same events for a store that exists already: <c>ExportMetadata(null, "openlineage")</c>.
    /// </summary>
    public OpenLineageEmitter? OpenLineage => _core.Lineage;

    /// <summary>
    /// Imports the runs of an MLflow file store (an <c>mlruns</c> folder; docs/interop.md has the mapping): each run becomes
    /// one record in stage <c>training</c>, event type <c>mlflow_run</c>, model = the experiment's name (or the run's
    /// <c>ciaf.model_name</c> tag), timestamp = the run's start, metadata = its fields, every param and tag, the latest value
    /// of each metric (greatest step, then timestamp, then value, as MLflow defines it) and every metric point. Record ids are
    /// derived from run ids, so importing again adds only new runs; a run that changed since it was imported is listed in
    /// <see cref="ImportResult.Mismatched"/> and its record left unchanged. A run (or experiment) that cannot be read — a
    /// malformed metric line, a missing or broken <c>meta.yaml</c>, an unreadable file — is listed in
    /// <see cref="ImportResult.Errors"/> with the path, and the rest is imported. Deleted runs and experiments (in
    /// <c>.trash</c>) are left out (<see cref="ImportResult.ExcludedDeleted"/>) unless <paramref name="includeDeleted"/>.
    /// Records are saved as new ones are: validators run, sensitive fields are encrypted, the size limit applies.
    /// </summary>
    /// <param name="path">The MLflow store folder (<c>mlruns</c>).</param>
    /// <param name="includeDeleted">Import deleted runs and experiments too (their <c>lifecycle_stage</c> says <c>deleted</c>).</param>
    /// <param name="progress">Told how many runs have been read so far.</param>
    /// <param name="cancellationToken">Cancels the import; what was written stays, and importing again completes it.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="MetadataStorageException">The backend failed to write.</exception>
    public ValueTask<ImportResult> ImportMlflowAsync(string path, bool includeDeleted = false, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default) =>
        new MlflowImporter(_core).ImportAsync(path, includeDeleted, progress, cancellationToken);

    /// <inheritdoc cref="ImportMlflowAsync"/>
    public ImportResult ImportMlflow(string path, bool includeDeleted = false, IProgress<long>? progress = null) =>
        SyncOverAsync.Run(ImportMlflowAsync(path, includeDeleted, progress));
}
