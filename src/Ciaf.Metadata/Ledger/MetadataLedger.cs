using System.Security.Cryptography;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Ledger;

/// <summary>The state of a store's ledger.</summary>
/// <param name="Enabled">Whether this store appends leaves (<c>ledger_enabled</c>).</param>
/// <param name="Active">Whether the log is active (created with the store or adopted by <c>ciaf ledger init</c>).</param>
/// <param name="Size">Leaves in the log.</param>
/// <param name="Origin">The log's name in its checkpoints.</param>
/// <param name="LatestCheckpoint">The latest kept checkpoint, or <c>null</c>.</param>
public sealed record LedgerStatus(bool Enabled, bool Active, long Size, string Origin, LedgerCheckpoint? LatestCheckpoint);

/// <summary>A record's place in the log (<see cref="MetadataLedger.LocateAsync"/>).</summary>
/// <param name="Seq">Its latest leaf's index.</param>
/// <param name="TreeSize">The log's size when asked.</param>
/// <param name="Leaf">The leaf's text.</param>
/// <param name="MatchesStored">Whether the stored record's content hash is the one the leaf holds.</param>
public sealed record LedgerPosition(long Seq, long TreeSize, string Leaf, bool MatchesStored);

/// <summary>
/// A store's tamper-evident log (<c>storage.Ledger</c>; docs/ledger.md): signed checkpoints, inclusion receipts,
/// consistency proofs, adoption of stores written before it. Appending is the backends' job, inside each write.
/// </summary>
public sealed class MetadataLedger
{
    private readonly StoreCore _core;
    private readonly SemaphoreSlim _signing = new(1, 1);
    private DateTimeOffset _lastCheckpointAt = DateTimeOffset.MinValue;
    private long _lastCheckpointSize = -1;

    internal MetadataLedger(StoreCore core)
    {
        _core = core;
        // One token, as a signed note's origin must be: the store's path with each segment percent-encoded.
        Origin = core.Options.LedgerOrigin ?? $"ciaf.local/{core.Backend.Name}/" + string.Join('/',
            (core.Backend.DbPath ?? core.Backend.StoragePath).Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));
    }

    /// <summary>The log's name in its checkpoints (<c>ledger_origin</c>, or derived from the store).</summary>
    public string Origin { get; }

    private ILedgerBackend Backend => _core.Backend as ILedgerBackend
        ?? throw new NotSupportedException($"The {_core.Backend.Name} backend keeps no ledger.");

    /// <summary>Whether the store keeps a ledger at all (its backend can).</summary>
    public bool IsSupported => _core.Backend is ILedgerBackend;

    /// <summary>The ledger's state.</summary>
    public LedgerStatus Status() => SyncOverAsync.Run(StatusAsync());

    /// <inheritdoc cref="Status"/>
    public async ValueTask<LedgerStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        var head = await Backend.LedgerHeadAsync(cancellationToken).ConfigureAwait(false);
        var checkpoints = await Backend.CheckpointsAsync(cancellationToken).ConfigureAwait(false);
        return new LedgerStatus(_core.Options.LedgerEnabled, head.Active, head.Size, Origin,
            checkpoints.Count == 0 ? null : LedgerCheckpoint.Parse(checkpoints[^1]));
    }

    /// <summary>Every kept checkpoint, oldest first.</summary>
    public async ValueTask<IReadOnlyList<LedgerCheckpoint>> CheckpointsAsync(CancellationToken cancellationToken = default) =>
        [.. (await Backend.CheckpointsAsync(cancellationToken).ConfigureAwait(false)).Select(LedgerCheckpoint.Parse)];

    /// <summary>
    /// Adopts a store written before the ledger (or by the Python reference): activates its log and appends one
    /// <c>adopted</c> leaf for each record, compliance event, audit entry and legal hold that has no leaf. What an adopted leaf proves
    /// starts at adoption. Returns the number of leaves appended (0 when everything already had one).
    /// </summary>
    public long Init() => SyncOverAsync.Run(InitAsync());

    /// <inheritdoc cref="Init"/>
    public async ValueTask<long> InitAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisabled();
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        long adopted = await Backend.AdoptAsync(PythonTimestamp.Format(PythonTimestamp.Now()), cancellationToken).ConfigureAwait(false);
        _core.Logger.LogInformation("Ledger of {Origin}: adopted {Count} item(s)", Origin, adopted);
        return adopted;
    }

    /// <summary>Signs a checkpoint of the whole log now with <c>ledger_key_path</c>'s key, keeps it and copies it to the witness folder.</summary>
    /// <exception cref="InvalidOperationException">No signing key is configured, or the ledger is off or not initialized.</exception>
    public LedgerCheckpoint Checkpoint() => SyncOverAsync.Run(CheckpointAsync());

    /// <inheritdoc cref="Checkpoint"/>
    public async ValueTask<LedgerCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisabled();
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        using var key = LoadSigningKey();
        await _signing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var head = await ActiveHeadAsync(cancellationToken).ConfigureAwait(false);
            return await SignAsync(key, head.Size, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _signing.Release();
        }
    }

    /// <summary>
    /// Signs a checkpoint if <c>ledger_checkpoint_leaves</c> leaves were appended or <c>ledger_checkpoint_seconds</c>
    /// passed since the last one (with leaves appended), when a key is configured. Called by the store after writes
    /// reach the backend and when it closes; failures are logged, never thrown (a checkpoint is never worth a lost write).
    /// </summary>
    internal async ValueTask CheckpointIfDueAsync(bool closing, CancellationToken cancellationToken)
    {
        if (!_core.Options.LedgerEnabled || _core.Options.LedgerKeyPath is null || _core.Backend is not ILedgerBackend backend) return;
        if (!await _signing.WaitAsync(0, cancellationToken).ConfigureAwait(false)) return;
        try
        {
            var head = await backend.LedgerHeadAsync(cancellationToken).ConfigureAwait(false);
            if (!head.Active || head.Size == 0) return;
            if (_lastCheckpointSize < 0)
            {
                var kept = await backend.CheckpointsAsync(cancellationToken).ConfigureAwait(false);
                _lastCheckpointSize = kept.Count == 0 ? 0 : LedgerCheckpoint.Parse(kept[^1]).TreeSize;
                _lastCheckpointAt = _core.Options.TimeProvider.GetUtcNow();
            }
            long appended = head.Size - _lastCheckpointSize;
            bool due = appended > 0 && (closing || appended >= _core.Options.LedgerCheckpointLeaves
                || _core.Options.TimeProvider.GetUtcNow() - _lastCheckpointAt >= _core.Options.LedgerCheckpointInterval);
            if (!due) return;
            using var key = LoadSigningKey();
            await SignAsync(key, head.Size, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _core.Logger.LogWarning(ex, "The ledger of {Origin} could not sign a checkpoint: {Message}", Origin, ex.Message);
        }
        finally
        {
            _signing.Release();
        }
    }

    /// <summary>
    /// A receipt for the latest leaf about a record, compliance event or legal hold: the leaf, its inclusion path and a
    /// signed checkpoint covering it (a new one is signed when none does yet and a key is configured). Anyone with the
    /// public key checks it offline (<see cref="LedgerReceipt.Verify"/>, <c>ciaf verify-receipt</c>).
    /// </summary>
    /// <exception cref="KeyNotFoundException">The log has no leaf about <paramref name="id"/>.</exception>
    /// <exception cref="InvalidOperationException">No checkpoint covers the leaf and no key is configured to sign one, or the ledger is off.</exception>
    /// <exception cref="LedgerCorruptException">The log's rows disagree with its checkpoint.</exception>
    public LedgerReceipt Prove(string id) => SyncOverAsync.Run(ProveAsync(id));

    /// <inheritdoc cref="Prove"/>
    public async ValueTask<LedgerReceipt> ProveAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ThrowIfDisabled();
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        var head = await ActiveHeadAsync(cancellationToken).ConfigureAwait(false);
        var leaf = await Backend.ReadLedgerAsync(r => r.LatestLeaf(id, head.Size), cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"The ledger of {Origin} has no leaf about '{id}'.");
        // With a key configured, a checkpoint of its own (a migrated store also keeps its source's, signed by another key).
        byte[]? ownKeyId = OwnKeyId();
        var checkpoint = (await CheckpointsAsync(cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(c => c.TreeSize > leaf.Seq && (ownKeyId is null || c.KeyId.AsSpan().SequenceEqual(ownKeyId)));
        if (checkpoint is null)
        {
            if (_core.Options.LedgerKeyPath is null)
            {
                throw new InvalidOperationException(
                    $"No signed checkpoint covers leaf {leaf.Seq} yet and no signing key is configured (ledger_key_path / CIAF_LEDGER_KEY_PATH; create one with `ciaf ledger key create`).");
            }
            checkpoint = await CheckpointAsync(cancellationToken).ConfigureAwait(false);
        }
        long size = checkpoint.TreeSize;
        var (path, root) = await Backend.ReadLedgerAsync(r =>
            (MerkleTree.InclusionProof(leaf.Seq, size, n => LedgerNodes.Resolve(r, n)), LedgerNodes.Root(r, size)), cancellationToken).ConfigureAwait(false);
        if (!root.AsSpan().SequenceEqual(checkpoint.RootHash))
        {
            throw new LedgerCorruptException($"The ledger of {Origin} no longer matches its checkpoint at size {size}: run `ciaf verify`.");
        }
        return new LedgerReceipt(leaf.Text, leaf.Seq, size, [.. path.Select(Convert.ToHexStringLower)], Convert.ToHexStringLower(root), checkpoint.Text);
    }

    /// <summary>
    /// Where a record, compliance event or legal hold is in the log: its latest leaf, and whether the stored item still
    /// matches it (recomputed here, no key needed). <c>null</c> when the log has no leaf about <paramref name="id"/>
    /// (or the ledger is off or not initialized).
    /// </summary>
    public async ValueTask<LedgerPosition?> LocateAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (!_core.Options.LedgerEnabled || _core.Backend is not ILedgerBackend backend) return null;
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        var head = await backend.LedgerHeadAsync(cancellationToken).ConfigureAwait(false);
        if (!head.Active) return null;
        if (await backend.ReadLedgerAsync(r => r.LatestLeaf(id, head.Size), cancellationToken).ConfigureAwait(false) is not { } leaf) return null;
        string? stored = await _core.GetStoredAsync(id, cancellationToken).ConfigureAwait(false) is { } record ? LeafDraft.ContentHash(record) : null;
        bool matches = stored is not null && LeafDraft.Holds(leaf.Text, stored);
        return new LedgerPosition(leaf.Seq, head.Size, leaf.Text, matches);
    }

    /// <summary>An RFC 9162 consistency proof between the log at <paramref name="first"/> leaves and at <paramref name="second"/> (default: now).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="first"/> is not between 1 and <paramref name="second"/>, or <paramref name="second"/> is past the log.</exception>
    public LedgerConsistency Consistency(long first, long? second = null) => SyncOverAsync.Run(ConsistencyAsync(first, second));

    /// <inheritdoc cref="Consistency"/>
    public async ValueTask<LedgerConsistency> ConsistencyAsync(long first, long? second = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisabled();
        await _core.FlushAsync(cancellationToken).ConfigureAwait(false);
        var head = await ActiveHeadAsync(cancellationToken).ConfigureAwait(false);
        long n = second ?? head.Size;
        if (n > head.Size) throw new ArgumentOutOfRangeException(nameof(second), n, $"The log holds {head.Size} leaves.");
        if (first < 1 || first > n) throw new ArgumentOutOfRangeException(nameof(first), first, $"Must be between 1 and {n}.");
        return await Backend.ReadLedgerAsync(r =>
        {
            byte[] Node(MerkleNode node) => LedgerNodes.Resolve(r, node);
            var proof = MerkleTree.ConsistencyProof(first, n, Node);
            return new LedgerConsistency(first, n, Convert.ToHexStringLower(MerkleTree.RootHash(first, Node)),
                Convert.ToHexStringLower(MerkleTree.RootHash(n, Node)), [.. proof.Select(Convert.ToHexStringLower)]);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The public half of <c>ledger_key_path</c>'s key as PEM (<c>-----BEGIN PUBLIC KEY-----</c>), or <c>null</c> when none
    /// is configured: what a reader needs to check this store's receipts (<see cref="LedgerReceipt.Verify"/>).
    /// </summary>
    public string? PublicKeyPem()
    {
        using var key = PublicKey();
        return key is null ? null : LedgerKeys.PublicPem(key);
    }

    /// <summary>The public half of <c>ledger_key_path</c>'s key, or <c>null</c> when none is configured.</summary>
    internal ECDsa? PublicKey()
    {
        if (_core.Options.LedgerKeyPath is null) return null;
        using var key = LoadSigningKey();
        return LedgerKeys.LoadPublic(LedgerKeys.PublicPem(key));
    }

    private byte[]? OwnKeyId()
    {
        if (_core.Options.LedgerKeyPath is null) return null;
        using var key = LoadSigningKey();
        return LedgerKeys.KeyId(key);
    }

    private async ValueTask<LedgerCheckpoint> SignAsync(ECDsa key, long size, CancellationToken cancellationToken)
    {
        var kept = await Backend.CheckpointsAsync(cancellationToken).ConfigureAwait(false);
        if (kept.Count > 0 && LedgerCheckpoint.Parse(kept[^1]) is { } latest && latest.TreeSize == size && latest.KeyId.AsSpan().SequenceEqual(LedgerKeys.KeyId(key))) return latest;
        byte[] root = await Backend.ReadLedgerAsync(r => LedgerNodes.Root(r, size), cancellationToken).ConfigureAwait(false);
        var checkpoint = LedgerCheckpoint.Sign(Origin, size, root, key);
        var now = _core.Options.TimeProvider.GetUtcNow();
        await Backend.AddCheckpointAsync(size, checkpoint.Text, PythonTimestamp.Format(now), cancellationToken).ConfigureAwait(false);
        if (_core.Options.LedgerWitnessPath is { } witness) await WitnessAsync(witness, checkpoint, cancellationToken).ConfigureAwait(false);
        _lastCheckpointSize = size;
        _lastCheckpointAt = now;
        return checkpoint;
    }

    // The witness copy: one file per tree size, written whole then renamed, never overwritten.
    private static async ValueTask WitnessAsync(string folder, LedgerCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        string target = Path.Combine(folder, $"checkpoint-{checkpoint.TreeSize:D12}.txt");
        if (File.Exists(target)) return;
        string temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllTextAsync(temp, checkpoint.Text, cancellationToken).ConfigureAwait(false);
        try
        {
            File.Move(temp, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            File.Delete(temp);
        }
    }

    private async ValueTask<LedgerHead> ActiveHeadAsync(CancellationToken cancellationToken)
    {
        var head = await Backend.LedgerHeadAsync(cancellationToken).ConfigureAwait(false);
        if (!head.Active)
        {
            throw new InvalidOperationException(
                $"The store's ledger is not initialized (it was written before the ledger or by the Python reference): run `ciaf ledger init` to adopt it.");
        }
        return head;
    }

    private ECDsa LoadSigningKey() => LedgerKeys.LoadPrivate(_core.Options.LedgerKeyPath ?? throw new InvalidOperationException(
        "No ledger signing key is configured (ledger_key_path / CIAF_LEDGER_KEY_PATH); create one with `ciaf ledger key create`."), _core.Logger);

    private void ThrowIfDisabled()
    {
        _core.ThrowIfDisposed();
        if (!_core.Options.LedgerEnabled) throw new InvalidOperationException("The ledger is off for this store (ledger_enabled is false).");
    }
}
