using Microsoft.Extensions.Logging;

namespace Ciaf.Cli.Infrastructure;

/// <summary>
/// Shows the library's warnings and errors (a key file others can read, a background write that failed) on the tool's
/// stderr, one line each: <c>ciaf: warning: ...</c>. Not the console logger: that one writes to
/// <see cref="Console"/> from a background queue (so a line may come after the exit, and never reaches the writer a
/// test gives the tool), in a two-line format with the category, which reads as noise in a command-line tool.
/// </summary>
internal sealed class StderrLoggerProvider(TextWriter stderr) : ILoggerProvider, ILogger
{
    /// <summary>A logger factory for the library: warnings and worse, on <paramref name="stderr"/>.</summary>
    public static ILoggerFactory CreateFactory(TextWriter stderr) =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Warning).AddProvider(new StderrLoggerProvider(stderr)));

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        string message = formatter(state, exception);
        if (exception is not null) message += ": " + exception.Message;
        string level = logLevel == LogLevel.Warning ? "warning" : "error";
        // The store's background writer logs from its own thread, while the command writes the same stream.
        lock (stderr)
        {
            stderr.WriteLine($"ciaf: {level}: {StoreResolver.OneLine(message)}");
            stderr.Flush();
        }
    }

    public void Dispose()
    {
    }
}
