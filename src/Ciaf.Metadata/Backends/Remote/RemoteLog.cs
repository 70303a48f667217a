using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Backends.Remote;

/// <summary>The remote backend's log messages (source-generated, allocation-free when disabled). None holds the API key.</summary>
internal static partial class RemoteLog
{
    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning,
        Message = "Remote store {Server}: transient failure during {Operation} ({Reason}); retry {Attempt} in {DelayMs} ms")]
    public static partial void Transient(ILogger logger, string server, string operation, string reason, int attempt, int delayMs);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information,
        Message = "Remote store {Server}: connected (protocol {Protocol}, the server's store is {Backend}, request bodies up to {MaxBodyBytes} bytes)")]
    public static partial void Connected(ILogger logger, string server, int protocol, string backend, long maxBodyBytes);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Debug,
        Message = "Remote store {Server}: {Count} record(s) were too large for one request (413); sent in two halves")]
    public static partial void Split(ILogger logger, string server, int count);
}
