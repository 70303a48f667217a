namespace Ciaf.Cli.Infrastructure;

/// <summary>
/// What a run of the tool sees of its surroundings: the working directory (relative paths and the
/// <c>ciaf_config.json</c> lookup start there), environment variables, and whether the real terminal is attached.
/// Tests pass their own; <see cref="Process"/> is the real one.
/// </summary>
internal sealed record CliHost
{
    public required string WorkingDirectory { get; init; }

    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Whether stdout is a terminal (not redirected): colours and live progress only then.</summary>
    public bool StdoutIsTerminal { get; init; }

    /// <summary>Whether stderr is a terminal.</summary>
    public bool StderrIsTerminal { get; init; }

    public static CliHost Process => new()
    {
        WorkingDirectory = Environment.CurrentDirectory,
        StdoutIsTerminal = !Console.IsOutputRedirected,
        StderrIsTerminal = !Console.IsErrorRedirected,
    };

    public string FullPath(string path) => Path.GetFullPath(path, WorkingDirectory);
}
