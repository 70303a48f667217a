using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Retention;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Backends.Remote;

// The capabilities a remote store offers beyond the record store: compliance events, the audit trail, store state
// (legal holds, data subjects' keys) and guarded deletes. Each is one backend operation on the server, which answers
// from its own store's capability (and enforces the role each needs).
internal sealed partial class RemoteMetadataBackend : IComplianceEventStore, IAuditLog, IStoreState, IGuardedDeleteBackend
{
    // ------------------------------------------------------------------ compliance events

    /// <inheritdoc />
    public async ValueTask WriteComplianceEventsAsync(IReadOnlyList<ComplianceEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ThrowIfDisposed();
        for (int i = 0; i < events.Count; i++)
        {
            if (events[i] is null || string.IsNullOrWhiteSpace(events[i].Id)) throw new ArgumentException($"events[{i}] is null or has no id.", nameof(events));
        }
        await WritingAsync(async retried =>
        {
            foreach (var (_, _, body) in Pack(events, 0, events.Count, RemoteWire.WriteEvent, head: static _ => { }))
            {
                await _connection.CallAsync("write_events", body, cancellationToken, retried).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ComplianceEvent> QueryComplianceEventsAsync(ComplianceEventQuery query,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        await foreach (var node in PagesAsync("query_events", "events", query.Limit, w =>
        {
            RemoteWire.WriteOptional(w, "framework", query.Framework);
            RemoteWire.WriteOptional(w, "metadata_id", query.MetadataId);
            RemoteWire.WriteTime(w, "since", query.Since);
            RemoteWire.WriteTime(w, "until", query.Until);
        }, static e => (e.Timestamp, e.Id), RemoteWire.ReadEvent, cancellationToken).ConfigureAwait(false))
        {
            yield return node;
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> DeleteComplianceEventsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ThrowIfDisposed();
        return await DeleteItemsAsync("delete_events", ids, cancellationToken).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ audit trail

    /// <inheritdoc />
    /// <remarks>The server adds to each entry's details who sent it (<c>"via"</c>: the API key's or token's identity).</remarks>
    public async ValueTask WriteAuditAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ThrowIfDisposed();
        foreach (var (_, _, body) in Pack(entries, 0, entries.Count, RemoteWire.WriteAudit, head: static _ => { }))
        {
            await _connection.CallAsync("write_audit", body, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>Reading the trail needs the <c>auditor</c> (or <c>admin</c>) role.</remarks>
    public async IAsyncEnumerable<AuditEntry> QueryAuditAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        await foreach (var entry in PagesAsync("query_audit", "entries", query.Limit, w =>
        {
            RemoteWire.WriteOptional(w, "parent_id", query.ParentId);
            RemoteWire.WriteOptional(w, "action", query.Action);
            RemoteWire.WriteOptional(w, "user_id", query.UserId);
            RemoteWire.WriteTime(w, "since", query.Since);
            RemoteWire.WriteTime(w, "until", query.Until);
            w.WriteString("order", query.Order == RecordOrder.OldestFirst ? "oldest" : "newest");
        }, static e => (e.Timestamp, e.Id), RemoteWire.ReadAudit, cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    // ------------------------------------------------------------------ store state

    /// <inheritdoc />
    public async ValueTask<IReadOnlyDictionary<string, string>> ReadStateAsync(string scope, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        ThrowIfDisposed();
        var answer = await _connection.CallAsync("read_state", StateRequest(scope, null, null), cancellationToken).ConfigureAwait(false);
        return Answer("read_state", () =>
        {
            var entries = answer["entries"] as JsonObject ?? throw new ArgumentException("'entries' must be an object.", "entries");
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in entries)
            {
                result[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String
                    ? v.GetValue<string>()
                    : throw new ArgumentException($"'entries.{key}' must be a string.", "entries");
            }
            return (IReadOnlyDictionary<string, string>)result;
        });
    }

    /// <inheritdoc />
    public async ValueTask<string?> ReadStateEntryAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ThrowIfDisposed();
        var answer = await _connection.CallAsync("read_state_entry", StateRequest(scope, key, null), cancellationToken).ConfigureAwait(false);
        return Answer("read_state_entry", () => RemoteWire.Text(answer, "value"));
    }

    /// <inheritdoc />
    /// <remarks>Setting state (a legal hold, a subject's erasure) needs the <c>admin</c> role.</remarks>
    public async ValueTask WriteStateAsync(string scope, string key, string? value, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ThrowIfDisposed();
        await WritingAsync(async retried =>
            await _connection.CallAsync("write_state", StateRequest(scope, key, value), cancellationToken, retried).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Atomic on the server's store, for every client and process: two clients adding the same key get the same value.</remarks>
    public async ValueTask<string> AddStateAsync(string scope, string key, string value, CancellationToken cancellationToken = default)
    {
        StateScopes.Validate(scope);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        ThrowIfDisposed();
        var answer = await _connection.CallAsync("add_state", StateRequest(scope, key, value), cancellationToken).ConfigureAwait(false);
        return Answer("add_state", () => RemoteWire.Text(answer, "value") ?? throw new ArgumentException("'value' is missing.", "value"));
    }

    // ------------------------------------------------------------------ guarded deletes

    /// <inheritdoc />
    /// <remarks>
    /// The server runs each request as one step of its own store's guarded delete (under the lock hold placement takes),
    /// so a legal hold placed by any client or process wins. A deletion too large for one request is split; each part is
    /// such a step.
    /// </remarks>
    public async ValueTask<GuardedDeleteResult> DeleteUnlessGuardedAsync(GuardedDeletion deletion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deletion);
        StateScopes.Validate(deletion.Scope);
        ThrowIfDisposed();
        var items = deletion.GuardKeys.ToList();
        int deleted = 0;
        var kept = new List<string>();
        foreach (var (_, _, body) in Pack(items, 0, items.Count, static (w, item) =>
        {
            w.WriteStartObject();
            w.WriteString("id", item.Key ?? throw new ArgumentException("A guarded deletion holds a null id.", nameof(deletion)));
            w.WriteStartArray("guard_keys");
            foreach (var key in item.Value) w.WriteStringValue(key);
            w.WriteEndArray();
            w.WriteEndObject();
        }, head: w =>
        {
            w.WriteString("kind", deletion.Kind == CleanupItemKind.Record ? "record" : "compliance_event");
            w.WriteString("scope", deletion.Scope);
            w.WriteString("reason", deletion.Reason);
        }))
        {
            var answer = await _connection.CallAsync("delete_unless_guarded", body, cancellationToken).ConfigureAwait(false);
            deleted += (int)(Answer("delete_unless_guarded", () => RemoteWire.Integer(answer, "deleted", 0, int.MaxValue)) ?? 0);
            foreach (var id in Answer("delete_unless_guarded", () => RemoteWire.Array(answer, "kept")))
            {
                kept.Add(Answer("delete_unless_guarded", () => id?.GetValue<string>() ?? throw new ArgumentException("'kept' holds a null.", "kept")));
            }
        }
        return new GuardedDeleteResult(deleted, kept);
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] StateRequest(string scope, string? key, string? value) => RemoteWire.Build(w =>
    {
        w.WriteStartObject();
        w.WriteString("scope", scope);
        RemoteWire.WriteOptional(w, "key", key);
        if (key is not null) w.WriteString("value", value);
        w.WriteEndObject();
    });

    /// <summary>
    /// A paged read: asks for at most a page (and no more than <paramref name="limit"/> in all) after the last item of the
    /// previous page, until the server says there is no next page.
    /// </summary>
    private async IAsyncEnumerable<T> PagesAsync<T>(string operation, string itemsName, int? limit, Action<Utf8JsonWriter> filters,
        Func<T, (DateTimeOffset Timestamp, string Id)> keyOf, Func<JsonNode?, string, T> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int remaining = limit ?? int.MaxValue;
        (DateTimeOffset Timestamp, string Id)? after = null;
        var reported = new HashSet<string>(StringComparer.Ordinal);
        while (remaining > 0)
        {
            int page = Math.Min(_pageSize, remaining);
            var answer = await _connection.CallAsync(operation, RemoteWire.Build(w =>
            {
                w.WriteStartObject();
                filters(w);
                w.WriteNumber("limit", page);
                if (after is { } key) RemoteWire.WriteKey(w, "after", key.Timestamp, key.Id);
                w.WriteEndObject();
            }), cancellationToken).ConfigureAwait(false);
            ReportUnreadable(answer, reported);
            T? last = default;
            bool any = false;
            foreach (var node in Answer(operation, () => RemoteWire.Array(answer, itemsName)))
            {
                last = Answer(operation, () => read(node, itemsName + "[]"));
                any = true;
                yield return last;
                remaining--;
            }
            if (answer["next"] is null || !any) yield break;
            after = keyOf(last!);
        }
    }
}
