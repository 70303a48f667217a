namespace Ciaf.Metadata.Configuration;

/// <summary>
/// A configuration could not be loaded or is invalid: a malformed JSON file (the message names the file,
/// the line and, where known, the key), a value that cannot be read as the requested type, or
/// <see cref="MetadataConfig.ThrowIfInvalid"/> on a configuration with errors (the message lists them all).
/// </summary>
public sealed class MetadataConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MetadataConfigException() { }

    /// <summary>Creates the exception with a message.</summary>
    public MetadataConfigException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MetadataConfigException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The configuration file involved, if any.</summary>
    public string? FilePath { get; init; }

    /// <summary>The 1-based line in <see cref="FilePath"/> where the problem is, if known.</summary>
    public long? LineNumber { get; init; }

    /// <summary>The setting involved, if known.</summary>
    public string? Key { get; init; }

    /// <summary>Every validation error, keyed by setting (empty unless thrown by <see cref="MetadataConfig.ThrowIfInvalid"/>).</summary>
    public IReadOnlyDictionary<string, string> Errors { get; init; } = new Dictionary<string, string>();
}
