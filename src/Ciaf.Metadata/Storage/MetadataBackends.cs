using System.Collections.Concurrent;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// The registry of backends by name. The built-in ones (json, sqlite, pickle) are registered here;
/// another package registers its own (e.g. <c>postgresql</c>) with <see cref="Register"/>.
/// </summary>
public static class MetadataBackends
{
    private static readonly ConcurrentDictionary<string, Func<BackendContext, IMetadataBackend>> Factories =
        new(StringComparer.OrdinalIgnoreCase);

    static MetadataBackends()
    {
        // One line per built-in backend.
        Register("json", c => new Ciaf.Metadata.Backends.Json.JsonMetadataBackend(c));
        Register("sqlite", c => new Ciaf.Metadata.Backends.Sqlite.SqliteMetadataBackend(c));
        Register("pickle", c => new Ciaf.Metadata.Backends.Pickle.PickleMetadataBackend(c));
    }

    /// <summary>Registers (or replaces) a backend factory under <paramref name="name"/> (case-insensitive).</summary>
    public static void Register(string name, Func<BackendContext, IMetadataBackend> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Factories[name] = factory;
    }

    /// <summary>The registered backend names, sorted.</summary>
    public static IReadOnlyList<string> Names => [.. Factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Whether a backend of this name is registered.</summary>
    public static bool IsRegistered(string name) => name is not null && Factories.ContainsKey(name);

    /// <summary>Opens a backend by name.</summary>
    /// <exception cref="ArgumentException">No backend has that name; the message lists the valid ones.</exception>
    public static IMetadataBackend Create(string name, BackendContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (name is null || !Factories.TryGetValue(name, out var factory))
        {
            throw new ArgumentException(
                $"Unknown storage backend '{name}'. Valid backends: {string.Join(", ", Names)}.", nameof(name));
        }
        return factory(context);
    }
}
