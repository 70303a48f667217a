using System.Globalization;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Search;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// One condition of a post-market monitoring plan: a filter in the search language (docs/search.md) over the model's
/// records, a window back from the time of the check, and how many matches breach it. <c>metadata.max_psi &gt; 0.2</c>
/// over <c>7d</c> is breached by one drift measurement above 0.2 in the last seven days.
/// </summary>
public sealed record MonitoringCondition
{
    /// <summary>Creates a condition, checked.</summary>
    /// <param name="name">A short name, unique in its plan (letters, digits, <c>_</c>, <c>-</c>).</param>
    /// <param name="filter">The filter; the model and the window are added to it (and the <c>post_market</c> records left out).</param>
    /// <param name="window">How far back from the check: digits and a unit, <c>30m</c>, <c>24h</c>, <c>7d</c>, <c>2w</c>.</param>
    /// <param name="minMatches">How many matching records breach it (at least 1; default 1).</param>
    /// <param name="incidentKind">The kind of incident a breach opens when the check is asked to open one (default: <see cref="IncidentKind.Other"/>).</param>
    /// <exception cref="ArgumentException">A value breaks its rule; the message names it (a filter error shows the caret).</exception>
    public MonitoringCondition(string name, string filter, string window, int minMatches = 1, IncidentKind? incidentKind = null)
    {
        if (string.IsNullOrWhiteSpace(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            throw new ArgumentException($"name: '{name}' must be letters, digits, '_' or '-'.", nameof(name));
        if (string.IsNullOrWhiteSpace(filter)) throw new ArgumentException("filter: must not be empty.", nameof(filter));
        try
        {
            FilterParser.Parse(filter, FilterSchema.Records, null, DateTimeOffset.UnixEpoch);
        }
        catch (FilterSyntaxException e)
        {
            throw new ArgumentException($"filter: {e.Message}", nameof(filter), e);
        }
        Window = ParseWindow(window) ?? throw new ArgumentException($"window: '{window}' is not a duration; write digits and a unit: 30m, 24h, 7d, 2w.", nameof(window));
        if (minMatches < 1) throw new ArgumentException($"min_matches: {minMatches} must be at least 1.", nameof(minMatches));
        if (incidentKind is { } k && !Enum.IsDefined(k)) throw new ArgumentException($"incident_kind: {k} is not an incident kind.", nameof(incidentKind));
        Name = name;
        Filter = filter;
        WindowText = window.Trim();
        MinMatches = minMatches;
        IncidentKind = incidentKind;
    }

    /// <summary>The condition's name.</summary>
    public string Name { get; }

    /// <summary>The filter, as written.</summary>
    public string Filter { get; }

    /// <summary>The window as written (<c>7d</c>).</summary>
    public string WindowText { get; }

    /// <summary>The window.</summary>
    public TimeSpan Window { get; }

    /// <summary>How many matches breach the condition.</summary>
    public int MinMatches { get; }

    /// <summary>The kind of incident a breach opens, if the plan names one.</summary>
    public IncidentKind? IncidentKind { get; }

    /// <summary>The condition as stored in the plan: <c>{name, filter, window, min_matches, incident_kind?}</c>.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["name"] = Name, ["filter"] = Filter, ["window"] = WindowText, ["min_matches"] = MinMatches };
        if (IncidentKind is { } k) o["incident_kind"] = IncidentDeadlines.Name(k);
        return o;
    }

    /// <summary>A window such as <c>7d</c> (the search language's durations: s, m, h, d, w), or null.</summary>
    internal static TimeSpan? ParseWindow(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length < 2 || !text[..^1].All(char.IsAsciiDigit)
            || !long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0 || n > 100_000)
        {
            return null;
        }
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            'w' => TimeSpan.FromDays(7 * n),
            _ => null,
        };
    }
}
