namespace Ciaf.Cli.Infrastructure;

/// <summary>The options every command accepts.</summary>
internal sealed record GlobalSettings
{
    /// <summary><c>--store</c>: the store folder.</summary>
    public string? Store { get; init; }

    /// <summary><c>--backend</c>: json, sqlite, pickle, ...</summary>
    public string? Backend { get; init; }

    /// <summary><c>--config</c>: a configuration file.</summary>
    public string? Config { get; init; }

    /// <summary><c>--json</c>: data as JSON on stdout.</summary>
    public bool Json { get; init; }

    /// <summary><c>--verbose</c>: stack traces on errors.</summary>
    public bool Verbose { get; init; }

    /// <summary><c>--no-color</c> (or the <c>NO_COLOR</c> variable).</summary>
    public bool NoColor { get; init; }
}
