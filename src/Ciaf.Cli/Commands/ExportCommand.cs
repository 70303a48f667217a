using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf export</c>: writes a model's records (or all) to a file.</summary>
internal static class ExportCommand
{
    public static Command Create(CliApp app)
    {
        var model = new Option<string?>("--model", "-m") { Description = "Only this model (default: every model)." };
        var format = new Option<string>("--format", "-f")
        {
            Description = $"The file format: {string.Join(", ", MetadataStorage.ExportFormats)}.",
            DefaultValueFactory = _ => "json",
        };
        var output = new Option<string?>("--output", "-o") { Description = "The file to write (default: a new file under <store>/exports/)." };
        var command = new Command("export", "Export records to a file (oldest first, no cap).") { model, format, output };
        app.Bind(command, async (context, parse) =>
        {
            string? modelName = parse.GetValue(model);
            string fmt = parse.GetValue(format)!;
            string? target = parse.GetValue(output) is { } o ? context.Host.FullPath(o) : null;
            await using var storage = context.Stores.Open(context);
            long? total = modelName is null ? (await storage.GetPerformanceMetricsAsync(context.CancellationToken).ConfigureAwait(false)).RecordCount : null;
            // Cancelling removes the partial temporary file: an existing export is never half-overwritten.
            string path = await LongWork.RunAsync(context, "Exporting", "records", total,
                async (_, ct) => await storage.ExportMetadataAsync(modelName, fmt, target, ct).ConfigureAwait(false),
                written => CountRecords(written, fmt)).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["path"] = path, ["format"] = fmt.ToLowerInvariant(), ["model"] = modelName, ["records"] = CountRecords(path, fmt) });
            }
            else
            {
                context.WriteLine(path);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static long CountRecords(string path, string format)
    {
        if (string.Equals(format, "jsonl", StringComparison.OrdinalIgnoreCase))
        {
            return File.ReadLines(path).LongCount(l => l.Length > 0);
        }
        using var stream = File.OpenRead(path);
        return JsonNode.Parse(stream) is JsonArray array ? array.Count : 0;
    }
}
