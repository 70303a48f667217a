using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.PostgreSql;

/// <summary>The PostgreSQL backend's log messages (source-generated, allocation-free when disabled).</summary>
internal static partial class PostgreSqlLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "PostgreSQL backend skipped corrupt row {Location}: {Reason}")]
    public static partial void CorruptRow(ILogger logger, string location, string reason, Exception exception);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning,
        Message = "PostgreSQL {Target}: transient error during {Operation} ({Reason}); retry {Attempt} in {DelayMs} ms")]
    public static partial void Transient(ILogger logger, string target, string operation, string reason, int attempt, int delayMs);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information,
        Message = "PostgreSQL {Target}: applied schema migration {Version} ({Description})")]
    public static partial void MigrationApplied(ILogger logger, string target, int version, string description);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning,
        Message = "PostgreSQL {Target} has schema version {Found}, newer than this library's {Known}; continuing")]
    public static partial void NewerSchema(ILogger logger, string target, int found, int known);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning,
        Message = "PostgreSQL {Target}: could not measure the tables' size: {Reason}")]
    public static partial void SizeUnavailable(ILogger logger, string target, string reason, Exception exception);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning,
        Message = "PostgreSQL {Target}: enable_compression does not apply to this backend; PostgreSQL compresses large values itself (TOAST), and metadata_text stays plain so SQL and jsonb keep working")]
    public static partial void CompressionNotApplied(ILogger logger, string target);
}
