using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata;

/// <summary>A stored metadata record, exactly as the Python reference stores it.</summary>
/// <param name="Id">The record id (a UUID string).</param>
/// <param name="ModelName">The model name.</param>
/// <param name="ModelVersion">The model version (<c>"1.0.0"</c> when none was given).</param>
/// <param name="Stage">The pipeline stage.</param>
/// <param name="EventType">The event type.</param>
/// <param name="Timestamp">When the record was saved, UTC, microsecond precision.</param>
/// <param name="MetadataHash">SHA-256 (hex) of the canonical JSON of <paramref name="Metadata"/>, as the reference computes it.</param>
/// <param name="Details">The human-readable description, if any.</param>
/// <param name="Metadata">The payload.</param>
public sealed record MetadataRecord(string Id, string ModelName, string ModelVersion,
    string Stage, string EventType, DateTimeOffset Timestamp, string MetadataHash,
    string? Details, JsonObject Metadata)
{
    // A record saved through the fast path holds its payload as the compact JSON text a backend stores
    // (json.dumps(metadata), ASCII, kept as its bytes: half the size of a string) and builds the JsonObject only when
    // someone asks for it.
    private JsonObject? _metadata = Metadata;
    private readonly byte[]? _compactJson;

    // A capture's snapshot, or a large record's canonical text, in a buffered store until the writer converts or hashes it.
    private readonly Deferred? _deferred;

    /// <summary>The payload.</summary>
    public JsonObject Metadata
    {
        get => _metadata ?? (_compactJson is not null ? Materialize() : _deferred is not null ? Resolved.Metadata : null!);
        init
        {
            _metadata = value;
            _compactJson = null;
            _deferred = null;
        }
    }

    /// <summary>A record whose payload is known by its compact JSON text (<c>json.dumps</c>, ASCII bytes), parsed on first use.</summary>
    internal MetadataRecord(string id, string modelName, string modelVersion, string stage, string eventType,
        DateTimeOffset timestamp, string metadataHash, string? details, byte[] compactJson)
        : this(id, modelName, modelVersion, stage, eventType, timestamp, metadataHash, details, Metadata: null!)
    {
        _compactJson = compactJson;
    }

    /// <summary>
    /// A record whose payload is a capture's snapshot (<see cref="Capture.CaptureSnapshot"/>), converted on first use (by the
    /// buffered writer, or a read of the pending record): its <see cref="MetadataHash"/> is empty until then, as a buffered
    /// record's from nodes is; <see cref="Resolved"/> is the record with its text and hash.
    /// </summary>
    internal MetadataRecord(string id, string modelName, string modelVersion, string stage, string eventType,
        DateTimeOffset timestamp, string? details, object snapshot, bool contentHash)
        : this(id, modelName, modelVersion, stage, eventType, timestamp, string.Empty, details, Metadata: null!)
    {
        _deferred = new Deferred(this, snapshot, null, contentHash);
    }

    /// <summary>
    /// A record whose payload is written (<paramref name="compactJson"/>) but not yet hashed: a large record saved to a buffered
    /// store, whose <paramref name="canonicalJson"/> the writer hashes (<see cref="Resolved"/>); its <see cref="MetadataHash"/>
    /// is empty until then.
    /// </summary>
    internal MetadataRecord(string id, string modelName, string modelVersion, string stage, string eventType,
        DateTimeOffset timestamp, string? details, byte[] compactJson, byte[] canonicalJson, bool contentHash)
        : this(id, modelName, modelVersion, stage, eventType, timestamp, string.Empty, details, compactJson)
    {
        _deferred = new Deferred(this, null, canonicalJson, contentHash);
    }

    /// <summary>Whether the payload is still to be converted or hashed (<see cref="Resolved"/>).</summary>
    internal bool IsDeferred => _deferred is not null;

    /// <summary>This record, or for a deferred one the record converted and hashed (text, hash, and the ledger's content hash).</summary>
    internal MetadataRecord Resolved => _deferred?.Resolve(this) ?? this;

    /// <summary>The compact JSON text of the payload (<c>json.dumps(metadata)</c>, what the SQL backends store).</summary>
    internal string CompactJson => _compactJson is { } text ? System.Text.Encoding.Latin1.GetString(text)
        : _deferred is not null ? Resolved.CompactJson
        : PythonJson.Serialize(Metadata, PythonJsonStyle.Compact);

    /// <summary><see cref="CompactJson"/> as its bytes (ASCII), without a copy when the record holds them.</summary>
    internal byte[] CompactUtf8 => _compactJson ?? (_deferred is not null ? Resolved.CompactUtf8 : PythonJson.SerializeToUtf8Bytes(Metadata, PythonJsonStyle.Compact));

    /// <summary>The compact JSON text the record holds (see <see cref="CompactUtf8"/>), or <c>null</c> for a record made from nodes.</summary>
    internal byte[]? HeldCompactUtf8 => _compactJson ?? _deferred?.Resolve(this).HeldCompactUtf8;

    /// <summary>Whether the record has a payload at all (without parsing it).</summary>
    internal bool HasMetadata => _metadata is not null || _compactJson is not null || _deferred is not null;

    /// <summary>Whether this record and <paramref name="other"/> carry the very same payload (not an equal copy).</summary>
    internal bool SamePayload(MetadataRecord other)
    {
        var (a, b) = (Resolved, other.Resolved);
        return a._compactJson is not null && b._compactJson is not null
            ? ReferenceEquals(a._compactJson, b._compactJson)
            : ReferenceEquals(a.Metadata, b.Metadata);
    }

    /// <summary>A copy whose payload is its own (parsed anew from the text when there is one), as a reader would get it.</summary>
    internal MetadataRecord Detached() => _deferred is not null ? Resolved.Detached()
        : _compactJson is not null
        ? new MetadataRecord(Id, ModelName, ModelVersion, Stage, EventType, Timestamp, MetadataHash, Details, _compactJson)
        : this with { Metadata = (JsonObject)PythonJson.Parse(PythonJson.Serialize(Metadata, PythonJsonStyle.Compact))! };

    // The ledger's content hash, computed from the fast lane's canonical text, with the values it covers: a copy made
    // with `with` that changes any of them does not match and is hashed again.
    private sealed record ContentCache(string Sha256, string Id, string ModelName, string ModelVersion,
        string Stage, string EventType, DateTimeOffset Timestamp, string MetadataHash, string? Details, byte[]? Compact);

    private ContentCache? _content;

    /// <summary>Keeps the ledger's content hash of this record as it is now.</summary>
    internal void CacheContentSha256(string sha256) =>
        _content = new(sha256, Id, ModelName, ModelVersion, Stage, EventType, Timestamp, MetadataHash, Details, _compactJson);

    /// <summary>The kept content hash, if the record still holds exactly what it was computed from; else <c>null</c>.</summary>
    internal string? CachedContentSha256() => Current(_content)?.Sha256;

    private ContentCache? Current(ContentCache? c) =>
        c is not null && _compactJson is not null && ReferenceEquals(c.Compact, _compactJson) && ReferenceEquals(c.Id, Id)
            && ReferenceEquals(c.ModelName, ModelName) && ReferenceEquals(c.ModelVersion, ModelVersion) && ReferenceEquals(c.Stage, Stage)
            && ReferenceEquals(c.EventType, EventType) && c.Timestamp == Timestamp && ReferenceEquals(c.MetadataHash, MetadataHash)
            && ReferenceEquals(c.Details, Details)
            ? c
            : null;

    // A capture's snapshot, or a large record's canonical text, and once converted the record made from it. Converting is
    // pure (neither can change), so two threads converting at once (the writer, a read of the pending record) make equal
    // records, and the first is kept.
    private sealed class Deferred(MetadataRecord owner, object? snapshot, byte[]? canonicalText, bool contentHash)
    {
        private MetadataRecord? _resolved;

        public MetadataRecord Resolve(MetadataRecord record)
        {
            // A copy made with `with` that changes a field is converted for itself, not handed the original's record.
            if (!ReferenceEquals(record, owner)) return Convert(record);
            if (Volatile.Read(ref _resolved) is { } done) return done;
            var resolved = Convert(record);
            return Interlocked.CompareExchange(ref _resolved, resolved, null) ?? resolved;
        }

        private MetadataRecord Convert(MetadataRecord r)
        {
            if (canonicalText is not null)
            {
                return Written(r, PythonJson.HashOf(canonicalText), r._compactJson!, canonicalText);
            }
            // A capture's fields are rendered here (plain values), a snapshot of plain values is written as it is.
            var captured = snapshot as Capture.CapturedPayload;
            var values = captured?.Plain() ?? (Dictionary<string, object?>)snapshot!;
            if (MetadataConverter.TryWriteText(values, out byte[] compact, out _, out string hash, contentHash, out var canonical))
            {
                try
                {
                    return Written(r, hash, compact, canonical is null ? default : canonical.Written);
                }
                finally
                {
                    canonical?.Return();
                }
            }
            // Values the fast lane declines (a node kept in them) take the node path; a capture's values it refuses, the nodes
            // captures stored before the plain form (as on the caller's thread).
            JsonObject metadata;
            try
            {
                metadata = MetadataConverter.ToJsonObject(values);
            }
            catch (Exception ex) when (captured is not null && ex is ArgumentException or InvalidOperationException)
            {
                metadata = MetadataConverter.ToJsonObject(captured.Nodes());
            }
            return new MetadataRecord(r.Id, r.ModelName, r.ModelVersion, r.Stage, r.EventType, r.Timestamp, PythonJson.Hash(metadata), r.Details, metadata);
        }

        // The record with its texts and hash, and the ledger's content hash when this store keeps the ledger.
        private MetadataRecord Written(MetadataRecord r, string hash, byte[] compact, ReadOnlySpan<byte> canonical)
        {
            var written = new MetadataRecord(r.Id, r.ModelName, r.ModelVersion, r.Stage, r.EventType, r.Timestamp, hash, r.Details, compact);
            if (contentHash) written.CacheContentSha256(Ledger.LeafDraft.ContentHash(written, canonical));
            return written;
        }
    }

    private JsonObject Materialize()
    {
        var parsed = (JsonObject)PythonJson.Parse(_compactJson.AsSpan())!;
        return Interlocked.CompareExchange(ref _metadata, parsed, null) ?? parsed;
    }
}
