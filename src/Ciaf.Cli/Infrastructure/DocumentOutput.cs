using System.Text.Json.Nodes;

namespace Ciaf.Cli.Infrastructure;

/// <summary>Writes a generated document (a report, a pack, a card) to stdout or, with <c>--output</c>, to a file whose path is printed.</summary>
internal static class DocumentOutput
{
    /// <summary>Writes <paramref name="text"/> exactly (UTF-8, no byte-order mark) to <paramref name="output"/>, or to stdout.</summary>
    public static async Task WriteAsync(CliContext context, string text, string? output, string format, string what)
    {
        if (output is null)
        {
            context.Stdout.Write(text.EndsWith('\n') ? text : text + "\n");
            return;
        }
        string path = context.Host.FullPath(output);
        await File.WriteAllTextAsync(path, text, context.CancellationToken).ConfigureAwait(false);
        context.Note($"wrote the {format} {what} to {path}");
        if (context.Json) context.WriteJson(new JsonObject { ["path"] = path, ["format"] = format });
        else context.WriteLine(path);
    }
}
