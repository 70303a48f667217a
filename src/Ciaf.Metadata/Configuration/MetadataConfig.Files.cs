using System.Text.Encodings.Web;
using System.Text.Json;
using K = Ciaf.Metadata.Configuration.MetadataConfigKeys;

namespace Ciaf.Metadata.Configuration;

public sealed partial class MetadataConfig
{
    private static readonly JsonWriterOptions FileWriterOptions = new()
    {
        Indented = true,
        // The file is read by people and by Python, never embedded in HTML: keep '&', '+' and non-ASCII readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly (string Name, (string Key, object? Value)[] Values)[] Templates =
    [
        ("development",
        [
            (K.StorageBackend, "json"), (K.StoragePath, "dev_metadata"), (K.MetadataRetentionDays, 30),
            (K.AutoCleanupEnabled, true), (K.EnableMetrics, false), (K.AuditAllAccess, false),
        ]),
        ("production",
        [
            (K.StorageBackend, "sqlite"), (K.StoragePath, "/var/lib/ciaf/metadata"),
            (K.MetadataRetentionDays, 365), (K.ComplianceRetentionDays, 2555),
            (K.AutoCleanupEnabled, true), (K.CleanupSchedule, "daily"), (K.EnableMetrics, true),
            (K.EncryptSensitiveData, true), (K.EncryptionKeyPath, "keys/metadata.key"), (K.AuditAllAccess, true),
        ]),
        ("testing",
        [
            (K.StorageBackend, "json"), (K.StoragePath, "test_metadata"), (K.MetadataRetentionDays, 7),
            (K.AutoCleanupEnabled, true), (K.EnableMetrics, false), (K.AuditAllAccess, false),
            (K.CacheSize, 100), (K.AsyncWrites, false),
        ]),
        ("high_performance",
        [
            (K.StorageBackend, "sqlite"), (K.StoragePath, "ciaf_metadata_hp"), (K.AsyncWrites, true),
            (K.BatchSize, 500), (K.CacheSize, 50000), (K.DbCacheSize, 50000), (K.EnableCompression, true),
            (K.MemoryBufferSize, 100), (K.DbConnectionPoolSize, 10),
        ]),
        ("ultra_fast",
        [
            (K.StorageBackend, "sqlite"), (K.StoragePath, "ciaf_metadata_ultrafast"), (K.AsyncWrites, true),
            (K.BatchSize, 1000), (K.CacheSize, 50000), (K.DbCacheSize, 100000), (K.EnableCompression, false),
            (K.MemoryBufferSize, 200), (K.DbConnectionPoolSize, 20),
            (K.AuditAllAccess, false), (K.EnableMetrics, false), (K.IncludeMetadataHash, false),
        ]),
        ("inference_optimized",
        [
            (K.StorageBackend, "sqlite"), (K.StoragePath, "ciaf_metadata_inference"), (K.AsyncWrites, true),
            (K.BatchSize, 200), (K.CacheSize, 20000), (K.DbCacheSize, 100000), (K.EnableCompression, false),
            (K.MemoryBufferSize, 300), (K.DbConnectionPoolSize, 15),
            (K.AuditAllAccess, false), (K.EnableMetrics, false), (K.IncludeMetadataHash, false),
            (K.ComplianceFrameworks, Array.Empty<string>()),
        ]),
        ("compliance_first",
        [
            (K.StorageBackend, "sqlite"), (K.StoragePath, "ciaf_metadata_compliance"),
            // Every save is durable when it returns.
            (K.AsyncWrites, false),
            (K.MetadataRetentionDays, 2555), (K.ComplianceRetentionDays, 3650),
            (K.AuditAllAccess, true), (K.EncryptSensitiveData, true), (K.EncryptionKeyPath, "keys/metadata.key"),
            (K.IncludeMetadataHash, true), (K.AlertOnComplianceFailure, true), (K.EnableMetrics, true),
            (K.ComplianceFrameworks, new[] { "GDPR", "FDA", "EEOC", "FCRA", "HIPAA", "ISO_13485" }),
            (K.DefaultLcmMode, "immediate"), (K.DeferValidation, false), (K.EnableLazyMaterialization, false),
        ]),
    ];

    /// <summary>The names accepted by <see cref="FromTemplate"/> and <see cref="CreateConfigTemplate"/>.</summary>
    public static IReadOnlyList<string> TemplateNames { get; } = [.. Templates.Select(t => t.Name)];

    /// <summary>
    /// A configuration from a named template: the defaults with the template's values on top (no file, no
    /// environment variables, so the result is the same on every machine). Templates: <c>development</c> (json, 30 days),
    /// <c>production</c> (sqlite, 365/2555 days, encryption on with <c>keys/metadata.key</c>, daily automatic cleanup),
    /// <c>testing</c> (json, 7 days, immediate writes), <c>high_performance</c> (sqlite, batch 500, compression, cache 50000),
    /// <c>ultra_fast</c> (sqlite, batch 1000, no audit, no metrics), <c>inference_optimized</c> (sqlite, batch 200) and
    /// <c>compliance_first</c> (sqlite, immediate durable writes, audit, encryption, alerts, 2555/3650 days, all six frameworks).
    /// </summary>
    /// <param name="template">A name from <see cref="TemplateNames"/> (case-insensitive).</param>
    /// <exception cref="ArgumentException">Unknown template; the message lists the valid names.</exception>
    public static MetadataConfig FromTemplate(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var entry = Array.Find(Templates, t => string.Equals(t.Name, template, StringComparison.OrdinalIgnoreCase));
        if (entry.Name is null)
        {
            throw new ArgumentException(
                $"Unknown configuration template '{template}'. Valid templates: {string.Join(", ", TemplateNames)}.", nameof(template));
        }
        var config = new MetadataConfig(defaultsOnly: true);
        foreach (var (key, value) in entry.Values)
        {
            config.Set(key, value);
        }
        return config;
    }

    /// <summary>
    /// Writes the template <paramref name="template"/> (see <see cref="FromTemplate"/>) to <paramref name="path"/> as a
    /// complete configuration file, and returns it (the reference's <c>create_config_template</c>).
    /// </summary>
    /// <param name="template">A name from <see cref="TemplateNames"/>.</param>
    /// <param name="path">The file to write (its folder is created; an existing file is replaced).</param>
    /// <returns>The configuration written.</returns>
    /// <exception cref="ArgumentException">Unknown template (the message lists the valid names), or an empty path.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static MetadataConfig CreateConfigTemplate(string template, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var config = FromTemplate(template);
        config.SaveToFile(path);
        return config;
    }

    /// <summary>
    /// Saves every setting (known keys in the documented order, then any other key) as indented JSON with snake_case
    /// keys, readable by this class and by the reference. The write is atomic: a temporary file in the same folder is
    /// flushed to disk and then renamed over <paramref name="path"/>, so a reader never sees half a file. The values saved
    /// are the effective ones, environment overrides included (secrets such as <c>postgres_connection_string</c> too:
    /// keep those in environment variables and out of shared files).
    /// </summary>
    /// <param name="path">The file to write (its folder is created; an existing file is replaced).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or whitespace.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file or folder is not writable.</exception>
    public void SaveToFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        var json = ToJsonObject();

        string temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                using (var writer = new Utf8JsonWriter(stream, FileWriterOptions))
                {
                    json.WriteTo(writer);
                }
                stream.WriteByte((byte)'\n');
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original error matters more than a leftover temporary file.
        }
    }
}
