using Ciaf.Metadata;
using Ciaf.Metadata.Access;
using Ciaf.Metadata.Storage;

namespace Ciaf.Remote.Tests.Support;

/// <summary>A server a remote store lives on, in memory (<see cref="RemoteServer"/>) or a process (<see cref="ServeProcess"/>).</summary>
public interface IRemoteServer : IAsyncDisposable
{
    /// <summary>The served store's folder (where a test plants what it plants in a local store's).</summary>
    string StoreRoot { get; }

    /// <summary>Opens <paramref name="options"/> as a remote store of this server with the key of <paramref name="role"/>.</summary>
    MetadataStorage Open(MetadataStorageOptions options, string role = AccessRoles.Admin);
}
