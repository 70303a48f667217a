using System.Text.RegularExpressions;

namespace Ciaf.Metadata.PostgreSql;

/// <summary>Settings of the PostgreSQL backend beyond its connection string.</summary>
public sealed partial class PostgreSqlBackendOptions
{
    /// <summary>The schema used when neither <see cref="Schema"/> nor the connection string's <c>Search Path</c> names one.</summary>
    public const string DefaultSchema = "public";

    /// <summary>How long a write or read keeps retrying transient errors (server restart, connection refused) by default: 30 s.</summary>
    public static readonly TimeSpan DefaultTransientRetryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The schema holding the tables. <c>null</c> (the default) takes the first entry of the connection string's
    /// <c>Search Path</c>, else <see cref="DefaultSchema"/>. It is created if missing (which needs the CREATE
    /// privilege on the database). Must match <see cref="IdentifierPattern"/>.
    /// </summary>
    public string? Schema { get; set; }

    /// <summary>
    /// How long one operation keeps retrying transient errors (with exponential backoff) before it fails;
    /// default <see cref="DefaultTransientRetryTimeout"/>. <see cref="TimeSpan.Zero"/> disables retries.
    /// </summary>
    public TimeSpan TransientRetryTimeout { get; set; } = DefaultTransientRetryTimeout;

    /// <summary>
    /// How long one SQL command may run before it is cancelled (Npgsql's <c>Command Timeout</c>). <c>null</c> (the
    /// default) keeps the connection string's value, else Npgsql's 30 s. A command that times out is not retried.
    /// </summary>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>The rule every schema name from configuration must follow: <c>^[A-Za-z_][A-Za-z0-9_]{0,62}$</c>.</summary>
    public const string IdentifierPattern = "^[A-Za-z_][A-Za-z0-9_]{0,62}$";

    /// <summary>Whether <paramref name="name"/> is an identifier this backend accepts (see <see cref="IdentifierPattern"/>).</summary>
    public static bool IsValidIdentifier(string? name) => name is not null && IdentifierRegex().IsMatch(name);

    /// <summary>Every problem with these options, keyed by option name; empty when valid.</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Schema is not null && !IsValidIdentifier(Schema))
            errors[nameof(Schema)] = $"'{Schema}' is not allowed; must match {IdentifierPattern}";
        if (CommandTimeout is { } timeout && (timeout < TimeSpan.FromSeconds(1) || timeout.TotalSeconds > int.MaxValue))
            errors[nameof(CommandTimeout)] = $"{timeout} is not allowed; must be at least 1 second (Npgsql counts whole seconds)";
        if (TransientRetryTimeout < TimeSpan.Zero)
            errors[nameof(TransientRetryTimeout)] = $"{TransientRetryTimeout} is not allowed; must be zero or positive";
        return errors;
    }

    [GeneratedRegex(IdentifierPattern, RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierRegex();
}
