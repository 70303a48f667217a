namespace Ciaf.Cli.Infrastructure;

/// <summary>A failure the tool reports as one line, with its exit code (1 failure, 2 usage error).</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure, Exception? inner = null)
    : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}
