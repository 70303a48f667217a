namespace Ciaf.Metadata.Access;

/// <summary>A new API key: what the store keeps, and the key text, which the store does not keep (show it once).</summary>
/// <param name="Info">The key as the store keeps it.</param>
/// <param name="Key">The secret key text, <c>ciaf_&lt;id&gt;_&lt;secret&gt;</c>.</param>
public sealed record CreatedApiKey(ApiKeyInfo Info, string Key)
{
    /// <summary>The key's description without the secret, so a log line or debugger view never shows it.</summary>
    public override string ToString() => $"CreatedApiKey {{ Info = {Info}, Key = *** }}";
}
