using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Backends.Files;

// The audit trail and the small store state of the file backends.
//
// Audit: <root>/audit/<YYYY-MM-DD>.jsonl, one JSON line per entry (AuditJson), the file of the entry's
// UTC date. Appends from several processes are serialized by an exclusive lock on <root>/audit/.lock
// (FileShare.None: an OS lock on Windows, flock on Unix); the log files themselves are opened with
// FileShare.ReadWrite | Delete, so readers never wait. A line without its final '\n' (a writer killed
// mid-append, or one still writing) is ignored by readers, and the next writer starts on a new line.
// A retried batch may append an entry twice: readers drop repeated ids.
//
// State: <root>/audit/<scope>/<first 32 hex of SHA-256(key)>.json = {"key": ..., "value": ...}, one file
// per key, written atomically (temporary file + rename), deleted when the value is removed. Writes and guarded
// deletes (IGuardedDeleteBackend) of a scope hold an exclusive lock on <root>/audit/<scope>/.lock, so a guard
// written by one process is seen by every guarded delete that starts after it, in any process.
public abstract partial class FileMetadataBackend : IGuardedDeleteBackend, IStoreLayout
{
    /// <inheritdoc />
    public bool IsFileStore => true;

    /// <inheritdoc />
    /// <remarks>Everything under the root but temporary files, write probes and the lock files (held open while in use).</remarks>
    public bool IsStoreFile(string relativePath)
    {
        string name = Path.GetFileName(relativePath);
        return !name.StartsWith(TempFilePrefix, StringComparison.Ordinal)
            && !name.StartsWith(StoreFolders.WriteProbePrefix, StringComparison.Ordinal)
            && name != LockFileName;
    }

    /// <inheritdoc />
    public string ComplianceEventLocation(string id)
    {
        try
        {
            return ComplianceEventPath(id);
        }
        catch (MetadataStorageException)
        {
            return Path.Combine(_eventsFolder, id); // an id no file could be named after: say where it would be
        }
    }

    /// <summary>The folder under the root holding the audit trail (daily <c>.jsonl</c> files) and the store state; never a model folder.</summary>
    public const string AuditFolderName = "audit";

    private const string AuditExtension = ".jsonl";
    private const string LockFileName = ".lock";
    private const string AuditDateFormat = "yyyy-MM-dd";
    private readonly SemaphoreSlim _auditLock = new(1, 1);

    private string AuditFolder => Path.Combine(_root, AuditFolderName);

    /// <summary>
    /// The largest audit day file read: 4 × <see cref="MaxRecordFileBytes"/> (by default some 260 MB, about a million
    /// entries). A larger one is reported as unreadable, not read into memory.
    /// </summary>
    private long MaxAuditFileBytes => MaxRecordFileBytes > long.MaxValue / 4 ? long.MaxValue : MaxRecordFileBytes * 4;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">An entry is null or has no id.</exception>
    /// <exception cref="MetadataStorageException">The audit file could not be written, or the lock stayed held past the busy timeout.</exception>
    public async ValueTask WriteAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        EnsureOpen();
        if (entries.Count == 0) return;
        var byDate = new SortedDictionary<string, ArrayBufferWriter<byte>>(StringComparer.Ordinal);
        // Each entry's day and line (offset and length in its day's buffer, '\n' excluded), for its ledger leaf.
        var lines = new (string Date, int Start, int Length)[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] ?? throw new ArgumentException($"entries[{i}] is null.", nameof(entries));
            if (string.IsNullOrEmpty(entry.Id)) throw new ArgumentException($"entries[{i}] has no id.", nameof(entries));
            string date = entry.Timestamp.UtcDateTime.ToString(AuditDateFormat, CultureInfo.InvariantCulture);
            if (!byDate.TryGetValue(date, out var buffer)) byDate[date] = buffer = new ArrayBufferWriter<byte>();
            int start = buffer.WrittenCount;
            AuditJson.WriteLine(buffer, entry);
            lines[i] = (date, start, buffer.WrittenCount - start - 1);
        }

        string folder = AuditFolder;
        await _auditLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(folder);
            using var processLock = await AcquireFileLockAsync(Path.Combine(folder, LockFileName), "the audit trail", entries[0].Id, cancellationToken)
                .ConfigureAwait(false);
            // One write per day file; each entry is a leaf whose effect is its line in that file.
            WriteLogged(active =>
            {
                string stamp = LeafDraft.Now();
                var writes = new List<LoggedWrite>();
                var appended = new HashSet<string>(StringComparer.Ordinal);
                for (int i = 0; i < entries.Count; i++)
                {
                    var (date, start, length) = lines[i];
                    var buffer = byDate[date];
                    string path = Path.Combine(folder, date + AuditExtension);
                    Action apply = appended.Add(date) ? () => AppendAuditDay(path, buffer, entries) : static () => { };
                    writes.Add(active
                        ? new LoggedWrite(LeafDraft.ForAudit(entries[i], stamp),
                            [new LedgerEffect(Relative(path), Sha256Hex(buffer.WrittenSpan.Slice(start, length)), Line: true)], apply)
                        : new LoggedWrite(null, [], apply));
                }
                return writes;
            }, cancellationToken);
        }
        finally
        {
            _auditLock.Release();
        }
    }

    private void AppendAuditDay(string path, ArrayBufferWriter<byte> buffer, IReadOnlyList<AuditEntry> entries)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            long length = stream.Length;
            if (length > 0)
            {
                // A writer killed mid-line left no '\n': start on a fresh line so ours stays whole.
                stream.Seek(length - 1, SeekOrigin.Begin);
                if (stream.ReadByte() != '\n') stream.WriteByte((byte)'\n');
            }
            stream.Seek(0, SeekOrigin.End);
            stream.Write(buffer.WrittenSpan);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail($"The {Name} backend could not append {entries.Count} audit entr(ies) to '{path}': {ex.Message}", path, entries[0].Id, ex);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEntry> QueryAuditAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit < 0) throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "AuditQuery.Limit must be zero or positive.");
        EnsureOpen();
        if (query.Limit == 0) yield break;
        DateOnly? first = query.Since is { } since ? DateOnly.FromDateTime(since.UtcDateTime) : null;
        DateOnly? last = query.Until is { } until ? DateOnly.FromDateTime(until.UtcDateTime) : null;
        var files = new List<(DateOnly Date, string Path)>();
        foreach (var path in EnumerateFilesSafe(AuditFolder, reportErrors: true))
        {
            string name = Path.GetFileName(path);
            if (!name.EndsWith(AuditExtension, StringComparison.Ordinal)) continue;
            if (!DateOnly.TryParseExact(name.AsSpan(0, name.Length - AuditExtension.Length), AuditDateFormat,
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                continue;
            }
            if (date < first || date > last) continue; // a file holds only entries of its own UTC date
            files.Add((date, path));
        }
        bool newestFirst = query.Order == RecordOrder.NewestFirst;
        files.Sort((a, b) => newestFirst ? b.Date.CompareTo(a.Date) : a.Date.CompareTo(b.Date));

        var seen = new HashSet<string>(StringComparer.Ordinal);
        int yielded = 0;
        foreach (var (_, path) in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // An empty day file is one being created by an append, not an error.
            var content = await ReadFileAsync(path, MaxAuditFileBytes, emptyIsNothing: true, cancellationToken).ConfigureAwait(false);
            if (content is null) continue;
            var entries = ParseAuditFile(path, content, query, seen);
            entries.Sort(query.Compare);
            foreach (var entry in entries)
            {
                yield return entry;
                if (++yielded == query.Limit) yield break;
            }
        }
    }

    private List<AuditEntry> ParseAuditFile(string path, byte[] content, AuditQuery query, HashSet<string> seen)
    {
        var result = new List<AuditEntry>();
        ReadOnlySpan<byte> span = content;
        int lineNumber = 0;
        while (true)
        {
            int end = span.IndexOf((byte)'\n');
            if (end < 0) break; // no final '\n': a line still being written (or cut by a crash) is not an entry yet
            var line = span[..end].Trim(" \t\r"u8);
            span = span[(end + 1)..];
            lineNumber++;
            if (line.IsEmpty) continue;
            AuditEntry entry;
            try
            {
                entry = AuditJson.ParseLine(line);
            }
            catch (FormatException ex)
            {
                ReportCorrupt($"{path}:{lineNumber}", ex);
                continue;
            }
            if (query.Matches(entry) && seen.Add(entry.Id)) result.Add(entry);
        }
        return result;
    }

    // FileShare.None is an OS lock held by this handle (flock on Unix), so it excludes other processes and other
    // handles of this one alike, and dies with the process.
    private async Task<FileStream> AcquireFileLockAsync(string path, string what, string? id, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (int attempt = 0; ; attempt++)
        {
            if (TryLockFile(path, what, id, started) is { } locked) return locked;
            await Task.Delay(LockRetryDelay(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    // The lock, or null while another holder has it and the busy timeout has not passed.
    private FileStream? TryLockFile(string path, string what, string? id, System.Diagnostics.Stopwatch started)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException ex) when (started.Elapsed < _context.BusyTimeout && ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail($"The {Name} backend could not lock {what} ('{path}') within {_context.BusyTimeout.TotalSeconds:0.###} s: {ex.Message}", path, id, ex);
        }
    }

    // Audit appends, state steps and logged writes are short, so a few milliseconds usually suffice.
    private static int LockRetryDelay(int attempt) => Math.Min(100, 2 << Math.Min(attempt, 6));

    // ------------------------------------------------------------------ state

    /// <inheritdoc />
    public async ValueTask<IReadOnlyDictionary<string, string>> ReadStateAsync(string scope, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        EnsureOpen();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in EnumerateFilesSafe(Path.Combine(AuditFolder, scope), reportErrors: true))
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith(TempFilePrefix, StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal)) continue;
            if (await ReadStateFileAsync(path, cancellationToken).ConfigureAwait(false) is { } entry) result[entry.Key] = entry.Value;
        }
        return result;
    }

    /// <inheritdoc />
    public async ValueTask<string?> ReadStateEntryAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        EnsureOpen();
        return await ReadStateFileAsync(StatePath(scope, key), cancellationToken).ConfigureAwait(false) is { } entry && entry.Key == key ? entry.Value : null;
    }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The state file could not be written, or the key's lock stayed held past the busy timeout.</exception>
    public async ValueTask<string> AddStateAsync(string scope, string key, string value, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        EnsureOpen();
        using var keyLock = await LockStateAsync(scope, key, cancellationToken).ConfigureAwait(false);
        string path = StatePath(scope, key);
        if (await ReadStateFileAsync(path, cancellationToken).ConfigureAwait(false) is { } entry && entry.Key == key) return entry.Value;
        WriteFileAtomically(path, StateFileContent(key, value), key);
        return value;
    }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The state file could not be written or deleted, or the scope's lock stayed held past the busy timeout.</exception>
    public async ValueTask WriteStateAsync(string scope, string key, string? value, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        EnsureOpen();
        cancellationToken.ThrowIfCancellationRequested();
        byte[]? content = value is null ? null : StateFileContent(key, value);
        using var scopeLock = await LockStateAsync(scope, key, cancellationToken).ConfigureAwait(false);
        string path = StatePath(scope, key);
        void Apply()
        {
            // Written whole to a new file and renamed over the old one: the old content (a destroyed subject's key) is in no file of the store.
            if (content is not null) WriteFileAtomically(path, content, key);
            else if (File.Exists(path)) DeleteFile(path, key);
        }
        // A legal hold placed or released, a data subject erased: a leaf of the ledger (a release of no hold changes nothing: no leaf).
        if (LeafDraft.ForState(scope, key, value, LeafDraft.Now()) is not { } leaf)
        {
            Apply();
            return;
        }
        WriteLogged(active => [active && (content is not null || File.Exists(path))
            ? new LoggedWrite(leaf, [Effect(path, content)], Apply)
            : new LoggedWrite(null, [], Apply)], cancellationToken);
    }

    private static byte[] StateFileContent(string key, string value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WriteString("value", value);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // One state file: its key and value, or null when it is missing (or unreadable: reported).
    private async ValueTask<KeyValuePair<string, string>?> ReadStateFileAsync(string path, CancellationToken cancellationToken)
    {
        var content = await ReadFileAsync(path, cancellationToken).ConfigureAwait(false);
        if (content is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(content);
            string key = doc.RootElement.GetProperty("key").GetString() ?? throw new FormatException("'key' is null");
            string value = doc.RootElement.GetProperty("value").GetString() ?? throw new FormatException("'value' is null");
            return new(key, value);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            ReportCorrupt(path, ex);
            return null;
        }
    }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The scope's lock stayed held past the busy timeout, or a file could not be deleted.</exception>
    public async ValueTask<GuardedDeleteResult> DeleteUnlessGuardedAsync(GuardedDeletion deletion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deletion);
        StateScopes.Validate(deletion.Scope);
        EnsureOpen();
        ThrowIfReadOnly(deletion.Kind == CleanupItemKind.Record ? "delete records" : "delete compliance events");
        if (deletion.GuardKeys.Count == 0) return new GuardedDeleteResult(0, []);
        using var scopeLock = await LockStateAsync(deletion.Scope, null, cancellationToken).ConfigureAwait(false);
        // A guard's file exists (whatever its content, even unreadable) from the moment its write returned.
        var (delete, kept) = deletion.Partition(key => File.Exists(StatePath(deletion.Scope, key)));
        int deleted = deletion.Kind == CleanupItemKind.Record
            ? DeleteRecords(delete, deletion.Reason, cancellationToken)
            : DeleteComplianceEvents(delete, deletion.Reason, cancellationToken);
        return new GuardedDeleteResult(deleted, kept);
    }

    private Task<FileStream> LockStateAsync(string scope, string? key, CancellationToken cancellationToken)
    {
        string folder = ChildPath(AuditFolder, scope, key);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail($"The {Name} backend could not create the state folder '{folder}': {ex.Message}", folder, key, ex);
        }
        return AcquireFileLockAsync(Path.Combine(folder, LockFileName), $"the state '{scope}'", key, cancellationToken);
    }

    private string StatePath(string scope, string key) =>
        Path.Combine(ChildPath(AuditFolder, scope, key), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32] + ".json");
}
