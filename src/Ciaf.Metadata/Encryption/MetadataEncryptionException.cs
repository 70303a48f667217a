using System.Security.Cryptography;

namespace Ciaf.Metadata.Encryption;

/// <summary>
/// An encrypted value could not be decrypted: it was encrypted with another key (key id mismatch), its
/// ciphertext or tag was altered, or its marker is malformed. The message names the record, the key
/// path inside its metadata and both key ids.
/// </summary>
public sealed class MetadataEncryptionException : CryptographicException
{
    /// <summary>Creates the exception.</summary>
    public MetadataEncryptionException() { }

    /// <summary>Creates the exception with a message.</summary>
    public MetadataEncryptionException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MetadataEncryptionException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The record whose value could not be decrypted, if known.</summary>
    public string? RecordId { get; init; }

    /// <summary>Where in the metadata the value sits, as a JSON path (e.g. <c>$.patient.ssn</c>).</summary>
    public string? FieldPath { get; init; }

    /// <summary>The key id written in the value's marker.</summary>
    public string? StoredKeyId { get; init; }

    /// <summary>The key id of the configured key, or <c>null</c> when none is configured.</summary>
    public string? ConfiguredKeyId { get; init; }
}
