using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata;

/// <summary>
/// Builds a <see cref="MetadataStorage"/>: one backend chosen by a <c>UseXxx</c> call with that backend's own options
/// (<c>b.UseSqlite("path", o => o.JournalMode = "WAL")</c>, <c>b.UsePostgreSql(connectionString, o => o.Schema = "ciaf")</c>),
/// and the store's common options (<see cref="Configure"/>). Every option is validated once, in <see cref="Build"/>,
/// which lists every problem at once. <see cref="MetadataStorage.Create"/>, <c>services.AddCiafMetadata(b => ...)</c>,
/// <c>new MetadataStorage(path, backend)</c> and <c>new MetadataStorage(config)</c> all build through here.
/// </summary>
public sealed class MetadataStorageBuilder
{
    private readonly Dictionary<string, string> _backendErrors = new(StringComparer.Ordinal);
    private Func<BackendContext, IMetadataBackend>? _backendFactory;

    /// <summary>A builder with default options and no backend chosen yet.</summary>
    public MetadataStorageBuilder()
        : this(new MetadataStorageOptions())
    {
    }

    /// <summary>
    /// A builder over existing options (read from configuration, say): the backend they name is used unless a
    /// <c>UseXxx</c> call chooses one in code, e.g. to give the remote backend a handler the options cannot carry.
    /// </summary>
    /// <param name="options">The options; the builder changes them as its calls say.</param>
    public MetadataStorageBuilder(MetadataStorageOptions options) => Options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>
    /// The store's common options: write mode, batching, limits, encryption, audit, retention, logging. The backend's
    /// name, path and connection string are set by the <c>UseXxx</c> call.
    /// </summary>
    public MetadataStorageOptions Options { get; }

    /// <summary>Changes the common options.</summary>
    public MetadataStorageBuilder Configure(Action<MetadataStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        configure(Options);
        return this;
    }

    /// <summary>
    /// Chooses the backend: what backend packages call from their <c>UseXxx</c> extension. The factory runs once, in
    /// <see cref="Build"/>, with the context the core prepares (root folder, logger, limits, corrupt-entry callback).
    /// </summary>
    /// <param name="name">The backend's name (<see cref="MetadataStorage.Backend"/>).</param>
    /// <param name="storagePath">The store folder (server backends write exports there).</param>
    /// <param name="factory">Opens the backend.</param>
    /// <param name="optionErrors">The problems with the backend's own options (e.g. its <c>Validate()</c>), keyed by option name; reported by <see cref="Build"/> with the others.</param>
    /// <param name="connectionString">A connection string, for server backends.</param>
    public MetadataStorageBuilder UseBackend(string name, string storagePath, Func<BackendContext, IMetadataBackend> factory,
        IReadOnlyDictionary<string, string>? optionErrors = null, string? connectionString = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Options.Backend = name;
        Options.StoragePath = storagePath;
        Options.ConnectionString = connectionString;
        _backendFactory = factory;
        _backendErrors.Clear();
        foreach (var (key, message) in optionErrors ?? new Dictionary<string, string>())
        {
            _backendErrors[$"{name}.{key}"] = message;
        }
        return this;
    }

    /// <summary>Validates every option and opens the store.</summary>
    /// <exception cref="ArgumentException">No backend was chosen, or options are invalid; the message lists every problem.</exception>
    /// <exception cref="MetadataStorageException">The path is a file or cannot be written, or the backend cannot open the store.</exception>
    public MetadataStorage Build() => new(this);

    /// <summary>Validates every option (once, listing every problem) and returns how to open the backend.</summary>
    internal Func<BackendContext, IMetadataBackend> Validate()
    {
        if (_backendFactory is null && MetadataBackends.IsRegistered(Options.Backend))
        {
            // Chosen by name (configuration, or new MetadataStorage(path, backend)): the name's own UseXxx call.
            MetadataBackends.Use(this, Options.Backend);
        }
        var errors = new Dictionary<string, string>(Options.ValidateCommon(), StringComparer.Ordinal);
        foreach (var (key, message) in _backendErrors) errors[key] = message;
        if (_backendFactory is null)
        {
            errors[nameof(MetadataStorageOptions.Backend)] =
                $"'{Options.Backend}' is not a known backend; valid: {string.Join(", ", MetadataBackends.Names)} (or choose one with a UseXxx call)";
        }
        if (errors.Count == 1 && errors.TryGetValue(nameof(MetadataStorageOptions.Backend), out var backendError))
            throw new ArgumentException($"Unknown storage backend: {backendError}.", "backend");
        if (errors.Count > 0)
            throw new ArgumentException("Invalid storage options: " + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")), "options");
        return _backendFactory!;
    }

    /// <summary>Opens the chosen backend alone, with its options validated (tools and tests: <see cref="MetadataBackends.Create"/>).</summary>
    internal IMetadataBackend CreateBackend(BackendContext context)
    {
        if (_backendErrors.Count > 0)
            throw new ArgumentException("Invalid backend options: " + string.Join("; ", _backendErrors.Select(e => $"{e.Key}: {e.Value}")), nameof(context));
        return _backendFactory!(context);
    }
}
