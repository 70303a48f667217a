namespace Ciaf.Metadata.Configuration;

/// <summary>Where a setting's current value came from, so errors can point at the file line or variable.</summary>
/// <param name="Kind">The kind of source.</param>
/// <param name="Name">The file path, environment variable or configuration path.</param>
/// <param name="Line">The 1-based line in the file, for file values.</param>
/// <param name="RawText">The text as written (environment and IConfiguration values).</param>
internal sealed record SettingOrigin(SettingOriginKind Kind, string Name, long? Line = null, string? RawText = null)
{
    /// <summary>" (from ciaf.json, line 3)", " (from CIAF_BATCH_SIZE=0)", ...</summary>
    public string Suffix => Kind switch
    {
        SettingOriginKind.File => Line is { } line ? $" (from {Name}, line {line})" : $" (from {Name})",
        SettingOriginKind.Environment => $" (from {Name}={RawText})",
        SettingOriginKind.Configuration => $" (from configuration key {Name})",
        _ => "",
    };
}

/// <summary>The kinds of <see cref="SettingOrigin"/>.</summary>
internal enum SettingOriginKind
{
    /// <summary>A JSON configuration file.</summary>
    File,

    /// <summary>A <c>CIAF_*</c> environment variable.</summary>
    Environment,

    /// <summary>An <c>IConfiguration</c> section.</summary>
    Configuration,
}
