using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Interop.OpenLineage;
using Microsoft.Extensions.Logging;

using Ciaf.Metadata.Ledger;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// The store core: what the facade and every service share. It opens the backend and the writer, turns entries
/// into records (names, validators, encryption, size limit, timestamp, hash), owns the one ordered write point
/// every write goes through (<see cref="WriteAsync"/>), reads merging this instance's pending writes, the acting
/// user and the audit queue. Services (<c>Retention/</c>, <c>Transfer/</c>, <c>Verification/</c>, <c>Audit/</c>) get
/// it through their constructor; none of them touches the backend except through it or a capability it exposes.
/// </summary>
internal sealed class StoreCore
{
    /// <summary>The environment variable naming the user in audit entries when none is configured.</summary>
    public const string UserEnvironmentVariable = "CIAF_USER";

    private const int AuditBatchSize = 500;

    // The acting user of the current async flow (a server request, a job): MetadataStorage.ActingAs.
    private static readonly AsyncLocal<string?> ActingUserScope = new();

    // Who hears of the corrupt entries the reads of the current async flow skip (a server answering one request).
    private static readonly AsyncLocal<Action<string, Exception>?> CorruptCollector = new();

    private readonly string _defaultUser;
    private readonly Lock _observersLock = new();
    private Action<string, Exception>[] _corruptObservers = [];
    private long _lastTimestampTicks;
    private int _disposed;

    public StoreCore(MetadataStorageOptions options, Func<BackendContext, IMetadataBackend> openBackend)
    {
        Options = options;
        Logger = options.LoggerFactory.CreateLogger<MetadataStorage>();
        Hooks = new StoreHooks(Logger);
        _defaultUser = ResolveUser(options);
        Cipher = CreateCipher(options, Logger);
        string root = Path.GetFullPath(options.StoragePath);
        EnsureWritableFolder(root, options.Backend);
        Metrics = new StorageMetrics(options.Backend, () => Pending.Count);
        var context = new BackendContext
        {
            StoragePath = root,
            ConnectionString = options.ConnectionString,
            Logger = options.LoggerFactory.CreateLogger("Ciaf.Metadata.Backends." + options.Backend),
            BusyTimeout = options.BusyTimeout,
            EnableCompression = options.EnableCompression,
            CompressionThresholdBytes = options.CompressionThresholdBytes,
            MaxMetadataBytes = options.MaxMetadataBytes,
            LedgerEnabled = options.LedgerEnabled,
            ReportCorrupt = (location, error) =>
            {
                Metrics.RecordCorrupt();
                Logger.LogWarning(error, "Skipped a corrupt entry at {Location}", location);
                foreach (var observer in Volatile.Read(ref _corruptObservers)) observer(location, error);
                CorruptCollector.Value?.Invoke(location, error);
            },
        };
        try
        {
            Backend = openBackend(context);
        }
        catch (Exception ex) when (ex is not MetadataStorageException and not ArgumentException)
        {
            Metrics.Dispose();
            throw new MetadataStorageException($"The {options.Backend} backend could not open the store at '{root}': {ex.Message}", ex)
            {
                Backend = options.Backend,
                Path = root,
            };
        }
        if (options.AuditAllAccess && Backend is not IAuditLog)
        {
            Backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Metrics.Dispose();
            throw new NotSupportedException($"audit_all_access is on, but the {Backend.Name} backend keeps no audit trail (it does not implement IAuditLog).");
        }
        AuditQueue = new AuditWriter(Backend, Logger, AuditBatchSize);
        Writer = options.WriteMode == WriteMode.Buffered
            ? new BatchingWriter(Backend, Pending, OnDurable, Metrics, Logger, options.BatchSize,
                options.QueueCapacity ?? Math.Max(1000, options.BatchSize * 10), options.WriteRetries)
            : new ImmediateWriter(Backend, OnDurable);
        Ledger = new MetadataLedger(this);
        if (Cipher is not null && Backend is IStoreState subjectState)
        {
            Subjects = new SubjectKeyring(Cipher, subjectState, options.SubjectFields, options.TimeProvider);
            Cipher.Subjects = Subjects.Resolve;
        }
        else if (options.SubjectFields.Count > 0 && Cipher is not null)
        {
            throw new NotSupportedException($"subject_fields is set, but the {Backend.Name} backend keeps no store state for the subjects' keys (it does not implement IStoreState).");
        }
        if (options.OpenLineage is { IsEnabled: true } lineage) Lineage = new OpenLineageEmitter(this, lineage);
    }

    /// <summary>Data subjects' own keys (crypto-shredding), when a key is configured and the backend keeps state.</summary>
    public SubjectKeyring? Subjects { get; }

    /// <summary>The OpenLineage emitter (docs/interop.md), or null when no destination is configured.</summary>
    public OpenLineageEmitter? Lineage { get; }

    /// <summary>The store's ledger (docs/ledger.md).</summary>
    public MetadataLedger Ledger { get; }

    public MetadataStorageOptions Options { get; }

    public IMetadataBackend Backend { get; }

    public IRecordWriter Writer { get; }

    public PendingWrites Pending { get; } = new();

    public SensitiveDataCipher? Cipher { get; }

    public StorageMetrics Metrics { get; }

    public ILogger Logger { get; }

    public StoreHooks Hooks { get; }

    public AuditWriter AuditQueue { get; }

    public TimeProvider Clock => Options.TimeProvider;

    /// <summary>The backend's compliance events.</summary>
    /// <exception cref="NotSupportedException">The backend keeps none (it is not an <see cref="IComplianceEventStore"/>).</exception>
    public IComplianceEventStore Events => Backend as IComplianceEventStore ?? throw Lacks("compliance events", nameof(IComplianceEventStore));

    /// <summary>The backend's audit trail.</summary>
    /// <exception cref="NotSupportedException">The backend keeps none (it is not an <see cref="IAuditLog"/>).</exception>
    public IAuditLog AuditLog => Backend as IAuditLog ?? throw Lacks("audit trail", nameof(IAuditLog));

    /// <summary>The backend's store state (legal holds).</summary>
    /// <exception cref="NotSupportedException">The backend keeps none (it is not an <see cref="IStoreState"/>).</exception>
    public IStoreState State => Backend as IStoreState ?? throw Lacks("store state (legal holds)", nameof(IStoreState));

    private NotSupportedException Lacks(string what, string capability) =>
        new($"The {Backend.Name} backend keeps no {what}: it does not implement {capability}.");

    /// <summary>The store's own user: <see cref="MetadataStorageOptions.UserId"/>, else <c>CIAF_USER</c>, else the OS user.</summary>
    public string DefaultUser => _defaultUser;

    /// <summary>Who is acting now: the innermost <see cref="ActAs"/> scope of this async flow, else <see cref="DefaultUser"/>.</summary>
    public string ActingUser => ActingUserScope.Value ?? _defaultUser;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public void ThrowIfDisposed()
    {
        if (IsDisposed) throw new ObjectDisposedException(nameof(MetadataStorage));
    }

    /// <summary>Makes <paramref name="userId"/> the acting user of the current async flow until the scope is disposed.</summary>
    public static IDisposable ActAs(string userId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        if (userId.Any(char.IsControl)) throw new ArgumentException("A user id must not contain control characters.", nameof(userId));
        var previous = ActingUserScope.Value;
        ActingUserScope.Value = userId;
        return new UserScope(previous);
    }

    // ------------------------------------------------------------------ writes

    /// <summary>
    /// The one ordered point every write of the store goes through (saves, compliance events, imports, migrations):
    /// immediate mode makes the batch durable before returning, buffered mode queues it. A later ledger assigns its
    /// sequence numbers here, inside the backend's transaction or under the store lock.
    /// </summary>
    public ValueTask WriteAsync(WriteBatch batch, CancellationToken cancellationToken) =>
        Writer.WriteAsync(batch.User is null ? batch with { User = ActingUser } : batch, cancellationToken);

    /// <summary>Returns once every write made before the call is durable, and every audit entry queued so far.</summary>
    /// <exception cref="MetadataStorageException">Some buffered writes or audit entries could not be made durable.</exception>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await FlushAuditAsync(cancellationToken).ConfigureAwait(false);
        await Ledger.CheckpointIfDueAsync(closing: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds one new record and writes it through <see cref="WriteAsync"/>; returns its id (the hot path of a save).</summary>
    /// <exception cref="ArgumentException">The entry is invalid; nothing is written.</exception>
    /// <exception cref="MetadataValidationException">A validator rejected it; nothing is written.</exception>
    public ValueTask<string> SaveAsync(MetadataEntry entry, CancellationToken cancellationToken) => SaveAsync(entry, captured: false, cancellationToken);

    /// <summary>
    /// <see cref="SaveAsync(MetadataEntry, CancellationToken)"/>; <paramref name="captured"/>: the payload is a capture's
    /// fields snapshotted (<c>CapturedPayload</c>) or its own dictionary of plain values (<c>MetadataCapture.BuildMetadata</c>),
    /// which a buffered store leaves to the writer to convert (<see cref="DefersConversion"/>).
    /// </summary>
    public async ValueTask<string> SaveAsync(MetadataEntry entry, bool captured, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        long start = Stopwatch.GetTimestamp();
        var record = BuildRecord(entry, null, captured: captured);
        await WriteAsync(new WriteBatch([record], []) { User = ActingUser }, cancellationToken).ConfigureAwait(false);
        Metrics.RecordSave(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return record.Id;
    }

    /// <summary>
    /// Builds new records from <paramref name="entries"/> (every one checked before any is written) and writes them through
    /// <see cref="WriteAsync"/>; returns their ids in entry order, a refusal prefixed with the entry's index.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is invalid; nothing is written.</exception>
    /// <exception cref="MetadataValidationException">A validator rejected an entry; nothing is written.</exception>
    public async ValueTask<string[]> SaveAsync(IEnumerable<MetadataEntry> entries, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        long start = Stopwatch.GetTimestamp();
        var records = new List<MetadataRecord>();
        foreach (var entry in entries)
        {
            if (entry is null) throw new ArgumentException($"Entry {records.Count} is null.", nameof(entries));
            records.Add(BuildRecord(entry, records.Count));
        }
        if (records.Count == 0) return [];
        await WriteAsync(WriteBatch.Of(records), cancellationToken).ConfigureAwait(false);
        Metrics.RecordSave(Stopwatch.GetElapsedTime(start).TotalMilliseconds / records.Count);
        return [.. records.Select(r => r.Id)];
    }

    /// <summary>
    /// Writes fully-formed records and events (ids, timestamps and hashes kept: imports, migrations) through the ordered
    /// write point, as a save would: durable on return in immediate mode, queued in buffered mode. Names are validated;
    /// validators, hashing and the size limit are not applied. Idempotent by id (the backends upsert).
    /// </summary>
    /// <exception cref="ArgumentException">A record has no id or an invalid name; nothing is written.</exception>
    public async ValueTask WriteStoredAsync(IReadOnlyList<MetadataRecord> records, IReadOnlyList<ComplianceEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(events);
        ThrowIfDisposed();
        foreach (var record in records)
        {
            if (record is null || string.IsNullOrWhiteSpace(record.Id)) throw new ArgumentException("A record to write has no id.", nameof(records));
            if (Transfer.RecordChecks.NameProblem(record) is { } problem) throw new ArgumentException($"Record '{record.Id}': {problem}.", nameof(records));
        }
        foreach (var ev in events)
        {
            if (ev is null || string.IsNullOrWhiteSpace(ev.Id) || string.IsNullOrWhiteSpace(ev.Framework))
                throw new ArgumentException("A compliance event to write has no id or framework.", nameof(events));
        }
        if (records.Count + events.Count == 0) return;
        await WriteAsync(new WriteBatch(records, events), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The sensitive fields <paramref name="record"/> holds in plaintext, when this store encrypts them; empty otherwise.</summary>
    public IReadOnlyCollection<string> PlaintextSensitiveFields(MetadataRecord record) =>
        Options.EncryptSensitiveData && Cipher is not null ? Cipher.PlaintextFields(record.Metadata) : [];

    // Whether this process appends ledger leaves for its writes (a remote store's server keeps the log): only then is a
    // record's content hash worth computing on the caller's thread.
    private bool KeepsLedgerHere => Options.LedgerEnabled && Backend is Ledger.ILedgerBackend;

    /// <summary>A new record from an entry: names checked, validators run, sensitive values encrypted, size limited, timestamped and hashed.</summary>
    /// <param name="entry">The save.</param>
    /// <param name="index">The entry's index in a batch, for messages.</param>
    /// <param name="id">The id to give it (an import deriving ids from its source); null for a new UUID v7.</param>
    /// <param name="timestamp">Its timestamp (an import keeping its source's time, to the microsecond); null for now.</param>
    /// <exception cref="ArgumentException">A name breaks a rule, or the payload cannot be serialized or is too large.</exception>
    /// <exception cref="MetadataValidationException">A validator rejected the payload.</exception>
    /// <param name="captured">The payload is a capture's fields or plain values: see <see cref="DefersConversion"/>.</param>
    public MetadataRecord BuildRecord(MetadataEntry entry, int? index, string? id = null, DateTimeOffset? timestamp = null, bool captured = false)
    {
        string prefix = index is null ? string.Empty : $"Entry {index}: ";
        try
        {
            // Stored in normalization form C: "mé" typed composed or decomposed is one model (and one folder).
            string modelName = NameRules.Normalize(entry.ModelName, "modelName");
            string stage = NameRules.Normalize(entry.Stage, "stage");
            string eventType = NameRules.Normalize(entry.EventType, "eventType");
            string version = string.IsNullOrEmpty(entry.ModelVersion) ? RecordJson.DefaultModelVersion : entry.ModelVersion;
            // A capture's values, snapshotted: the writer renders and converts them (text, hashes), off the thread that ran
            // the capture. Its fields as they were given (CapturedPayload), or its plain values snapshotted here.
            if (captured && DefersConversion(stage)
                && (entry.Metadata is Capture.CapturedPayload
                    || (entry.Metadata is Dictionary<string, object?> values && Capture.CaptureSnapshot.TryFreeze(values, Options.MaxMetadataBytes))))
            {
                var now = timestamp ?? NextTimestamp();
                return new MetadataRecord(id ?? Uuid7.NewString(now), modelName, version, stage, eventType, now, entry.Details, entry.Metadata, KeepsLedgerHere);
            }
            if (entry.Metadata is Capture.CapturedPayload fields)
            {
                entry = entry with { Metadata = fields.Plain() }; // the store no longer defers (a validator was registered since)
            }
            // Fast lane: with no validator to show a node to and nothing to encrypt, a plain payload is written straight to
            // its canonical text (hashed here) and its compact text (what the backends store); no JsonObject is built.
            if (entry.Metadata is { } payload && !Hooks.HasValidators(stage) && !(Options.EncryptSensitiveData && Cipher is not null)
                && MetadataConverter.TryWriteText(payload, out byte[] compact, out int canonicalLength, out string hash, KeepsLedgerHere, out var canonical,
                    leaveHashFrom: Options.WriteMode == WriteMode.Buffered ? HashOnWriterBytes : int.MaxValue))
            {
                try
                {
                    CheckSize(canonicalLength);
                    var now = timestamp ?? NextTimestamp();
                    string recordId = id ?? Uuid7.NewString(now);
                    // The hashes (the metadata's, and the ledger's content hash) are made here, on the caller's thread, as the
                    // writer is the busier of the two for records of ordinary size. A large record's cost the caller more than
                    // the writer's row does, so in buffered mode they are left to the writer, with the canonical text.
                    if (hash.Length == 0)
                    {
                        return new MetadataRecord(recordId, modelName, version, stage, eventType, now, entry.Details, compact, canonical!.Written.ToArray(), KeepsLedgerHere);
                    }
                    var record = new MetadataRecord(recordId, modelName, version, stage, eventType, now, hash, entry.Details, compact);
                    if (canonical is not null) record.CacheContentSha256(LeafDraft.ContentHash(record, canonical.Written));
                    return record;
                }
                finally
                {
                    canonical?.Return();
                }
            }
            var metadata = MetadataConverter.ToJsonObject(entry.Metadata);
            if (Hooks.HasValidators(stage))
            {
                // Validators see the payload exactly as a stored record holds it (GetValue<int>() on an integer works).
                metadata = Reparse(metadata);
                Hooks.Validate(stage, metadata);
            }
            // Validators see the plaintext; the hash covers the stored (encrypted) form, so Verify needs no key.
            // A record about a data subject (subject_fields) is sealed with that subject's own key, so erasing it is destroying the key.
            if (Options.EncryptSensitiveData && Cipher is not null)
                Cipher.Encrypt(metadata, Subjects?.SubjectOf(metadata) is { } subject ? Subjects.ForSubject(subject) : null);
            if (PythonJson.MaxCanonicalLength(metadata) > Options.MaxMetadataBytes) CheckSize(PythonJson.Canonical(metadata).Length);
            var at = timestamp ?? NextTimestamp();
            return new MetadataRecord(id ?? Uuid7.NewString(at), modelName, version, stage, eventType, at,
                // Buffered: the background writer hashes (see BatchingWriter), off the caller's thread.
                Options.WriteMode == WriteMode.Buffered ? string.Empty : PythonJson.Hash(metadata),
                entry.Details,
                metadata);
        }
        catch (MetadataValidationException) when (index is null)
        {
            throw;
        }
        catch (ArgumentException ex) when (index is not null)
        {
            throw new ArgumentException(prefix + ex.Message, ex.ParamName, ex);
        }
    }

    /// <summary>
    /// Whether a capture's values saved to <paramref name="stage"/> are converted on the buffered writer's thread: in buffered
    /// mode, with no validator for the stage to show them to and nothing to encrypt (both need them on the caller's thread).
    /// </summary>
    public bool DefersConversion(string stage) => Options.WriteMode == WriteMode.Buffered
        && !(Options.EncryptSensitiveData && Cipher is not null) && !(Hooks.HasAnyValidators && Hooks.HasValidators(NameRules.ForLookup(stage) ?? stage));

    // From this canonical size up, a buffered record's hashes are computed on the writer (see BuildRecord).
    internal const int HashOnWriterBytes = 16 * 1024;

    private void CheckSize(long canonicalLength)
    {
        if (canonicalLength > Options.MaxMetadataBytes)
        {
            throw new ArgumentException(
                $"The metadata is {canonicalLength} bytes when serialized; the limit is {Options.MaxMetadataBytes} (max_metadata_bytes).", "metadata");
        }
    }

    /// <summary>
    /// Now, to the microsecond, and strictly after every timestamp this instance handed out before: two saves in
    /// the same microsecond would otherwise tie, and a tie is ordered by id, which UUIDv7 only orders to the
    /// millisecond. So the records of one writer always come back in the order they were saved.
    /// </summary>
    public DateTimeOffset NextTimestamp()
    {
        long now = PythonTimestamp.Now(Clock).UtcTicks;
        long previous, next;
        do
        {
            previous = Volatile.Read(ref _lastTimestampTicks);
            next = now > previous ? now : previous + 10; // 10 ticks = 1 µs, Python's resolution
        }
        while (Interlocked.CompareExchange(ref _lastTimestampTicks, next, previous) != previous);
        return new DateTimeOffset(next, TimeSpan.Zero);
    }

    private void OnDurable(WriteBatch batch)
    {
        Metrics.RecordDurable(batch.Records.Count);
        if (Options.AuditAllAccess) AuditSaves(batch);
        Hooks.RunAfterWrite(batch, _hookRecord ??= DecryptHookRecord);
        Lineage?.OnDurable(batch.Records);
    }

    // ------------------------------------------------------------------ reads

    /// <summary>
    /// The record as stored (encrypted values as markers), pending writes included; not audited. For
    /// integrity checks, exports and migration, which must see (and hash) the stored form.
    /// </summary>
    public async ValueTask<MetadataRecord?> GetStoredAsync(string id, CancellationToken cancellationToken) =>
        Pending.Get(id) is { } pending
            ? Clone(pending)
            : await Backend.GetAsync(id, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// As <see cref="GetStoredAsync"/>, but a miss does not make a file backend re-list its folders: bulk work that
    /// expects most ids to be new (import, cleanup) would otherwise pay a listing per new id.
    /// </summary>
    public async ValueTask<MetadataRecord?> GetKnownAsync(string id, CancellationToken cancellationToken) =>
        Pending.Get(id) is { } pending ? Clone(pending)
        : Backend is IKnownRecordLookup known ? await known.GetKnownAsync(id, cancellationToken).ConfigureAwait(false)
        : await Backend.GetAsync(id, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The records as stored (encrypted values as markers), pending writes merged in, in the query's order; not audited.
    /// </summary>
    public async IAsyncEnumerable<MetadataRecord> QueryStoredAsync(MetadataQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Names are looked up in the form new records store them in (NFC), whichever spelling the caller typed.
        query = query with { ModelName = NameRules.ForLookup(query.ModelName), Stage = NameRules.ForLookup(query.Stage) };
        var pending = Pending.Matching(query);
        int limit = query.Limit ?? int.MaxValue;
        if (limit == 0) yield break;
        var pendingIds = pending.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var backendQuery = query.Limit is null || pending.Count == 0 ? query : query with { Limit = query.Limit + pending.Count };
        int emitted = 0, next = 0;
        await foreach (var record in Backend.QueryAsync(backendQuery, cancellationToken).ConfigureAwait(false))
        {
            if (pendingIds.Contains(record.Id)) continue;
            while (next < pending.Count && query.Compare(pending[next], record) < 0)
            {
                yield return Clone(pending[next++]);
                if (++emitted >= limit) yield break;
            }
            yield return record;
            if (++emitted >= limit) yield break;
        }
        while (next < pending.Count && emitted++ < limit) yield return Clone(pending[next++]);
    }

    /// <summary>
    /// Every stored entry (of one model, or all), unsorted and streamed when the backend can scan
    /// (<see cref="IRecordScanBackend"/>), otherwise through its ordered query. Durable entries only: flush first.
    /// </summary>
    public async IAsyncEnumerable<ScannedEntry> ScanStoredAsync(string? modelName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        modelName = NameRules.ForLookup(modelName);
        if (Backend is IRecordScanBackend scanner)
        {
            await foreach (var entry in scanner.ScanAsync(modelName, cancellationToken).ConfigureAwait(false)) yield return entry;
            yield break;
        }
        var query = new MetadataQuery { ModelName = modelName, Order = RecordOrder.OldestFirst };
        await foreach (var record in Backend.QueryAsync(query, cancellationToken).ConfigureAwait(false))
        {
            yield return new ScannedEntry($"{Backend.Name}#{record.Id}", record, null);
        }
    }

    /// <summary>The record as callers see it: sensitive values decrypted when a key is configured, markers as stored otherwise.</summary>
    /// <exception cref="MetadataEncryptionException">A value was encrypted with another key, or altered.</exception>
    public MetadataRecord Decrypt(MetadataRecord record)
    {
        if (Cipher is null) return record;
        var metadata = Cipher.Decrypt(record.Metadata, record.Id);
        return ReferenceEquals(metadata, record.Metadata) ? record : record with { Metadata = metadata };
    }

    /// <summary>Calls <paramref name="observer"/> for every corrupt entry a read skips while the returned scope lives.</summary>
    public IDisposable ObserveCorruptEntries(Action<string, Exception> observer)
    {
        lock (_observersLock) _corruptObservers = [.. _corruptObservers, observer];
        return new Unsubscriber(() =>
        {
            lock (_observersLock) _corruptObservers = [.. _corruptObservers.Where(o => o != observer)];
        });
    }

    /// <summary>
    /// A detached copy as a reader would get it from the backend: the payload re-read from its JSON text (so every
    /// value is the same kind of node a stored record holds) and the hash filled in if the writer has not yet.
    /// </summary>
    public static MetadataRecord Clone(MetadataRecord record)
    {
        var copy = record.Detached();
        return copy.MetadataHash.Length > 0 ? copy : copy with { MetadataHash = PythonJson.Hash(copy.Metadata) };
    }

    /// <summary>
    /// Calls <paramref name="collector"/> for every corrupt entry the reads made in this async flow skip, until the scope
    /// is disposed: unlike <see cref="ObserveCorruptEntries"/>, concurrent reads by other flows (other requests) are not heard.
    /// </summary>
    public static IDisposable CollectCorruptEntries(Action<string, Exception> collector)
    {
        var previous = CorruptCollector.Value;
        CorruptCollector.Value = collector;
        return new Unsubscriber(() => CorruptCollector.Value = previous);
    }

    private static JsonObject Reparse(JsonObject metadata) =>
        (JsonObject)PythonJson.Parse(PythonJson.Serialize(metadata, PythonJsonStyle.Compact))!;

    private Func<MetadataRecord, MetadataRecord>? _hookRecord; // made once: a method group makes a delegate per use

    private MetadataRecord DecryptHookRecord(MetadataRecord record)
    {
        try
        {
            return Decrypt(Clone(record));
        }
        catch (MetadataEncryptionException ex)
        {
            Logger.LogError(ex, "A saved hook gets record {Id} in its stored (encrypted) form", record.Id);
            return Clone(record);
        }
    }

    // ------------------------------------------------------------------ audit

    /// <summary>Queues one audit entry by the acting user (no I/O here). <paramref name="details"/> must never hold metadata values.</summary>
    public void Audit(string action, string? parentId, JsonObject? details, string? id = null, DateTimeOffset? at = null, string? user = null)
    {
        var timestamp = at ?? PythonTimestamp.Now(Clock);
        AuditQueue.Enqueue(new AuditEntry(id ?? Uuid7.NewString(timestamp), parentId, action, timestamp, user ?? ActingUser, details?.ToJsonString()));
    }

    /// <summary>Makes every audit entry queued so far durable (for removals and holds, which must not be lost).</summary>
    public ValueTask FlushAuditAsync(CancellationToken cancellationToken) => AuditQueue.FlushAsync(cancellationToken);

    private void AuditSaves(WriteBatch batch)
    {
        foreach (var r in batch.Records)
        {
            // Dated when the save was made (the record's timestamp), not when a buffered write reached the disk, and by
            // whoever made it (a buffered batch is written later, on the writer's thread).
            Audit(AuditActions.Save, r.Id, new JsonObject { ["model_name"] = r.ModelName, ["stage"] = r.Stage, ["event_type"] = r.EventType },
                at: r.Timestamp, user: batch.User);
        }
        foreach (var ev in batch.Events)
        {
            Audit(AuditActions.Save, ev.Id, new JsonObject { ["kind"] = "compliance_event", ["metadata_id"] = ev.MetadataId, ["framework"] = ev.Framework },
                at: ev.Timestamp, user: batch.User);
        }
    }

    // ------------------------------------------------------------------ state and closing

    /// <summary>Counters and sizes: writes, write and read latency, records (durable and pending), bytes on disk.</summary>
    public async ValueTask<StoragePerformanceMetrics> GetPerformanceMetricsAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        long durable = await Backend.CountAsync(cancellationToken).ConfigureAwait(false);
        long pending = Pending.Count;
        var (avgWrite, p95Write) = Metrics.WriteLatency;
        var (avgRead, p95Read) = Metrics.ReadLatency;
        return new StoragePerformanceMetrics
        {
            Backend = Backend.Name,
            Writes = Metrics.WriteCount,
            AvgWriteTimeMs = avgWrite,
            P95WriteTimeMs = p95Write,
            Reads = Metrics.ReadCount,
            AvgReadTimeMs = avgRead,
            P95ReadTimeMs = p95Read,
            RecordCount = durable + pending,
            PendingWrites = pending,
            WriteFailures = Metrics.FailureCount,
            CorruptEntriesSkipped = Metrics.CorruptCount,
            TotalSizeBytes = Backend.SizeOnDisk(),
        };
    }

    /// <summary>
    /// Closes the store once: stops <paramref name="first"/> (automatic cleanup, waiting for a run in progress), makes the
    /// writer's batches and then the audit entries durable (the writer's last batches add save entries), closes the
    /// backend. The first failure is rethrown after everything is closed.
    /// </summary>
    /// <exception cref="MetadataStorageException">Buffered writes or audit entries could not be made durable.</exception>
    public async ValueTask CloseAsync(IAsyncDisposable? first)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (first is not null) await first.DisposeAsync().ConfigureAwait(false);
        Exception? error = null;
        try
        {
            await Writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }
        try
        {
            await AuditQueue.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (error is not null)
        {
            Logger.LogError(ex, "Audit entries could not be written while closing the store");
        }
        catch (Exception ex)
        {
            error = ex;
        }
        if (error is null) await Ledger.CheckpointIfDueAsync(closing: true, CancellationToken.None).ConfigureAwait(false);
        // After the last write (its events are queued) and before the backend closes (the events read the ledger).
        if (Lineage is not null) await Lineage.DisposeAsync().ConfigureAwait(false);
        await Backend.DisposeAsync().ConfigureAwait(false);
        Metrics.Dispose();
        if (error is not null) ExceptionDispatchInfo.Throw(error);
    }

    // ------------------------------------------------------------------ opening

    private static string ResolveUser(MetadataStorageOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.UserId)) return options.UserId;
        string? fromEnvironment = Environment.GetEnvironmentVariable(UserEnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? Environment.UserName : fromEnvironment;
    }

    private static SensitiveDataCipher? CreateCipher(MetadataStorageOptions options, ILogger logger)
    {
        byte[]? key = options.EncryptionKey;
        if (key is null && !string.IsNullOrWhiteSpace(options.EncryptionKeyPath))
        {
            string path = Path.GetFullPath(options.EncryptionKeyPath);
            try
            {
                key = MetadataEncryption.LoadKey(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                throw new ArgumentException(
                    $"EncryptionKeyPath (encryption_key_path / CIAF_ENCRYPTION_KEY): the key file '{path}' cannot be used: {ex.Message}",
                    nameof(options), ex);
            }
            WarnIfReadableByOthers(path, logger);
        }
        return key is null ? null : new SensitiveDataCipher(key, options.SensitiveFields);
    }

    private static void WarnIfReadableByOthers(string path, ILogger logger)
    {
        if (KeyFiles.IsReadableByOthers(path))
        {
            logger.LogWarning("The encryption key file {Path} can be read by other users; restrict it to its owner (chmod 600)", path);
        }
    }

    private static void EnsureWritableFolder(string root, string backend)
    {
        if (File.Exists(root))
        {
            throw new MetadataStorageException($"The storage path '{root}' is a file; it must be a folder.") { Backend = backend, Path = root };
        }
        try
        {
            Directory.CreateDirectory(root);
            string probe = Path.Combine(root, $"{StoreFolders.WriteProbePrefix}{Guid.NewGuid():N}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new MetadataStorageException($"The storage path '{root}' cannot be written: {ex.Message}", ex) { Backend = backend, Path = root };
        }
    }

    private sealed class UserScope(string? previous) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) ActingUserScope.Value = previous;
        }
    }

    private sealed class Unsubscriber(Action unsubscribe) : IDisposable
    {
        public void Dispose() => unsubscribe();
    }
}
