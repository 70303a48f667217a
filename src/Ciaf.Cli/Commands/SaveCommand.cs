using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf save MODEL STAGE EVENT</c>: saves one record (creates the store if needed).</summary>
internal static class SaveCommand
{
    public static Command Create(CliApp app)
    {
        var model = new Argument<string>("model") { Description = "The model name." };
        var stage = new Argument<string>("stage") { Description = "The stage: data_ingestion, data_preprocessing, training, validation, deployment, inference, monitoring, compliance, or any other." };
        var eventType = new Argument<string>("event-type") { Description = "The event type, e.g. model_trained." };
        var metadata = new Option<string?>("--metadata", "-d") { Description = "The metadata as a JSON object, e.g. '{\"accuracy\": 0.95}'; @FILE reads a file, - reads stdin." };
        var version = new Option<string?>("--model-version") { Description = "The model version (default 1.0.0)." };
        var details = new Option<string?>("--details") { Description = "A human-readable description." };
        var command = new Command("save", "Save one metadata record and print its id.") { model, stage, eventType, metadata, version, details };
        app.Bind(command, async (context, parse) =>
        {
            var payload = JsonArgument.ReadObject(context, parse.GetValue(metadata), "--metadata", "{\"accuracy\": 0.95}");
            await using var storage = context.Stores.Open(context, mustExist: false);
            string id = await storage.SaveMetadataAsync(parse.GetRequiredValue(model), parse.GetRequiredValue(stage), parse.GetRequiredValue(eventType),
                payload, parse.GetValue(version), parse.GetValue(details), context.CancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                var record = await storage.GetMetadataAsync(id, context.CancellationToken).ConfigureAwait(false);
                context.WriteJson(record is null ? new JsonObject { ["id"] = id } : RecordJson.ToJsonObject(record));
            }
            else
            {
                context.WriteLine(id);
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
