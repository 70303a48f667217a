namespace Ciaf.Server.Dashboard.Views;

/// <summary>The latest assessment of one compliance framework.</summary>
/// <param name="Framework">The framework (GDPR, EEOC, ...).</param>
/// <param name="Score">Its latest score, 0 to 1.</param>
/// <param name="Passed">Whether that score met the pass mark.</param>
/// <param name="AssessedAt">When it was assessed.</param>
/// <param name="RecordId">The assessment's record.</param>
public sealed record FrameworkStatus(string Framework, double Score, bool Passed, DateTimeOffset AssessedAt, string RecordId);
