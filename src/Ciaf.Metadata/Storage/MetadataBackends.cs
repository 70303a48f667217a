using System.Collections.Concurrent;

namespace Ciaf.Metadata.Storage;

/// <summary>
/// The backend names a configuration may give (<c>storage_backend</c>, <c>new MetadataStorage(path, backend)</c>), each
/// mapped to its builder call, which reads the path and settings from <see cref="MetadataStorageBuilder.Options"/>. The
/// built-in ones (json, sqlite, pickle, and the read-only readers of the reference's compressed stores,
/// compressed_json and compressed_sqlite) are here; a backend package adds its own (e.g. <c>postgresql</c>) with
/// <see cref="Register"/>. Code that chooses a backend itself calls its <c>UseXxx</c> builder method instead.
/// </summary>
public static class MetadataBackends
{
    private static readonly ConcurrentDictionary<string, Action<MetadataStorageBuilder>> ByName = new(StringComparer.OrdinalIgnoreCase);

    static MetadataBackends()
    {
        foreach (var (name, use) in Backends.BuiltInBackends.ByName) Register(name, use);
    }

    /// <summary>
    /// Makes <paramref name="name"/> (case-insensitive) a backend name configurations may give: <paramref name="use"/>
    /// chooses the backend on a builder, from the builder's <see cref="MetadataStorageBuilder.Options"/>. Replaces an
    /// earlier registration of the name.
    /// </summary>
    public static void Register(string name, Action<MetadataStorageBuilder> use)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(use);
        ByName[name] = use;
    }

    /// <summary>The registered backend names, sorted.</summary>
    public static IReadOnlyList<string> Names => [.. ByName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Whether a backend of this name is registered.</summary>
    public static bool IsRegistered(string name) => name is not null && ByName.ContainsKey(name);

    /// <summary>
    /// The backend of an existing store folder, from what it holds (a SQLite database, pickle records), else the
    /// default backend (<see cref="MetadataStorageOptions.DefaultBackend"/>) — for tools given only a path.
    /// </summary>
    public static string Detect(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        foreach (var (name, holdsStore) in Backends.BuiltInBackends.Detectors)
        {
            if (IsRegistered(name) && holdsStore(folder)) return name;
        }
        return MetadataStorageOptions.DefaultBackend;
    }

    /// <summary>Opens a backend by name, outside a store (tools and tests): the same builder call a configuration makes.</summary>
    /// <exception cref="ArgumentException">No backend has that name (the message lists the valid ones), or its options are invalid.</exception>
    public static IMetadataBackend Create(string name, BackendContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var builder = new MetadataStorageBuilder();
        builder.Options.StoragePath = context.StoragePath;
        builder.Options.ConnectionString = context.ConnectionString;
        if (name is null || !IsRegistered(name))
        {
            throw new ArgumentException($"Unknown storage backend '{name}'. Valid backends: {string.Join(", ", Names)}.", nameof(name));
        }
        Use(builder, name);
        return builder.CreateBackend(context);
    }

    internal static void Use(MetadataStorageBuilder builder, string name) => ByName[name](builder);
}
