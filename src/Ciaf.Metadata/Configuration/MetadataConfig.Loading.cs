using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Ciaf.Metadata.Configuration;

public sealed partial class MetadataConfig
{
    private static readonly JsonReaderOptions FileReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly JsonDocumentOptions FileDocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>
    /// Creates a configuration from the defaults, then an <see cref="IConfiguration"/> section whose keys are the
    /// snake_case setting names (also matched ignoring case and underscores, so <c>Ciaf:BatchSize</c> works), then
    /// — when <paramref name="applyEnvironmentVariables"/> is true — the <c>CIAF_*</c> environment variables.
    /// Values are parsed like environment variables (booleans true/1/yes/on, false/0/no/off; lists as array
    /// children or comma-separated text); a bad value is reported by <see cref="Validate"/> with its configuration path.
    /// </summary>
    /// <param name="configuration">The section, e.g. <c>configuration.GetSection("Ciaf")</c>.</param>
    /// <param name="applyEnvironmentVariables">Apply the reference's <c>CIAF_*</c> variables on top (default true).</param>
    /// <exception cref="ArgumentNullException"><paramref name="configuration"/> is null.</exception>
    public static MetadataConfig FromConfiguration(IConfiguration configuration, bool applyEnvironmentVariables = true) =>
        FromConfiguration(configuration, applyEnvironmentVariables ? Environment.GetEnvironmentVariable : null);

    /// <summary><see cref="FromConfiguration(IConfiguration, bool)"/> with an injectable environment (null: none).</summary>
    internal static MetadataConfig FromConfiguration(IConfiguration configuration, Func<string, string?>? environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var config = new MetadataConfig(defaultsOnly: true);
        foreach (var child in configuration.GetChildren())
        {
            string key = child.Key;
            SettingDefinition? definition = null;
            if (SettingDefinitions.ByKey.TryGetValue(key, out var exact) || SettingDefinitions.ByLooseKey.TryGetValue(SettingDefinitions.Loose(key), out exact))
            {
                definition = exact;
                key = exact.Key;
            }

            var children = child.GetChildren().ToList();
            object? value;
            if (definition is null)
            {
                value = SectionToJson(child);
            }
            else if (children.Count > 0)
            {
                // An array (Ciaf:compliance_frameworks:0, :1, ...) or an object: checked as JSON.
                SettingValues.TryFromJson(definition, SectionToJson(child), out value);
            }
            else if (child.Value is null)
            {
                SettingValues.TryFromClr(definition, null, out value);
            }
            else
            {
                SettingValues.TryParseText(definition, child.Value, out value);
            }

            config._values[key] = value;
            config._origins[key] = new SettingOrigin(SettingOriginKind.Configuration, child.Path, RawText: child.Value);
        }
        if (environment is not null)
        {
            config.LoadEnvironment(environment);
        }
        return config;
    }

    private static JsonNode? SectionToJson(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return section.Value is null ? null : JsonValue.Create(section.Value);
        }
        // IConfiguration represents arrays as children named 0, 1, 2, ...
        if (children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return new JsonArray([.. children
                .OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture))
                .Select(SectionToJson)]);
        }
        var result = new JsonObject();
        foreach (var c in children)
        {
            result[c.Key] = SectionToJson(c);
        }
        return result;
    }

    private void LoadEnvironment(Func<string, string?> environment)
    {
        foreach (var definition in SettingDefinitions.WithEnvironmentVariable)
        {
            string variable = definition.EnvironmentVariable!;
            string? text = environment(variable);
            if (text is null)
            {
                continue;
            }
            // A value that does not parse is kept as text: Validate() reports it naming the variable.
            SettingValues.TryParseText(definition, text, out object? value);
            _values[definition.Key] = value;
            _origins[definition.Key] = new SettingOrigin(SettingOriginKind.Environment, variable, RawText: text);
        }
    }

    private void LoadFile(string configFile)
    {
        string path = Path.GetFullPath(configFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Configuration file '{path}' was not found.", path);
        }
        byte[] bytes = File.ReadAllBytes(path);
        ReadOnlyMemory<byte> utf8 = bytes;
        if (utf8.Span.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        Dictionary<string, long> lines = ScanFile(utf8.Span, path);
        JsonObject root = JsonNode.Parse(utf8.Span, documentOptions: FileDocumentOptions)!.AsObject();
        foreach (var (key, node) in root)
        {
            object? value = node?.DeepClone();
            if (SettingDefinitions.ByKey.TryGetValue(key, out var definition))
            {
                // A wrong type is kept as JSON: Validate() reports it with the file and line.
                SettingValues.TryFromJson(definition, node, out value);
            }
            _values[key] = value;
            _origins[key] = new SettingOrigin(SettingOriginKind.File, path, lines.GetValueOrDefault(key));
        }
        ConfigFile = path;
    }

    /// <summary>
    /// Checks the file's syntax with a reader that tracks the last top-level key and each key's line, so a
    /// syntax error names the line and the key, and Validate() can point at the line of a bad value.
    /// </summary>
    private static Dictionary<string, long> ScanFile(ReadOnlySpan<byte> utf8, string path)
    {
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(utf8, FileReaderOptions);
        string? lastKey = null;
        long line = 1;
        int counted = 0;

        long LineAt(ReadOnlySpan<byte> text, long index)
        {
            int end = (int)Math.Min(index, text.Length);
            if (end > counted)
            {
                line += text[counted..end].Count((byte)'\n');
                counted = end;
            }
            return line;
        }

        try
        {
            if (!reader.Read())
            {
                throw Malformed(path, 1, null, "the file is empty; it must hold a JSON object such as {\"storage_backend\": \"json\"}", null);
            }
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Malformed(path, LineAt(utf8, reader.TokenStartIndex), null,
                    $"the root must be a JSON object of settings, not {reader.TokenType}", null);
            }
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    lastKey = reader.GetString()!;
                    long at = LineAt(utf8, reader.TokenStartIndex);
                    if (!lines.TryAdd(lastKey, at))
                    {
                        throw Malformed(path, at, lastKey,
                            $"the key '{lastKey}' appears twice (first on line {lines[lastKey]})", null);
                    }
                }
            }
        }
        catch (JsonException e)
        {
            long errorLine = (e.LineNumber ?? 0) + 1;
            string position = e.BytePositionInLine is { } p ? $" at byte {p + 1} of the line" : "";
            string near = lastKey is null ? "" : $" (at or after key '{lastKey}')";
            // The reader's message ends with its own 0-based "LineNumber: n | BytePositionInLine: m."; ours is 1-based.
            string reason = e.Message;
            int cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0)
            {
                reason = reason[..cut];
            }
            throw Malformed(path, errorLine, lastKey, $"invalid JSON{position}{near}: {reason}", e);
        }
        return lines;
    }

    private static MetadataConfigException Malformed(string path, long line, string? key, string problem, Exception? inner)
    {
        string message = $"Configuration file '{path}' is malformed (line {line}): {problem}";
        return inner is null
            ? new MetadataConfigException(message) { FilePath = path, LineNumber = line, Key = key }
            : new MetadataConfigException(message, inner) { FilePath = path, LineNumber = line, Key = key };
    }
}
