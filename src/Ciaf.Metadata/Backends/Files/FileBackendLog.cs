using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Backends.Files;

/// <summary>The file backends' log messages (source-generated, allocation-free when disabled).</summary>
internal static partial class FileBackendLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "The {Backend} backend skipped a corrupt or unreadable entry {Path}")]
    public static partial void CorruptEntry(ILogger logger, string backend, string path, Exception exception);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information,
        Message = "The {Backend} backend deleted a temporary file left by an interrupted write: {Path}")]
    public static partial void StaleTempFileDeleted(ILogger logger, string backend, string path);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning,
        Message = "The {Backend} backend could not delete the temporary file {Path}")]
    public static partial void TempFileDeleteFailed(ILogger logger, string backend, string path, Exception exception);
}
