using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Transfer;

namespace Ciaf.Metadata.Backends.Remote;

/// <summary>
/// The server's side of the remote backend: answers a remote store's requests from this store, as stored (no decryption:
/// the client's core decrypts with its own key; records keep the ids, timestamps and hashes their client built). A server
/// (<c>ciaf serve</c>) maps <c>POST /api/v1/backend/{operation}</c> to <see cref="ReadCallAsync"/>, checks the caller's
/// right (<see cref="RemoteBackendCall.Access"/>) and lets the call respond; records arrive through <c>POST /api/v1/records</c>
/// (<see cref="TryWriteRecordsAsync"/>). Reads and writes go through the store core, so this store's own ledger, encryption
/// policy, legal holds and — with <c>audit_all_access</c> — audit trail apply to what remote clients do, under the
/// identity the server made the acting user (<see cref="MetadataStorage.ActingAs"/>).
/// </summary>
public sealed class RemoteBackendHost
{
    /// <summary>The protocol version this host speaks (a client refuses another).</summary>
    public const int ProtocolVersion = RemoteWire.ProtocolVersion;

    /// <summary>The request header a client sets on a request it sends again: items held unchanged are then skipped.</summary>
    public const string RetryHeader = RemoteWire.RetryHeader;

    /// <summary>The store state a remote store reads and writes; others (API keys) are the server's own.</summary>
    public static readonly IReadOnlyList<string> ServedScopes = [StateScopes.LegalHolds, StateScopes.SubjectKeys];

    /// <summary>The operations <see cref="ReadCallAsync"/> knows.</summary>
    public static readonly IReadOnlyList<string> Operations =
    [
        "get", "query", "scan", "count", "delete", "delete_unless_guarded", "write_events", "query_events", "delete_events",
        "write_audit", "query_audit", "read_state", "read_state_entry", "write_state", "add_state",
    ];

    private const string JsonContentType = "application/json";

    private static readonly HashSet<string> StoredRecordFields =
        ["id", "model_name", "model_version", "stage", "event_type", "timestamp", "metadata_hash", "details", "metadata"];

    private readonly MetadataStorage _storage;
    private readonly StoreCore _core;

    /// <summary>A host answering from <paramref name="storage"/> (cheap: one per request is fine).</summary>
    public RemoteBackendHost(MetadataStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
        _core = storage.Core;
    }

    /// <summary>
    /// <c>GET /api/v1/backend/info</c>: the protocol, this store's backend, whether it keeps a ledger, and the limits a
    /// client packs its requests by (<paramref name="maxRequestBodyBytes"/>: the server's body limit).
    /// </summary>
    public byte[] Info(long maxRequestBodyBytes) => RemoteWire.Build(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("protocol", ProtocolVersion);
        w.WriteString("backend", _core.Backend.Name);
        w.WriteBoolean("ledger", _core.Options.LedgerEnabled && _storage.Ledger.IsSupported);
        w.WriteNumber("max_request_body_bytes", maxRequestBodyBytes);
        w.WriteNumber("max_metadata_bytes", _core.Options.MaxMetadataBytes);
        w.WriteNumber("max_page_size", RemoteBackendOptions.MaxPageSize);
        w.WriteEndObject();
    });

    /// <summary>
    /// Writes records as their client built them, when a <c>POST /records</c> body holds such records — an object, or an
    /// array whose first item is one, with an <c>id</c> (the remote backend's, or a program keeping its own ids); otherwise
    /// returns <c>null</c> and the body is the server's to read as entries. Each record is checked — fields, id, names,
    /// the hash against the metadata's canonical SHA-256, the size limit, no plaintext where this store encrypts — then
    /// all are written through the store's ordered write point (its ledger logs them), all or nothing, durable on
    /// return. Idempotent by id; with <paramref name="retried"/>, records already held unchanged are skipped (so a resent
    /// write is not logged twice).
    /// </summary>
    /// <param name="body">The request body (JSON; Python's <c>NaN</c> and <c>Infinity</c> accepted).</param>
    /// <param name="retried">Whether the client sent this request before (<see cref="RetryHeader"/>).</param>
    /// <param name="cancellationToken">Cancels the write (before it reaches the backend).</param>
    /// <returns>The ids, in the order sent; <c>null</c> when the body holds no client-built records.</returns>
    /// <exception cref="ArgumentException">A record breaks a rule; the parameter name is the field (<c>[2].metadata_hash</c>).</exception>
    public async ValueTask<IReadOnlyList<string>?> TryWriteRecordsAsync(ReadOnlyMemory<byte> body, bool retried, CancellationToken cancellationToken = default)
    {
        _core.ThrowIfDisposed();
        List<MetadataRecord> records;
        try
        {
            if (!StartsWithId(body.Span)) return null;
            using var document = JsonDocument.Parse(body);
            records = ReadRecords(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Python's extensions (NaN, Infinity), a lone surrogate escape or a repeated key: read as nodes, as any body is.
            JsonNode? node;
            try
            {
                node = PythonJson.Parse(body.Span);
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).", "body", e);
            }
            if (!(node is JsonObject o ? o.ContainsKey("id") : node is JsonArray { Count: > 0 } a && a[0] is JsonObject first && first.ContainsKey("id")))
                return null;
            records = ReadRecords(node!);
        }
        var toWrite = retried ? await WithoutHeldAsync(records, cancellationToken).ConfigureAwait(false) : records;
        if (toWrite.Count > 0)
        {
            await _core.WriteStoredAsync(toWrite, [], cancellationToken).ConfigureAwait(false);
            await DurableAsync(cancellationToken).ConfigureAwait(false);
        }
        return [.. records.Select(r => r.Id)];
    }

    /// <summary>
    /// Reads one backend request: <paramref name="operation"/> (one of <see cref="Operations"/>) and its JSON body. The
    /// returned call says the right it needs; the server checks it, then lets the call respond.
    /// </summary>
    /// <param name="operation">The operation's name (the last segment of <c>/api/v1/backend/{operation}</c>).</param>
    /// <param name="body">The request's body: a JSON object.</param>
    /// <param name="retried">Whether the client sent this request before (<see cref="RetryHeader"/>).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="KeyNotFoundException">No such operation.</exception>
    /// <exception cref="ArgumentException">The body is not a JSON object, or names a store state this host does not serve.</exception>
    public async ValueTask<RemoteBackendCall> ReadCallAsync(string operation, Stream body, bool retried, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        _core.ThrowIfDisposed();
        if (operation is null || !Operations.Contains(operation, StringComparer.Ordinal))
            throw new KeyNotFoundException($"'{operation}' is not an operation of the remote backend; valid: {string.Join(", ", Operations)}.");
        var request = await ReadObjectAsync(body, cancellationToken).ConfigureAwait(false);
        return operation switch
        {
            "get" => Json(operation, RemoteAccess.Read, t => GetAsync(request, t)),
            "query" => Json(operation, RemoteAccess.Read, t => QueryAsync(request, t)),
            "scan" => new RemoteBackendCall(operation, RemoteAccess.Read, RemoteWire.NdjsonContentType, (s, t) => ScanAsync(request, s, t)),
            "count" => Json(operation, RemoteAccess.Read, CountAsync),
            "delete" => Json(operation, RemoteAccess.Admin, t => DeleteAsync(request, CleanupItemKind.Record, t)),
            "delete_events" => Json(operation, RemoteAccess.Admin, t => DeleteAsync(request, CleanupItemKind.ComplianceEvent, t)),
            "delete_unless_guarded" => Json(operation, RemoteAccess.Admin, t => DeleteUnlessGuardedAsync(request, t)),
            "write_events" => Json(operation, RemoteAccess.Write, t => WriteEventsAsync(request, t)),
            "query_events" => Json(operation, RemoteAccess.Read, t => QueryEventsAsync(request, t)),
            "write_audit" => Json(operation, RemoteAccess.Read, t => WriteAuditAsync(request, t)),
            "query_audit" => Json(operation, RemoteAccess.Audit, t => QueryAuditAsync(request, t)),
            "read_state" => Json(operation, RemoteAccess.Read, t => ReadStateAsync(ServedScope(request), t)),
            "read_state_entry" => Json(operation, RemoteAccess.Read, t => ReadStateEntryAsync(ServedScope(request), request, t)),
            "write_state" => Json(operation, RemoteAccess.Admin, t => WriteStateAsync(ServedScope(request), request, retried, t)),
            // A writer's save creates the key of a data subject it is the first to name; nothing else is added by a writer.
            _ => Json(operation, ServedScope(request) == StateScopes.SubjectKeys ? RemoteAccess.Write : RemoteAccess.Admin,
                t => AddStateAsync(ServedScope(request), request, t)),
        };
    }

    // ------------------------------------------------------------------ records

    private async Task<byte[]> GetAsync(JsonObject request, CancellationToken cancellationToken)
    {
        string id = Required(request, "id");
        var unreadable = new List<(string Location, string Error)>();
        MetadataRecord? record = null;
        // An id no store could hold (empty, control characters, too long) is simply not found.
        if (RecordChecks.IdProblem(id) is null)
        {
            using (StoreCore.CollectCorruptEntries((location, error) => unreadable.Add((Relative(location), error.Message))))
            {
                record = await _core.GetStoredAsync(id, cancellationToken).ConfigureAwait(false);
            }
        }
        if (_core.Options.AuditAllAccess) _core.Audit(AuditActions.Read, id, record is null ? new JsonObject { ["found"] = false } : null);
        return RemoteWire.Build(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("record");
            if (record is null) w.WriteNullValue();
            else RemoteWire.WriteRecord(w, record);
            WriteUnreadable(w, unreadable);
            w.WriteEndObject();
        });
    }

    private async Task<byte[]> QueryAsync(JsonObject request, CancellationToken cancellationToken)
    {
        bool ascending = Ascending(request);
        var after = RemoteWire.Key(request, "after");
        var (since, until) = Bounds(RemoteWire.Time(request, "since"), RemoteWire.Time(request, "until"), after, ascending);
        var query = new MetadataQuery
        {
            ModelName = RemoteWire.Text(request, "model_name"),
            Stage = RemoteWire.Text(request, "stage"),
            Since = since,
            Until = until,
            Order = ascending ? RecordOrder.OldestFirst : RecordOrder.NewestFirst,
        };
        int limit = Limit(request);
        var unreadable = new List<(string Location, string Error)>();
        (List<MetadataRecord> Items, bool More) page;
        using (StoreCore.CollectCorruptEntries((location, error) => unreadable.Add((Relative(location), error.Message))))
        {
            page = await PageAsync(_core.QueryStoredAsync(query, cancellationToken), static r => (r.Timestamp, r.Id), after, ascending, limit, cancellationToken)
                .ConfigureAwait(false);
        }
        if (_core.Options.AuditAllAccess) new AuditTrail(_core).Query(query with { Limit = limit }, page.Items.Count);
        return Page("records", page, RemoteWire.WriteRecord, static r => (r.Timestamp, r.Id), unreadable);
    }

    private async Task ScanAsync(JsonObject request, Stream response, CancellationToken cancellationToken)
    {
        string? model = RemoteWire.Text(request, "model_name");
        await DurableAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        long count = 0;
        await foreach (var entry in _core.ScanStoredAsync(model, cancellationToken).ConfigureAwait(false))
        {
            count++;
            RemoteWire.Append(buffer, w =>
            {
                w.WriteStartObject();
                if (entry.Record is { } record)
                {
                    w.WritePropertyName("record");
                    RemoteWire.WriteRecord(w, record);
                    w.WriteString("location", Relative(entry.Location));
                }
                else
                {
                    w.WriteStartObject("unreadable");
                    w.WriteString("location", Relative(entry.Location));
                    w.WriteString("error", entry.Error);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            });
            buffer.Write("\n"u8);
            if (buffer.WrittenCount >= 32 * 1024)
            {
                await response.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                buffer.ResetWrittenCount();
            }
        }
        // The count closes the stream: a client that does not get it knows the answer was cut off.
        RemoteWire.Append(buffer, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("end", count);
            w.WriteEndObject();
        });
        buffer.Write("\n"u8);
        await response.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        if (_core.Options.AuditAllAccess)
        {
            _core.Audit(AuditActions.Query, null, new JsonObject { ["kind"] = "scan", ["model_name"] = model, ["results"] = count });
        }
    }

    private async Task<byte[]> CountAsync(CancellationToken cancellationToken)
    {
        var metrics = await _storage.GetPerformanceMetricsAsync(cancellationToken).ConfigureAwait(false);
        return RemoteWire.Build(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("records", metrics.RecordCount);
            w.WriteNumber("size_bytes", metrics.TotalSizeBytes);
            w.WriteEndObject();
        });
    }

    private async Task<byte[]> DeleteAsync(JsonObject request, CleanupItemKind kind, CancellationToken cancellationToken)
    {
        var items = Items(request);
        var ids = new List<string>(items.Count);
        for (int i = 0; i < items.Count; i++) ids.Add(ItemText(items[i], $"items[{i}]"));
        int deleted = kind == CleanupItemKind.Record
            ? await _core.Backend.DeleteAsync(ids, cancellationToken).ConfigureAwait(false)
            : await _core.Events.DeleteComplianceEventsAsync(ids, cancellationToken).ConfigureAwait(false);
        AuditDeletes(ids, kind, "remote delete");
        return Count("deleted", deleted);
    }

    private async Task<byte[]> DeleteUnlessGuardedAsync(JsonObject request, CancellationToken cancellationToken)
    {
        var head = request["head"] as JsonObject ?? throw new ArgumentException("'head' must be an object {kind, scope, reason}.", "head");
        var kind = RemoteWire.Text(head, "kind", "head") switch
        {
            "record" => CleanupItemKind.Record,
            "compliance_event" => CleanupItemKind.ComplianceEvent,
            var other => throw new ArgumentException($"'head.kind' must be record or compliance_event, not '{other}'.", "head.kind"),
        };
        string scope = ServedScope(head, "head");
        var guards = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var items = Items(request);
        for (int i = 0; i < items.Count; i++)
        {
            string at = $"items[{i}]";
            if (items[i] is not JsonObject item) throw new ArgumentException($"'{at}' must be an object {{id, guard_keys}}.", at);
            string id = RemoteWire.Text(item, "id", at) ?? throw new ArgumentException($"'{at}.id' is required.", $"{at}.id");
            guards[id] = [.. RemoteWire.Array(item, "guard_keys").Select((k, j) => ItemText(k, $"{at}.guard_keys[{j}]"))];
        }
        var deletion = new GuardedDeletion(kind, scope, guards) { Reason = RemoteWire.Text(head, "reason", "head") ?? "cleanup" };
        var result = await deletion.RunAsync(_core, cancellationToken).ConfigureAwait(false);
        AuditDeletes(guards.Keys.Except(result.Kept, StringComparer.Ordinal), kind, deletion.Reason);
        return RemoteWire.Build(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("deleted", result.Deleted);
            w.WriteStartArray("kept");
            foreach (var id in result.Kept) w.WriteStringValue(id);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    // ------------------------------------------------------------------ compliance events

    private async Task<byte[]> WriteEventsAsync(JsonObject request, CancellationToken cancellationToken)
    {
        var items = Items(request);
        var events = new List<ComplianceEvent>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            var ev = RemoteWire.ReadEvent(items[i], $"items[{i}]");
            if (RecordChecks.IdProblem(ev.Id) is { } problem) throw new ArgumentException($"'items[{i}].id': {problem}.", $"items[{i}].id");
            events.Add(ev);
        }
        if (events.Count > 0)
        {
            await _core.WriteStoredAsync([], events, cancellationToken).ConfigureAwait(false);
            await DurableAsync(cancellationToken).ConfigureAwait(false);
        }
        return Count("written", events.Count);
    }

    private async Task<byte[]> QueryEventsAsync(JsonObject request, CancellationToken cancellationToken)
    {
        var after = RemoteWire.Key(request, "after");
        var (since, until) = Bounds(RemoteWire.Time(request, "since"), RemoteWire.Time(request, "until"), after, ascending: false);
        var query = new ComplianceEventQuery
        {
            Framework = RemoteWire.Text(request, "framework"),
            MetadataId = RemoteWire.Text(request, "metadata_id"),
            Since = since,
            Until = until,
        };
        int limit = Limit(request);
        await DurableAsync(cancellationToken).ConfigureAwait(false);
        var page = await PageAsync(_core.Events.QueryComplianceEventsAsync(query, cancellationToken), static e => (e.Timestamp, e.Id), after, ascending: false,
            limit, cancellationToken).ConfigureAwait(false);
        if (_core.Options.AuditAllAccess) new AuditTrail(_core).Query(query with { Limit = limit }, page.Items.Count);
        return Page("events", page, RemoteWire.WriteEvent, static e => (e.Timestamp, e.Id), []);
    }

    // ------------------------------------------------------------------ audit trail

    private async Task<byte[]> WriteAuditAsync(JsonObject request, CancellationToken cancellationToken)
    {
        var items = Items(request);
        var entries = new List<AuditEntry>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            var entry = RemoteWire.ReadAudit(items[i], $"items[{i}]");
            if (RecordChecks.IdProblem(entry.Id) is { } problem) throw new ArgumentException($"'items[{i}].id': {problem}.", $"items[{i}].id");
            entries.Add(Attributed(entry));
        }
        if (entries.Count > 0) await _core.AuditLog.WriteAuditAsync(entries, cancellationToken).ConfigureAwait(false);
        return Count("written", entries.Count);
    }

    private async Task<byte[]> QueryAuditAsync(JsonObject request, CancellationToken cancellationToken)
    {
        bool ascending = Ascending(request);
        var after = RemoteWire.Key(request, "after");
        var (since, until) = Bounds(RemoteWire.Time(request, "since"), RemoteWire.Time(request, "until"), after, ascending);
        var query = new AuditQuery
        {
            ParentId = RemoteWire.Text(request, "parent_id"),
            Action = RemoteWire.Text(request, "action"),
            UserId = RemoteWire.Text(request, "user_id"),
            Since = since,
            Until = until,
            Order = ascending ? RecordOrder.OldestFirst : RecordOrder.NewestFirst,
        };
        int limit = Limit(request);
        // This store's own entries (its audit of what remote clients did, among others) are queued: write them first.
        await _core.FlushAuditAsync(cancellationToken).ConfigureAwait(false);
        var page = await PageAsync(_core.AuditLog.QueryAuditAsync(query, cancellationToken), static e => (e.Timestamp, e.Id), after, ascending, limit,
            cancellationToken).ConfigureAwait(false);
        return Page("entries", page, RemoteWire.WriteAudit, static e => (e.Timestamp, e.Id), []);
    }

    /// <summary>
    /// The entry as sent, its details naming who sent it (<c>"via"</c>: the API key's or token's identity the server made
    /// the acting user): a client names its own user, and the trail says which key vouched for it.
    /// </summary>
    private AuditEntry Attributed(AuditEntry entry)
    {
        JsonObject details;
        try
        {
            details = entry.Details is null ? [] : JsonNode.Parse(entry.Details) as JsonObject ?? new JsonObject { ["text"] = entry.Details };
        }
        catch (JsonException)
        {
            details = new JsonObject { ["text"] = entry.Details };
        }
        details["via"] = _core.ActingUser;
        return entry with { Details = details.ToJsonString() };
    }

    // ------------------------------------------------------------------ store state

    private async Task<byte[]> ReadStateAsync(string scope, CancellationToken cancellationToken)
    {
        var entries = await _core.State.ReadStateAsync(scope, cancellationToken).ConfigureAwait(false);
        return RemoteWire.Build(w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("entries");
            foreach (var (key, value) in entries) w.WriteString(key, value);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    private async Task<byte[]> ReadStateEntryAsync(string scope, JsonObject request, CancellationToken cancellationToken)
    {
        string? value = await _core.State.ReadStateEntryAsync(scope, Required(request, "key"), cancellationToken).ConfigureAwait(false);
        return Value(value);
    }

    private async Task<byte[]> WriteStateAsync(string scope, JsonObject request, bool retried, CancellationToken cancellationToken)
    {
        string key = Required(request, "key");
        string? value = RemoteWire.Text(request, "value");
        // Sent again after a lost answer: a state write the store already holds is not made (nor logged) twice.
        if (!retried || await _core.State.ReadStateEntryAsync(scope, key, cancellationToken).ConfigureAwait(false) != value)
        {
            await _core.State.WriteStateAsync(scope, key, value, cancellationToken).ConfigureAwait(false);
        }
        AuditState(scope, key, value is null ? "remove" : "set");
        return Value(value);
    }

    private async Task<byte[]> AddStateAsync(string scope, JsonObject request, CancellationToken cancellationToken)
    {
        string key = Required(request, "key");
        string value = Required(request, "value");
        string stored = await _core.State.AddStateAsync(scope, key, value, cancellationToken).ConfigureAwait(false);
        AuditState(scope, key, "add");
        return Value(stored);
    }

    // ------------------------------------------------------------------ helpers

    private static RemoteBackendCall Json(string operation, RemoteAccess access, Func<CancellationToken, Task<byte[]>> answer) =>
        new(operation, access, JsonContentType, async (response, cancellationToken) =>
        {
            byte[] bytes = await answer(cancellationToken).ConfigureAwait(false);
            await response.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        });

    // A body's records: one object, or a non-empty array of them; fields are named "[2].id" in an array, "id" alone.
    private List<MetadataRecord> ReadRecords(JsonElement root)
    {
        bool isArray = root.ValueKind == JsonValueKind.Array;
        List<JsonElement> items = isArray ? [.. root.EnumerateArray()] : root.ValueKind == JsonValueKind.Object ? [root] : [];
        if (items.Count == 0) throw BodyShape();
        return [.. items.Select((item, i) => item.ValueKind == JsonValueKind.Object ? CheckedRecord(item, Prefix(isArray, i)) : throw NotARecord(isArray, i))];
    }

    private List<MetadataRecord> ReadRecords(JsonNode root)
    {
        bool isArray = root is JsonArray;
        List<JsonNode?> items = root switch { JsonArray a => [.. a], JsonObject o => [o], _ => [] };
        if (items.Count == 0) throw BodyShape();
        return [.. items.Select((item, i) => item is JsonObject o ? CheckedRecord(o, Prefix(isArray, i)) : throw NotARecord(isArray, i))];
    }

    private static string Prefix(bool isArray, int index) => isArray ? $"[{index}]." : string.Empty;

    private static ArgumentException BodyShape() => new("The body must be a record object or a non-empty array of them.", "body");

    private static ArgumentException NotARecord(bool isArray, int index) =>
        new($"{(isArray ? $"[{index}]" : "The body")} must be a record object.", isArray ? $"[{index}]" : "body");

    // A record of a parsed document: its metadata written canonical and compact straight from the document.
    private MetadataRecord CheckedRecord(JsonElement item, string prefix)
    {
        foreach (var property in item.EnumerateObject()) KnownField(property.Name, prefix);
        string? Optional(string name) => item.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => value.GetString(),
            _ => throw new ArgumentException($"'{prefix}{name}' must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}.", prefix + name),
        } : null;
        string Required(string name) => Optional(name) ?? throw RequiredField(prefix, name);
        if (!item.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
            throw new ArgumentException($"'{prefix}metadata' is required: a JSON object.", prefix + "metadata");
        try
        {
            MetadataConverter.CheckStoredDepth(JsonMarshal.GetRawUtf8Value(metadata), levelsAbove: 0);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"'{prefix}metadata': {ex.Message}", prefix + "metadata", ex);
        }
        var canonical = PythonJsonWriter.Rent();
        var compact = PythonJsonWriter.Rent();
        try
        {
            canonical.WriteDocument(metadata, PythonJsonStyle.Canonical, 0);
            compact.WriteDocument(metadata, PythonJsonStyle.Compact, 0);
            return Checked(prefix, Required("id"), Required("model_name"), Optional("model_version"), Required("stage"), Required("event_type"),
                Required("timestamp"), Required("metadata_hash"), Optional("details"), canonical.Written, compact.Written.ToArray());
        }
        finally
        {
            compact.Return();
            canonical.Return();
        }
    }

    // A record of a body read as nodes (one with Python's extensions).
    private MetadataRecord CheckedRecord(JsonObject item, string prefix)
    {
        foreach (var (name, _) in item) KnownField(name, prefix);
        foreach (var name in (string[])["id", "timestamp", "metadata_hash"])
        {
            if (item[name] is null) throw RequiredField(prefix, name);
        }
        var sent = RemoteWire.ReadRecord(item, prefix.Length == 0 ? "record" : prefix.TrimEnd('.'));
        return Checked(prefix, sent.Id, sent.ModelName, sent.ModelVersion, sent.Stage, sent.EventType, PythonTimestamp.Format(sent.Timestamp),
            sent.MetadataHash, sent.Details, PythonJson.SerializeToUtf8Bytes(sent.Metadata, PythonJsonStyle.Canonical),
            PythonJson.SerializeToUtf8Bytes(sent.Metadata, PythonJsonStyle.Compact));
    }

    /// <summary>
    /// The checks every client-built record passes, given its metadata's canonical text (the size limit, the hash, the
    /// ledger's content hash) and compact text (what the backend stores): the record is built around that text, so
    /// neither is written again on the way down.
    /// </summary>
    private MetadataRecord Checked(string prefix, string id, string modelName, string? modelVersion, string stage, string eventType, string timestamp,
        string metadataHash, string? details, ReadOnlySpan<byte> canonical, byte[] compact)
    {
        if (RecordChecks.IdProblem(id) is { } idProblem) throw new ArgumentException($"'{prefix}id': {idProblem}.", prefix + "id");
        foreach (var (name, value) in (ReadOnlySpan<(string, string)>)[("model_name", modelName), ("stage", stage), ("event_type", eventType)])
        {
            if (NameRules.Check(value) is { } nameProblem) throw new ArgumentException($"'{prefix}{name}' ('{value}'): {nameProblem}.", prefix + name);
        }
        if (!PythonTimestamp.TryParse(timestamp, out var at))
            throw new ArgumentException($"'{prefix}timestamp' is not an ISO 8601 time: '{timestamp}'.", prefix + "timestamp");
        if (canonical.Length > _core.Options.MaxMetadataBytes)
        {
            throw new ArgumentException($"'{prefix}metadata' is {canonical.Length} bytes when serialized; the limit is {_core.Options.MaxMetadataBytes} (max_metadata_bytes).",
                prefix + "metadata");
        }
        string hash = PythonJson.HashOf(canonical);
        if (!string.Equals(hash, metadataHash, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{prefix}metadata_hash' is not the SHA-256 of the metadata's canonical JSON ({hash}): the record was changed on the way, "
                + "or built by something other than this library", prefix + "metadata_hash");
        }
        var record = new MetadataRecord(id, modelName, string.IsNullOrEmpty(modelVersion) ? RecordJson.DefaultModelVersion : modelVersion, stage, eventType, at,
            hash, details, compact);
        if (_core.PlaintextSensitiveFields(record) is { Count: > 0 } plaintext)
            throw new ArgumentException($"'{prefix}metadata': {RecordChecks.PlaintextRefusal(plaintext)}.", prefix + "metadata");
        if (_core.Options.LedgerEnabled) record.CacheContentSha256(LeafDraft.ContentHash(record, canonical));
        return record;
    }

    private static void KnownField(string name, string prefix)
    {
        if (!StoredRecordFields.Contains(name))
            throw new ArgumentException($"Unknown field '{prefix}{name}': a stored record has {string.Join(", ", StoredRecordFields)}.", prefix + name);
    }

    private static ArgumentException RequiredField(string prefix, string name) =>
        new($"'{prefix}{name}' is required: a record sent with its id also gives its model_name, stage, event_type, timestamp, metadata_hash and metadata.",
            prefix + name);

    /// <summary>
    /// Whether the body's first record has an <c>id</c>, looking no further than that record's keys (a body of entries is
    /// not parsed twice). Text a strict JSON reader refuses throws <see cref="JsonException"/>.
    /// </summary>
    private static bool StartsWithId(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read()) return false;
        if (reader.TokenType == JsonTokenType.StartArray && !reader.Read()) return false;
        if (reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8)) return true;
            reader.Read();
            reader.Skip();
        }
        return false;
    }

    private async ValueTask<List<MetadataRecord>> WithoutHeldAsync(List<MetadataRecord> records, CancellationToken cancellationToken)
    {
        var result = new List<MetadataRecord>(records.Count);
        foreach (var record in records)
        {
            var held = await _core.GetKnownAsync(record.Id, cancellationToken).ConfigureAwait(false);
            if (held is null || !RecordChecks.SameRecord(held, record)) result.Add(record);
        }
        return result;
    }

    // What a client sent is durable before it is answered, whatever this store's write mode.
    private async ValueTask DurableAsync(CancellationToken cancellationToken)
    {
        if (_core.Options.WriteMode == WriteMode.Buffered) await _core.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void AuditDeletes(IEnumerable<string> ids, CleanupItemKind kind, string reason)
    {
        if (!_core.Options.AuditAllAccess) return;
        foreach (var id in ids)
        {
            _core.Audit(AuditActions.Delete, id, new JsonObject
            {
                ["kind"] = kind == CleanupItemKind.Record ? "record" : "compliance_event",
                ["reason"] = reason,
                ["remote"] = true,
            });
        }
    }

    private void AuditState(string scope, string key, string change)
    {
        if (_core.Options.AuditAllAccess)
            _core.Audit(AuditActions.Save, null, new JsonObject { ["kind"] = "state", ["scope"] = scope, ["key"] = key, ["change"] = change, ["remote"] = true });
    }

    /// <summary>A location relative to this store's folder: clients learn where an entry is in the store, not where the store is.</summary>
    private string Relative(string location)
    {
        string root = _core.Backend.StoragePath.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return location.StartsWith(root, StringComparison.Ordinal) ? location[root.Length..] : location;
    }

    private static string ServedScope(JsonObject request, string? prefix = null)
    {
        string field = prefix is null ? "scope" : $"{prefix}.scope";
        string scope = RemoteWire.Text(request, "scope", prefix) ?? throw new ArgumentException($"'{field}' is required.", field);
        return ServedScopes.Contains(scope, StringComparer.Ordinal)
            ? scope
            : throw new ArgumentException($"The store state '{scope}' is not served to remote stores (only {string.Join(", ", ServedScopes)}); "
                + "API keys, for one, are managed on the server (ciaf apikey).", field);
    }

    private static async ValueTask<JsonObject> ReadObjectAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        try
        {
            return RemoteWire.ParseObject(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"The body is {ex.Message}: a remote backend request is a JSON object.", "body", ex);
        }
    }

    private static JsonArray Items(JsonObject request) => RemoteWire.Array(request, "items");

    private static string ItemText(JsonNode? node, string field) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw new ArgumentException($"'{field}' must be a string.", field);

    private static string Required(JsonObject request, string name) =>
        RemoteWire.Text(request, name) is { Length: > 0 } text ? text : throw new ArgumentException($"'{name}' is required (a non-empty string).", name);

    private static int Limit(JsonObject request) => (int)(RemoteWire.Integer(request, "limit", 1, RemoteBackendOptions.MaxPageSize) ?? RemoteBackendOptions.MaxPageSize);

    private static bool Ascending(JsonObject request) => RemoteWire.Text(request, "order") switch
    {
        null or "newest" => false,
        "oldest" => true,
        var other => throw new ArgumentException($"'order' must be newest or oldest, not '{other}'.", "order"),
    };

    /// <summary>The time bounds of a page after <paramref name="after"/>: from its timestamp on (inclusive; ties are skipped by id).</summary>
    private static (DateTimeOffset? Since, DateTimeOffset? Until) Bounds(DateTimeOffset? since, DateTimeOffset? until,
        (DateTimeOffset Timestamp, string Id)? after, bool ascending)
    {
        if (after is not { } key) return (since, until);
        if (ascending) return (since is { } s && s > key.Timestamp ? s : key.Timestamp, until);
        var bound = key.Timestamp.AddTicks(1); // Until is exclusive: keep the key's own timestamp
        return (since, until is { } u && u < bound ? u : bound);
    }

    /// <summary>At most <paramref name="limit"/> items strictly after <paramref name="after"/> in the order, and whether more follow.</summary>
    private static async ValueTask<(List<T> Items, bool More)> PageAsync<T>(IAsyncEnumerable<T> source, Func<T, (DateTimeOffset Timestamp, string Id)> keyOf,
        (DateTimeOffset Timestamp, string Id)? after, bool ascending, int limit, CancellationToken cancellationToken)
    {
        var items = new List<T>(Math.Min(limit, 1024));
        await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (after is { } key)
            {
                var (timestamp, id) = keyOf(item);
                int c = timestamp.UtcTicks.CompareTo(key.Timestamp.UtcTicks);
                if (c == 0) c = string.CompareOrdinal(id, key.Id);
                if (ascending ? c <= 0 : c >= 0) continue;
            }
            if (items.Count == limit) return (items, true);
            items.Add(item);
        }
        return (items, false);
    }

    private static byte[] Page<T>(string name, (List<T> Items, bool More) page, Action<Utf8JsonWriter, T> write,
        Func<T, (DateTimeOffset Timestamp, string Id)> keyOf, List<(string Location, string Error)> unreadable) => RemoteWire.Build(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray(name);
            foreach (var item in page.Items) write(w, item);
            w.WriteEndArray();
            if (page.More && page.Items.Count > 0)
            {
                var (timestamp, id) = keyOf(page.Items[^1]);
                RemoteWire.WriteKey(w, "next", timestamp, id);
            }
            else
            {
                w.WriteNull("next");
            }
            WriteUnreadable(w, unreadable);
            w.WriteEndObject();
        });

    private static void WriteUnreadable(Utf8JsonWriter w, List<(string Location, string Error)> unreadable)
    {
        w.WriteStartArray("unreadable");
        foreach (var (location, error) in unreadable)
        {
            w.WriteStartObject();
            w.WriteString("location", location);
            w.WriteString("error", error);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static byte[] Count(string name, long value) => RemoteWire.Build(w =>
    {
        w.WriteStartObject();
        w.WriteNumber(name, value);
        w.WriteEndObject();
    });

    private static byte[] Value(string? value) => RemoteWire.Build(w =>
    {
        w.WriteStartObject();
        w.WriteString("value", value);
        w.WriteEndObject();
    });
}
