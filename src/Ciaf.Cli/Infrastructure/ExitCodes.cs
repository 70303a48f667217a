namespace Ciaf.Cli.Infrastructure;

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    /// <summary>Cancelled with Ctrl+C (128 + SIGINT), as shells report it.</summary>
    public const int Cancelled = 130;
}
