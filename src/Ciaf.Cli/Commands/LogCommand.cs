using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Governance;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf log use-start|use-end|input-check|oversight|risk|modification</c>: the EU AI Act Art. 12 events a person
/// records (docs/governance.md), each an ordinary record whose id is printed.
/// </summary>
internal static class LogCommand
{
    public static Command Create(CliApp app) => new("log", "Record the EU AI Act Art. 12 events a person records: uses, input checks, human oversight, risk situations, substantial modifications.")
    {
        UseStart(app), UseEnd(app), InputCheck(app), Oversight(app), Risk(app), Modification(app),
    };

    private static Argument<string> ModelArgument() => new("model") { Description = "The model name (it must have records in the store)." };

    private static Option<string?> VersionOption() => new("--model-version") { Description = "The model version (default: the version of the model's newest record)." };

    private static Option<string?> UseOption() => new("--use") { Description = "The use the event belongs to (the id `ciaf log use-start` printed)." };

    private static Option<string?> JsonOption(string name, string what) => new(name) { Description = $"{what} as JSON; @FILE reads a file, - reads stdin." };

    private static Command UseStart(CliApp app)
    {
        var model = ModelArgument();
        var version = VersionOption();
        var useContext = JsonOption("--context", "What the use is (a batch, a session)");
        var details = new Option<string?>("--details") { Description = "A description." };
        var command = new Command("use-start", "Record that a use of the system began (Art. 12(3)(a)); prints the use id for `ciaf log use-end`.") { model, version, useContext, details };
        Bind(app, command, model, version, (log, context, parse) =>
            log.LogUseStartedAsync(JsonArgument.Read(context, parse.GetValue(useContext), "--context"), parse.GetValue(details), context.CancellationToken));
        return command;
    }

    private static Command UseEnd(CliApp app)
    {
        var use = new Argument<string>("use-id") { Description = "The use id `ciaf log use-start` printed." };
        var outcome = JsonOption("--outcome", "What the use produced");
        var details = new Option<string?>("--details") { Description = "A description." };
        var command = new Command("use-end", "Record that a use ended; the record holds the whole period (started_at, ended_at).") { use, outcome, details };
        app.Bind(command, async (context, parse) =>
        {
            string useId = parse.GetRequiredValue(use);
            await using var storage = context.Stores.Open(context);
            var start = await storage.GetMetadataAsync(useId, context.CancellationToken).ConfigureAwait(false)
                ?? throw new CliException($"No record with id '{useId}'.");
            var log = new AiActEventLog(storage, start.ModelName, start.ModelVersion);
            string id = await log.LogUseEndedAsync(useId, JsonArgument.Read(context, parse.GetValue(outcome), "--outcome"), parse.GetValue(details), context.CancellationToken)
                .ConfigureAwait(false);
            await WriteAsync(context, storage, id).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command InputCheck(CliApp app)
    {
        var model = ModelArgument();
        var version = VersionOption();
        var reference = new Option<string>("--reference") { Description = "The reference database or data set the input was checked against (name, version).", Required = true };
        var matched = new Option<bool?>("--matched") { Description = "Whether the input matched (true or false)." };
        var input = JsonOption("--input", "A reference to the input (an id or a hash, not personal data)");
        var use = UseOption();
        var command = new Command("input-check", "Record the reference data an input was checked against and whether it matched (Art. 12(3)(b), (c)).") { model, version, reference, matched, input, use };
        Bind(app, command, model, version, (log, context, parse) =>
            log.LogInputCheckAsync(parse.GetRequiredValue(reference), parse.GetValue(matched), JsonArgument.Read(context, parse.GetValue(input), "--input"),
                parse.GetValue(use), null, context.CancellationToken));
        return command;
    }

    private static Command Oversight(CliApp app)
    {
        var model = ModelArgument();
        var version = VersionOption();
        var by = new Option<string>("--by") { Description = "Who verified the result (the natural person, Art. 14(5)).", Required = true };
        var decision = new Option<string>("--decision") { Description = "What they decided.", Required = true };
        decision.AcceptOnlyFromAmong([.. AiActEventLog.OversightDecisions]);
        var use = UseOption();
        var reason = new Option<string?>("--reason") { Description = "Why." };
        var systemOutput = JsonOption("--system-output", "What the system produced");
        var finalOutput = JsonOption("--final-output", "What stands after the decision");
        var command = new Command("oversight", "Record that a person verified a result: confirmed, overridden, rejected or escalated (Art. 12(3)(d), 14).")
        {
            model, version, by, decision, use, reason, systemOutput, finalOutput,
        };
        Bind(app, command, model, version, (log, context, parse) =>
            log.LogHumanOversightAsync(parse.GetRequiredValue(by), parse.GetRequiredValue(decision), parse.GetValue(use),
                JsonArgument.Read(context, parse.GetValue(systemOutput), "--system-output"), JsonArgument.Read(context, parse.GetValue(finalOutput), "--final-output"),
                parse.GetValue(reason), null, context.CancellationToken));
        return command;
    }

    private static Command Risk(CliApp app)
    {
        var model = ModelArgument();
        var version = VersionOption();
        var severity = new Option<string>("--severity") { Description = "How severe.", Required = true };
        severity.AcceptOnlyFromAmong([.. AiActEventLog.RiskSeverities]);
        var description = new Option<string>("--description") { Description = "What happened.", Required = true };
        var use = UseOption();
        var riskContext = JsonOption("--context", "Measurements, ids");
        var command = new Command("risk", "Record a situation that may present a risk within Art. 79(1) (Art. 12(2)(a)).") { model, version, severity, description, use, riskContext };
        Bind(app, command, model, version, (log, context, parse) =>
            log.LogRiskSituationAsync(parse.GetRequiredValue(severity), parse.GetRequiredValue(description), parse.GetValue(use),
                JsonArgument.Read(context, parse.GetValue(riskContext), "--context"), null, context.CancellationToken));
        return command;
    }

    private static Command Modification(CliApp app)
    {
        var model = ModelArgument();
        var version = new Option<string>("--model-version") { Description = "The new version the modification produced.", Required = true };
        var trigger = new Option<string>("--trigger") { Description = "What caused it (drift found by monitoring, a retraining, a new intended purpose).", Required = true };
        var description = new Option<string>("--description") { Description = "What changed.", Required = true };
        var previous = new Option<string?>("--previous-version") { Description = "The version it replaces." };
        var changes = JsonOption("--changes", "The changes in detail");
        var command = new Command("modification", "Record a substantial modification (Art. 3(23)) and its trigger, under the new version.")
        {
            model, version, trigger, description, previous, changes,
        };
        app.Bind(command, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            var log = await EventLogAsync(storage, parse.GetRequiredValue(model), parse.GetRequiredValue(version), context).ConfigureAwait(false);
            string id = await log.LogSubstantialModificationAsync(parse.GetRequiredValue(trigger), parse.GetRequiredValue(description), parse.GetValue(previous),
                JsonArgument.Read(context, parse.GetValue(changes), "--changes"), null, context.CancellationToken).ConfigureAwait(false);
            await WriteAsync(context, storage, id).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    // The shared shape of the model's events: open the store, check the model, log under the given or current version.
    private static void Bind(CliApp app, Command command, Argument<string> model, Option<string?> version,
        Func<AiActEventLog, CliContext, ParseResult, ValueTask<string>> log)
    {
        app.Bind(command, async (context, parse) =>
        {
            await using var storage = context.Stores.Open(context);
            var events = await EventLogAsync(storage, parse.GetRequiredValue(model), parse.GetValue(version), context).ConfigureAwait(false);
            string id = await log(events, context, parse).ConfigureAwait(false);
            await WriteAsync(context, storage, id).ConfigureAwait(false);
            return ExitCodes.Success;
        });
    }

    /// <summary>The event log of a model the store holds records of, at <paramref name="version"/> or the version of its newest record.</summary>
    internal static async Task<AiActEventLog> EventLogAsync(MetadataStorage storage, string model, string? version, CliContext context)
    {
        var newest = await storage.GetModelMetadataAsync(model, null, 1, context.CancellationToken).ConfigureAwait(false);
        if (newest.Count == 0) throw new CliException($"The store at '{storage.StoragePath}' holds no record of model '{model}'.");
        return new AiActEventLog(storage, model, version ?? newest[0].ModelVersion);
    }

    private static async Task WriteAsync(CliContext context, MetadataStorage storage, string id)
    {
        if (!context.Json)
        {
            context.WriteLine(id);
            return;
        }
        var record = await storage.GetMetadataAsync(id, context.CancellationToken).ConfigureAwait(false);
        context.WriteJson(record is null ? new JsonObject { ["id"] = id } : RecordJson.ToJsonObject(record));
    }
}
