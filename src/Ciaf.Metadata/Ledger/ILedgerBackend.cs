namespace Ciaf.Metadata.Ledger;

/// <summary>One stored leaf.</summary>
/// <param name="Seq">Its index in the log.</param>
/// <param name="Kind">Its <c>kind</c> (<see cref="LedgerLeafKinds"/>).</param>
/// <param name="ItemId">The id it is about.</param>
/// <param name="Text">The leaf's bytes, as text (ASCII).</param>
/// <param name="Hash">The stored leaf hash (a verifier recomputes it from <paramref name="Text"/>).</param>
internal sealed record LedgerLeafRow(long Seq, string Kind, string ItemId, string Text, byte[] Hash);

/// <summary>Whether a store's log is active and how long it is.</summary>
/// <param name="Active">
/// Whether writes append leaves: the store was created with the ledger, or <c>ciaf ledger init</c> adopted it. A store
/// written before the ledger (or by the Python reference) is not active until adopted.
/// </param>
/// <param name="Size">Leaves in the log.</param>
internal readonly record struct LedgerHead(bool Active, long Size);

/// <summary>Reads a log: leaves, stored subtrees, an item's latest leaf. Leaves below a size never change, so no snapshot is needed.</summary>
internal interface ILedgerReader : ILedgerNodeSource
{
    /// <summary>Leaves <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), in order, read in pages.</summary>
    IEnumerable<LedgerLeafRow> Leaves(long from, long to);

    /// <summary>The latest leaf about <paramref name="itemId"/> below <paramref name="size"/>, or <c>null</c>.</summary>
    LedgerLeafRow? LatestLeaf(string itemId, long size);
}

/// <summary>
/// A backend capability: the tamper-evident log of issue 14 (docs/ledger.md). The backend appends a leaf for every write
/// inside that write's transaction (SQLite, PostgreSQL) or under the store lock (file backends), numbering leaves in
/// one order for every process; this interface is what the ledger service reads and the few writes it makes itself.
/// </summary>
internal interface ILedgerBackend
{
    /// <summary>Whether the log is active and its size.</summary>
    ValueTask<LedgerHead> LedgerHeadAsync(CancellationToken cancellationToken = default);

    /// <summary>Runs <paramref name="read"/> against the log (on a reader connection; the work is synchronous).</summary>
    ValueTask<T> ReadLedgerAsync<T>(Func<ILedgerReader, T> read, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the log active and appends an <c>adopted</c> leaf for every record, compliance event and legal hold that has
    /// no leaf yet, in one write (no other write interleaves). Returns how many leaves it appended.
    /// </summary>
    ValueTask<long> AdoptAsync(string timestamp, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends leaves copied verbatim from another store's log (a migration), in order, in one write, and makes the log
    /// active. They must continue this log exactly — the first one's <c>seq</c> is the log's size — or nothing is
    /// appended and <see cref="InvalidOperationException"/> is thrown (another writer appended meanwhile).
    /// </summary>
    ValueTask CarryAsync(IReadOnlyList<LedgerLeafRow> leaves, CancellationToken cancellationToken = default);

    /// <summary>Keeps a signed checkpoint (idempotent by tree size).</summary>
    ValueTask AddCheckpointAsync(long treeSize, string note, string createdAt, CancellationToken cancellationToken = default);

    /// <summary>The kept checkpoints' notes, oldest (smallest tree) first.</summary>
    ValueTask<IReadOnlyList<string>> CheckpointsAsync(CancellationToken cancellationToken = default);
}
