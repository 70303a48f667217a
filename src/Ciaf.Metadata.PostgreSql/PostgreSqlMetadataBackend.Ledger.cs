using Ciaf.Metadata.Backends.Sql;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Ciaf.Metadata.PostgreSql;

// The ledger (docs/ledger.md): every write's leaves are appended in the write's own transaction, after a
// transaction-level advisory lock that every process (and every server instance) takes for the schema's log, so leaves
// are numbered in one order and a rolled-back write leaves none.
public sealed partial class PostgreSqlMetadataBackend : ILedgerBackend
{
    private const int LedgerMigration = 3;

    private readonly LedgerAppender _ledger = new();
    private readonly SemaphoreSlim _ledgerAppend = new(1, 1);
    private volatile bool _ledgerActive;

    /// <inheritdoc />
    async ValueTask<LedgerHead> ILedgerBackend.LedgerHeadAsync(CancellationToken cancellationToken)
    {
        var active = await ReadRowsAsync("read ledger", _schema.LedgerActive, [], cancellationToken).ConfigureAwait(false);
        var size = await ReadRowsAsync("read ledger", _schema.LedgerSize, [], cancellationToken).ConfigureAwait(false);
        return new LedgerHead((bool)active[0][0]!, (long)size[0][0]!);
    }

    /// <inheritdoc />
    async ValueTask<T> ILedgerBackend.ReadLedgerAsync<T>(Func<ILedgerReader, T> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            return await RetryAsync("read ledger", async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                return read(new LedgerRows(this, connection, null));
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            throw Failure("read ledger", null, ex);
        }
    }

    /// <inheritdoc />
    async ValueTask<long> ILedgerBackend.AdoptAsync(string timestamp, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            return await RetryAsync("adopt into the ledger", async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
                await LockLedgerAsync(connection, tx, token).ConfigureAwait(false);
                await SetGenesisAsync(connection, tx, timestamp, token).ConfigureAwait(false);
                var known = new HashSet<string>(StringComparer.Ordinal);
                await using (var items = new NpgsqlCommand(_schema.SelectLeafItems, connection, tx))
                {
                    foreach (var row in await SqlDialect.ReadRowsAsync(items, token).ConfigureAwait(false)) known.Add((string)row[0]!);
                }
                var drafts = new List<LeafDraft>();
                await using (var records = new NpgsqlCommand(_schema.SelectMetadata, connection, tx))
                {
                    foreach (var row in await SqlDialect.ReadRowsAsync(records, token).ConfigureAwait(false))
                    {
                        if (row[0] is string id && !known.Contains(id) && _sql.ToRecord(row) is { } record)
                            drafts.Add(LeafDraft.ForAdopted(LeafDraft.OfRecord, id, LeafDraft.ContentHash(record), timestamp));
                    }
                }
                await using (var events = new NpgsqlCommand(_schema.SelectCompliance, connection, tx))
                {
                    foreach (var row in await SqlDialect.ReadRowsAsync(events, token).ConfigureAwait(false))
                    {
                        if (row[0] is string id && !known.Contains(id) && _sql.ToComplianceEvent(row) is { } ev)
                            drafts.Add(LeafDraft.ForAdopted(LeafDraft.OfComplianceEvent, id, LeafDraft.ContentHash(ev), timestamp));
                    }
                }
                await using (var audit = new NpgsqlCommand(_schema.SelectAudit, connection, tx))
                {
                    foreach (var row in await SqlDialect.ReadRowsAsync(audit, token).ConfigureAwait(false))
                    {
                        if (row[0] is string id && !known.Contains(id) && _sql.ToAuditEntry(row) is { } entry)
                            drafts.Add(LeafDraft.ForAdopted(LedgerLeafKinds.Audit, id, LeafDraft.ContentHash(entry), timestamp));
                    }
                }
                await using (var holds = new NpgsqlCommand(_schema.SelectState, connection, tx))
                {
                    holds.Parameters.Add(Text(StateScopes.LegalHolds));
                    foreach (var row in await SqlDialect.ReadRowsAsync(holds, token).ConfigureAwait(false))
                    {
                        if (!known.Contains((string)row[0]!)) drafts.Add(LeafDraft.ForHold((string)row[0]!, (string)row[1]!, timestamp));
                    }
                }
                await AppendLeavesAsync(connection, tx, drafts, token, locked: true).ConfigureAwait(false);
                await tx.CommitAsync(token).ConfigureAwait(false);
                return (long)drafts.Count;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            _ledger.Invalidate();
            throw Failure("adopt into the ledger", null, ex);
        }
    }

    /// <inheritdoc />
    async ValueTask ILedgerBackend.CarryAsync(IReadOnlyList<LedgerLeafRow> leaves, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (leaves.Count == 0) return;
        if (!_context.LedgerEnabled) throw new InvalidOperationException("The ledger is off for this store (ledger_enabled is false): it cannot take another log's leaves.");
        var drafts = leaves.Select(LeafDraft.CopiedFrom).ToList();
        try
        {
            await RetryAsync("copy leaves into the ledger", async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using var tx = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
                await LockLedgerAsync(connection, tx, token).ConfigureAwait(false);
                await SetGenesisAsync(connection, tx, LeafDraft.Now(), token).ConfigureAwait(false);
                await AppendLeavesAsync(connection, tx, drafts, token, locked: true).ConfigureAwait(false);
                await tx.CommitAsync(token).ConfigureAwait(false);
                return drafts.Count;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            throw Failure("copy leaves into the ledger", leaves[0].ItemId, ex, leaves.Count);
        }
        finally
        {
            // The cached right edge was not kept for this write (the next append reads it again).
            _ledger.Invalidate();
        }
    }

    /// <inheritdoc />
    async ValueTask ILedgerBackend.AddCheckpointAsync(long treeSize, string note, string createdAt, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            await RetryAsync("write checkpoint", async token =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using var command = new NpgsqlCommand(_schema.InsertCheckpoint, connection);
                command.Parameters.Add(new NpgsqlParameter { Value = treeSize, NpgsqlDbType = NpgsqlDbType.Bigint });
                command.Parameters.Add(Text(note));
                return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStorageError(ex))
        {
            throw Failure("write checkpoint", null, ex);
        }
    }

    /// <inheritdoc />
    async ValueTask<IReadOnlyList<string>> ILedgerBackend.CheckpointsAsync(CancellationToken cancellationToken) =>
        [.. (await ReadRowsAsync("read checkpoints", _schema.SelectCheckpoints, [], cancellationToken).ConfigureAwait(false)).Select(r => (string)r[0]!)];

    // The leaves of a batch, or null when this store appends none (ledger off).
    private LeafDraft?[]? LeafDrafts(int count) => _context.LedgerEnabled ? new LeafDraft?[count] : null;


    /// <summary>
    /// Appends <paramref name="drafts"/> inside the caller's transaction when the log is active: the ledger's advisory
    /// lock (held to the commit), the size, the right edge, then the leaves and the new subtrees. <paramref name="write"/>,
    /// when given, is the write the leaves belong to: it goes in the same round trip as the lock and the size (each
    /// statement of a batch takes its own snapshot, so the size is read after the lock is held), and it runs alone when
    /// there are no leaves to append. The appender's cached edge is taken for the next write only when the transaction
    /// commits (<see cref="CommitLedgerAsync"/>).
    /// </summary>
    private async Task<LedgerAppender.Pending?> AppendLeavesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<LeafDraft> drafts,
        CancellationToken cancellationToken, bool locked = false, NpgsqlBatchCommand? write = null)
    {
        await using var batch = new NpgsqlBatch(connection, tx);
        if (write is not null) batch.BatchCommands.Add(write);
        if (drafts.Count == 0 || !_context.LedgerEnabled)
        {
            if (write is not null) await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        bool? active = _ledgerActive ? true : null;
        if (active is null) batch.BatchCommands.Add(new NpgsqlBatchCommand(_schema.LedgerActive));
        if (!locked)
        {
            var lockLog = new NpgsqlBatchCommand(PostgreSqlSchema.LockState);
            lockLog.Parameters.Add(Text(_schema.LedgerLockName));
            batch.BatchCommands.Add(lockLog);
        }
        batch.BatchCommands.Add(new NpgsqlBatchCommand(_schema.LedgerSize));
        long size = -1;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            // Results are told apart by their column's name (the write returns none; the lock's is void).
            do
            {
                if (reader.FieldCount != 1 || !await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) continue;
                switch (reader.GetName(0))
                {
                    case PostgreSqlSchema.LedgerActiveColumn: active = reader.GetBoolean(0); break;
                    case PostgreSqlSchema.LedgerSizeColumn: size = reader.GetInt64(0); break;
                }
            }
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        }
        // Not active: the lock taken on the way is released at the end of the transaction; nothing is appended.
        if (active != true) return null;
        _ledgerActive = true;
        if (size < 0) throw new InvalidOperationException("The ledger's size was not returned.");
        var rows = new LedgerRows(this, connection, tx, size);
        LedgerAppender.Pending pending;
        await _ledgerAppend.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            pending = _ledger.Append(rows, drafts);
        }
        finally
        {
            _ledgerAppend.Release();
        }
        await rows.FlushAsync(cancellationToken).ConfigureAwait(false);
        return pending;
    }

    // Commits a write that may have appended leaves, keeping the appender's edge only once the commit succeeded.
    private async Task CommitLedgerAsync(NpgsqlTransaction tx, LedgerAppender.Pending? pending, CancellationToken cancellationToken)
    {
        try
        {
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _ledger.Invalidate();
            throw;
        }
        if (pending is not null)
        {
            await _ledgerAppend.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                _ledger.Accept(pending);
            }
            finally
            {
                _ledgerAppend.Release();
            }
        }
    }

    private async Task SetGenesisAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string timestamp, CancellationToken cancellationToken)
    {
        await using var genesis = new NpgsqlCommand(_schema.SetGenesis, connection, tx);
        genesis.Parameters.Add(Text(timestamp));
        await genesis.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _ledgerActive = true;
    }

    private async Task LockLedgerAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PostgreSqlSchema.LockState, connection, tx);
        command.Parameters.Add(Text(_schema.LedgerLockName));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // The log through one connection. Appends are buffered and written by FlushAsync in two statements; reads (the
    // right edge after another process appended, proofs, verify) are synchronous single statements.
    private sealed class LedgerRows(PostgreSqlMetadataBackend backend, NpgsqlConnection connection, NpgsqlTransaction? tx, long size = -1)
        : ILedgerRows, ILedgerReader
    {
        private readonly List<long> _seqs = [];
        private readonly List<string> _kinds = [];
        private readonly List<string> _items = [];
        private readonly List<string> _texts = [];
        private readonly List<byte[]> _hashes = [];
        private readonly List<int> _levels = [];
        private readonly List<long> _indexes = [];
        private readonly List<byte[]> _nodeHashes = [];
        private PostgreSqlSchema Schema => backend._schema;

        public long Size() => size;

        public void AddLeaf(long seq, LeafDraft draft, string text, byte[] leafHash)
        {
            _seqs.Add(seq);
            _kinds.Add(draft.Kind);
            _items.Add(draft.Id);
            _texts.Add(text);
            _hashes.Add(leafHash);
        }

        public void AddNode(MerkleNode node, byte[] hash)
        {
            _levels.Add(node.Level);
            _indexes.Add(node.Index);
            _nodeHashes.Add(hash);
        }

        // The leaves and the new subtrees in one round trip.
        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            await using var batch = new NpgsqlBatch(connection, tx);
            var leaves = new NpgsqlBatchCommand(Schema.InsertLeaves);
            leaves.Parameters.Add(new NpgsqlParameter { Value = _seqs.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            leaves.Parameters.Add(new NpgsqlParameter { Value = _kinds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            leaves.Parameters.Add(new NpgsqlParameter { Value = _items.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            leaves.Parameters.Add(new NpgsqlParameter { Value = _texts.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            leaves.Parameters.Add(new NpgsqlParameter { Value = _hashes.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            batch.BatchCommands.Add(leaves);
            if (_levels.Count > 0)
            {
                var nodes = new NpgsqlBatchCommand(Schema.InsertNodes);
                nodes.Parameters.Add(new NpgsqlParameter { Value = _levels.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
                nodes.Parameters.Add(new NpgsqlParameter { Value = _indexes.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
                nodes.Parameters.Add(new NpgsqlParameter { Value = _nodeHashes.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
                batch.BatchCommands.Add(nodes);
            }
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        public IReadOnlyList<byte[]> LeafHashes(long start, long end)
        {
            using var command = new NpgsqlCommand(Schema.SelectLeafHashes, connection, tx);
            command.Parameters.Add(new NpgsqlParameter { Value = start, NpgsqlDbType = NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = end, NpgsqlDbType = NpgsqlDbType.Bigint });
            var hashes = new List<byte[]>();
            using var reader = command.ExecuteReader();
            while (reader.Read()) hashes.Add((byte[])reader.GetValue(0));
            return hashes;
        }

        public byte[]? StoredNode(MerkleNode node)
        {
            using var command = new NpgsqlCommand(Schema.SelectNode, connection, tx);
            command.Parameters.Add(new NpgsqlParameter { Value = node.Level, NpgsqlDbType = NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = node.Index, NpgsqlDbType = NpgsqlDbType.Bigint });
            return command.ExecuteScalar() as byte[];
        }

        public IEnumerable<LedgerLeafRow> Leaves(long from, long to)
        {
            for (long start = from; start < to;)
            {
                var page = new List<LedgerLeafRow>();
                using (var command = new NpgsqlCommand(Schema.SelectLeaves, connection, tx))
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = start, NpgsqlDbType = NpgsqlDbType.Bigint });
                    command.Parameters.Add(new NpgsqlParameter { Value = to, NpgsqlDbType = NpgsqlDbType.Bigint });
                    using var reader = command.ExecuteReader();
                    while (reader.Read()) page.Add(ToLeaf(reader));
                }
                foreach (var leaf in page) yield return leaf;
                if (page.Count < 10_000) yield break;
                start = page[^1].Seq + 1;
            }
        }

        public LedgerLeafRow? LatestLeaf(string itemId, long size)
        {
            using var command = new NpgsqlCommand(Schema.SelectLatestLeaf, connection, tx);
            command.Parameters.Add(Text(itemId));
            command.Parameters.Add(new NpgsqlParameter { Value = size, NpgsqlDbType = NpgsqlDbType.Bigint });
            using var reader = command.ExecuteReader();
            return reader.Read() ? ToLeaf(reader) : null;
        }

        private static LedgerLeafRow ToLeaf(NpgsqlDataReader reader) =>
            new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), (byte[])reader.GetValue(4));
    }
}
