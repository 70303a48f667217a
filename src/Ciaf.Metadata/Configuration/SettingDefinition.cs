namespace Ciaf.Metadata.Configuration;

/// <summary>
/// One known setting: its snake_case key, type, default, environment variable and meaning.
/// <see cref="SettingDefinitions.All"/> is the single table that drives defaults, the environment
/// mapping, type checks, <see cref="MetadataConfig.Get{T}(string)"/> conversions and the docs.
/// </summary>
/// <param name="Key">The snake_case key, as in the reference's JSON files.</param>
/// <param name="Kind">The value type.</param>
/// <param name="Default">The default value, already in its stored form (long, double, bool, string, string[]).</param>
/// <param name="Description">One line: what the setting does.</param>
internal sealed record SettingDefinition(string Key, SettingKind Kind, object? Default, string Description)
{
    /// <summary>The <c>CIAF_*</c> environment variable that overrides the setting, if any.</summary>
    public string? EnvironmentVariable { get; init; }

    /// <summary>For numbers: what one unit means when read as a <see cref="TimeSpan"/>; null when it is not a duration.</summary>
    public TimeSpan? Unit { get; init; }

    /// <summary>For integers: the largest allowed value (int.MaxValue unless the setting is a byte count).</summary>
    public long MaxInteger { get; init; } = int.MaxValue;

    /// <summary>True for the reference's keys this library accepts, validates and saves but does not use.</summary>
    public bool ReferenceOnly { get; init; }

    /// <summary>True for a secret (a key, a token, a connection string that may hold a password): never shown or logged.</summary>
    public bool Secret { get; init; }

    /// <summary>"an integer", "a boolean", ... for messages.</summary>
    public string KindDescription => Kind switch
    {
        SettingKind.String => "a string",
        SettingKind.NullableString => "a string or null",
        SettingKind.Integer => "an integer",
        SettingKind.Number => "a number",
        SettingKind.Boolean => "a boolean (true/false)",
        SettingKind.StringList => "a list of strings",
        _ => Kind.ToString(),
    };
}
