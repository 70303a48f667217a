using System.Security.Cryptography;

namespace Ciaf.Metadata;

/// <summary>
/// UUID version 7 (RFC 9562), laid out as <see cref="Guid.CreateVersion7(DateTimeOffset)"/> lays it out, for the ids of
/// records, captures, events and audit entries. The 74 random bits come from the OS's cryptographic generator through
/// <see cref="RandomNumberGenerator.Fill"/>, 4 KB at a time into a per-thread buffer; <c>Guid.NewGuid</c>, which
/// <c>CreateVersion7</c> uses, asks the OS once per id (on Linux a <c>read</c> of <c>/dev/urandom</c>: measured at a fifth
/// of a capture scope's CPU time with two ids per scope). Used bytes are cleared as they are taken.
/// </summary>
internal static class Uuid7
{
    private const int BufferBytes = 4096;

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_next;

    /// <summary>A new UUIDv7 for <paramref name="timestamp"/> (its Unix time in milliseconds, then random bits), as a string.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The timestamp is before 1970 or past what 48 bits of milliseconds hold.</exception>
    public static string NewString(DateTimeOffset timestamp) => New(timestamp).ToString();

    /// <summary>A new UUIDv7 for now.</summary>
    public static string NewString() => NewString(DateTimeOffset.UtcNow);

    /// <inheritdoc cref="NewString(DateTimeOffset)"/>
    public static Guid New(DateTimeOffset timestamp)
    {
        long ms = timestamp.ToUnixTimeMilliseconds();
        ArgumentOutOfRangeException.ThrowIfNegative(ms, nameof(timestamp));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ms >> 48, 0, nameof(timestamp));
        var random = t_random ??= new byte[BufferBytes];
        if (t_next == 0)
        {
            RandomNumberGenerator.Fill(random);
        }
        Span<byte> bytes = stackalloc byte[16];
        var taken = random.AsSpan(t_next, 16);
        taken.CopyTo(bytes);
        taken.Clear();
        t_next = (t_next + 16) % BufferBytes;
        // Big-endian: 48 bits of Unix milliseconds, the version (7) over 12 random bits, the variant (10) over 62 random bits.
        for (int i = 0; i < 6; i++) bytes[i] = (byte)(ms >> (40 - 8 * i));
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
