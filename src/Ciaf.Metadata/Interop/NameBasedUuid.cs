using System.Security.Cryptography;
using System.Text;

namespace Ciaf.Metadata.Interop;

/// <summary>
/// RFC 9562 name-based UUIDs (version 5: SHA-1 of a namespace and a name): the same name always gives the same id, so
/// an MLflow run imported twice is one record, and a record id that is not a UUID still has a stable OpenLineage run id.
/// Anyone can recompute them: Python's <c>uuid.uuid5(uuid.UUID("6ed600e7-32c5-548f-bb1a-460ad062573b"), name)</c>.
/// </summary>
internal static class NameBasedUuid
{
    /// <summary>This library's namespace: <c>uuid5(NAMESPACE_URL, "https://github.com/ciaf/ciaf-metadata-dotnet")</c>.</summary>
    public static readonly Guid Namespace = Create(Guid.Parse("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), "https://github.com/ciaf/ciaf-metadata-dotnet");

    /// <summary>The version-5 UUID of <paramref name="name"/> in this library's namespace.</summary>
    public static Guid Create(string name) => Create(Namespace, name);

    /// <summary>The version-5 UUID of <paramref name="name"/> (UTF-8) in <paramref name="namespaceId"/>.</summary>
    public static Guid Create(Guid namespaceId, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        byte[] input = new byte[16 + Encoding.UTF8.GetByteCount(name)];
        namespaceId.TryWriteBytes(input, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, input.AsSpan(16));
        // SHA-1 is what RFC 9562 prescribes for version 5: an identifier, not a security property.
#pragma warning disable CA5350
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
