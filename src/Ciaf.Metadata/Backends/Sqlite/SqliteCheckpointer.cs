using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace Ciaf.Metadata.Backends.Sqlite;

/// <summary>
/// Copies the write-ahead log into the database (a checkpoint) on a connection and a thread of its own, in WAL mode.
/// SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the writer, under the write
/// lock: it reads every page the log holds, writes it into the database and syncs both files, and the next batch waits.
/// Here the writer only counts the pages it wrote (<see cref="Written"/>) and asks for a checkpoint past
/// <see cref="Pages"/>; this thread runs it while the writer goes on (a passive checkpoint never blocks a writer or a
/// reader). The writer keeps SQLite's automatic checkpoint at ten times that, as a bound should this fall behind.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>Pages written to the log between checkpoints (SQLite's own default threshold).</summary>
    public const int Pages = 1000;

    /// <summary>The writer's automatic checkpoint threshold: reached only if this falls behind.</summary>
    public const int FallbackPages = 10 * Pages;

    private const int CacheWriteStatus = 9; // SQLITE_DBSTATUS_CACHE_WRITE: pages this connection wrote (to the log, in WAL mode)
    private const int CheckpointPassive = 0; // SQLITE_CHECKPOINT_PASSIVE

    private readonly SqliteConnection _connection;
    private readonly ILogger _logger;
    private readonly string _path;
    private readonly SemaphoreSlim _requests = new(0);
    private readonly Thread _thread;
    private int _requested; // 1 while a request waits for the thread
    private volatile bool _stopping;
    private long _pages; // written since the last request; the writer's, under its write lock

    /// <summary>Opens the checkpoint connection and starts its thread.</summary>
    /// <exception cref="SqliteException">The connection could not be opened.</exception>
    public SqliteCheckpointer(string connectionString, string path, ILogger logger)
    {
        _path = path;
        _logger = logger;
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        // A checkpoint on a connection that has not read the database yet finds no log (SQLite opens it on the first read).
        using (var read = _connection.CreateCommand())
        {
            read.CommandText = "SELECT COUNT(*) FROM sqlite_schema";
            read.ExecuteScalar();
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "CIAF SQLite checkpoint" };
        _thread.Start();
    }

    /// <summary>Held while a checkpoint runs: a caller that must checkpoint itself (to empty the log) takes it first.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>
    /// Called by the writer after each write, under its write lock: counts the pages <paramref name="writer"/> put in
    /// the log since the last call, and asks for a checkpoint once they pass <see cref="Pages"/>.
    /// </summary>
    public void Written(SqliteConnection writer)
    {
        raw.sqlite3_db_status(writer.Handle, CacheWriteStatus, out int written, out _, 1);
        _pages += written;
        if (_pages < Pages) return;
        _pages = 0;
        if (Interlocked.Exchange(ref _requested, 1) == 0) _requests.Release();
    }

    private void Run()
    {
        while (true)
        {
            _requests.Wait();
            if (_stopping) return;
            Volatile.Write(ref _requested, 0);
            Gate.Wait();
            try
            {
                int rc = raw.sqlite3_wal_checkpoint_v2(_connection.Handle, "main", CheckpointPassive, out _, out _);
                // Busy: another connection (another process) is checkpointing; the next request tries again.
                if (rc != raw.SQLITE_OK && rc != raw.SQLITE_BUSY && rc != raw.SQLITE_LOCKED)
                {
                    SqliteLog.CheckpointFailed(_logger, _path, raw.sqlite3_errstr(rc).utf8_to_string());
                }
            }
            finally
            {
                Gate.Release();
            }
        }
    }

    /// <summary>Stops the thread (after the checkpoint under way, if any) and closes the connection.</summary>
    public void Dispose()
    {
        _stopping = true;
        _requests.Release();
        _thread.Join();
        _connection.Dispose();
        _requests.Dispose();
        Gate.Dispose();
    }
}
