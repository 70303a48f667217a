using System.Runtime.InteropServices;

namespace Ciaf.Metadata.PostgreSql;

/// <summary>
/// Free-text columns (<c>details</c>, <c>model_version</c>) as PostgreSQL can hold them. Its <c>text</c> type cannot
/// hold U+0000, and a lone UTF-16 surrogate has no UTF-8 form, while the other backends keep such values exactly.
/// So a value holding either — or starting with the marker itself, which keeps decoding unambiguous — is stored as
/// <see cref="Marker"/> followed by the hex of its UTF-16 code units, and decoded on read. Every other value (all
/// ordinary text) is stored as it is, readable by SQL.
/// </summary>
internal static class PostgreSqlText
{
    /// <summary>The prefix of an encoded value.</summary>
    public const string Marker = "\u0001ciaf-utf16:";

    /// <summary>The value to store for <paramref name="value"/>.</summary>
    public static string? Encode(string? value)
    {
        if (value is null || !NeedsEncoding(value)) return value;
        return Marker + Convert.ToHexString(MemoryMarshal.AsBytes(value.AsSpan()));
    }

    /// <summary>The value a stored text stands for.</summary>
    /// <exception cref="FormatException">The text has the marker but no valid encoding after it.</exception>
    public static string? Decode(string? stored)
    {
        if (stored is null || !stored.StartsWith(Marker, StringComparison.Ordinal)) return stored;
        byte[] bytes = Convert.FromHexString(stored.AsSpan(Marker.Length));
        if (bytes.Length % 2 != 0) throw new FormatException("an encoded text column has an odd number of bytes");
        return new string(MemoryMarshal.Cast<byte, char>(bytes));
    }

    private static bool NeedsEncoding(string value)
    {
        if (value.StartsWith(Marker, StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal)) return true;
        var span = value.AsSpan();
        for (int i = span.IndexOfAnyInRange('\uD800', '\uDFFF'); i >= 0 && i < span.Length; i++)
        {
            char c = span[i];
            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1])) i++;
            else if (char.IsSurrogate(c)) return true;
        }
        return false;
    }
}
