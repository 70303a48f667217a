namespace Ciaf.Metadata.Retention;

/// <summary>How often automatic cleanup runs (config <c>cleanup_schedule</c>).</summary>
public enum CleanupSchedule
{
    /// <summary>Every hour.</summary>
    Hourly,
    /// <summary>Every 24 hours.</summary>
    Daily,
    /// <summary>Every 7 days (the reference's default).</summary>
    Weekly,
    /// <summary>Every 30 days.</summary>
    Monthly,
}
