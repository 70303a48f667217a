namespace Ciaf.Metadata.Configuration;

/// <summary>The value type of a known setting.</summary>
internal enum SettingKind
{
    /// <summary>A string; null is not allowed.</summary>
    String,

    /// <summary>A string or null.</summary>
    NullableString,

    /// <summary>A whole number (stored as <see cref="long"/>).</summary>
    Integer,

    /// <summary>A floating-point number (stored as <see cref="double"/>).</summary>
    Number,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>A list of strings (stored as a read-only array).</summary>
    StringList,
}
