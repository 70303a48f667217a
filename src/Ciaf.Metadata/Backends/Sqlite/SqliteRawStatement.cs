using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Ciaf.Metadata.Backends.Sqlite;

/// <summary>
/// A statement prepared once on the writer connection and run for every row of a write, bound and stepped through
/// SQLitePCLRaw — the layer Microsoft.Data.Sqlite is built on — instead of <see cref="SqliteCommand"/>. A
/// <see cref="SqliteCommand"/> execution allocates a binder per parameter, a UTF-8 copy of every string, a data reader
/// and a statement enumerator; on the save path that was a quarter of a record's allocations and a tenth of the writer's
/// time (docs/performance.md). Here strings are bound as UTF-8 from one reusable buffer, and nothing is allocated per row. Runs inside the writer's transaction, on the writer's thread, under its lock.
/// </summary>
internal sealed class SqliteRawStatement : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _statement;

    /// <summary>Prepares <paramref name="sql"/> on <paramref name="connection"/> (open); its parameters are bound by position.</summary>
    /// <exception cref="SqliteException">The statement could not be prepared.</exception>
    public SqliteRawStatement(SqliteConnection connection, string sql)
    {
        _connection = connection;
        int rc = raw.sqlite3_prepare_v2(connection.Handle, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, connection.Handle);
        ParameterCount = raw.sqlite3_bind_parameter_count(_statement);
    }

    /// <summary>How many parameters the statement takes.</summary>
    public int ParameterCount { get; }

    /// <summary>
    /// Binds <paramref name="values"/> to the parameters in order (<c>string</c>, <see cref="Utf8Text"/>, <c>long</c>,
    /// <c>int</c>, <c>double</c>, <c>byte[]</c> as a blob, or <c>null</c>), runs the statement and returns the rows it changed.
    /// </summary>
    /// <exception cref="SqliteException">SQLite refused the row (constraint, busy, I/O); the statement is reset and reusable.</exception>
    /// <exception cref="ArgumentException">A value of a type this does not bind.</exception>
    public int Execute(ReadOnlySpan<object?> values)
    {
        var db = _connection.Handle!;
        try
        {
            for (int i = 0; i < ParameterCount; i++)
            {
                int index = i + 1;
                int rc = values[i] switch
                {
                    null or DBNull => raw.sqlite3_bind_null(_statement, index),
                    string s => BindText(index, s),
                    long l => raw.sqlite3_bind_int64(_statement, index, l),
                    int n => raw.sqlite3_bind_int64(_statement, index, n),
                    double d => raw.sqlite3_bind_double(_statement, index, d),
                    byte[] b => raw.sqlite3_bind_blob(_statement, index, b),
                    Utf8Text t => raw.sqlite3_bind_text(_statement, index, t.Bytes.AsSpan()),
                    var other => throw new ArgumentException($"A {other.GetType().Name} cannot be bound to an SQLite parameter.", nameof(values)),
                };
                SqliteException.ThrowExceptionForRC(rc, db);
            }
            int step = raw.sqlite3_step(_statement);
            if (step != raw.SQLITE_DONE && step != raw.SQLITE_ROW) SqliteException.ThrowExceptionForRC(step, db);
            return raw.sqlite3_changes(db);
        }
        finally
        {
            // Every parameter is bound again on the next run: no need to clear them.
            raw.sqlite3_reset(_statement);
        }
    }

    // UTF-8 here (vectorized) rather than UTF-16 for SQLite to translate on every row; SQLite copies what is bound
    // (SQLITE_TRANSIENT), so one scratch buffer serves every parameter.
    private int BindText(int index, string s)
    {
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(s.Length);
        if (_scratch.Length < max) _scratch = new byte[Math.Max(max, _scratch.Length * 2)];
        int length = System.Text.Encoding.UTF8.GetBytes(s, _scratch);
        return raw.sqlite3_bind_text(_statement, index, _scratch.AsSpan(0, length));
    }

    private byte[] _scratch = new byte[256];

    /// <summary>Text already encoded as UTF-8 (the records' ASCII JSON), bound as TEXT without a conversion.</summary>
    public sealed record Utf8Text(byte[] Bytes);

    /// <summary>Finalizes the statement (before the connection closes).</summary>
    public void Dispose() => _statement.Dispose();
}
