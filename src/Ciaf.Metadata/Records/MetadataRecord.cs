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

    // A capture saved to a buffered store holds its values (a snapshot no one can change) until the writer converts them.
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
        DateTimeOffset timestamp, string? details, Dictionary<string, object?> snapshot, bool contentHash)
        : this(id, modelName, modelVersion, stage, eventType, timestamp, string.Empty, details, Metadata: null!)
    {
        _deferred = new Deferred(this, snapshot, contentHash);
    }

    /// <summary>Whether the payload is still a capture's snapshot, to be converted (<see cref="Resolved"/>).</summary>
    internal bool IsDeferred => _deferred is not null;

    /// <summary>This record, or for a capture's snapshot the record converted from it (text, hash, and the ledger's content hash).</summary>
    internal MetadataRecord Resolved => _deferred?.Resolve(this) ?? this;

    /// <summary>The compact JSON text of the payload (<c>json.dumps(metadata)</c>, what the SQL backends store).</summary>
    internal string CompactJson => _compactJson is { } text ? System.Text.Encoding.Latin1.GetString(text)
        : _deferred is not null ? Resolved.CompactJson
        : PythonJson.Serialize(Metadata, PythonJsonStyle.Compact);

    /// <summary><see cref="CompactJson"/> as its bytes (ASCII), without a copy when the record holds them.</summary>
    internal byte[] CompactUtf8 => _compactJson ?? (_deferred is not null ? Resolved.CompactUtf8 : PythonJson.SerializeToUtf8Bytes(Metadata, PythonJsonStyle.Compact));

    /// <summary>The compact JSON text the record holds (see <see cref="CompactUtf8"/>), or <c>null</c> for a record made from nodes.</summary>
    internal byte[]? HeldCompactUtf8 => _compactJson ?? (_deferred is not null ? Resolved.HeldCompactUtf8 : null);

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
    // with `with` that changes any of them does not match and is hashed again. A large record's canonical text may be
    // kept instead (Canonical, pooled), for the writer to hash (see DeferContentSha256). A copy made with `with` shares
    // this object, so the text is taken from it, once, by exchange: the other copy then hashes the record itself.
    private sealed record ContentCache(string? Sha256, int CanonicalLength, string Id, string ModelName, string ModelVersion,
        string Stage, string EventType, DateTimeOffset Timestamp, string MetadataHash, string? Details, byte[]? Compact)
    {
        public byte[]? Canonical;
    }

    private ContentCache? _content;

    /// <summary>Keeps the ledger's content hash of this record as it is now.</summary>
    internal void CacheContentSha256(string sha256) => _content = Cache(sha256, null, 0);

    /// <summary>
    /// Keeps the metadata's canonical text (the first <paramref name="length"/> bytes of <paramref name="canonical"/>, an
    /// <see cref="System.Buffers.ArrayPool{T}.Shared"/> array this record now owns) for the ledger's content hash, to be
    /// computed by whoever first asks (<see cref="TakeCanonical"/>): the background writer, for a large record.
    /// </summary>
    internal void DeferContentSha256(byte[] canonical, int length) => _content = Cache(null, canonical, length);

    private ContentCache Cache(string? sha256, byte[]? canonical, int length) =>
        new(sha256, length, Id, ModelName, ModelVersion, Stage, EventType, Timestamp, MetadataHash, Details, _compactJson) { Canonical = canonical };

    /// <summary>The kept content hash, if the record still holds exactly what it was computed from; else <c>null</c>.</summary>
    internal string? CachedContentSha256() => Current(_content)?.Sha256;

    /// <summary>
    /// The canonical text kept by <see cref="DeferContentSha256"/>, if the record still holds what it was written from,
    /// handed out once (the taker hashes it, <see cref="CacheContentSha256"/>s the hash and returns the array to the pool).
    /// </summary>
    internal (byte[] Buffer, int Length)? TakeCanonical() =>
        Current(_content) is { Sha256: null } kept && Interlocked.Exchange(ref kept.Canonical, null) is { } canonical
            ? (canonical, kept.CanonicalLength)
            : null;

    private ContentCache? Current(ContentCache? c) =>
        c is not null && _compactJson is not null && ReferenceEquals(c.Compact, _compactJson) && ReferenceEquals(c.Id, Id)
            && ReferenceEquals(c.ModelName, ModelName) && ReferenceEquals(c.ModelVersion, ModelVersion) && ReferenceEquals(c.Stage, Stage)
            && ReferenceEquals(c.EventType, EventType) && c.Timestamp == Timestamp && ReferenceEquals(c.MetadataHash, MetadataHash)
            && ReferenceEquals(c.Details, Details)
            ? c
            : null;

    // A capture's snapshot and, once converted, the record made from it. Converting is pure (the snapshot cannot change), so
    // two threads converting at once (the writer, a read of the pending record) make equal records, and the first is kept.
    private sealed class Deferred(MetadataRecord owner, Dictionary<string, object?> snapshot, bool contentHash)
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
            if (MetadataConverter.TryWriteText(snapshot, out byte[] compact, out _, out string hash, contentHash, out var canonical))
            {
                try
                {
                    var converted = new MetadataRecord(r.Id, r.ModelName, r.ModelVersion, r.Stage, r.EventType, r.Timestamp, hash, r.Details, compact);
                    if (canonical is not null) converted.CacheContentSha256(Ledger.LeafDraft.ContentHash(converted, canonical.Written));
                    return converted;
                }
                finally
                {
                    canonical?.Return();
                }
            }
            // The fast lane writes every snapshot; were it ever to decline one, the node path stores the same values.
            var metadata = MetadataConverter.ToJsonObject(snapshot);
            return new MetadataRecord(r.Id, r.ModelName, r.ModelVersion, r.Stage, r.EventType, r.Timestamp, PythonJson.Hash(metadata), r.Details, metadata);
        }
    }

    private JsonObject Materialize()
    {
        var parsed = (JsonObject)PythonJson.Parse(_compactJson.AsSpan())!;
        return Interlocked.CompareExchange(ref _metadata, parsed, null) ?? parsed;
    }
}
