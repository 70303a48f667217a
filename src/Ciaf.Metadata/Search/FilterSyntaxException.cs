using System.Text;

namespace Ciaf.Metadata.Search;

/// <summary>
/// A filter could not be parsed or checked (a syntax error, an unknown field, <c>LIKE</c> on a number, a limit
/// exceeded). The message shows the filter with a caret under <see cref="Column"/>.
/// </summary>
public sealed class FilterSyntaxException : ArgumentException
{
    // A long filter is shown as a window around the error, so the message stays readable (and small).
    private const int WindowRadius = 60;

    /// <summary>Creates the exception for <paramref name="filter"/>, the error at <paramref name="column"/> (1-based).</summary>
    public FilterSyntaxException(string filter, int column, string reason)
        : base(Describe(filter, column, reason), "filter")
    {
        Filter = filter;
        Column = column;
        Reason = reason;
    }

    /// <summary>The filter text.</summary>
    public string Filter { get; }

    /// <summary>Where the error is: the 1-based column (character) of the filter text.</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the filter and caret.</summary>
    public string Reason { get; }

    /// <summary>The filter (or the part of it around the error) on one line and a caret under the error's column.</summary>
    public string Caret => ShowCaret(Filter, Column);

    /// <inheritdoc />
    public override string Message => Describe(Filter, Column, Reason);

    private static string Describe(string filter, int column, string reason) =>
        $"Invalid filter: {reason} (column {column}).{Environment.NewLine}{ShowCaret(filter, column)}";

    private static string ShowCaret(string filter, int column)
    {
        int index = Math.Clamp(column - 1, 0, filter.Length);
        int start = Math.Max(0, index - WindowRadius);
        int end = Math.Min(filter.Length, index + WindowRadius);
        var line = new StringBuilder();
        if (start > 0) line.Append("...");
        int caret = line.Length + (index - start);
        // Control characters (a newline in the filter) would break the caret's alignment.
        foreach (char c in filter.AsSpan(start, end - start)) line.Append(char.IsControl(c) ? ' ' : c);
        if (end < filter.Length) line.Append("...");
        return $"  {line}{Environment.NewLine}  {new string(' ', caret)}^";
    }
}
