using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Storage;
using Microsoft.Data.Sqlite;

namespace Ciaf.Metadata.Backends.Sqlite;

// The ledger (docs/ledger.md): leaves in ciaf_ledger, appended in the same BEGIN IMMEDIATE transaction as the write they
// record, so every process appends to one log in one order and a crash keeps both or neither.
public sealed partial class SqliteMetadataBackend : ILedgerBackend
{
    private const string LedgerScope = "ledger";
    private const string GenesisKey = "genesis";
    private const string LeafColumns = "seq, kind, item_id, leaf, leaf_hash";

    private readonly LedgerAppender _ledger = new();
    private readonly SqliteRawStatement _insertLeaf;
    private readonly SqliteRawStatement _insertNode;
    private readonly SqliteCommand _ledgerSize;
    private readonly SqliteRawStatement _insertCheckpoint;
    private bool _ledgerActive;

    /// <inheritdoc />
    async ValueTask<LedgerHead> ILedgerBackend.LedgerHeadAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var rows = await ReadRowsAsync("read ledger", $"""
            SELECT EXISTS (SELECT 1 FROM ciaf_state WHERE scope = '{LedgerScope}' AND key = '{GenesisKey}'),
                   (SELECT COALESCE(MAX(seq) + 1, 0) FROM ciaf_ledger)
            """, [], cancellationToken).ConfigureAwait(false);
        return new LedgerHead((long)rows[0][0]! != 0, (long)rows[0][1]!);
    }

    /// <inheritdoc />
    async ValueTask<T> ILedgerBackend.ReadLedgerAsync<T>(Func<ILedgerReader, T> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            return await _retry.ExecuteAsync("read ledger", token =>
            {
                using var connection = OpenReader();
                return ValueTask.FromResult(read(new LedgerRows(connection, null)));
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex)
        {
            throw Failure("read ledger", null, ex);
        }
    }

    /// <inheritdoc />
    async ValueTask<long> ILedgerBackend.AdoptAsync(string timestamp, CancellationToken cancellationToken)
    {
        int appended = await InWriteTransactionAsync("adopt into the ledger", tx =>
        {
            SetGenesis(tx, timestamp);
            var drafts = new List<LeafDraft>();
            var known = new HashSet<string>(StringComparer.Ordinal);
            using (var command = _writer.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = "SELECT DISTINCT item_id FROM ciaf_ledger";
                using var reader = command.ExecuteReader();
                while (reader.Read()) known.Add(reader.GetString(0));
            }
            foreach (var row in ReadAll(tx, SelectRecords))
            {
                if (row[0] is string id && !known.Contains(id) && _sql.ToRecord(row) is { } record)
                    drafts.Add(LeafDraft.ForAdopted(LeafDraft.OfRecord, id, LeafDraft.ContentHash(record), timestamp));
            }
            foreach (var row in ReadAll(tx, $"SELECT {SqliteSchema.ComplianceColumns} FROM compliance_events"))
            {
                if (row[0] is string id && !known.Contains(id) && _sql.ToComplianceEvent(row) is { } ev)
                    drafts.Add(LeafDraft.ForAdopted(LeafDraft.OfComplianceEvent, id, LeafDraft.ContentHash(ev), timestamp));
            }
            foreach (var row in ReadAll(tx, $"SELECT {SqliteSchema.AuditColumns} FROM audit_trail"))
            {
                if (row[0] is string id && !known.Contains(id) && _sql.ToAuditEntry(row) is { } entry)
                    drafts.Add(LeafDraft.ForAdopted(LedgerLeafKinds.Audit, id, LeafDraft.ContentHash(entry), timestamp));
            }
            foreach (var row in ReadAll(tx, $"SELECT key, value FROM ciaf_state WHERE scope = '{StateScopes.LegalHolds}'"))
            {
                if (row[0] is string key && row[1] is string value && !known.Contains(key))
                    drafts.Add(LeafDraft.ForHold(key, value, timestamp));
            }
            return drafts;
        }, draft => draft.Id, static (_, _) => 1, "ledger", 0, cancellationToken, static (draft, _) => draft).ConfigureAwait(false);
        return appended;
    }

    /// <inheritdoc />
    async ValueTask ILedgerBackend.CarryAsync(IReadOnlyList<LedgerLeafRow> leaves, CancellationToken cancellationToken)
    {
        if (leaves.Count == 0) return;
        if (!_context.LedgerEnabled) throw new InvalidOperationException("The ledger is off for this store (ledger_enabled is false): it cannot take another log's leaves.");
        string timestamp = LeafDraft.Now();
        await InWriteTransactionAsync("copy leaves into the ledger", tx =>
        {
            SetGenesis(tx, timestamp);
            return leaves.Select(LeafDraft.CopiedFrom);
        }, draft => draft.Id, static (_, _) => 1, leaves[0].ItemId, leaves.Count, cancellationToken, static (draft, _) => draft).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask ILedgerBackend.AddCheckpointAsync(long treeSize, string note, string createdAt, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await WriteRowsAsync(_insertCheckpoint, [[treeSize, note, createdAt]], "write checkpoint", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask<IReadOnlyList<string>> ILedgerBackend.CheckpointsAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var rows = await ReadRowsAsync("read checkpoints", "SELECT note FROM ciaf_ledger_checkpoints ORDER BY tree_size", [], cancellationToken)
            .ConfigureAwait(false);
        return [.. rows.Select(r => (string)r[0]!)];
    }

    // Called by EnsureSchema's transaction when it creates the ledger's tables: a store with nothing in it yet starts
    // its log now; one with records or events from before waits for `ciaf ledger init` to adopt them.
    private void StartLedgerIfEmpty(SqliteTransaction tx, bool hadMetadata)
    {
        if (!_context.LedgerEnabled) return;
        if (hadMetadata)
        {
            using var command = _writer.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "SELECT EXISTS (SELECT 1 FROM metadata) OR EXISTS (SELECT 1 FROM compliance_events)";
            if ((long)command.ExecuteScalar()! != 0) return;
        }
        SetGenesis(tx, LeafDraft.Now());
    }

    private void SetGenesis(SqliteTransaction tx, string timestamp)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"INSERT OR IGNORE INTO ciaf_state (scope, key, value, updated_at) VALUES ('{LedgerScope}', '{GenesisKey}', $at, $at)";
        command.Parameters.AddWithValue("$at", timestamp);
        command.ExecuteNonQuery();
        _ledgerActive = true;
    }

    // Inside a write transaction: whether this write appends leaves. Another process may have adopted the store since
    // this one opened it, so an inactive answer is asked again on every write (one primary-key lookup).
    private bool LedgerActive(SqliteTransaction tx)
    {
        if (!_context.LedgerEnabled) return false;
        if (_ledgerActive) return true;
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = $"SELECT EXISTS (SELECT 1 FROM ciaf_state WHERE scope = '{LedgerScope}' AND key = '{GenesisKey}')";
        return _ledgerActive = (long)command.ExecuteScalar()! != 0;
    }

    private LedgerAppender.Pending AppendLeaves(SqliteTransaction tx, IReadOnlyList<LeafDraft> drafts, Task<LedgerAppender.Made>? ahead = null) =>
        _ledger.Append(new LedgerRows(_writer, tx, this), drafts, ahead);

    // An array for a batch's leaves, or null when this store appends none (ledger off). Whether the log is active is
    // decided inside the write's transaction; hashing a batch for an inactive log costs only that batch's time.
    private LeafDraft?[]? LeafDrafts(int count) => _context.LedgerEnabled ? new LeafDraft?[count] : null;


    private IEnumerable<object?[]> ReadAll(SqliteTransaction tx, string sql)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            yield return row;
        }
    }

    // The log seen through one connection: the writer inside its transaction (appends), or a reader (proofs, verify).
    private sealed class LedgerRows(SqliteConnection connection, SqliteTransaction? tx, SqliteMetadataBackend? writer = null) : ILedgerRows, ILedgerReader
    {
        private const int Page = 10_000;

        public long Size()
        {
            var command = writer!._ledgerSize!;
            command.Transaction = tx;
            return (long)command.ExecuteScalar()!;
        }

        public void AddLeaf(long seq, LeafDraft draft, string text, byte[] leafHash) =>
            writer!._insertLeaf.Execute([seq, draft.Kind, draft.Id, text, leafHash]);

        public void AddNode(MerkleNode node, byte[] hash) => writer!._insertNode.Execute([(long)node.Level, node.Index, hash]);

        public IReadOnlyList<byte[]> LeafHashes(long start, long end)
        {
            using var command = Command("SELECT leaf_hash FROM ciaf_ledger WHERE seq >= $start AND seq < $end ORDER BY seq");
            command.Parameters.AddWithValue("$start", start);
            command.Parameters.AddWithValue("$end", end);
            var hashes = new List<byte[]>((int)Math.Min(end - start, 1024));
            using var reader = command.ExecuteReader();
            while (reader.Read()) hashes.Add((byte[])reader.GetValue(0));
            return hashes;
        }

        public byte[]? StoredNode(MerkleNode node)
        {
            using var command = Command("SELECT hash FROM ciaf_ledger_nodes WHERE level = $level AND idx = $idx");
            command.Parameters.AddWithValue("$level", node.Level);
            command.Parameters.AddWithValue("$idx", node.Index);
            return command.ExecuteScalar() as byte[];
        }

        public IEnumerable<LedgerLeafRow> Leaves(long from, long to)
        {
            for (long start = from; start < to;)
            {
                var page = new List<LedgerLeafRow>();
                using (var command = Command($"SELECT {LeafColumns} FROM ciaf_ledger WHERE seq >= $start AND seq < $end ORDER BY seq LIMIT {Page}"))
                {
                    command.Parameters.AddWithValue("$start", start);
                    command.Parameters.AddWithValue("$end", to);
                    using var reader = command.ExecuteReader();
                    while (reader.Read()) page.Add(ToLeaf(reader));
                }
                foreach (var leaf in page) yield return leaf;
                if (page.Count < Page) yield break;
                start = page[^1].Seq + 1;
            }
        }

        public LedgerLeafRow? LatestLeaf(string itemId, long size)
        {
            using var command = Command($"SELECT {LeafColumns} FROM ciaf_ledger WHERE item_id = $id AND seq < $size ORDER BY seq DESC LIMIT 1");
            command.Parameters.AddWithValue("$id", itemId);
            command.Parameters.AddWithValue("$size", size);
            using var reader = command.ExecuteReader();
            return reader.Read() ? ToLeaf(reader) : null;
        }

        private static LedgerLeafRow ToLeaf(SqliteDataReader reader) =>
            new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), (byte[])reader.GetValue(4));

        private SqliteCommand Command(string sql)
        {
            var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            return command;
        }
    }
}
