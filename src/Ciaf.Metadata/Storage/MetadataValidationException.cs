namespace Ciaf.Metadata;

/// <summary>A registered validator rejected a save; nothing was written.</summary>
public sealed class MetadataValidationException : ArgumentException
{
    /// <summary>Creates the exception for the given stage and errors.</summary>
    public MetadataValidationException(string stage, IReadOnlyList<string> errors)
        : base($"Metadata for stage '{stage}' failed validation: {string.Join("; ", errors ?? [])}", "metadata")
    {
        Stage = stage;
        Errors = errors ?? [];
    }

    /// <summary>The stage whose validators ran.</summary>
    public string Stage { get; }

    /// <summary>Every error the validators reported.</summary>
    public IReadOnlyList<string> Errors { get; }
}
