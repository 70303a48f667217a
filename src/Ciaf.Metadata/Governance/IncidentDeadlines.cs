using System.Text.Json;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// The Art. 73 reporting deadlines. A deadline is the awareness time plus whole days of 24 hours, in UTC, so an
/// awareness at 23:59 UTC gives a deadline at 23:59 UTC N days later whatever the local time zone or daylight saving.
/// This is the stricter reading: Regulation 1182/71 counts from the start of the next day and would end a day later.
/// </summary>
public static class IncidentDeadlines
{
    /// <summary>The days allowed for <paramref name="kind"/>: 10 for a death, 2 for a widespread infringement or a critical-infrastructure disruption, 15 otherwise.</summary>
    public static int Days(IncidentKind kind) => kind switch
    {
        IncidentKind.Death => 10,
        IncidentKind.Widespread or IncidentKind.CriticalInfrastructure => 2,
        _ => 15,
    };

    /// <summary>The paragraph of Art. 73 that sets the deadline.</summary>
    public static string Article(IncidentKind kind) => kind switch
    {
        IncidentKind.Death => "Art. 73(4)",
        IncidentKind.Widespread or IncidentKind.CriticalInfrastructure => "Art. 73(3)",
        _ => "Art. 73(2)",
    };

    /// <summary>The reporting deadline: <paramref name="awareAt"/> (in UTC) plus <see cref="Days"/> days of 24 hours.</summary>
    public static DateTimeOffset DueAt(IncidentKind kind, DateTimeOffset awareAt) => awareAt.ToUniversalTime().AddDays(Days(kind));

    /// <summary>The kind's snake_case name (<c>critical_infrastructure</c>).</summary>
    public static string Name(IncidentKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    /// <summary>The state's snake_case name (<c>reported_late</c>).</summary>
    public static string Name(IncidentDeadlineState state) => JsonNamingPolicy.SnakeCaseLower.ConvertName(state.ToString());

    /// <summary>Reads a kind's snake_case name.</summary>
    /// <exception cref="ArgumentException">Not a kind; the message lists the kinds.</exception>
    public static IncidentKind ParseKind(string text) => TryParseKind(text, out var kind)
        ? kind
        : throw new ArgumentException($"'{text}' is not an incident kind; allowed: {string.Join(", ", KindNames)}.", nameof(text));

    /// <summary>Reads a kind's snake_case name; false when it is not one.</summary>
    public static bool TryParseKind(string? text, out IncidentKind kind)
    {
        foreach (var k in Enum.GetValues<IncidentKind>())
        {
            if (string.Equals(Name(k), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = IncidentKind.Other;
        return false;
    }

    /// <summary>Every kind's name.</summary>
    public static IReadOnlyList<string> KindNames { get; } = [.. Enum.GetValues<IncidentKind>().Select(Name)];
}
