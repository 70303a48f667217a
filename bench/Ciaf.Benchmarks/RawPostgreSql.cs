using Npgsql;

namespace Ciaf.Benchmarks;

/// <summary>
/// The PostgreSQL baseline: Npgsql used directly, binary <c>COPY</c> into the <c>metadata</c> table of a schema the
/// library's backend created (so the same columns, indexes and constraints), in the schema the connection string's
/// <c>Search Path</c> names.
/// </summary>
internal static class RawPostgreSql
{
    /// <summary>The rows of a <c>metadata</c> table as stored: column names, their PostgreSQL types, and every row's values.</summary>
    internal sealed record Table(string[] Columns, string[] Types, List<object?[]> Rows);

    /// <summary>Every row of the <c>metadata</c> table, whatever its columns are (the backend's schema may grow).</summary>
    public static Table ReadAll(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT * FROM metadata ORDER BY id", connection);
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
        return new Table(columns, types, rows);
    }

    /// <summary>Binary <c>COPY</c> of the rows, <paramref name="batchSize"/> per <c>COPY</c> (each its own transaction).</summary>
    public static void Copy(string connectionString, Table table, int batchSize)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        string copy = $"COPY metadata ({string.Join(", ", table.Columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)";
        for (int start = 0; start < table.Rows.Count; start += batchSize)
        {
            using var importer = connection.BeginBinaryImport(copy);
            for (int r = start; r < Math.Min(table.Rows.Count, start + batchSize); r++)
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
}
