using System.Xml.Linq;
using Ciaf.Metadata.Access;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging;

namespace Ciaf.Server.Hosting;

/// <summary>
/// ASP.NET Core Data Protection's key storage in the served store (<see cref="ServerKeyRing"/>): every server instance of
/// the store reads and adds the same keys, so a session cookie or anti-forgery token issued by one is accepted by all.
/// The key manager calls it rarely (at start, then about daily, and when it creates a key), so the blocking calls
/// (the interface is synchronous) cost nothing that matters.
/// </summary>
internal sealed class StoreXmlRepository(ServerKeyRing keyRing, ILogger<StoreXmlRepository> log) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => [.. keyRing.ReadAll().Select(xml => XElement.Parse(xml))];

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        // Keys are named key-<guid>, unique already; anything else (a revocation) gets a unique suffix, so that two
        // instances writing at the same moment both keep theirs (entries are added once, never replaced).
        string name = friendlyName is { Length: > 0 } f && f.StartsWith("key-", StringComparison.Ordinal)
            ? f
            : $"{(string.IsNullOrEmpty(friendlyName) ? "element" : friendlyName)}-{Guid.NewGuid():N}";
        keyRing.Add(name, element.ToString(SaveOptions.DisableFormatting));
        // The name only: the element holds the key.
        log.LogInformation("Server key ring: entry {Name} added to the store ({Form})", name, keyRing.IsSealed ? "sealed with the store key" : "not sealed");
    }
}
