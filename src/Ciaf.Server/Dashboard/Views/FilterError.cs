namespace Ciaf.Server.Dashboard.Views;

/// <summary>Why a filter or a search parameter was refused, with the caret under the error when it is a filter's.</summary>
/// <param name="Message">What is wrong.</param>
/// <param name="Caret">The filter with a caret line under the error's column (as the CLI prints it), or <c>null</c>.</param>
public sealed record FilterError(string Message, string? Caret);
