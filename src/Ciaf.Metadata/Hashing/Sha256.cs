using System.Security.Cryptography;

namespace Ciaf.Metadata.Hashing;

/// <summary>
/// SHA-256 through one <see cref="IncrementalHash"/> per thread, reused: the one-shot <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>
/// sets up a new native digest context each call, which costs more than hashing a leaf or a tree node does
/// (docs/performance.md). Parts are hashed in order without being copied together first.
/// </summary>
internal static class Sha256
{
    [ThreadStatic]
    private static IncrementalHash? t_hash;

    /// <summary>Writes <c>SHA-256(data)</c> to <paramref name="destination"/> (32 bytes).</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hash = t_hash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(data);
        hash.GetHashAndReset(destination);
    }

    /// <summary>Writes <c>SHA-256(prefix ‖ data)</c> to <paramref name="destination"/>.</summary>
    public static void Hash(byte prefix, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hash = t_hash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([prefix]);
        hash.AppendData(data);
        hash.GetHashAndReset(destination);
    }

    /// <summary>
    /// Writes <c>SHA-256(prefix ‖ left ‖ right)</c> to <paramref name="destination"/>, which may overlap either input
    /// (the inputs are read before the digest is written).
    /// </summary>
    public static void Hash(byte prefix, ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        var hash = t_hash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([prefix]);
        hash.AppendData(left);
        hash.AppendData(right);
        hash.GetHashAndReset(destination);
    }
}
