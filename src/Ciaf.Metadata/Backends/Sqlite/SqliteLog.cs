using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Backends.Sqlite;

/// <summary>The SQLite backend's log messages (source-generated, allocation-free when disabled).</summary>
internal static partial class SqliteLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning,
        Message = "SQLite backend skipped corrupt row {Location}: {Reason}")]
    public static partial void CorruptRow(ILogger logger, string location, string reason, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug,
        Message = "SQLite database {Path} busy during {Operation}; retry {Attempt} in {DelayMs} ms")]
    public static partial void Busy(ILogger logger, string path, string operation, int attempt, int delayMs);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning,
        Message = "SQLite database {Path}: journal_mode {Requested} was requested but the database uses {Actual}")]
    public static partial void JournalModeNotApplied(ILogger logger, string path, string requested, string actual);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information,
        Message = "SQLite database {Path}: created missing tables or indexes (schema version {Version})")]
    public static partial void SchemaCreated(ILogger logger, string path, int version);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning,
        Message = "SQLite database {Path} has schema version {Found}, newer than this library's {Known}; continuing")]
    public static partial void NewerSchema(ILogger logger, string path, long found, int known);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning,
        Message = "SQLite database {Path}: a background checkpoint failed ({Reason}); the log is copied at the next one")]
    public static partial void CheckpointFailed(ILogger logger, string path, string reason);
}
