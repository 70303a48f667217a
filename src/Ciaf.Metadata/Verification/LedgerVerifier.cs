using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;
using Ciaf.Metadata.Transfer;

namespace Ciaf.Metadata.Verification;

/// <summary>
/// The ledger's part of <c>Verify</c>: every leaf re-hashed and the tree rebuilt from the leaves alone, the latest leaf
/// of every item compared with the item's stored content (during the verifier's one scan of the store), items with no
/// leaf and leaves whose item vanished without a tombstone, and every checkpoint (kept or given) checked against the
/// rebuilt tree and its signature.
/// </summary>
internal sealed class LedgerVerifier(StoreCore core, ILedgerBackend ledger, VerifyOptions options)
{
    // What the log says an item should be: its latest leaf.
    private readonly record struct Expected(long Seq, string Kind, string? Of, string? ContentSha256);

    private readonly Dictionary<string, Expected> _latest = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<VerificationIssue> _issues = [];
    // Findings about items, kept with the content hash found, to be checked again against the log as it is at the end:
    // the store is scanned after the log was read, and a write in between has its leaf past that point.
    private readonly List<(string Id, string? ContentSha256, VerificationIssue Issue)> _items = [];
    private string Location => $"{core.Backend.DbPath ?? core.Backend.StoragePath}#ledger";

    private LedgerHead _head;
    private int _checkpointCount;

    /// <summary>
    /// Reads the log (every leaf re-hashed, the tree rebuilt, every checkpoint compared with it). <c>false</c> when the
    /// store's log is not active (nothing else to check). Then the caller passes each stored record and event to
    /// <see cref="CheckRecord"/> and <see cref="CheckEvent"/> during its own scan, and calls <see cref="FinishAsync"/>.
    /// </summary>
    public async ValueTask<bool> BeginAsync(CancellationToken cancellationToken)
    {
        _head = await ledger.LedgerHeadAsync(cancellationToken).ConfigureAwait(false);
        if (!_head.Active) return false;

        var kept = await ledger.CheckpointsAsync(cancellationToken).ConfigureAwait(false);
        var checkpoints = new List<(LedgerCheckpoint Checkpoint, string Source)>();
        foreach (var text in kept) checkpoints.Add((LedgerCheckpoint.Parse(text), "kept"));
        foreach (var (text, source) in options.Checkpoints)
        {
            try
            {
                checkpoints.Add((LedgerCheckpoint.Parse(text), source));
            }
            catch (FormatException ex)
            {
                _issues.Add(Issue(VerificationIssueKind.LedgerCheckpoint, null, $"the checkpoint {source} cannot be read: {ex.Message}"));
            }
        }
        long size = _head.Size;
        var rootsAt = checkpoints.Select(c => c.Checkpoint.TreeSize).Where(s => s <= size).ToHashSet();
        var roots = await ledger.ReadLedgerAsync(r => ReadLog(r, size, rootsAt), cancellationToken).ConfigureAwait(false);
        CheckCheckpoints(checkpoints, roots, size);
        _checkpointCount = checkpoints.Count;
        return true;
    }

    /// <summary>A stored record against its latest leaf, given its metadata's canonical text (the verifier has just hashed it).</summary>
    public void CheckRecord(MetadataRecord record, ReadOnlySpan<byte> canonicalMetadata, string location) =>
        Check(LeafDraft.OfRecord, record.Id, LeafDraft.ContentHash(record, canonicalMetadata), location);

    /// <summary>A stored compliance event against its latest leaf.</summary>
    public void CheckEvent(ComplianceEvent ev, string location) => Check(LeafDraft.OfComplianceEvent, ev.Id, LeafDraft.ContentHash(ev), location);

    /// <summary>The legal holds, then every leaf whose item was not seen; returns the summary, problems added to <paramref name="issues"/>.</summary>
    public async ValueTask<LedgerVerification> FinishAsync(List<VerificationIssue> issues, CancellationToken cancellationToken)
    {
        if (core.Backend is IStoreState state)
        {
            foreach (var (key, value) in await state.ReadStateAsync(StateScopes.LegalHolds, cancellationToken).ConfigureAwait(false))
                Check(LedgerLeafKinds.Hold, key, LeafDraft.ContentHash(value), $"legal hold {key}");
            // Erasures, not live keys (a key's creation is not logged): a key put back after its erasure leaves the erasure unseen.
            foreach (var (key, value) in await state.ReadStateAsync(StateScopes.SubjectKeys, cancellationToken).ConfigureAwait(false))
            {
                if (IsErasure(key, value)) Check(LeafDraft.OfSubjectKey, key, LeafDraft.ContentHash(value), $"erasure of data subject {key}");
            }
        }
        foreach (var (key, expected) in _latest)
        {
            if (_seen.Contains(key)) continue;
            string id = key[(key.IndexOf('\n') + 1)..];
            bool gone = expected.Kind == LedgerLeafKinds.Tombstone || (expected.Kind == LedgerLeafKinds.Hold && expected.ContentSha256 is null)
                || expected.Kind == LedgerLeafKinds.Audit;
            if (!gone)
            {
                _items.Add((id, null, Issue(VerificationIssueKind.LedgerDeleted, id,
                    $"{Describe(expected)} (leaf {expected.Seq}) is gone from the store without a tombstone: it was deleted outside the library")));
            }
        }
        await RecheckAgainstTheLogNowAsync(cancellationToken).ConfigureAwait(false);
        issues.AddRange(_issues);
        return new LedgerVerification(LedgerVerificationState.Active, _head.Size, _checkpointCount);
    }

    // One pass over the leaves: each re-hashed from its text and its fields read; the tree's right edge rebuilt as it
    // goes, so the root at any checkpoint's size is known without keeping the leaves.
    private Dictionary<long, byte[]> ReadLog(ILedgerReader reader, long size, HashSet<long> rootsAt)
    {
        var roots = new Dictionary<long, byte[]>();
        var edge = new MerkleEdge();
        long expected = 0, appended = 0;
        bool reportedOrder = false;
        foreach (var row in reader.Leaves(0, size))
        {
            if (row.Seq != expected && !reportedOrder)
            {
                _issues.Add(Issue(VerificationIssueKind.LedgerBroken, null, $"leaf {expected} is missing from the log (the next stored leaf is {row.Seq}): the log was cut"));
                reportedOrder = true;
            }
            expected = row.Seq + 1;
            byte[] leafHash = MerkleTree.LeafHash(Encoding.UTF8.GetBytes(row.Text));
            if (!leafHash.AsSpan().SequenceEqual(row.Hash))
                _issues.Add(Issue(VerificationIssueKind.LedgerBroken, row.ItemId, $"leaf {row.Seq}'s stored hash is not the hash of its text: the leaf was rewritten"));
            Remember(row);
            edge.Append(appended++, leafHash);
            if (rootsAt.Contains(expected)) roots[expected] = edge.Root();
        }
        if (expected != size && !reportedOrder)
            _issues.Add(Issue(VerificationIssueKind.LedgerBroken, null, $"the log should hold {size} leaves but ends at {expected}"));
        roots[size] = edge.Root();
        // The stored subtrees must agree with the leaves: proofs are built from them.
        if (size > 0)
        {
            byte[] fromStored = LedgerNodes.Root(reader, size);
            if (!fromStored.AsSpan().SequenceEqual(roots[size]))
                _issues.Add(Issue(VerificationIssueKind.LedgerBroken, null, "the log's stored subtrees disagree with its leaves: proofs built from them would be wrong"));
        }
        return roots;
    }

    private void Remember(LedgerLeafRow row)
    {
        try
        {
            using var doc = JsonDocument.Parse(row.Text);
            var root = doc.RootElement;
            long seq = root.GetProperty("seq").GetInt64();
            string kind = root.GetProperty("kind").GetString()!;
            string id = root.GetProperty("id").GetString()!;
            if (seq != row.Seq || kind != row.Kind || id != row.ItemId)
            {
                _issues.Add(Issue(VerificationIssueKind.LedgerBroken, row.ItemId, $"leaf {row.Seq}'s text names seq {seq}, kind {kind}, id {id}, not its row"));
                return;
            }
            string? of = root.TryGetProperty("of", out var o) ? o.GetString() : null;
            string? content = root.TryGetProperty("content_sha256", out var c) ? c.GetString() : null;
            _latest[Key(KindOf(kind, of), id)] = new Expected(seq, kind, of, content);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            _issues.Add(Issue(VerificationIssueKind.LedgerBroken, row.ItemId, $"leaf {row.Seq} is not a ledger leaf: {ex.Message}"));
        }
    }

    private static bool IsErasure(string key, string value)
    {
        try
        {
            return Encryption.SubjectErasure.FromStateValue(key, value) is not null;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // Records and events are told apart by what the leaf is about (a tombstone's, adoption's or erasure's "of").
    private static string KindOf(string kind, string? of) => kind switch
    {
        LedgerLeafKinds.Tombstone or LedgerLeafKinds.Adopted or LedgerLeafKinds.Erasure => of ?? kind,
        _ => kind,
    };

    private static string Key(string kind, string id) => kind + "\n" + id;

    private void CheckCheckpoints(List<(LedgerCheckpoint Checkpoint, string Source)> checkpoints, Dictionary<long, byte[]> roots, long size)
    {
        var keys = options.PublicKeyPems.Count > 0 ? [.. options.PublicKeyPems.Select(LedgerKeys.LoadPublic)]
            : core.Ledger.PublicKey() is { } own ? [own] : new List<ECDsa>();
        try
        {
            CheckCheckpoints(checkpoints, roots, size, keys);
        }
        finally
        {
            foreach (var key in keys) key.Dispose();
        }
    }

    private void CheckCheckpoints(List<(LedgerCheckpoint Checkpoint, string Source)> checkpoints, Dictionary<long, byte[]> roots, long size, List<ECDsa> keys)
    {
        foreach (var (checkpoint, source) in checkpoints)
        {
            string name = $"the {source} checkpoint at size {checkpoint.TreeSize}";
            if (keys.Count > 0 && !keys.Any(checkpoint.Verify))
            {
                _issues.Add(Issue(VerificationIssueKind.LedgerCheckpoint, null, keys.Count == 1
                    ? $"{name} is not signed by the ledger's key: it was forged or signed by another key"
                    : $"{name} is signed by none of the {keys.Count} keys given: it was forged or signed by another key"));
            }
            if (checkpoint.TreeSize > size)
            {
                _issues.Add(Issue(VerificationIssueKind.LedgerCheckpoint, null,
                    $"{name} covers {checkpoint.TreeSize} leaves but the log holds {size}: leaves were removed (the log was truncated)"));
            }
            else if (!roots[checkpoint.TreeSize].AsSpan().SequenceEqual(checkpoint.RootHash))
            {
                _issues.Add(Issue(VerificationIssueKind.LedgerCheckpoint, null,
                    $"{name} does not match the log's first {checkpoint.TreeSize} leaves: leaves before it were rewritten (root {Convert.ToHexStringLower(roots[checkpoint.TreeSize])}, checkpoint {Convert.ToHexStringLower(checkpoint.RootHash)})"));
            }
        }
    }

    private void Check(string kind, string id, string contentSha256, string location)
    {
        string key = Key(kind, id);
        _seen.Add(key);
        if (!_latest.TryGetValue(key, out var expected))
        {
            _items.Add((id, contentSha256, new VerificationIssue(VerificationIssueKind.LedgerMissingLeaf, id, location,
                $"the {kind.Replace('_', ' ')} '{id}' has no leaf in the ledger: it was written around the library (or by a process with the ledger off)")));
        }
        else if (expected.Kind == LedgerLeafKinds.Tombstone)
        {
            _items.Add((id, contentSha256, new VerificationIssue(VerificationIssueKind.LedgerMismatch, id, location,
                $"the {kind.Replace('_', ' ')} '{id}' was deleted at leaf {expected.Seq} but is in the store again: it was put back outside the library")));
        }
        else if (!string.Equals(expected.ContentSha256, contentSha256, StringComparison.Ordinal))
        {
            _items.Add((id, contentSha256, new VerificationIssue(VerificationIssueKind.LedgerMismatch, id, location,
                $"the {kind.Replace('_', ' ')} '{id}' no longer matches its leaf {expected.Seq}: its content hashes to {contentSha256}, the leaf says {expected.ContentSha256 ?? "released"} (edited after it was written, even if its metadata_hash was recomputed)")));
        }
    }

    // A finding stands unless a leaf appended since the log was read explains it: the item's newest leaf holds the
    // content found (written meanwhile), or is a tombstone for an item found gone (deleted meanwhile).
    private async ValueTask RecheckAgainstTheLogNowAsync(CancellationToken cancellationToken)
    {
        if (_items.Count == 0) return;
        var now = await ledger.LedgerHeadAsync(cancellationToken).ConfigureAwait(false);
        if (now.Size == _head.Size)
        {
            _issues.AddRange(_items.Select(i => i.Issue));
            return;
        }
        var newer = await ledger.ReadLedgerAsync(r => _items.Select(i => r.LatestLeaf(i.Id, now.Size)).ToList(), cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < _items.Count; i++)
        {
            var (_, content, issue) = _items[i];
            bool explained = newer[i] is { } leaf && leaf.Seq >= _head.Size && (content is null
                ? leaf.Kind == LedgerLeafKinds.Tombstone
                : LeafDraft.Holds(leaf.Text, content));
            if (!explained) _issues.Add(issue);
        }
    }

    private static string Describe(Expected expected) => expected.Kind switch
    {
        LedgerLeafKinds.Adopted => $"the adopted {expected.Of?.Replace('_', ' ')}",
        LedgerLeafKinds.Hold => "the legal hold",
        LedgerLeafKinds.Erasure => "the erasure of a data subject",
        _ => $"the {expected.Kind.Replace('_', ' ')}",
    };

    private VerificationIssue Issue(VerificationIssueKind kind, string? id, string detail) => new(kind, id, Location, detail);
}

/// <summary>Extra inputs of <c>Verify</c>: older checkpoints (e.g. from a witness) and the public key to check signatures with.</summary>
public sealed record VerifyOptions
{
    /// <summary>Checkpoint notes to check the log against, each with where it came from (a file name).</summary>
    public IReadOnlyList<(string Text, string Source)> Checkpoints { get; init; } = [];

    /// <summary>
    /// The public keys (PEM text or a file path) whose signatures a checkpoint may carry: several when the key was
    /// rotated, or when a migrated store keeps the source's checkpoints beside its own. Empty: the configured
    /// <c>ledger_key_path</c>'s, if any.
    /// </summary>
    public IReadOnlyList<string> PublicKeyPems { get; init; } = [];
}

/// <summary>What <c>Verify</c> found of the store's ledger.</summary>
public enum LedgerVerificationState
{
    /// <summary>The store keeps no ledger (<c>ledger_enabled</c> false, or the backend has none).</summary>
    Off,
    /// <summary>The store was written before the ledger (or by the Python reference) and not adopted (<c>ciaf ledger init</c>).</summary>
    NotInitialized,
    /// <summary>The log was checked.</summary>
    Active,
}

/// <summary>The ledger's summary in a verification report.</summary>
/// <param name="State">Whether a log was checked.</param>
/// <param name="Size">Leaves in the log.</param>
/// <param name="CheckpointsChecked">Checkpoints compared with the rebuilt tree.</param>
public sealed record LedgerVerification(LedgerVerificationState State, long Size, int CheckpointsChecked);
