using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Encryption;

/// <summary>
/// The erasure of a data subject (GDPR Art. 17) by crypto-shredding: its own key destroyed, so the sensitive values
/// sealed with it can never be read again, while every record, its hash and its ledger leaf stay as they were.
/// Kept in the store in place of the key, and appended to the ledger as an <c>erasure</c> leaf.
/// </summary>
/// <param name="Reference">The subject's reference (an HMAC of its id under the store key; the id is stored nowhere).</param>
/// <param name="KeyId">The id of the key that was destroyed (the <c>kid</c> of the markers it sealed).</param>
/// <param name="ErasedAt">When.</param>
/// <param name="ErasedBy">Who (the acting user).</param>
/// <param name="Reason">Why, as given.</param>
public sealed record SubjectErasure(string Reference, string KeyId, DateTimeOffset ErasedAt, string ErasedBy, string Reason)
{
    /// <summary>Whether the subject had already been erased (this is that earlier erasure; nothing was done now).</summary>
    public bool AlreadyErased { get; init; }

    /// <summary>The stored form: sorted keys, compact.</summary>
    internal string ToStateValue() => PythonJson.Serialize(new JsonObject
    {
        ["erased_at"] = PythonTimestamp.Format(ErasedAt),
        ["erased_by"] = ErasedBy,
        ["kid"] = KeyId,
        ["reason"] = Reason,
    }, PythonJsonStyle.SortedMinimal);

    /// <summary>The erasure a <c>subject_keys</c> state value holds, or <c>null</c> when it holds a live key.</summary>
    /// <exception cref="FormatException">The value is neither.</exception>
    internal static SubjectErasure? FromStateValue(string reference, string value)
    {
        try
        {
            using var doc = JsonDocument.Parse(value);
            var root = doc.RootElement;
            if (!root.TryGetProperty("erased_at", out var at)) return null;
            return new SubjectErasure(reference, root.GetProperty("kid").GetString()!, PythonTimestamp.Parse(at.GetString()!),
                root.GetProperty("erased_by").GetString()!, root.GetProperty("reason").GetString()!);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentNullException)
        {
            throw new FormatException($"The stored key of data subject {reference} cannot be read: {ex.Message}", ex);
        }
    }
}
