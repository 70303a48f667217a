using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ciaf.Remote.Tests.Support;

/// <summary>A logger factory keeping every entry's event id and full text (message and exception), to look for secrets in.</summary>
public sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<(int EventId, LogLevel Level, string Text)> _entries = new();

    /// <summary>Every entry so far.</summary>
    public IReadOnlyList<(int EventId, LogLevel Level, string Text)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Recorder(RecordingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((eventId.Id, logLevel, formatter(state, exception) + "\n" + exception));
    }
}
