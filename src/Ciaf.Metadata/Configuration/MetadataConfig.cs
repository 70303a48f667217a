using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Configuration;

/// <summary>
/// The configuration of a CIAF metadata store: every setting of the Python reference's
/// <c>metadata_config.py</c> (same snake_case keys, same defaults, same <c>CIAF_*</c> environment
/// variables) plus this library's own (<c>max_metadata_bytes</c>, <c>sensitive_fields</c>, ...).
/// See <c>docs/configuration.md</c> for the table of keys.
/// </summary>
/// <remarks>
/// <para>Sources are applied in this order, later ones winning: the defaults, then the JSON file (if any),
/// then the <c>CIAF_*</c> environment variables. (The reference lets the file override the environment;
/// here the environment wins, as everywhere else in .NET.)</para>
/// <para>Loading never fails because of a bad value: a wrong type in the file or an unparsable environment
/// variable is kept and reported by <see cref="Validate"/> (which names the file line or the variable).
/// Only a malformed file (not JSON, not an object, a duplicate key) throws, at construction.</para>
/// <para>Instances are thread-safe.</para>
/// </remarks>
public sealed partial class MetadataConfig
{
    /// <summary>The file <see cref="Default"/> loads when it exists in the current directory: <c>ciaf_config.json</c>.</summary>
    public const string DefaultConfigFileName = "ciaf_config.json";

    private static readonly Lock DefaultGate = new();
    private static MetadataConfig? _default;

    private readonly Lock _gate = new();
    private readonly OrderedDictionary<string, object?> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SettingOrigin> _origins = new(StringComparer.Ordinal);

    /// <summary>Creates a configuration from the defaults, then the <c>CIAF_*</c> environment variables.</summary>
    public MetadataConfig()
        : this(null, null)
    {
    }

    /// <summary>
    /// Creates a configuration from the defaults, then the JSON file <paramref name="configFile"/> (when not null),
    /// then the <c>CIAF_*</c> environment variables (which override the file).
    /// </summary>
    /// <param name="configFile">A JSON file with snake_case keys; comments and trailing commas are allowed. Null: no file.</param>
    /// <exception cref="ArgumentException"><paramref name="configFile"/> is empty or whitespace.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="MetadataConfigException">The file is not valid JSON, its root is not an object, or it repeats a key;
    /// the message names the file, the line and, where known, the key.</exception>
    public MetadataConfig(string? configFile)
        : this(configFile, null)
    {
    }

    /// <summary>Creates a configuration reading the environment from <paramref name="environment"/> (null: the process environment). For tests.</summary>
    internal MetadataConfig(string? configFile, IReadOnlyDictionary<string, string?>? environment)
        : this(defaultsOnly: true)
    {
        if (configFile is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(configFile);
            LoadFile(configFile);
        }
        LoadEnvironment(environment is null ? Environment.GetEnvironmentVariable : name => environment.GetValueOrDefault(name));
    }

    /// <summary>Creates a configuration holding the defaults only.</summary>
    private MetadataConfig(bool defaultsOnly)
    {
        _ = defaultsOnly;
        foreach (var definition in SettingDefinitions.All)
        {
            _values[definition.Key] = definition.Default;
        }
    }

    /// <summary>
    /// The process-wide configuration, created on first use from the defaults, then
    /// <c>ciaf_config.json</c> in the current directory if that file exists, then the <c>CIAF_*</c>
    /// environment variables. Changes made through <see cref="Set"/> are seen by every user of it.
    /// </summary>
    /// <exception cref="MetadataConfigException"><c>ciaf_config.json</c> exists but is malformed (retried on the next access).</exception>
    public static MetadataConfig Default
    {
        get
        {
            lock (DefaultGate)
            {
                return _default ??= new MetadataConfig(File.Exists(DefaultConfigFileName) ? DefaultConfigFileName : null);
            }
        }
    }

    /// <summary>Forgets <see cref="Default"/>, so the next access builds it again (tests).</summary>
    internal static void ResetDefault()
    {
        lock (DefaultGate)
        {
            _default = null;
        }
    }

    /// <summary>Every known setting key, in the order they are saved.</summary>
    public static IReadOnlyList<string> KnownKeys { get; } = [.. SettingDefinitions.All.Select(d => d.Key)];

    /// <summary>The <c>CIAF_*</c> environment variables read at construction, each with the key it sets.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentVariables { get; } =
        new ReadOnlyDictionary<string, string>(SettingDefinitions.WithEnvironmentVariable.ToDictionary(d => d.EnvironmentVariable!, d => d.Key, StringComparer.Ordinal));

    /// <summary>The full path of the JSON file this configuration was loaded from, or null.</summary>
    public string? ConfigFile { get; private set; }

    /// <summary>The keys this configuration holds: every known key, then any other key from the file or <see cref="Set"/>.</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _values.Keys];
            }
        }
    }

    /// <summary>
    /// Reads a setting as <typeparamref name="T"/>. Numbers convert between integer and floating-point types
    /// (an integer read must be whole and in range); durations (<c>db_connection_timeout</c>,
    /// <c>*_days</c>, <c>flush_interval_ms</c>, ...) also read as <see cref="TimeSpan"/>; lists read as
    /// <c>string[]</c>, <see cref="IReadOnlyList{T}"/>, <see cref="List{T}"/> or <see cref="IEnumerable{T}"/>
    /// of string (always a copy or a read-only view); URLs also read as <see cref="Uri"/>; a null value reads as null for
    /// reference and nullable types. Unknown keys set through the file or <see cref="Set"/> are converted with System.Text.Json.
    /// </summary>
    /// <param name="key">A snake_case key (see <see cref="MetadataConfigKeys"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="KeyNotFoundException">The key is neither known nor set.</exception>
    /// <exception cref="MetadataConfigException">The value cannot be read as <typeparamref name="T"/> (the message names the key, the value and its source).</exception>
    public T Get<T>(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        object? stored;
        SettingOrigin? origin;
        lock (_gate)
        {
            if (!_values.TryGetValue(key, out stored))
            {
                throw UnknownKey(key);
            }
            _origins.TryGetValue(key, out origin);
        }
        return ConvertValue<T>(key, stored, origin);
    }

    /// <summary>Reads a setting as <typeparamref name="T"/>, or returns <paramref name="fallback"/> when the key is not set or its value is null.</summary>
    /// <param name="key">A snake_case key.</param>
    /// <param name="fallback">The value returned for a missing or null setting.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="MetadataConfigException">The value is present but cannot be read as <typeparamref name="T"/>.</exception>
    public T Get<T>(string key, T fallback)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        object? stored;
        SettingOrigin? origin;
        lock (_gate)
        {
            if (!_values.TryGetValue(key, out stored) || stored is null)
            {
                return fallback;
            }
            _origins.TryGetValue(key, out origin);
        }
        return ConvertValue<T>(key, stored, origin);
    }

    /// <summary>Whether the configuration holds <paramref name="key"/> (every known key, plus any other key set or loaded).</summary>
    public bool ContainsKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            return _values.ContainsKey(key);
        }
    }

    /// <summary>
    /// Sets a setting. A known key's value must have its type: integers for integer settings (a whole
    /// floating-point value or a <see cref="TimeSpan"/> for durations is accepted), any number for number settings,
    /// <see cref="bool"/>, <see cref="string"/> (null only where the default is null), a sequence of strings for lists,
    /// or a <see cref="JsonNode"/>/<see cref="JsonElement"/> of the right type. Ranges are checked by <see cref="Validate"/>,
    /// not here. Any other key is allowed, like in the reference: its value is kept as JSON and saved by <see cref="SaveToFile"/>.
    /// </summary>
    /// <param name="key">A snake_case key.</param>
    /// <param name="value">The new value.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty, or <paramref name="value"/> has the wrong type for a known key
    /// (or cannot be serialized to JSON for another key).</exception>
    public void Set(string key, object? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        object? stored;
        if (SettingDefinitions.ByKey.TryGetValue(key, out var definition))
        {
            if (!SettingValues.TryFromClr(definition, value, out stored))
            {
                throw new ArgumentException(
                    $"Setting '{key}' must be {definition.KindDescription}; got {DescribeClr(value)}.", nameof(value));
            }
        }
        else
        {
            try
            {
                stored = value switch
                {
                    null => null,
                    JsonNode node => node.DeepClone(),
                    _ => JsonSerializer.SerializeToNode(value),
                };
            }
            catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
            {
                throw new ArgumentException($"The value for setting '{key}' cannot be stored as JSON: {e.Message}", nameof(value), e);
            }
        }

        lock (_gate)
        {
            _values[key] = stored;
            _origins.Remove(key);
        }
    }

    /// <summary>Returns an independent copy of this configuration (values, their sources, and <see cref="ConfigFile"/>).</summary>
    public MetadataConfig Clone()
    {
        var copy = new MetadataConfig(defaultsOnly: true);
        lock (_gate)
        {
            copy._values.Clear();
            foreach (var (key, value) in _values)
            {
                // Stored strings, numbers and string[] are never mutated, so sharing them is safe; JSON is not.
                copy._values[key] = value is JsonNode node ? node.DeepClone() : value;
            }
            foreach (var (key, origin) in _origins)
            {
                copy._origins[key] = origin;
            }
            copy.ConfigFile = ConfigFile;
        }
        return copy;
    }

    /// <summary>The configuration as a new JSON object with snake_case keys, in the order <see cref="SaveToFile"/> writes them.</summary>
    public JsonObject ToJsonObject() => ToJsonObject(hideSecrets: false);

    /// <summary>
    /// As <see cref="ToJsonObject()"/>, with every secret that is set (<c>postgres_connection_string</c>,
    /// <c>openlineage_api_key</c>, ...) shown as <see cref="HiddenSecret"/> when <paramref name="hideSecrets"/>: what to print or log.
    /// </summary>
    public JsonObject ToJsonObject(bool hideSecrets)
    {
        var result = new JsonObject();
        lock (_gate)
        {
            foreach (var (key, value) in _values)
            {
                bool hide = hideSecrets && value is not null && SettingDefinitions.ByKey.TryGetValue(key, out var definition) && definition.Secret;
                result[key] = hide ? HiddenSecret : SettingValues.ToJson(value);
            }
        }
        return result;
    }

    /// <summary>What a secret setting shows as in <see cref="ToJsonObject(bool)"/>.</summary>
    public const string HiddenSecret = "(set; hidden)";

    /// <summary>The full path of <c>storage_path</c> (the reference's <c>get_storage_path</c>).</summary>
    /// <exception cref="MetadataConfigException"><c>storage_path</c> is not a string.</exception>
    public string GetStoragePath() => Path.GetFullPath(Get<string>(MetadataConfigKeys.StoragePath));

    /// <summary>Whether <paramref name="framework"/> is in <c>compliance_frameworks</c> (case-insensitive).</summary>
    /// <exception cref="MetadataConfigException"><c>compliance_frameworks</c> is not a list of strings.</exception>
    public bool IsComplianceFrameworkEnabled(string framework)
    {
        ArgumentNullException.ThrowIfNull(framework);
        return Get<IReadOnlyList<string>>(MetadataConfigKeys.ComplianceFrameworks).Contains(framework, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The retention in days for <c>"compliance"</c> data (<c>compliance_retention_days</c>) or any other data (<c>metadata_retention_days</c>).</summary>
    /// <param name="dataType"><c>"metadata"</c> (default) or <c>"compliance"</c>.</param>
    /// <exception cref="MetadataConfigException">The setting is not an integer.</exception>
    public int GetRetentionDays(string dataType = "metadata") =>
        string.Equals(dataType, "compliance", StringComparison.OrdinalIgnoreCase)
            ? Get<int>(MetadataConfigKeys.ComplianceRetentionDays)
            : Get<int>(MetadataConfigKeys.MetadataRetentionDays);

    private static KeyNotFoundException UnknownKey(string key)
    {
        var similar = SettingDefinitions.FindSimilar(key);
        string hint = similar is null ? "" : $" Did you mean '{similar.Key}'?";
        return new KeyNotFoundException(
            $"Unknown configuration key '{key}'.{hint} Known keys are listed in MetadataConfig.KnownKeys and docs/configuration.md.");
    }

    private static string DescribeClr(object? value) => value switch
    {
        null => "null",
        string s => $"the string \"{s}\"",
        _ => $"{SettingValues.Display(value)} ({value.GetType().Name})",
    };

    private static T ConvertValue<T>(string key, object? stored, SettingOrigin? origin)
    {
        Type target = typeof(T);
        SettingDefinitions.ByKey.TryGetValue(key, out var definition);
        if (target == typeof(object))
        {
            return (T)(object?)(stored is JsonNode n ? n.DeepClone() : stored is string[] a ? a.Clone() : stored)!;
        }
        if (definition is not null && !SettingValues.HasValidType(definition, stored))
        {
            throw new MetadataConfigException(
                $"Setting '{key}' must be {definition.KindDescription} but holds {SettingValues.Display(stored)}{origin?.Suffix}.")
            { Key = key, FilePath = origin?.Kind == SettingOriginKind.File ? origin.Name : null, LineNumber = origin?.Line };
        }
        if (stored is null)
        {
            if (default(T) is null)
            {
                return default!;
            }
            throw Unconvertible<T>(key, stored, origin);
        }
        if (stored is JsonNode node)
        {
            if (target.IsAssignableFrom(node.GetType()) || target == typeof(JsonNode))
            {
                return (T)(object)node.DeepClone();
            }
            try
            {
                return node.Deserialize<T>()!;
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException)
            {
                throw new MetadataConfigException(
                    $"Setting '{key}' holds {node.ToJsonString()}{origin?.Suffix}, which cannot be read as {Describe(target)}: {e.Message}", e)
                { Key = key };
            }
        }

        Type underlying = Nullable.GetUnderlyingType(target) ?? target;
        object? result = TryConvert(stored, underlying, definition?.Unit);
        return result is null ? throw Unconvertible<T>(key, stored, origin) : (T)result;
    }

    private static object? TryConvert(object stored, Type type, TimeSpan? unit)
    {
        try
        {
            switch (stored)
            {
                case string s when type == typeof(string):
                    return s;
                case string s when type == typeof(Uri):
                    return Uri.TryCreate(s, UriKind.Absolute, out var uri) ? uri : null;
                case bool b when type == typeof(bool):
                    return b;
                case long or double when type == typeof(TimeSpan):
                    return unit is { } u ? u * Convert.ToDouble(stored, CultureInfo.InvariantCulture) : null;
                case long or double when IsNumeric(type):
                    if (stored is double d && IsInteger(type) && Math.Floor(d) != d)
                    {
                        return null;
                    }
                    return Convert.ChangeType(stored, type, CultureInfo.InvariantCulture);
                case string[] items:
                    if (type == typeof(string[]))
                    {
                        return items.Clone();
                    }
                    if (type == typeof(List<string>) || type == typeof(IList<string>) || type == typeof(ICollection<string>))
                    {
                        return new List<string>(items);
                    }
                    if (type.IsAssignableFrom(typeof(ReadOnlyCollection<string>)))
                    {
                        return Array.AsReadOnly(items);
                    }
                    return null;
                default:
                    return type.IsInstanceOfType(stored) ? stored : null;
            }
        }
        catch (Exception e) when (e is OverflowException or InvalidCastException or ArgumentException)
        {
            return null;
        }
    }

    private static bool IsInteger(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(sbyte)
        || t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort);

    private static bool IsNumeric(Type t) => IsInteger(t) || t == typeof(double) || t == typeof(float) || t == typeof(decimal);

    private static string Describe(Type t) => Nullable.GetUnderlyingType(t) is { } u ? u.Name + "?" : t.Name;

    private static MetadataConfigException Unconvertible<T>(string key, object? stored, SettingOrigin? origin) =>
        new($"Setting '{key}' holds {SettingValues.Display(stored)}{origin?.Suffix}, which cannot be read as {Describe(typeof(T))}.")
        { Key = key };
}
