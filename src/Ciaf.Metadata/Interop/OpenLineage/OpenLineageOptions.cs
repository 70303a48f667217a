using Ciaf.Metadata.Configuration;

namespace Ciaf.Metadata.Interop.OpenLineage;

/// <summary>
/// Where a store sends the OpenLineage events of its pipeline steps (docs/interop.md): a JSON-lines file, an HTTP endpoint,
/// or both; and the namespace of their jobs. Configuration keys: <c>openlineage_url</c>, <c>openlineage_api_key</c>,
/// <c>openlineage_file</c>, <c>openlineage_namespace</c>. Validated once, when the store is built.
/// </summary>
public sealed class OpenLineageOptions
{
    /// <summary>The default job namespace: <c>ciaf</c>.</summary>
    public const string DefaultNamespace = "ciaf";

    /// <summary>The default number of queued items (durable batches of records, capture starts) before new ones are dropped.</summary>
    public const int DefaultQueueCapacity = 10_000;

    /// <summary>The default time one event keeps being retried: 30 seconds.</summary>
    public static readonly TimeSpan DefaultRetryBudget = TimeSpan.FromSeconds(30);

    /// <summary>The default time one HTTP attempt may take: 10 seconds.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The namespace of every job (<c>openlineage_namespace</c>; default <c>ciaf</c>).</summary>
    public string Namespace { get; set; } = DefaultNamespace;

    /// <summary>The URL each event is POSTed to as JSON (<c>openlineage_url</c>, e.g. Marquez's <c>http://localhost:5000/api/v1/lineage</c>); null: no HTTP.</summary>
    public Uri? Url { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer &lt;key&gt;</c> with every POST (<c>openlineage_api_key</c>); never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>A file every event is appended to, one JSON object per line (<c>openlineage_file</c>); null: no file.</summary>
    public string? FilePath { get; set; }

    /// <summary>The events' <c>producer</c> (default: this library's source at its version).</summary>
    public Uri Producer { get; set; } = OpenLineageSpec.DefaultProducer;

    /// <summary>How many items may wait for delivery; past that new ones are dropped (counted and logged), never waited for.</summary>
    public int QueueCapacity { get; set; } = DefaultQueueCapacity;

    /// <summary>How long one event is retried (exponential backoff with jitter) before it is counted as failed.</summary>
    public TimeSpan RetryBudget { get; set; } = DefaultRetryBudget;

    /// <summary>How long one HTTP attempt may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>The client HTTP delivery uses (default: one shared client); for tests and custom handlers.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Further transports every event is delivered to (your own <see cref="IOpenLineageTransport"/>).</summary>
    public IList<IOpenLineageTransport> Transports { get; } = [];

    /// <summary>Whether events go anywhere: a URL, a file or a transport is set.</summary>
    public bool IsEnabled => Url is not null || !string.IsNullOrWhiteSpace(FilePath) || Transports.Count > 0;

    /// <summary>
    /// The options a configuration describes: <c>openlineage_url</c>, <c>openlineage_api_key</c>, <c>openlineage_file</c>
    /// (relative to the current folder) and <c>openlineage_namespace</c>. The configuration is validated by its owner.
    /// </summary>
    public static OpenLineageOptions FromConfig(MetadataConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string? url = config.Get<string?>(MetadataConfigKeys.OpenLineageUrl);
        string? file = config.Get<string?>(MetadataConfigKeys.OpenLineageFile);
        return new OpenLineageOptions
        {
            Namespace = config.Get<string>(MetadataConfigKeys.OpenLineageNamespace),
            Url = string.IsNullOrWhiteSpace(url) ? null : new Uri(url, UriKind.Absolute),
            ApiKey = config.Get<string?>(MetadataConfigKeys.OpenLineageApiKey),
            FilePath = string.IsNullOrWhiteSpace(file) ? null : Path.GetFullPath(file),
        };
    }

    /// <summary>Every problem with these options, keyed by option name (empty when valid).</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (NamespaceProblem(Namespace) is { } ns) errors[nameof(Namespace)] = ns;
        if (Url is not null && (!Url.IsAbsoluteUri || Url.Scheme is not ("http" or "https") || string.IsNullOrEmpty(Url.Host)))
            errors[nameof(Url)] = $"must be an absolute http:// or https:// URL; got \"{Url}\"";
        if (ApiKey is not null && (ApiKey.Length == 0 || ApiKey.Any(char.IsControl)))
            errors[nameof(ApiKey)] = "must be non-empty and hold no control characters";
        if (FilePath is not null && (string.IsNullOrWhiteSpace(FilePath) || FilePath.Contains('\0', StringComparison.Ordinal)))
            errors[nameof(FilePath)] = "must be a file path";
        if (Producer is null || !Producer.IsAbsoluteUri) errors[nameof(Producer)] = "must be an absolute URI";
        if (QueueCapacity < 1) errors[nameof(QueueCapacity)] = $"{QueueCapacity} is not allowed; must be at least 1";
        if (RetryBudget < TimeSpan.Zero) errors[nameof(RetryBudget)] = "must not be negative";
        if (RequestTimeout <= TimeSpan.Zero) errors[nameof(RequestTimeout)] = "must be positive";
        return errors;
    }

    /// <summary>Why <paramref name="value"/> cannot be a job namespace, or null.</summary>
    internal static string? NamespaceProblem(string? value) =>
        string.IsNullOrWhiteSpace(value) ? "must not be empty"
        : value.Any(char.IsControl) ? "must not hold control characters"
        : value.Trim().Length != value.Length ? "must not start or end with whitespace"
        : null;
}
