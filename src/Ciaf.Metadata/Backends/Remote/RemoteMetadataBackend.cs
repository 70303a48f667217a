using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Backends.Remote;

/// <summary>
/// The remote backend (<c>remote</c>): a store served by <c>ciaf serve</c>, reached over HTTP (docs/backends.md). The core
/// builds records here as for any store (ids, timestamps, hashes, encryption) and this backend carries them: writes
/// go to <c>POST /api/v1/records</c> in their stored form, packed into as few requests as the server's body limit
/// allows, idempotent by id; reads, compliance events, the audit trail, store state and guarded deletes go to the
/// backend operations under <c>/api/v1/backend/</c> (<see cref="RemoteBackendHost"/> answers them). Every request is
/// retried through the core's transient-error policy. The server's store keeps the ledger, so this backend has none.
/// </summary>
internal sealed partial class RemoteMetadataBackend : IMetadataBackend, IRecordScanBackend
{
    // Headroom under the server's body limit for the JSON around the items.
    private const int BodyMargin = 1024;

    private static readonly byte[] Comma = ","u8.ToArray();

    private readonly BackendContext _context;
    private readonly RemoteConnection _connection;
    private readonly int _pageSize;
    private readonly long _maxBodyBytes;
    private long _sizeOnDisk = -1;
    private int _lastWriteFailed;
    private int _disposed;

    public RemoteMetadataBackend(BackendContext context, RemoteBackendOptions options)
    {
        _context = context;
        _pageSize = options.PageSize;
        StoragePath = context.StoragePath;
        _connection = new RemoteConnection(options, context.Logger);
        try
        {
            // Fails fast on a wrong URL, a refused key or an older server, within the retry budget for one that is starting.
            var info = SyncOverAsync.Run(_connection.InfoAsync(CancellationToken.None));
            long protocol = Answer("connect", () => RemoteWire.Integer(info, "protocol", 0, int.MaxValue) ?? 0);
            if (protocol != RemoteWire.ProtocolVersion)
            {
                throw new NotSupportedException($"The server at {_connection.Display} speaks version {protocol} of the remote backend's protocol; "
                    + $"this library speaks version {RemoteWire.ProtocolVersion}: run the same release of ciaf on both sides");
            }
            _maxBodyBytes = Answer("connect", () => RemoteWire.Integer(info, "max_request_body_bytes", 4096, long.MaxValue)) ?? 4096;
            ServerBackend = Answer("connect", () => RemoteWire.Text(info, "backend")) ?? "unknown";
            RemoteLog.Connected(context.Logger, _connection.Display, (int)protocol, ServerBackend, _maxBodyBytes);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Name => RemoteBuilderExtensions.BackendName;

    /// <inheritdoc />
    /// <remarks>A local folder: exports are written there. The records are on the server.</remarks>
    public string StoragePath { get; }

    /// <inheritdoc />
    public string? DbPath => null;

    /// <summary>The backend of the server's store (<c>sqlite</c>, <c>postgresql</c>, ...).</summary>
    public string ServerBackend { get; }

    /// <summary>The server, for messages.</summary>
    public string Server => _connection.Display;

    // ------------------------------------------------------------------ records

    /// <inheritdoc />
    /// <remarks>
    /// One request per body-limit's worth of records (in order, each durable on the server when it answers 201); a batch
    /// the server finds too large is sent in halves. After a failed write the next one is marked as a retry, and the
    /// server skips the records it already holds unchanged, so a write resent after a lost answer is stored once and
    /// logged once.
    /// </remarks>
    /// <exception cref="ArgumentException">A record is null or has no id, or the server refused one (the message says why).</exception>
    /// <exception cref="MetadataStorageException">The server could not be reached within the retry budget, or refused the key or its role.</exception>
    public async ValueTask WriteAsync(IReadOnlyList<MetadataRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ThrowIfDisposed();
        for (int i = 0; i < records.Count; i++)
        {
            if (records[i] is null || string.IsNullOrWhiteSpace(records[i].Id)) throw new ArgumentException($"records[{i}] is null or has no id.", nameof(records));
        }
        await WritingAsync(async retried =>
        {
            foreach (var (start, count, body) in Pack(records, 0, records.Count, RemoteWire.WriteRecord, head: null))
            {
                await PostRecordsAsync(records, start, count, body, retried, cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<MetadataRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ThrowIfDisposed();
        var answer = await _connection.CallAsync("get", RemoteWire.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteEndObject();
        }), cancellationToken).ConfigureAwait(false);
        ReportUnreadable(answer, null);
        return answer["record"] is null ? null : Answer("get", () => RemoteWire.ReadRecord(answer["record"], "record"));
    }

    /// <inheritdoc />
    /// <remarks>Read in pages of <see cref="RemoteBackendOptions.PageSize"/> by keyset (timestamp, id): no page depends on a
    /// connection held open, and each is retried alone. Entries the server could not read are reported once each.</remarks>
    public async IAsyncEnumerable<MetadataRecord> QueryAsync(MetadataQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        await foreach (var record in PagesAsync("query", "records", query.Limit, w =>
        {
            RemoteWire.WriteOptional(w, "model_name", query.ModelName);
            RemoteWire.WriteOptional(w, "stage", query.Stage);
            RemoteWire.WriteTime(w, "since", query.Since);
            RemoteWire.WriteTime(w, "until", query.Until);
            w.WriteString("order", query.Order == RecordOrder.OldestFirst ? "oldest" : "newest");
        }, static r => (r.Timestamp, r.Id), RemoteWire.ReadRecord, cancellationToken).ConfigureAwait(false))
        {
            yield return record;
        }
    }

    /// <inheritdoc />
    /// <exception cref="MetadataStorageException">The key's role may not delete (cleanup needs <c>admin</c>), or the server failed.</exception>
    public async ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ThrowIfDisposed();
        return await DeleteItemsAsync("delete", ids, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<long> CountAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var answer = await _connection.CallAsync("count", "{}"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        long size = Answer("count", () => RemoteWire.Integer(answer, "size_bytes", 0, long.MaxValue)) ?? 0;
        Volatile.Write(ref _sizeOnDisk, size);
        return Answer("count", () => RemoteWire.Integer(answer, "records", 0, long.MaxValue)) ?? 0;
    }

    /// <inheritdoc />
    /// <remarks>The server's store's size, as of the last <see cref="CountAsync"/> (the metrics ask for both, count first).</remarks>
    public long SizeOnDisk()
    {
        if (Volatile.Read(ref _sizeOnDisk) < 0) SyncOverAsync.Run(CountAsync());
        return Volatile.Read(ref _sizeOnDisk);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One streamed request: the server scans its store (one entry in memory at a time on both sides) and ends the stream
    /// with a count, so a cut-off answer fails instead of passing for a complete one.
    /// </remarks>
    public async IAsyncEnumerable<ScannedEntry> ScanAsync(string? modelName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var body = RemoteWire.Build(w =>
        {
            w.WriteStartObject();
            RemoteWire.WriteOptional(w, "model_name", modelName);
            w.WriteEndObject();
        });
        long seen = 0;
        await foreach (var line in _connection.StreamAsync("scan", body, cancellationToken).ConfigureAwait(false))
        {
            if (line["end"] is not null)
            {
                long count = Answer("scan", () => RemoteWire.Integer(line, "end", 0, long.MaxValue)) ?? -1;
                if (count != seen) throw Cut($"the server counted {count} entries and sent {seen}");
                yield break;
            }
            seen++;
            if (line["unreadable"] is JsonObject bad)
            {
                yield return new ScannedEntry(Location(RemoteWire.Text(bad, "location")), null, RemoteWire.Text(bad, "error") ?? "unreadable");
                continue;
            }
            var record = Answer("scan", () => RemoteWire.ReadRecord(line["record"], "record"));
            yield return new ScannedEntry(Location(RemoteWire.Text(line, "location") ?? record.Id), record, null);
        }
        throw Cut("the answer ended before its last line");
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _connection.Dispose();
        return ValueTask.CompletedTask;
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>Where an entry is: the server and the server's own location, relative to its store.</summary>
    private string Location(string? serverLocation) => $"{_connection.Display} ({serverLocation})";

    private MetadataStorageException Cut(string why) =>
        (MetadataStorageException)_connection.Failure("scan", new IOException($"the scan was cut off: {why}; run it again"), null);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    // A write (of any kind) after a failed one is sent as a retry: the batcher sends the same items again.
    private async ValueTask WritingAsync(Func<bool, ValueTask> write)
    {
        bool retried = Volatile.Read(ref _lastWriteFailed) != 0;
        try
        {
            await write(retried).ConfigureAwait(false);
            Volatile.Write(ref _lastWriteFailed, 0);
        }
        catch
        {
            Volatile.Write(ref _lastWriteFailed, 1);
            throw;
        }
    }

    private async ValueTask PostRecordsAsync(IReadOnlyList<MetadataRecord> records, int start, int count, byte[] body, bool retried,
        CancellationToken cancellationToken)
    {
        if (await _connection.TryPostRecordsAsync(body, retried, cancellationToken).ConfigureAwait(false)) return;
        if (count == 1)
        {
            throw new MetadataStorageException(
                $"Record {records[start].Id} is {body.Length} bytes as sent, more than the server at {_connection.Display} accepts in one request "
                + $"(about {_maxBodyBytes} bytes: its max_metadata_bytes + 64 KiB, or server_max_request_body_bytes); lower this store's max_metadata_bytes to the server's")
            {
                Backend = Name,
                Path = _connection.Display,
                RecordId = records[start].Id,
            };
        }
        RemoteLog.Split(_context.Logger, _connection.Display, count);
        int half = count / 2;
        foreach (var (s, c, b) in Pack(records, start, half, RemoteWire.WriteRecord, head: null))
            await PostRecordsAsync(records, s, c, b, retried, cancellationToken).ConfigureAwait(false);
        foreach (var (s, c, b) in Pack(records, start + half, count - half, RemoteWire.WriteRecord, head: null))
            await PostRecordsAsync(records, s, c, b, retried, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<int> DeleteItemsAsync(string operation, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var list = ids as IReadOnlyList<string> ?? [.. ids];
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is null) throw new ArgumentException($"ids[{i}] is null.", nameof(ids));
        }
        int deleted = 0;
        foreach (var (_, _, body) in Pack(list, 0, list.Count, static (w, id) => w.WriteStringValue(id), head: static _ => { }))
        {
            var answer = await _connection.CallAsync(operation, body, cancellationToken).ConfigureAwait(false);
            deleted += (int)(Answer(operation, () => RemoteWire.Integer(answer, "deleted", 0, int.MaxValue)) ?? 0);
        }
        return deleted;
    }

    /// <summary>
    /// Packs items into request bodies no larger than the server accepts: a top-level array when <paramref name="head"/>
    /// is null (<c>POST /records</c>), else <c>{"head": {...}, "items": [...]}</c>. Yields each body with the items it holds.
    /// An item larger than the limit on its own goes alone (the server then says 413).
    /// </summary>
    private IEnumerable<(int Start, int Count, byte[] Body)> Pack<T>(IReadOnlyList<T> items, int start, int count, Action<Utf8JsonWriter, T> write,
        Action<Utf8JsonWriter>? head)
    {
        byte[] prefix = head is null ? "["u8.ToArray() : [.. "{\"head\":"u8, .. RemoteWire.Build(w =>
        {
            w.WriteStartObject();
            head(w);
            w.WriteEndObject();
        }), .. ",\"items\":["u8];
        byte[] suffix = head is null ? "]"u8.ToArray() : "]}"u8.ToArray();
        long budget = Math.Max(_maxBodyBytes - BodyMargin, 1024);
        var body = new ArrayBufferWriter<byte>(4096);
        var one = new ArrayBufferWriter<byte>(1024);
        int first = start, inBody = 0;
        body.Write(prefix);
        for (int i = start; i < start + count; i++)
        {
            one.ResetWrittenCount();
            RemoteWire.Append(one, w => write(w, items[i]));
            if (inBody > 0 && body.WrittenCount + one.WrittenCount + 1 + suffix.Length > budget)
            {
                body.Write(suffix);
                yield return (first, inBody, body.WrittenSpan.ToArray());
                body.ResetWrittenCount();
                body.Write(prefix);
                first = i;
                inBody = 0;
            }
            if (inBody > 0) body.Write(Comma);
            body.Write(one.WrittenSpan);
            inBody++;
        }
        if (inBody == 0) yield break;
        body.Write(suffix);
        yield return (first, inBody, body.WrittenSpan.ToArray());
    }

    private void ReportUnreadable(JsonObject answer, HashSet<string>? reported)
    {
        foreach (var node in Answer("read", () => RemoteWire.Array(answer, "unreadable")))
        {
            if (node is not JsonObject bad) continue;
            string location = Location(RemoteWire.Text(bad, "location"));
            if (reported is null || reported.Add(location))
                _context.ReportCorrupt(location, new FormatException(RemoteWire.Text(bad, "error") ?? "unreadable on the server"));
        }
    }

    /// <summary>Reads part of a server's answer; a malformed one is the server's fault, reported as such.</summary>
    private T Answer<T>(string operation, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ArgumentException ex)
        {
            throw _connection.Failure(operation, new FormatException(ex.Message, ex), null);
        }
    }
}
