using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Cli.Infrastructure;

/// <summary>A JSON value given on the command line: the text itself, <c>@FILE</c> for a file's content, <c>-</c> for stdin.</summary>
internal static class JsonArgument
{
    /// <summary>Reads the value of <paramref name="option"/>; null when it was not given.</summary>
    /// <exception cref="CliException">The file is missing (exit 1) or the text is not JSON (exit 2).</exception>
    public static JsonNode? Read(CliContext context, string? text, string option)
    {
        if (text is null) return null;
        string source = option;
        if (text == "-")
        {
            text = Console.In.ReadToEnd();
            source = "stdin";
        }
        else if (text.StartsWith('@'))
        {
            string file = context.Host.FullPath(text[1..]);
            if (!File.Exists(file)) throw new CliException($"File '{file}' ({option}) not found.");
            text = File.ReadAllText(file);
            source = file;
        }
        try
        {
            return PythonJson.Parse(text);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or ArgumentException)
        {
            throw CliException.Usage($"The value of {option} ({source}) is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Reads a JSON object; an empty object when the option was not given.</summary>
    /// <exception cref="CliException">Not JSON, or not an object (exit 2).</exception>
    public static JsonObject ReadObject(CliContext context, string? text, string option, string example) =>
        Read(context, text, option) switch
        {
            null => [],
            JsonObject o => o,
            _ => throw CliException.Usage($"The value of {option} must be a JSON object, e.g. '{example}'."),
        };
}
