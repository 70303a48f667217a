using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ciaf.Metadata.Search;

/// <summary>
/// Where a page ended: the last result's <see cref="OrderKey"/>, the instant <c>now()</c> meant on the first page (so
/// relative filters keep their meaning from page to page), and a fingerprint of the filter and order it belongs to.
/// Opaque to callers (base64url of a small JSON object); a keyset, so it stays correct while others insert.
/// </summary>
internal sealed record SearchCursor(OrderKey After, DateTimeOffset Now, string Fingerprint)
{
    private sealed record Wire(int V, string F, long Now, int R, double N, string T, long Ts, string Id);

    /// <summary>The fingerprint of a filter text and order.</summary>
    public static string FingerprintOf(string filter, SearchOrder order)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{filter}\n{order.Field.Text}\n{(order.Descending ? "desc" : "asc")}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    /// <summary>The cursor's text.</summary>
    public string Encode() =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Wire(1, Fingerprint, Now.UtcTicks, After.Rank, After.Number, After.Text, After.Ticks, After.Id)));

    /// <summary>The cursor <paramref name="text"/> encodes, checked to belong to <paramref name="fingerprint"/>.</summary>
    /// <exception cref="ArgumentException">It is not a cursor, or one of another filter or order.</exception>
    public static SearchCursor Decode(string text, string fingerprint)
    {
        Wire? wire;
        try
        {
            wire = text.Length <= 8192 ? JsonSerializer.Deserialize<Wire>(Base64Url.DecodeFromChars(text)) : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            wire = null;
        }
        if (wire is not { V: 1, F: not null, T: not null, Id: not null } || wire.Now is < 0 || wire.Now > DateTimeOffset.MaxValue.UtcTicks || wire.Ts is < 0 || wire.Ts > DateTimeOffset.MaxValue.UtcTicks
            || wire.R is < 0 or > 5)
            throw new ArgumentException("The cursor is not one this library issued (it is opaque: pass back the NextCursor of a page).", "cursor");
        if (wire.F != fingerprint)
            throw new ArgumentException("The cursor belongs to another filter or order; a cursor continues the search that issued it.", "cursor");
        return new SearchCursor(new OrderKey(wire.R, wire.N, wire.T, wire.Ts, wire.Id), new DateTimeOffset(wire.Now, TimeSpan.Zero), wire.F);
    }
}
