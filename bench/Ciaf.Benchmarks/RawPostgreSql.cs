using Npgsql;

namespace Ciaf.Benchmarks;

/// <summary>
/// The PostgreSQL baselines: Npgsql used directly, binary <c>COPY</c> into the tables of a schema the library's backend
/// created (so the same columns, indexes and constraints), in the schema the connection string's <c>Search Path</c>
/// names.
/// </summary>
internal static class RawPostgreSql
{
    /// <summary>The rows of a table as stored: its name, column names, their PostgreSQL types, and every row's values.</summary>
    internal sealed record Table(string Name, string[] Columns, string[] Types, List<object?[]> Rows);

    /// <summary>The ledger as the library stored it: the leaves in <c>seq</c> order, and the stored Merkle nodes.</summary>
    internal sealed record Ledger(Table Leaves, Table Nodes);

    /// <summary>Every row of the <c>metadata</c> table, whatever its columns are (the backend's schema may grow).</summary>
    public static Table ReadAll(string connectionString) => ReadAll(connectionString, "metadata", "id");

    /// <summary>Every leaf of <c>ciaf_ledger</c> (in <c>seq</c> order) and every row of <c>ciaf_ledger_nodes</c>.</summary>
    public static Ledger ReadLedger(string connectionString) =>
        new(ReadAll(connectionString, "ciaf_ledger", "seq"), ReadAll(connectionString, "ciaf_ledger_nodes", "level, idx"));

    // table and orderBy are this file's constants, never input.
    private static Table ReadAll(string connectionString, string table, string orderBy)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"SELECT * FROM {table} ORDER BY {orderBy}", connection);
        using var reader = command.ExecuteReader();
        var columns = new string[reader.FieldCount];
        var types = new string[reader.FieldCount];
        for (int c = 0; c < columns.Length; c++)
        {
            columns[c] = reader.GetName(c);
            types[c] = reader.GetDataTypeName(c);
        }
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[columns.Length];
            for (int c = 0; c < row.Length; c++) row[c] = reader.IsDBNull(c) ? null : reader.GetValue(c);
            rows.Add(row);
        }
        return new Table(table, columns, types, rows);
    }

    /// <summary>Drops the schema the connection string's <c>Search Path</c> names, with everything in it.</summary>
    public static void DropSchema(string connectionString)
    {
        string schema = new NpgsqlConnectionStringBuilder(connectionString).SearchPath
            ?? throw new InvalidOperationException("the connection string names no schema (Search Path)");
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"DROP SCHEMA \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\" CASCADE", connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Binary <c>COPY</c> of the rows, <paramref name="batchSize"/> per <c>COPY</c> (each its own transaction).</summary>
    public static void Copy(string connectionString, Table table, int batchSize)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        for (int start = 0; start < table.Rows.Count; start += batchSize)
        {
            CopyRows(connection, table, start, Math.Min(table.Rows.Count, start + batchSize));
        }
    }

    /// <summary>
    /// Binary <c>COPY</c> of the rows and of the ledger the library wrote for them, <paramref name="batchSize"/> records per
    /// transaction: each transaction copies its records, the same number of leaves (in <c>seq</c> order; the last takes
    /// any extra), and the stored nodes whose last leaf is among them (a node is complete, so written, with its last
    /// leaf). What the library's layout costs the server at the least, without staging, merging or a lock.
    /// </summary>
    public static void CopyWithLedger(string connectionString, Table table, Ledger ledger, int batchSize)
    {
        var leaves = ledger.Leaves;
        int seqColumn = Array.IndexOf(leaves.Columns, "seq");
        int levelColumn = Array.IndexOf(ledger.Nodes.Columns, "level"), indexColumn = Array.IndexOf(ledger.Nodes.Columns, "idx");
        if (seqColumn < 0 || levelColumn < 0 || indexColumn < 0) throw new InvalidOperationException("the ledger tables lack seq, level or idx");
        // The nodes by the seq of the last leaf they cover, in the order they are stored.
        var nodesByLastLeaf = ledger.Nodes.Rows
            .GroupBy(n => (((long)(n[indexColumn]!) + 1) << (int)n[levelColumn]!) - 1)
            .ToDictionary(g => g.Key, g => g.ToList());

        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        var nodes = new List<object?[]>();
        for (int start = 0; start < table.Rows.Count; start += batchSize)
        {
            int end = Math.Min(table.Rows.Count, start + batchSize);
            int leafStart = Math.Min(start, leaves.Rows.Count);
            int leafEnd = end == table.Rows.Count ? leaves.Rows.Count : Math.Min(end, leaves.Rows.Count);
            nodes.Clear();
            for (int l = leafStart; l < leafEnd; l++)
            {
                if (nodesByLastLeaf.TryGetValue((long)leaves.Rows[l][seqColumn]!, out var ending)) nodes.AddRange(ending);
            }
            using var tx = connection.BeginTransaction();
            CopyRows(connection, table, start, end);
            CopyRows(connection, leaves, leafStart, leafEnd);
            if (nodes.Count > 0) CopyRows(connection, ledger.Nodes with { Rows = nodes }, 0, nodes.Count);
            tx.Commit();
        }
    }

    private static void CopyRows(NpgsqlConnection connection, Table table, int start, int end)
    {
        if (start >= end) return;
        using var importer = connection.BeginBinaryImport(
            $"COPY {table.Name} ({string.Join(", ", table.Columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)");
        for (int r = start; r < end; r++)
        {
            importer.StartRow();
            var row = table.Rows[r];
            for (int c = 0; c < row.Length; c++)
            {
                switch (row[c])
                {
                    case null: importer.WriteNull(); break;
                    case string text: importer.Write(text, table.Types[c]); break;
                    case DateTime time: importer.Write(time, table.Types[c]); break;
                    case var value: importer.Write(value, table.Types[c]); break;
                }
            }
        }
        importer.Complete();
    }
}
