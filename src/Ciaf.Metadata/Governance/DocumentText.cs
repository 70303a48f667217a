using System.Net;
using System.Text;

namespace Ciaf.Metadata.Governance;

/// <summary>
/// Renders the documents' text (lines; a line starting with <c>- </c> is a list entry) as Markdown or HTML, the same way
/// for every document, so one store state gives one byte sequence.
/// </summary>
internal static class DocumentText
{
    /// <summary>Markdown: list entries stay lines, other lines become paragraphs.</summary>
    public static void Markdown(StringBuilder sb, string text)
    {
        bool inList = false;
        foreach (var line in text.Split('\n'))
        {
            bool entry = line.StartsWith("- ", StringComparison.Ordinal);
            if (!entry || !inList) sb.Append('\n');
            sb.Append(entry ? "- " + EscapeMarkdown(line[2..]) : EscapeMarkdown(line)).Append('\n');
            inList = entry;
        }
    }

    /// <summary>HTML: paragraphs and unordered lists, every value encoded.</summary>
    public static void Html(StringBuilder sb, string text)
    {
        bool inList = false;
        foreach (var line in text.Split('\n'))
        {
            bool entry = line.StartsWith("- ", StringComparison.Ordinal);
            if (entry && !inList) sb.Append("<ul>\n");
            if (!entry && inList) sb.Append("</ul>\n");
            sb.Append(entry ? $"<li>{Code(line[2..])}</li>\n" : $"<p>{Code(line)}</p>\n");
            inList = entry;
        }
        if (inList) sb.Append("</ul>\n");
    }

    /// <summary>HTML-encodes, turning <c>`code`</c> spans into <c>&lt;code&gt;</c>.</summary>
    public static string Code(string text)
    {
        var parts = text.Split('`');
        bool balanced = parts.Length % 2 == 1;
        var sb = new StringBuilder();
        for (int i = 0; i < parts.Length; i++)
        {
            string encoded = WebUtility.HtmlEncode(parts[i]);
            if (i % 2 == 0) sb.Append(encoded);
            else if (balanced || i < parts.Length - 1) sb.Append("<code>").Append(encoded).Append("</code>");
            else sb.Append('`').Append(encoded);
        }
        return sb.ToString();
    }

    /// <summary>HTML-encodes.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    // Only what would change the meaning of a generated line: a leading '#', '>' or list marker, and what could open an
    // HTML tag outside code spans (inside them Markdown shows every character as it is).
    private static string EscapeMarkdown(string line)
    {
        var parts = line.Split('`');
        for (int i = 0; i < parts.Length; i += 2)
        {
            parts[i] = System.Text.RegularExpressions.Regex.Replace(parts[i], "<(?=[A-Za-z/!?])", "\\<");
        }
        string s = string.Join('`', parts);
        return s.Length > 0 && (s[0] is '#' or '>' or '+' or '*' or '=' || (s[0] == '-' && !s.StartsWith("- ", StringComparison.Ordinal))) ? "\\" + s : s;
    }

    /// <summary>The HTML page head shared by the documents.</summary>
    public static string HtmlHead(string title) => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>{{E(title)}}</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 70rem; }
        table { border-collapse: collapse; margin: 1rem 0; }
        th, td { border: 1px solid #ccc; padding: .35rem .6rem; text-align: left; vertical-align: top; }
        th { background: #f3f3f3; }
        pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; }
        .evidenced { color: #176b2c; font-weight: 600; }
        .gap { color: #b00020; font-weight: 600; }
        </style>
        </head>
        <body>

        """;
}
