using System.Globalization;

namespace Ciaf.Server.Dashboard;

/// <summary>How the dashboard writes times and numbers: UTC, ISO-like, invariant culture.</summary>
public static class DashboardFormat
{
    /// <summary>A time as <c>2026-03-01 12:00:00 UTC</c>.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>A time for a <c>datetime</c> attribute (ISO 8601, UTC).</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>A score or rate with three decimals at most.</summary>
    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>A count with thousands separators.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// A record id short enough for a table: its first 8 and last 6 characters (time-ordered ids share their start, so
    /// the end tells records written together apart); the link carries the whole id.
    /// </summary>
    public static string ShortId(string id) => id.Length > 16 ? $"{id[..8]}…{id[^6..]}" : id;

    /// <summary>A fraction as a percentage with one decimal.</summary>
    public static string Percent(double value) => value.ToString("P1", CultureInfo.InvariantCulture);
}
