using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Tests.Backends.PostgreSql;

/// <summary>A logger factory that counts log entries by event id (to see that retries really happened).</summary>
internal sealed class CountingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentDictionary<int, int> _counts = new();

    public int Count(int eventId) => _counts.GetValueOrDefault(eventId);

    public ILogger CreateLogger(string categoryName) => new CountingLogger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class CountingLogger(CountingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._counts.AddOrUpdate(eventId.Id, 1, static (_, n) => n + 1);
    }
}
