using Ciaf.Metadata;

namespace Ciaf.Server.Dashboard.Views;

/// <summary>The compliance events page.</summary>
/// <param name="Framework">Only this framework, or <c>null</c>.</param>
/// <param name="Filter">A filter over the events' fields, or <c>null</c>.</param>
/// <param name="Limit">The most events shown.</param>
/// <param name="Frameworks">The frameworks the shown events name, for the chips.</param>
/// <param name="Events">The events, newest first.</param>
/// <param name="Error">Why the filter was refused, or <c>null</c>.</param>
public sealed record EventsView(string? Framework, string? Filter, int Limit, IReadOnlyList<string> Frameworks, IReadOnlyList<ComplianceEvent> Events, FilterError? Error);
