using System.Globalization;
using System.Text;
using Ciaf.Metadata.Storage;
using K = Ciaf.Metadata.Configuration.MetadataConfigKeys;

namespace Ciaf.Metadata.Configuration;

public sealed partial class MetadataConfig
{
    /// <summary>The backends accepted when none is registered yet with <see cref="MetadataBackends"/>.</summary>
    internal static readonly string[] FallbackBackends = ["json", "sqlite", "pickle", "postgresql"];

    /// <summary>SQLite's journal modes (case-insensitive).</summary>
    internal static readonly string[] JournalModes = ["WAL", "DELETE", "TRUNCATE", "PERSIST", "MEMORY", "OFF"];

    /// <summary>Allowed <c>cleanup_schedule</c> values.</summary>
    internal static readonly string[] CleanupSchedules = ["hourly", "daily", "weekly", "monthly"];

    /// <summary>Allowed <c>default_export_format</c> values.</summary>
    internal static readonly string[] ExportFormats = [.. Transfer.Exporter.RecordFormats];

    /// <summary>The reference's LCM modes.</summary>
    internal static readonly string[] LcmModes = ["immediate", "deferred", "adaptive"];

    /// <summary>
    /// Checks every setting and returns every error at once, keyed by setting (empty when valid). Each message
    /// names the value, what is allowed and where the value came from (the file and line, or the environment
    /// variable: a bad <c>CIAF_BATCH_SIZE=abc</c> gives <c>batch_size</c> → <c>CIAF_BATCH_SIZE='abc' is not an integer</c>).
    /// Checks: types; a known backend (<see cref="MetadataBackends.Names"/>, or json/sqlite/pickle/postgresql when none is
    /// registered) and a connection string for postgresql; a usable storage path; retention between 1 and
    /// <see cref="MetadataStorageOptions.MaxRetentionDays"/> days and compliance retention ≥ metadata retention; batch and
    /// export batch size ≥ 1; cache size ≥ 0; score threshold in [0, 1]; database timeout &gt; 0; durations a TimeSpan holds;
    /// journal mode, cleanup schedule and export format from their lists; http/https URLs; a key path when encryption is on;
    /// <c>max_metadata_bytes</c> ≥ 1024; no empty names in lists; the reference's own ranges for its LCM keys; and unknown keys
    /// that look like a misspelt known key (<c>BatchSize</c> → did you mean <c>batch_size</c>?). Other unknown keys are allowed.
    /// </summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        Dictionary<string, object?> values;
        Dictionary<string, SettingOrigin> origins;
        lock (_gate)
        {
            values = new Dictionary<string, object?>(_values, StringComparer.Ordinal);
            origins = new Dictionary<string, SettingOrigin>(_origins, StringComparer.Ordinal);
        }
        return new ConfigValidator(values, origins).Run();
    }

    /// <summary>Throws when <see cref="Validate"/> finds errors; the message lists every one of them.</summary>
    /// <exception cref="MetadataConfigException">The configuration is invalid; <see cref="MetadataConfigException.Errors"/> holds the errors.</exception>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count == 0)
        {
            return;
        }
        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"Invalid CIAF metadata configuration ({errors.Count} error{(errors.Count == 1 ? "" : "s")})");
        if (ConfigFile is not null)
        {
            message.Append(CultureInfo.InvariantCulture, $", file '{ConfigFile}'");
        }
        message.Append(':');
        foreach (var (key, error) in errors)
        {
            message.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  {key}: {error}");
        }
        throw new MetadataConfigException(message.ToString())
        {
            Errors = errors,
            FilePath = ConfigFile,
            Key = errors.Count == 1 ? errors.Keys.First() : null,
        };
    }

    private sealed class ConfigValidator(Dictionary<string, object?> values, Dictionary<string, SettingOrigin> origins)
    {
        private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

        public Dictionary<string, string> Run()
        {
            CheckTypes();
            CheckUnknownKeys();

            string[] backends = MetadataBackends.Names.Count > 0 ? [.. MetadataBackends.Names] : FallbackBackends;
            OneOf(K.StorageBackend, backends, StringComparison.OrdinalIgnoreCase);
            if (Text(K.StorageBackend) is { } backend && backend.Equals("postgresql", StringComparison.OrdinalIgnoreCase)
                && string.IsNullOrWhiteSpace(Text(K.PostgresConnectionString)) && !_errors.ContainsKey(K.PostgresConnectionString))
            {
                Fail(K.PostgresConnectionString, "is required when storage_backend is postgresql (set CIAF_POSTGRES_CONNECTION)");
            }
            if (Text(K.StorageBackend) is { } remote && remote.Equals("remote", StringComparison.OrdinalIgnoreCase))
            {
                if (string.IsNullOrWhiteSpace(Text(K.ServerUrl)) && !_errors.ContainsKey(K.ServerUrl))
                    Fail(K.ServerUrl, "is required when storage_backend is remote (set CIAF_SERVER_URL to the server, e.g. https://ciaf.example.org)");
                if (string.IsNullOrWhiteSpace(Text(K.ApiKey)) && !_errors.ContainsKey(K.ApiKey))
                    Fail(K.ApiKey, "is required when storage_backend is remote (set CIAF_API_KEY to a key from 'ciaf apikey create' on the server)");
            }
            HttpUrl(K.ServerUrl);
            CheckStoragePath();

            AtLeast(K.MetadataRetentionDays, 1);
            AtLeast(K.ComplianceRetentionDays, 1);
            if (Integer(K.MetadataRetentionDays) is { } metadataDays && metadataDays >= 1
                && Integer(K.ComplianceRetentionDays) is { } complianceDays && complianceDays < metadataDays
                && !_errors.ContainsKey(K.ComplianceRetentionDays))
            {
                Fail(K.ComplianceRetentionDays,
                    $"must be at least metadata_retention_days ({metadataDays}); got {complianceDays}");
            }
            AtLeast(K.BatchSize, 1);
            AtLeast(K.CacheSize, 0);
            AtLeast(K.ExportBatchSize, 1);
            AtLeast(K.DbConnectionTimeout, 1, "must be greater than 0 seconds");
            OneOf(K.DbJournalMode, JournalModes, StringComparison.OrdinalIgnoreCase);
            OneOf(K.CleanupSchedule, CleanupSchedules, StringComparison.Ordinal);
            OneOf(K.DefaultExportFormat, ExportFormats, StringComparison.Ordinal);
            Between(K.ComplianceScoreThreshold, 0.0, 1.0);
            HttpUrl(K.MetricsEndpoint);
            HttpUrl(K.AlertWebhookUrl);
            HttpUrl(K.OpenLineageUrl);
            if (Text(K.OpenLineageNamespace) is { } ns && Interop.OpenLineage.OpenLineageOptions.NamespaceProblem(ns) is { } nsProblem)
                Fail(K.OpenLineageNamespace, $"{nsProblem}; got \"{ns}\"");
            if (values.TryGetValue(K.OpenLineageApiKey, out var apiKey) && apiKey is string key && (key.Length == 0 || key.Any(char.IsControl)))
                Fail(K.OpenLineageApiKey, "must be non-empty and hold no control characters, or null");
            if (Text(K.OpenLineageFile) is { } lineageFile) CheckPath(K.OpenLineageFile, lineageFile);
            if (values.GetValueOrDefault(K.EncryptSensitiveData) is true
                && string.IsNullOrWhiteSpace(Text(K.EncryptionKeyPath)) && !_errors.ContainsKey(K.EncryptionKeyPath))
            {
                Fail(K.EncryptionKeyPath, "is required when encrypt_sensitive_data is on (set encryption_key_path or CIAF_ENCRYPTION_KEY to the key file)");
            }
            AtLeast(K.MaxMetadataBytes, 1024);
            AtLeast(K.CompressionThresholdBytes, 0);
            AtLeast(K.FlushIntervalMs, 1);
            AtLeast(K.ServerMaxRequestBodyBytes, 0);
            AtLeast(K.ServerRateLimitRequests, 0);
            AtLeast(K.ServerRateLimitWindowSeconds, 1);
            HttpUrl(K.ServerJwtAuthority);
            NoEmptyNames(K.ServerUrls);
            NoEmptyNames(K.ComplianceFrameworks);
            NoEmptyNames(K.RequiredMetadataFields);
            NoEmptyNames(K.SensitiveFields);
            NoEmptyNames(K.SubjectFields);
            if (values.GetValueOrDefault(K.SubjectFields) is IReadOnlyList<string> { Count: > 0 } && values.GetValueOrDefault(K.EncryptSensitiveData) is not true)
                Fail(K.SubjectFields, "needs encrypt_sensitive_data on: a subject's values are erased by destroying the key they are encrypted with");

            // The reference's own checks on the keys it alone uses, so a file valid there is valid here and vice versa.
            OneOf(K.DefaultLcmMode, LcmModes, StringComparison.Ordinal);
            AtLeast(K.LcmBatchSize, 1);
            AtLeast(K.LcmQueueMaxSize, 100);
            AtLeast(K.MaxFileSizeMb, 1);
            AtLeast(K.MemoryBufferSize, 0);
            AtLeast(K.DbConnectionPoolSize, 1);
            Between(K.LcmProcessingInterval, 0.1, double.MaxValue, "must be at least 0.1 seconds");
            Between(K.LcmImmediateThresholdMs, 0, double.MaxValue, "must be non-negative");
            Between(K.LcmCpuThresholdPercent, 0, 100);
            Between(K.LcmMemoryThresholdMb, 0, double.MaxValue, "must be non-negative");

            // Integers beyond their range (e.g. a batch size that does not fit in an int, or a retention whose cut-off
            // date would fall before the year 1), and durations too long for a TimeSpan (Get<TimeSpan> would overflow).
            foreach (var definition in SettingDefinitions.All)
            {
                if (definition.Kind == SettingKind.Integer && Integer(definition.Key) is { } v && v > definition.MaxInteger)
                {
                    string unit = definition.Unit == TimeSpan.FromDays(1) ? " days (1,000 years)" : string.Empty;
                    Fail(definition.Key, $"must be at most {definition.MaxInteger}{unit}; got {v}");
                }
                else if (definition.Kind == SettingKind.Number && definition.Unit is { } u && values.GetValueOrDefault(definition.Key) is double d
                         && d * u.Ticks >= TimeSpan.MaxValue.Ticks)
                {
                    Fail(definition.Key, $"is too long for a duration: must be less than {(TimeSpan.MaxValue / u).ToString("0", CultureInfo.InvariantCulture)}; got {d.ToString("R", CultureInfo.InvariantCulture)}");
                }
            }
            return _errors;
        }

        private void CheckTypes()
        {
            foreach (var definition in SettingDefinitions.All)
            {
                object? value = values.GetValueOrDefault(definition.Key);
                if (SettingValues.HasValidType(definition, value))
                {
                    continue;
                }
                var origin = origins.GetValueOrDefault(definition.Key);
                _errors[definition.Key] = origin?.Kind switch
                {
                    // "CIAF_BATCH_SIZE='abc' is not an integer"
                    SettingOriginKind.Environment or SettingOriginKind.Configuration when origin.RawText is not null =>
                        $"{origin.Name}='{origin.RawText}' is not {SettingValues.TextKindDescription(definition)}",
                    _ => $"must be {definition.KindDescription}; got {SettingValues.Display(value)}{origin?.Suffix}",
                };
            }
        }

        private void CheckUnknownKeys()
        {
            foreach (var key in values.Keys)
            {
                if (!SettingDefinitions.ByKey.ContainsKey(key) && SettingDefinitions.FindSimilar(key) is { } similar)
                {
                    _errors[key] = $"is not a known setting; did you mean '{similar.Key}'?{origins.GetValueOrDefault(key)?.Suffix}";
                }
            }
        }

        private void CheckStoragePath()
        {
            if (Text(K.StoragePath) is { } path) CheckPath(K.StoragePath, path);
        }

        private void CheckPath(string key, string path)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                Fail(key, "must not be empty");
                return;
            }
            try
            {
                _ = Path.GetFullPath(path);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            {
                Fail(key, $"is not a valid path ({e.Message}); got \"{path}\"");
            }
        }

        private string? Text(string key) => values.GetValueOrDefault(key) as string;

        private long? Integer(string key) => values.GetValueOrDefault(key) is long l ? l : null;

        private void Fail(string key, string message)
        {
            if (!_errors.ContainsKey(key))
            {
                _errors[key] = message + origins.GetValueOrDefault(key)?.Suffix;
            }
        }

        private void AtLeast(string key, long minimum, string? message = null)
        {
            if (Integer(key) is { } v && v < minimum)
            {
                Fail(key, $"{message ?? $"must be at least {minimum}"}; got {v}");
            }
        }

        private void Between(string key, double minimum, double maximum, string? message = null)
        {
            if (values.GetValueOrDefault(key) is double v && (v < minimum || v > maximum))
            {
                Fail(key, $"{message ?? $"must be between {minimum.ToString(CultureInfo.InvariantCulture)} and {maximum.ToString(CultureInfo.InvariantCulture)}"}; got {v.ToString("R", CultureInfo.InvariantCulture)}");
            }
        }

        private void OneOf(string key, string[] allowed, StringComparison comparison)
        {
            if (Text(key) is { } v && !allowed.Any(a => string.Equals(a, v, comparison)))
            {
                Fail(key, $"must be one of: {string.Join(", ", allowed)}; got \"{v}\"");
            }
        }

        private void HttpUrl(string key)
        {
            if (Text(key) is not { } v)
            {
                return;
            }
            if (!Uri.TryCreate(v, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || string.IsNullOrEmpty(uri.Host))
            {
                Fail(key, $"must be an absolute http:// or https:// URL, or null; got \"{v}\"");
            }
        }

        private void NoEmptyNames(string key)
        {
            if (values.GetValueOrDefault(key) is string[] items && Array.Exists(items, string.IsNullOrWhiteSpace))
            {
                Fail(key, "must not contain empty names");
            }
        }
    }
}
