namespace Ciaf.Server.Dashboard.Views;

/// <summary>An error page: the status, what went wrong, what to do.</summary>
/// <param name="StatusCode">The HTTP status (403, 404, 400...).</param>
/// <param name="Title">The headline.</param>
/// <param name="Message">The sentence under it.</param>
public sealed record ErrorView(int StatusCode, string Title, string Message);
