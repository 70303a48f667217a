using System.Globalization;
using Ciaf.Server.Problems;

namespace Ciaf.Server.Api;

/// <summary>Reads query-string values; a value that does not parse or is out of range is a 400 naming the parameter.</summary>
internal static class QueryValues
{
    public static string? Text(HttpRequest request, string name)
    {
        var values = request.Query[name];
        if (values.Count > 1) throw RequestProblemException.BadRequest(name, $"'{name}' is given {values.Count} times; give it once.");
        return values.Count == 0 || string.IsNullOrEmpty(values[0]) ? null : values[0];
    }

    public static int? Integer(HttpRequest request, string name, int min, int max)
    {
        if (Text(request, name) is not { } text) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            throw RequestProblemException.BadRequest(name, $"'{name}' must be an integer from {min} to {max}, not '{text}'.");
        return value;
    }

    public static bool Boolean(HttpRequest request, string name, bool defaultValue)
    {
        if (Text(request, name) is not { } text) return defaultValue;
        return text.ToLowerInvariant() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw RequestProblemException.BadRequest(name, $"'{name}' must be true or false, not '{text}'."),
        };
    }

    public static DateTimeOffset? Time(HttpRequest request, string name)
    {
        if (Text(request, name) is not { } text) return null;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            throw RequestProblemException.BadRequest(name, $"'{name}' must be an ISO 8601 time (2026-03-01T12:00:00Z), not '{text}'.");
        return value;
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive), else <paramref name="defaultValue"/> when absent.</summary>
    public static string Choice(HttpRequest request, string name, IReadOnlyList<string> allowed, string defaultValue)
    {
        if (Text(request, name) is not { } text) return defaultValue;
        return allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase))
            ?? throw RequestProblemException.BadRequest(name, $"'{name}' must be one of {string.Join(", ", allowed)}, not '{text}'.");
    }
}
