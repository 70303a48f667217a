using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Ciaf.Metadata.Compression;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Backends.Files;

/// <summary>
/// The shared engine of the file-per-record backends (JSON, Pickle): one file per record under
/// <c>&lt;root&gt;/&lt;model_name&gt;/</c>, compliance events as JSON files
/// <c>&lt;root&gt;/compliance_events/&lt;event_id&gt;.json</c>, and <c>&lt;root&gt;/exports/</c> left to the exporters.
/// </summary>
/// <remarks>
/// <para>
/// <b>What a subclass supplies.</b> <see cref="Name"/>, <see cref="FileExtension"/>,
/// <see cref="GetFileName"/> (the name this library writes), <see cref="TryParseFileName"/> (reads both
/// this library's names and the Python reference's), <see cref="Serialize"/> and <see cref="Deserialize"/>.
/// Everything else (atomic writes, the id index, queries, corruption handling, path safety) lives here.
/// A Pickle backend (<c>&lt;stage&gt;_&lt;id&gt;.pkl</c>, reference <c>&lt;stage&gt;_&lt;id[:8]&gt;.pkl</c>, no date) is:
/// <code>
/// public override string Name =&gt; "pickle";
/// protected override string FileExtension =&gt; ".pkl";
/// protected override string GetFileName(MetadataRecord record, string idToken) =&gt; $"{record.Stage}_{idToken}.pkl";
/// protected override bool TryParseFileName(string fileName, out RecordFileName parsed)
/// {
///     parsed = default;
///     if (!fileName.EndsWith(".pkl", StringComparison.Ordinal)) return false;
///     if (!TrySplitStageAndIdToken(fileName.AsSpan(0, fileName.Length - 4), out var stage, out var token)) return false;
///     parsed = new RecordFileName(stage, token, Date: null);
///     return true;
/// }
/// protected override byte[] Serialize(MetadataRecord record) =&gt; ...;
/// protected override MetadataRecord Deserialize(ReadOnlySpan&lt;byte&gt; content) =&gt; ...;
/// </code>
/// </para>
/// <para>
/// <b>Names.</b> The id in this library's names is the full id, escaped by <see cref="EscapeIdToken"/>
/// (<c>%XX</c> for <c>_</c>, <c>%</c>, path separators, characters Windows forbids and control characters;
/// a UUID is unchanged), so the stage and id can be split at the last <c>_</c>. The reference writes
/// <c>id[:8]</c>; such files are indexed by that prefix and opened only when an id with that prefix is looked up.
/// The name is trusted to find and skip files (stage, date); the content is what is returned, and a
/// query re-checks every filter on the content.
/// </para>
/// <para>
/// <b>Writes</b> are atomic: a temporary file <c>.tmp-&lt;guid&gt;.tmp</c> in the same folder (a name that is never
/// a record name, for this library nor for the reference), flushed to disk, then renamed over the target.
/// Temporary files are ignored by reads; those older than a minute (left by a crash) are deleted on
/// open. Younger ones may belong to a write in progress in another process and are left alone.
/// Re-writing an id replaces its file; when the id already lives in another file (a reference-named
/// file, or a different model/stage/date), a file at the same model, stage and date is replaced in place,
/// otherwise the new file is written and then the old one deleted.
/// </para>
/// <para>
/// <b>Lookups</b> use an in-memory index id token → paths, built on first use by listing directory
/// entries (never opening files), kept up to date by this instance's writes and deletes, and refreshed by
/// listing again when a get or delete misses (another process may have added files since).
/// </para>
/// <para>
/// <b>Compression.</b> With <see cref="BackendContext.EnableCompression"/>, a record whose compact metadata JSON is larger
/// than <see cref="BackendContext.CompressionThresholdBytes"/> is written as its usual file's bytes compressed with zstd,
/// under its usual name plus <see cref="CompressedFileSuffix"/> (<c>2026-03-01_training_&lt;id&gt;.json.zst</c>). Reads
/// recognise the suffix whatever the setting, so stores written with compression on and off read alike. A compressed
/// file may expand to at most <see cref="MaxRecordFileBytes"/>; past that it is reported as corrupt, never expanded.
/// </para>
/// <para>Every member is safe to call from many threads at once.</para>
/// </remarks>
public abstract partial class FileMetadataBackend : IMetadataBackend, IComplianceEventStore, IAuditLog, IStoreState, IRecordScanBackend, IKnownRecordLookup
{
    /// <summary>The folder under the root holding compliance events; never a model folder.</summary>
    public const string ComplianceEventsFolderName = "compliance_events";

    /// <summary>The folder under the root holding exports; never a model folder.</summary>
    public const string ExportsFolderName = StoreFolders.Exports;

    /// <summary>The prefix of temporary files; a file starting with it is never a record.</summary>
    public const string TempFilePrefix = StoreFolders.TempFilePrefix;

    /// <summary>The longest file or folder name written, in UTF-8 bytes (the limit of common file systems).</summary>
    public const int MaxFileNameBytes = 255;

    /// <summary>The suffix added to a record file's name when its content is zstd-compressed (<c>.json.zst</c>, <c>.pkl.zst</c>).</summary>
    public const string CompressedFileSuffix = ".zst";

    /// <summary>The length of the id prefix the Python reference writes in its file names.</summary>
    protected const int ReferenceIdPrefixLength = 8;

    /// <summary>Temporary files older than this are considered left by a crash and deleted on open.</summary>
    internal static readonly TimeSpan StaleTempFileAge = TimeSpan.FromMinutes(1);

    private const string ComplianceEventExtension = ".json";
    private const int IdLockStripes = 64;

    private readonly BackendContext _context;
    private readonly string _root;
    private readonly string _rootWithSeparator;
    private readonly string _eventsFolder;
    private readonly Lock[] _idLocks;
    private readonly Lock _openLock = new();
    private readonly Lock _indexLock = new();
    private readonly Dictionary<string, HashSet<string>> _pathsByToken = new(StringComparer.Ordinal);
    private readonly FileLedgerLog _ledgerLog;
    private volatile bool _opened;
    private int _disposed;

    /// <summary>Creates the backend over <see cref="BackendContext.StoragePath"/> (created if missing).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="ArgumentException">The storage path is empty.</exception>
    /// <exception cref="MetadataStorageException">The root folder cannot be created.</exception>
    protected FileMetadataBackend(BackendContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(context.StoragePath))
        {
            throw new ArgumentException("The storage path is empty.", nameof(context));
        }
        _context = context;
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(context.StoragePath));
        _rootWithSeparator = Path.EndsInDirectorySeparator(_root) ? _root : _root + Path.DirectorySeparatorChar;
        _eventsFolder = Path.Combine(_root, ComplianceEventsFolderName);
        _ledgerLog = new FileLedgerLog(Path.Combine(_root, StoreFolders.Ledger, LeavesFileName));
        _idLocks = new Lock[IdLockStripes];
        for (int i = 0; i < _idLocks.Length; i++) _idLocks[i] = new Lock();
        try
        {
            Directory.CreateDirectory(_root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MetadataStorageException($"Cannot create the storage folder '{_root}': {ex.Message}", ex) { Path = _root };
        }
        // The index is built on first use (EnsureOpen), not here: building it calls the subclass's
        // overrides, which must not run before the subclass's constructor has.
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public string StoragePath => _root;

    /// <inheritdoc />
    public virtual string? DbPath => null;

    /// <summary>What the backend was opened with.</summary>
    protected BackendContext Context => _context;

    /// <summary>
    /// Whether this backend only reads (a store of another program, opened to be migrated): writes and deletes then
    /// throw <see cref="MetadataStorageException"/>. <c>false</c> by default.
    /// </summary>
    protected virtual bool IsReadOnly => false;

    /// <summary>
    /// The most bytes a compressed record file may expand to: 4 × <see cref="BackendContext.MaxMetadataBytes"/> + 1 MiB
    /// (an indented record file can be a few times larger than its compact metadata). A record whose file would be
    /// larger is written uncompressed, so this never refuses a file this library wrote under the same limit.
    /// </summary>
    protected long MaxRecordFileBytes => _context.MaxMetadataBytes > (long.MaxValue - (1L << 20)) / 4
        ? long.MaxValue
        : _context.MaxMetadataBytes * 4 + (1L << 20);

    /// <summary>The extension of record files, with the dot (<c>.json</c>, <c>.pkl</c>). Only such files are read.</summary>
    protected abstract string FileExtension { get; }

    /// <summary>
    /// The name of the file this backend writes for <paramref name="record"/> (no folder). It must end with
    /// <see cref="FileExtension"/>, and <see cref="TryParseFileName"/> must read it back with the record's stage
    /// and <paramref name="idToken"/>; the base class checks both before writing.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="idToken">The record's full id, already escaped for a file name (see <see cref="EscapeIdToken"/>).</param>
    protected abstract string GetFileName(MetadataRecord record, string idToken);

    /// <summary>
    /// Parses a file name (no folder) of this backend: this library's names and the reference's. Returns
    /// <c>false</c> for a name that is not one (the base class still opens such a file with the right
    /// extension during queries and lets its content decide).
    /// </summary>
    /// <param name="fileName">The file name, extension included.</param>
    /// <param name="parsed">The stage, the id token as written (escaped full id, or the reference's prefix) and the date if any.</param>
    protected abstract bool TryParseFileName(string fileName, out RecordFileName parsed);

    /// <summary>The bytes of a record's file.</summary>
    protected abstract byte[] Serialize(MetadataRecord record);

    /// <summary>Reads a record file. Any exception means the file is corrupt: it is skipped and reported.</summary>
    protected abstract MetadataRecord Deserialize(ReadOnlySpan<byte> content);

    /// <summary>
    /// Escapes an id for use in a file name: <c>_</c>, <c>%</c>, <c>/</c>, <c>\</c>, <c>: * ? " &lt; &gt; |</c>
    /// and control characters become <c>%XX</c>; everything else (a UUID entirely) is unchanged.
    /// </summary>
    protected static string EscapeIdToken(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Escape(id, escapeUnderscore: true);
    }

    /// <summary>Reverses <see cref="EscapeIdToken"/>; a token without <c>%</c> (every UUID, every reference prefix) is returned as is.</summary>
    protected static string UnescapeIdToken(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return token.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(token) : token;
    }

    /// <summary>
    /// Splits <c>&lt;stage&gt;_&lt;id&gt;</c> at the last underscore (stages may contain underscores, escaped ids
    /// never do). Both parts must be non-empty.
    /// </summary>
    protected static bool TrySplitStageAndIdToken(ReadOnlySpan<char> text, out string stage, out string idToken)
    {
        int cut = text.LastIndexOf('_');
        if (cut <= 0 || cut == text.Length - 1)
        {
            stage = idToken = string.Empty;
            return false;
        }
        stage = text[..cut].ToString();
        idToken = text[(cut + 1)..].ToString();
        return true;
    }

    // ------------------------------------------------------------------ records: write

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">
    /// A name cannot be stored safely (outside the root, too long, reserved) or the file system failed;
    /// names are checked for the whole batch before anything is written.
    /// </exception>
    public ValueTask WriteAsync(IReadOnlyList<MetadataRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        EnsureOpen();
        ThrowIfReadOnly("write records");
        var plans = new WritePlan[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            var record = records[i] ?? throw new ArgumentException($"The batch holds a null record at index {i}.", nameof(records));
            plans[i] = PlanWrite(record);
        }
        // Each record is a leaf whose effect is its file's bytes, at the place decided before the intent is written.
        WriteLogged(active =>
        {
            if (!active) return [.. plans.Select(plan => new LoggedWrite(null, [], () => WriteRecord(plan)))];
            string stamp = LeafDraft.Now();
            var writes = new List<LoggedWrite>(plans.Length);
            foreach (var plan in plans)
            {
                var (target, existing) = PlaceRecord(plan);
                writes.Add(new LoggedWrite(LeafDraft.ForRecord(plan.Record, stamp), [Effect(target, plan.Content)],
                    () => WriteRecordAt(plan, target, existing)));
            }
            return writes;
        }, cancellationToken);
        return ValueTask.CompletedTask;
    }

    private readonly record struct WritePlan(MetadataRecord Record, string Folder, string Path, RecordFileName Name, byte[] Content);

    private WritePlan PlanWrite(MetadataRecord record)
    {
        if (string.IsNullOrEmpty(record.Id))
        {
            throw new MetadataStorageException($"The {Name} backend cannot store a record without an id (model '{record.ModelName}', stage '{record.Stage}').")
            { Backend = Name };
        }
        string folder = ModelFolder(record.ModelName, record.Id);
        if (string.IsNullOrEmpty(record.Stage) || HasSeparatorOrControl(record.Stage))
        {
            throw Fail($"Cannot store record '{record.Id}' of model '{record.ModelName}': the stage '{record.Stage}' is empty or holds a path separator or control character.",
                folder, record.Id);
        }
        string token = EscapeIdToken(record.Id);
        string fileName = GetFileName(record, token);
        int bytes = Encoding.UTF8.GetByteCount(fileName);
        if (bytes > MaxFileNameBytes)
        {
            throw Fail($"Cannot store record '{record.Id}' of model '{record.ModelName}', stage '{record.Stage}': its file name would be {bytes} UTF-8 bytes, over the {MaxFileNameBytes}-byte limit of file systems. Use a shorter model or stage name.",
                folder, record.Id);
        }
        if (fileName.StartsWith('.')
            || !fileName.EndsWith(FileExtension, StringComparison.Ordinal)
            || !TryParseFileName(fileName, out var parsed)
            || !string.Equals(parsed.Stage, record.Stage, StringComparison.Ordinal)
            || !string.Equals(parsed.IdToken, token, StringComparison.Ordinal))
        {
            throw Fail($"Cannot store record '{record.Id}' of model '{record.ModelName}': stage '{record.Stage}' cannot be written in a file name that reads back unchanged ('{fileName}').",
                folder, record.Id);
        }
        string path = ChildPath(folder, fileName, record.Id);
        byte[] content;
        try
        {
            content = Serialize(record);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Fail($"The {Name} backend could not serialize record '{record.Id}': {ex.Message}", path, record.Id, ex);
        }
        if (_context.EnableCompression
            && bytes + CompressedFileSuffix.Length <= MaxFileNameBytes
            && content.Length <= MaxRecordFileBytes
            && MetadataCompression.Exceeds(record.Metadata, _context.CompressionThresholdBytes))
        {
            content = MetadataCompression.CompressZstd(content);
            path = ChildPath(folder, fileName + CompressedFileSuffix, record.Id);
        }
        return new WritePlan(record, folder, path, parsed, content);
    }

    private void WriteRecord(WritePlan plan)
    {
        lock (IdLock(plan.Record.Id))
        {
            var (target, existing) = PlaceRecord(plan);
            WriteRecordAt(plan, target, existing);
        }
    }

    // Where the record goes, and where its id lives now (verified by content). A file at the same model, stage and date
    // is replaced in place (one atomic rename, never two files); any other is deleted after the write.
    private (string Target, List<Located> Existing) PlaceRecord(WritePlan plan)
    {
        var existing = Locate(plan.Record.Id, refreshOnMiss: false, stopAtFirst: false);
        string? inPlace = null;
        foreach (var loc in existing)
        {
            if (string.Equals(loc.Path, plan.Path, StringComparison.Ordinal))
            {
                inPlace = null;
                break;
            }
            if (inPlace is null
                && IsCompressedPath(loc.Path) == IsCompressedPath(plan.Path)
                && string.Equals(Path.GetDirectoryName(loc.Path), plan.Folder, StringComparison.Ordinal)
                && loc.Name is { } name
                && string.Equals(name.Stage, plan.Name.Stage, StringComparison.Ordinal)
                && name.Date == plan.Name.Date)
            {
                inPlace = loc.Path;
            }
        }
        return (inPlace ?? plan.Path, existing);
    }

    private void WriteRecordAt(WritePlan plan, string target, List<Located> existing)
    {
        string id = plan.Record.Id;
        lock (IdLock(id))
        {
            WriteFileAtomically(target, plan.Content, id);
            AddToIndex(target);
            foreach (var loc in existing)
            {
                if (string.Equals(loc.Path, target, StringComparison.Ordinal)) continue;
                DeleteFile(loc.Path, id);
                RemoveFromIndex(loc.Path);
            }
        }
    }

    private void WriteFileAtomically(string path, byte[] content, string id)
    {
        string folder = Path.GetDirectoryName(path)!;
        string temp = Path.Combine(folder, TempFilePrefix + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDeleteTemp(temp);
            throw Fail($"The {Name} backend could not write '{id}' to '{path}': {ex.Message}", path, id, ex);
        }
    }

    // ------------------------------------------------------------------ records: read

    /// <inheritdoc />
    public ValueTask<MetadataRecord?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        Get(id, refreshOnMiss: true, cancellationToken);

    /// <inheritdoc />
    /// <remarks>As <see cref="GetAsync"/>, without re-listing the folders when the id is not in the index.</remarks>
    public ValueTask<MetadataRecord?> GetKnownAsync(string id, CancellationToken cancellationToken = default) =>
        Get(id, refreshOnMiss: false, cancellationToken);

    private ValueTask<MetadataRecord?> Get(string id, bool refreshOnMiss, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        EnsureOpen();
        cancellationToken.ThrowIfCancellationRequested();
        var found = Locate(id, refreshOnMiss, stopAtFirst: true);
        return ValueTask.FromResult(found.Count > 0 ? found[0].Record : null);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Files are chosen by name before any is opened: only the model's folder (all model folders when no
    /// model is given), only names with the exact stage, and for dated layouts only the days the time range
    /// covers; with a limit, older (or newer) days are not opened once enough records are found. Files
    /// whose names cannot be parsed are opened and judged by content.
    /// </remarks>
    /// <exception cref="MetadataStorageException">The model name would lead outside the root.</exception>
    public async IAsyncEnumerable<MetadataRecord> QueryAsync(MetadataQuery query,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        EnsureOpen();
        if (query.Limit is <= 0) yield break;

        IEnumerable<string> folders;
        if (query.ModelName is { } model)
        {
            if (IsReservedFolderName(model)) yield break;
            folders = [ModelFolder(model, recordId: null)];
        }
        else
        {
            folders = ModelFolders();
        }

        // The days the time range covers (Until is exclusive). A file's date is its record's UTC date.
        if (query.Until is { UtcTicks: 0 }) yield break;
        DateOnly? firstDay = query.Since is { } since ? DateOnly.FromDateTime(since.UtcDateTime) : null;
        DateOnly? lastDay = query.Until is { } until ? DateOnly.FromDateTime(until.UtcDateTime.AddTicks(-1)) : null;

        var undated = new List<string>();
        var byDay = new SortedDictionary<DateOnly, List<string>>();
        foreach (var folder in folders)
        {
            foreach (var file in ListFolder(folder, reportErrors: true))
            {
                if (file.Name is { } name)
                {
                    if (query.Stage is not null && !string.Equals(name.Stage, query.Stage, StringComparison.Ordinal)) continue;
                    if (name.Date is { } day)
                    {
                        if (day < firstDay || day > lastDay) continue;
                        if (!byDay.TryGetValue(day, out var list)) byDay[day] = list = [];
                        list.Add(file.Path);
                        continue;
                    }
                }
                undated.Add(file.Path);
            }
        }

        var matches = new List<MetadataRecord>();
        foreach (var record in await ReadRecordsAsync(undated, cancellationToken).ConfigureAwait(false))
        {
            if (query.Matches(record)) matches.Add(record);
        }

        // Days are disjoint time ranges. Once `limit` records from already-read days are in hand (each
        // strictly better placed than anything in the days not read yet), the remaining days cannot
        // contribute. Records of undated files do not count towards that: they may lie anywhere in time.
        int datedInHand = 0;
        var days = query.Order == RecordOrder.NewestFirst ? byDay.Reverse() : byDay;
        foreach (var (day, paths) in days)
        {
            if (query.Limit is { } limit && datedInHand >= limit) break;
            foreach (var record in await ReadRecordsAsync(paths, cancellationToken).ConfigureAwait(false))
            {
                if (!query.Matches(record)) continue;
                matches.Add(record);
                if (DateOnly.FromDateTime(record.Timestamp.UtcDateTime) == day) datedInHand++;
            }
        }

        matches.Sort(query.Compare);
        int take = query.Limit is { } n ? Math.Min(n, matches.Count) : matches.Count;
        for (int i = 0; i < take; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return matches[i];
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Model folders in name order, each folder's record files in name order (for dated layouts: day by day),
    /// one file read at a time; nothing is sorted by content, so memory stays flat. A file removed while the
    /// scan runs is skipped; an unreadable one is yielded with its error (and reported as corrupt).
    /// </remarks>
    public async IAsyncEnumerable<ScannedEntry> ScanAsync(string? modelName,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        List<string> folders;
        if (modelName is not null)
        {
            if (IsReservedFolderName(modelName)) yield break;
            folders = [ModelFolder(modelName, recordId: null)];
        }
        else
        {
            folders = [.. ModelFolders().Order(StringComparer.Ordinal)];
        }
        foreach (var folder in folders)
        {
            var paths = ListFolder(folder, reportErrors: true).Select(f => f.Path).Order(StringComparer.Ordinal).ToList();
            foreach (var path in paths)
            {
                cancellationToken.ThrowIfCancellationRequested();
                byte[]? content = null;
                string? error = null;
                try
                {
                    content = await StoreFileReader.ReadAsync(path, MaxRecordFileBytes, ReadShare, emptyIsNothing: false, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                {
                    continue; // deleted or renamed since it was listed
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    ReportCorrupt(path, ex);
                    error = ex.Message;
                }
                MetadataRecord? record = null;
                try
                {
                    if (content is not null) record = DeserializeFile(path, content);
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                {
                    ReportCorrupt(path, ex);
                    error = ex.Message;
                }
                if (record is not null && modelName is not null && !string.Equals(record.ModelName, modelName, StringComparison.Ordinal)) continue;
                yield return new ScannedEntry(path, record, error);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        long count = 0;
        foreach (var folder in ModelFolders())
        {
            cancellationToken.ThrowIfCancellationRequested();
            count += ListFolder(folder, reportErrors: false).Count;
        }
        return ValueTask.FromResult(count);
    }

    /// <inheritdoc />
    /// <remarks>Every file under the root: records, compliance events, exports and any temporary file.</remarks>
    public long SizeOnDisk()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        try
        {
            foreach (var file in new DirectoryInfo(_root).EnumerateFiles("*", options))
            {
                try
                {
                    total += file.Length;
                }
                catch (IOException)
                {
                    // Deleted while we were counting.
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            return 0;
        }
        return total;
    }

    // ------------------------------------------------------------------ records: delete

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">A file could not be deleted.</exception>
    public ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        EnsureOpen();
        ThrowIfReadOnly("delete records");
        return ValueTask.FromResult(DeleteRecords(ids, "delete", cancellationToken));
    }

    // Each id deleted leaves a tombstone saying why (reason), whose effect is every file it was in gone.
    private int DeleteRecords(IEnumerable<string> ids, string reason, CancellationToken cancellationToken)
    {
        int deleted = 0;
        void Delete(string id, List<Located> found)
        {
            foreach (var loc in found)
            {
                DeleteFile(loc.Path, id);
                RemoveFromIndex(loc.Path);
            }
            if (found.Count > 0) deleted++;
        }
        WriteLogged(active =>
        {
            string stamp = LeafDraft.Now();
            var writes = new List<LoggedWrite>();
            foreach (var id in ids.Distinct(StringComparer.Ordinal))
            {
                if (string.IsNullOrEmpty(id)) continue;
                if (!active)
                {
                    writes.Add(new LoggedWrite(null, [], () =>
                    {
                        lock (IdLock(id)) Delete(id, Locate(id, refreshOnMiss: true, stopAtFirst: false));
                    }));
                    continue;
                }
                var found = Locate(id, refreshOnMiss: true, stopAtFirst: false);
                if (found.Count == 0) continue;
                writes.Add(new LoggedWrite(LeafDraft.ForTombstone(LeafDraft.OfRecord, id, reason, stamp), [.. found.Select(l => Effect(l.Path, null))], () =>
                {
                    lock (IdLock(id)) Delete(id, found);
                }));
            }
            return writes;
        }, cancellationToken);
        // Empty model folders are left in place: removing one could race with a concurrent write that
        // has just created it.
        return deleted;
    }

    // ------------------------------------------------------------------ compliance events

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">An id cannot be a file name, or the file system failed.</exception>
    public ValueTask WriteComplianceEventsAsync(IReadOnlyList<ComplianceEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        EnsureOpen();
        ThrowIfReadOnly("write compliance events");
        var plans = new (string Path, byte[] Content, string Id)[events.Count];
        for (int i = 0; i < events.Count; i++)
        {
            var ev = events[i] ?? throw new ArgumentException($"The batch holds a null event at index {i}.", nameof(events));
            plans[i] = (ComplianceEventPath(ev.Id), RecordJson.ToFileBytes(ev), ev.Id);
        }
        WriteLogged(active =>
        {
            string stamp = LeafDraft.Now();
            return [.. plans.Select((plan, i) => active
                ? new LoggedWrite(LeafDraft.ForEvent(events[i], stamp), [Effect(plan.Path, plan.Content)], () => WriteFileAtomically(plan.Path, plan.Content, plan.Id))
                : new LoggedWrite(null, [], () => WriteFileAtomically(plan.Path, plan.Content, plan.Id)))];
        }, cancellationToken);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ComplianceEvent> QueryComplianceEventsAsync(ComplianceEventQuery query,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        EnsureOpen();
        if (query.Limit is <= 0) yield break;
        var paths = new List<string>();
        foreach (var path in EnumerateFilesSafe(_eventsFolder, reportErrors: true))
        {
            var name = Path.GetFileName(path);
            if (!name.StartsWith(TempFilePrefix, StringComparison.Ordinal)
                && name.EndsWith(ComplianceEventExtension, StringComparison.Ordinal))
            {
                paths.Add(path);
            }
        }
        var events = new List<ComplianceEvent>();
        foreach (var path in paths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var content = await ReadFileAsync(path, cancellationToken).ConfigureAwait(false);
            if (content is null) continue;
            ComplianceEvent ev;
            try
            {
                ev = RecordJson.ComplianceEventFromFileBytes(content);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ReportCorrupt(path, ex);
                continue;
            }
            if (query.Matches(ev)) events.Add(ev);
        }
        events.Sort(ComplianceEventQuery.Compare);
        int take = query.Limit is { } n ? Math.Min(n, events.Count) : events.Count;
        for (int i = 0; i < take; i++) yield return events[i];
    }

    /// <inheritdoc />
    public ValueTask<int> DeleteComplianceEventsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        EnsureOpen();
        ThrowIfReadOnly("delete compliance events");
        return ValueTask.FromResult(DeleteComplianceEvents(ids, "delete", cancellationToken));
    }

    private int DeleteComplianceEvents(IEnumerable<string> ids, string reason, CancellationToken cancellationToken)
    {
        int deleted = 0;
        WriteLogged(active =>
        {
            string stamp = LeafDraft.Now();
            var writes = new List<LoggedWrite>();
            foreach (var id in ids.Distinct(StringComparer.Ordinal))
            {
                if (string.IsNullOrEmpty(id)) continue;
                string path = ComplianceEventPath(id);
                void Delete()
                {
                    if (!File.Exists(path)) return;
                    DeleteFile(path, id);
                    deleted++;
                }
                writes.Add(active && File.Exists(path)
                    ? new LoggedWrite(LeafDraft.ForTombstone(LeafDraft.OfComplianceEvent, id, reason, stamp), [Effect(path, null)], Delete)
                    : new LoggedWrite(null, [], Delete));
            }
            return writes;
        }, cancellationToken);
        return deleted;
    }

    private string ComplianceEventPath(string id)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new MetadataStorageException($"The {Name} backend cannot store a compliance event without an id.") { Backend = Name };
        }
        // A leading dot is escaped too, so an id can never look like a temporary or hidden file.
        string escaped = Escape(id, escapeUnderscore: false);
        if (escaped[0] == '.') escaped = "%2E" + escaped[1..];
        string fileName = escaped + ComplianceEventExtension;
        if (Encoding.UTF8.GetByteCount(fileName) > MaxFileNameBytes)
        {
            throw Fail($"Cannot store compliance event '{id}': its file name would be over the {MaxFileNameBytes}-byte limit of file systems.", _eventsFolder, id);
        }
        return ChildPath(_eventsFolder, fileName, id);
    }

    // ------------------------------------------------------------------ disposal

    /// <summary>Marks the backend disposed; later calls throw <see cref="ObjectDisposedException"/>. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>The reference's dated layout: <c>&lt;YYYY-MM-DD&gt;_&lt;stage&gt;_&lt;idToken&gt;&lt;extension&gt;</c>, the date from the UTC timestamp.</summary>
    protected static string DatedFileName(MetadataRecord record, string idToken, string extension)
    {
        ArgumentNullException.ThrowIfNull(record);
        string date = record.Timestamp.UtcDateTime.ToString(FileDateFormat, System.Globalization.CultureInfo.InvariantCulture);
        return $"{date}_{record.Stage}_{idToken}{extension}";
    }

    /// <summary>Parses a name of the dated layout (see <see cref="DatedFileName"/>).</summary>
    protected static bool TryParseDatedFileName(string fileName, string extension, out RecordFileName parsed)
    {
        parsed = default;
        if (fileName is null || !fileName.EndsWith(extension, StringComparison.Ordinal)) return false;
        var stem = fileName.AsSpan(0, fileName.Length - extension.Length);
        if (stem.Length < FileDateFormat.Length + 2 || stem[FileDateFormat.Length] != '_') return false;
        if (!TryParseFileDate(stem[..FileDateFormat.Length], out var date)) return false;
        if (!TrySplitStageAndIdToken(stem[(FileDateFormat.Length + 1)..], out var stage, out var token)) return false;
        parsed = new RecordFileName(stage, token, date);
        return true;
    }

    private const string FileDateFormat = "yyyy-MM-dd";

    // FileDateFormat read digit by digit: every write and every listing parses names, and DateOnly.TryParseExact with a
    // format string was a fifth of a buffered JSON writer's time. Same answers: four, two and two ASCII digits, a real date.
    internal static bool TryParseFileDate(ReadOnlySpan<char> text, out DateOnly date)
    {
        date = default;
        if (text.Length != FileDateFormat.Length || text[4] != '-' || text[7] != '-') return false;
        int year = Digits(text[..4]), month = Digits(text.Slice(5, 2)), day = Digits(text.Slice(8, 2));
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        date = new DateOnly(year, month, day);
        return true;

        static int Digits(ReadOnlySpan<char> digits)
        {
            int n = 0;
            foreach (char c in digits)
            {
                if (!char.IsAsciiDigit(c)) return -1;
                n = n * 10 + (c - '0');
            }
            return n;
        }
    }

    /// <summary>Releases a subclass's resources; called once, by <see cref="DisposeAsync"/>. Every write is already durable.</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;

    // ------------------------------------------------------------------ the index

    private readonly record struct ListedFile(string Path, RecordFileName? Name);

    private readonly record struct Located(string Path, RecordFileName? Name, MetadataRecord Record);

    private void EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_opened) return;
        lock (_openLock)
        {
            if (_opened) return;
            DeleteStaleTempFiles();
            RefreshIndex();
            OpenLedger();
            _opened = true;
        }
    }

    /// <summary>Adds every record file on disk to the index (listing names only). Entries are only ever added
    /// here; an entry whose file is gone is dropped when a lookup finds it missing.</summary>
    private void RefreshIndex()
    {
        var listing = new List<(string Token, string Path)>();
        foreach (var folder in ModelFolders())
        {
            foreach (var file in ListFolder(folder, reportErrors: false))
            {
                if (file.Name is { } name) listing.Add((name.IdToken, file.Path));
            }
        }
        lock (_indexLock)
        {
            foreach (var (token, path) in listing) AddToIndexLocked(token, path);
        }
    }

    private void AddToIndex(string path)
    {
        if (!TryParseName(Path.GetFileName(path), out var name)) return;
        lock (_indexLock) AddToIndexLocked(name.IdToken, path);
    }

    private void AddToIndexLocked(string token, string path)
    {
        if (!_pathsByToken.TryGetValue(token, out var paths)) _pathsByToken[token] = paths = new HashSet<string>(StringComparer.Ordinal);
        paths.Add(path);
    }

    private void RemoveFromIndex(string path)
    {
        if (!TryParseName(Path.GetFileName(path), out var name)) return;
        lock (_indexLock)
        {
            if (_pathsByToken.TryGetValue(name.IdToken, out var paths) && paths.Remove(path) && paths.Count == 0)
            {
                _pathsByToken.Remove(name.IdToken);
            }
        }
    }

    /// <summary>The files that may hold <paramref name="id"/>: named with the full id first, then with the reference's prefix.</summary>
    private List<string> Candidates(string id)
    {
        var result = new List<string>();
        string prefix = PythonPrefix(id, ReferenceIdPrefixLength);
        lock (_indexLock)
        {
            if (_pathsByToken.TryGetValue(id, out var exact)) result.AddRange(exact);
            if (prefix.Length < id.Length && _pathsByToken.TryGetValue(prefix, out var byPrefix)) result.AddRange(byPrefix);
        }
        return result;
    }

    /// <summary>The files holding <paramref name="id"/>, verified by content (a name is only a hint).</summary>
    private List<Located> Locate(string id, bool refreshOnMiss, bool stopAtFirst)
    {
        var found = new List<Located>();
        var tried = new HashSet<string>(StringComparer.Ordinal);
        Probe(id, tried, found, stopAtFirst);
        if (found.Count == 0 && refreshOnMiss)
        {
            RefreshIndex();
            Probe(id, tried, found, stopAtFirst);
        }
        return found;
    }

    private void Probe(string id, HashSet<string> tried, List<Located> found, bool stopAtFirst)
    {
        foreach (var path in Candidates(id))
        {
            if (!tried.Add(path)) continue;
            var content = ReadFile(path, out bool gone);
            if (content is null)
            {
                // A file deleted or renamed since it was listed: drop it. An unreadable one (reported) stays.
                if (gone) RemoveFromIndex(path);
                continue;
            }
            var record = TryDeserialize(path, content);
            if (record is null || !string.Equals(record.Id, id, StringComparison.Ordinal)) continue;
            found.Add(new Located(path, TryParseName(Path.GetFileName(path), out var name) ? name : null, record));
            if (stopAtFirst) return;
        }
    }

    // ------------------------------------------------------------------ listing and reading

    private IEnumerable<string> ModelFolders()
    {
        var result = new List<string>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(_root))
            {
                if (!IsReservedFolderName(Path.GetFileName(dir))) result.Add(dir);
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The root was removed under us: an empty store.
        }
        return result;
    }

    /// <summary>The record files of a folder (right extension, not temporary), with their parsed names.</summary>
    private List<ListedFile> ListFolder(string folder, bool reportErrors)
    {
        var result = new List<ListedFile>();
        foreach (var path in EnumerateFilesSafe(folder, reportErrors))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith(TempFilePrefix, StringComparison.Ordinal) || !IsRecordFileName(name)) continue;
            result.Add(new ListedFile(path, TryParseName(name, out var parsed) ? parsed : null));
        }
        return result;
    }

    private List<string> EnumerateFilesSafe(string folder, bool reportErrors)
    {
        try
        {
            // A folder that is a link would take reads outside the store: it is reported, not followed.
            if (new DirectoryInfo(folder).LinkTarget is { } target)
            {
                throw new IOException($"'{folder}' is a symbolic link (to '{target}'); store folders are never read through links");
            }
            return [.. Directory.EnumerateFiles(folder)];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (reportErrors) ReportCorrupt(folder, ex);
            return [];
        }
    }

    /// <summary>Parses a name and unescapes its id token; rejects empty parts.</summary>
    private bool TryParseName(string fileName, out RecordFileName name)
    {
        // A compressed file's name is its plain name plus the suffix: the subclass parses the plain name.
        if (IsCompressedPath(fileName)) fileName = fileName[..^CompressedFileSuffix.Length];
        if (TryParseFileName(fileName, out var parsed) && !string.IsNullOrEmpty(parsed.Stage) && !string.IsNullOrEmpty(parsed.IdToken))
        {
            name = parsed with { IdToken = UnescapeIdToken(parsed.IdToken) };
            return true;
        }
        name = default;
        return false;
    }

    private async Task<List<MetadataRecord>> ReadRecordsAsync(List<string> paths, CancellationToken cancellationToken)
    {
        var slots = new MetadataRecord?[paths.Count];
        var options = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = Math.Min(Environment.ProcessorCount, 8),
        };
        await Parallel.ForEachAsync(Enumerable.Range(0, paths.Count), options, async (i, ct) =>
        {
            var content = await ReadFileAsync(paths[i], ct).ConfigureAwait(false);
            if (content is not null) slots[i] = TryDeserialize(paths[i], content);
        }).ConfigureAwait(false);
        var result = new List<MetadataRecord>(paths.Count);
        foreach (var record in slots)
        {
            if (record is not null) result.Add(record);
        }
        return result;
    }

    /// <summary>The record in a file's bytes, decompressed first when its name says so (bounded by <see cref="MaxRecordFileBytes"/>).</summary>
    private MetadataRecord DeserializeFile(string path, byte[] content)
    {
        if (IsCompressedPath(path))
        {
            content = MetadataCompression.Decompress(content, MetadataCompression.Zstd, MaxRecordFileBytes,
                "4 × max_metadata_bytes + 1 MiB for a record file");
        }
        return Deserialize(content) ?? throw new FormatException("the file holds no record");
    }

    private MetadataRecord? TryDeserialize(string path, byte[] content)
    {
        try
        {
            return DeserializeFile(path, content);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            ReportCorrupt(path, ex);
            return null;
        }
    }

    // Files are opened with FileShare.Delete so that a concurrent atomic rename over them (or a delete)
    // succeeds on Windows too; on Unix the reader keeps the old inode and sees a whole file either way.
    private const FileShare ReadShare = FileShare.ReadWrite | FileShare.Delete;

    /// <summary>The file's bytes; <c>null</c> if it is gone (deleted or renamed meanwhile) or unreadable (reported).</summary>
    private byte[]? ReadFile(string path, out bool gone)
    {
        gone = false;
        try
        {
            return StoreFileReader.Read(path, MaxRecordFileBytes, ReadShare, emptyIsNothing: false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            gone = true;
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ReportCorrupt(path, ex);
            return null;
        }
    }

    /// <summary>
    /// A record, compliance event or state file's bytes (at most <see cref="MaxRecordFileBytes"/>); <c>null</c> if it
    /// is gone or unreadable (reported).
    /// </summary>
    private Task<byte[]?> ReadFileAsync(string path, CancellationToken cancellationToken) =>
        ReadFileAsync(path, MaxRecordFileBytes, emptyIsNothing: false, cancellationToken);

    /// <summary>
    /// A file's bytes, at most <paramref name="maxBytes"/>; <c>null</c> if it is gone or unreadable (reported).
    /// Links, FIFOs, devices and files past the limit are refused without being opened (see <see cref="StoreFileReader"/>).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The largest file read.</param>
    /// <param name="emptyIsNothing">Whether a 0-byte entry is an empty file to return as such rather than an error.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    private async Task<byte[]?> ReadFileAsync(string path, long maxBytes, bool emptyIsNothing, CancellationToken cancellationToken)
    {
        try
        {
            return await StoreFileReader.ReadAsync(path, maxBytes, ReadShare, emptyIsNothing, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ReportCorrupt(path, ex);
            return null;
        }
    }

    // ------------------------------------------------------------------ files and paths

    private void DeleteStaleTempFiles()
    {
        var folders = new List<string>(ModelFolders()) { _eventsFolder, LedgerFolder, CheckpointsFolder };
        var cutoff = DateTime.UtcNow - StaleTempFileAge;
        foreach (var folder in folders)
        {
            foreach (var path in EnumerateFilesSafe(folder, reportErrors: false))
            {
                if (!Path.GetFileName(path).StartsWith(TempFilePrefix, StringComparison.Ordinal)) continue;
                try
                {
                    if (File.GetLastWriteTimeUtc(path) > cutoff) continue; // maybe a write in progress elsewhere
                    File.Delete(path);
                    FileBackendLog.StaleTempFileDeleted(_context.Logger, Name, path);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    FileBackendLog.TempFileDeleteFailed(_context.Logger, Name, path, ex);
                }
            }
        }
    }

    private void TryDeleteTemp(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            FileBackendLog.TempFileDeleteFailed(_context.Logger, Name, temp, ex);
        }
    }

    private void DeleteFile(string path, string id)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail($"The {Name} backend could not delete '{path}' (id '{id}'): {ex.Message}", path, id, ex);
        }
    }

    /// <summary>A record file of this backend: <see cref="FileExtension"/>, optionally followed by <see cref="CompressedFileSuffix"/>.</summary>
    private bool IsRecordFileName(string name) =>
        name.EndsWith(FileExtension, StringComparison.Ordinal)
        || (IsCompressedPath(name) && name.AsSpan(0, name.Length - CompressedFileSuffix.Length).EndsWith(FileExtension, StringComparison.Ordinal));

    private static bool IsCompressedPath(string pathOrName) => pathOrName.EndsWith(CompressedFileSuffix, StringComparison.Ordinal);

    private void ThrowIfReadOnly(string operation)
    {
        if (IsReadOnly)
        {
            throw new MetadataStorageException(
                $"The {Name} backend is read-only and cannot {operation} (store '{_root}'): open it to read or migrate it into a writable backend.")
            { Backend = Name, Path = _root };
        }
    }

    /// <summary>Both separators are refused on every OS, so a store stays valid when copied to Windows.</summary>
    private static bool HasSeparatorOrControl(string name)
    {
        foreach (char c in name)
        {
            if (c is '/' or '\\' || char.IsControl(c)) return true;
        }
        return false;
    }

    private static bool IsReservedFolderName(string name) =>
        // Compared without case: on case-insensitive file systems "Exports" is the exports folder.
        string.Equals(name, ComplianceEventsFolderName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, ExportsFolderName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, AuditFolderName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, StoreFolders.Ledger, StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder of a model, checked to be a direct child of the root.</summary>
    private string ModelFolder(string modelName, string? recordId)
    {
        if (string.IsNullOrEmpty(modelName))
        {
            throw Fail("The model name is empty.", _root, recordId);
        }
        if (HasSeparatorOrControl(modelName))
        {
            throw Fail($"The model name '{modelName}' holds a path separator or control character.", _root, recordId);
        }
        if (IsReservedFolderName(modelName))
        {
            throw Fail($"The model name '{modelName}' is reserved by the {Name} backend (the '{ComplianceEventsFolderName}' and '{ExportsFolderName}' folders).", _root, recordId);
        }
        int bytes = Encoding.UTF8.GetByteCount(modelName);
        if (bytes > MaxFileNameBytes)
        {
            throw Fail($"The model name '{modelName}' is {bytes} UTF-8 bytes, over the {MaxFileNameBytes}-byte limit of folder names.", _root, recordId);
        }
        return ChildPath(_root, modelName, recordId);
    }

    /// <summary><paramref name="folder"/>/<paramref name="name"/>, checked to be exactly that child and under the root.</summary>
    private string ChildPath(string folder, string name, string? recordId)
    {
        string full;
        try
        {
            full = Path.GetFullPath(Path.Combine(folder, name));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Fail($"'{name}' cannot be used as a file or folder name: {ex.Message}", folder, recordId, ex);
        }
        if (!full.StartsWith(_rootWithSeparator, StringComparison.Ordinal)
            || !string.Equals(Path.GetDirectoryName(full), folder, StringComparison.Ordinal)
            || !string.Equals(Path.GetFileName(full), name, StringComparison.Ordinal))
        {
            throw Fail($"The name '{name}' would lead outside the {Name} store's folder '{folder}'; refusing to use it.", full, recordId);
        }
        return full;
    }

    private MetadataStorageException Fail(string message, string path, string? recordId, Exception? inner = null)
    {
        // Every message names the backend, the path and the record, whether or not its sentence did.
        var context = new List<string>(3);
        if (!message.Contains($"{Name} backend", StringComparison.Ordinal)) context.Add($"backend '{Name}'");
        if (!message.Contains(path, StringComparison.Ordinal)) context.Add($"path '{path}'");
        if (recordId is not null && !message.Contains(recordId, StringComparison.Ordinal)) context.Add($"record '{recordId}'");
        string text = context.Count == 0 ? message : $"{message} ({string.Join(", ", context)})";
        return inner is null
            ? new MetadataStorageException(text) { Backend = Name, Path = path, RecordId = recordId }
            : new MetadataStorageException(text, inner) { Backend = Name, Path = path, RecordId = recordId };
    }

    private void ReportCorrupt(string path, Exception ex)
    {
        FileBackendLog.CorruptEntry(_context.Logger, Name, path, ex);
        _context.ReportCorrupt(path, ex);
    }

    private Lock IdLock(string id) => _idLocks[(uint)StringComparer.Ordinal.GetHashCode(id) % IdLockStripes];

    /// <summary>Python's <c>id[:n]</c>: the first <paramref name="codePoints"/> code points (not UTF-16 units).</summary>
    private static string PythonPrefix(string id, int codePoints)
    {
        int i = 0;
        for (int n = 0; i < id.Length && n < codePoints; n++)
        {
            i += char.IsHighSurrogate(id[i]) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]) ? 2 : 1;
        }
        return id[..i];
    }

    private static string Escape(string value, bool escapeUnderscore)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            bool escape = c < 0x20 || c == 0x7f
                || c is '%' or '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|'
                || (escapeUnderscore && c == '_');
            if (escape)
            {
                sb ??= new StringBuilder(value.Length + 8).Append(value, 0, i);
                sb.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb?.Append(c);
            }
        }
        return sb?.ToString() ?? value;
    }
}
