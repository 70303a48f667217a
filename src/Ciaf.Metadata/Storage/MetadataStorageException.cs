namespace Ciaf.Metadata;

/// <summary>A storage operation failed. The message names the backend, the path and, where known, the record id.</summary>
public class MetadataStorageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MetadataStorageException() { }

    /// <summary>Creates the exception with a message.</summary>
    public MetadataStorageException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MetadataStorageException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The backend involved, if known.</summary>
    public string? Backend { get; init; }

    /// <summary>The file or database involved, if known.</summary>
    public string? Path { get; init; }

    /// <summary>The record involved, if known.</summary>
    public string? RecordId { get; init; }
}
