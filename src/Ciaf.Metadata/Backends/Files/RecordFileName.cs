namespace Ciaf.Metadata.Backends.Files;

/// <summary>
/// What a record file's name says about the record inside it, as parsed by
/// <see cref="FileMetadataBackend"/> subclasses. The name is a hint used to find and skip files
/// without opening them; the file's content is what is returned.
/// </summary>
/// <param name="Stage">The pipeline stage written in the name.</param>
/// <param name="IdToken">
/// The id part of the name exactly as it appears there: this library writes the full id
/// (escaped, see <see cref="FileMetadataBackend"/>), the Python reference writes its first 8 characters.
/// </param>
/// <param name="Date">The UTC date written in the name, for layouts that have one (JSON); otherwise <c>null</c>.</param>
public readonly record struct RecordFileName(string Stage, string IdToken, DateOnly? Date);
