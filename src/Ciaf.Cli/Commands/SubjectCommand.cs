using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Encryption;
using Ciaf.Metadata.Hashing;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary>
/// A data subject's rights (<c>subject_fields</c>, docs/security.md): <c>ciaf erase --subject ID --reason …</c> destroys
/// the subject's key (GDPR Art. 17); <c>ciaf subject export ID</c> gives its records (Art. 15).
/// </summary>
internal static class SubjectCommand
{
    public static Command Erase(CliApp app)
    {
        var subject = new Option<string>("--subject") { Description = "The data subject's id, as it appears at a subject_fields path.", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why (e.g. the request's reference); kept in the ledger and the audit trail. Required.", Required = true };
        var command = new Command("erase",
            "Erase a data subject by destroying its own key: its sensitive values read as erased from now on, while every record, hash and ledger leaf stays and verifies.")
        {
            subject, reason,
        };
        app.Bind(command, async (context, parse) =>
        {
            string id = parse.GetValue(subject)!, why = parse.GetValue(reason)!;
            if (string.IsNullOrEmpty(id)) throw CliException.Usage("--subject must not be empty.");
            if (string.IsNullOrWhiteSpace(why)) throw CliException.Usage("--reason must not be empty.");
            await using var storage = context.Stores.Open(context);
            SubjectErasure erasure;
            try
            {
                erasure = await storage.EraseSubjectAsync(id, why, context.CancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
            {
                throw new CliException(ex.Message);
            }
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["subject_reference"] = erasure.Reference,
                    ["key_id"] = erasure.KeyId,
                    ["erased_at"] = PythonTimestamp.Format(erasure.ErasedAt),
                    ["erased_by"] = erasure.ErasedBy,
                    ["reason"] = erasure.Reason,
                    ["already_erased"] = erasure.AlreadyErased,
                });
            }
            else if (erasure.AlreadyErased)
            {
                context.Out.MarkupLine($"Data subject {erasure.Reference} was already erased at {PythonTimestamp.Format(erasure.ErasedAt)} by {Markup.Escape(erasure.ErasedBy)}: {Markup.Escape(erasure.Reason)}");
            }
            else
            {
                context.Out.MarkupLine($"Data subject [bold]{erasure.Reference}[/] erased: key {erasure.KeyId} destroyed. Its sensitive values read as erased; records, hashes and the ledger are unchanged (`ciaf verify` still passes).");
                context.Note("Exports and backups made before this hold the values or the key: destroy them too (docs/security.md).");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Create(CliApp app)
    {
        var id = new Argument<string>("id") { Description = "The data subject's id, as it appears at a subject_fields path." };
        var output = new Option<string?>("--output", "-o") { Description = "The file to write (JSON lines); default: standard output." };
        var export = new Command("export", "Write a data subject's records (GDPR Art. 15), decrypted, one JSON object per line as `ciaf get --json` prints them.") { id, output };
        app.Bind(export, async (context, parse) =>
        {
            string subject = parse.GetValue(id)!;
            if (string.IsNullOrEmpty(subject)) throw CliException.Usage("ID must not be empty.");
            string? path = parse.GetValue(output);
            await using var storage = context.Stores.Open(context);
            long count = 0;
            TextWriter writer = path is null ? context.Stdout : new StreamWriter(path, append: false, new UTF8Encoding(false));
            try
            {
                await foreach (var record in storage.GetSubjectRecordsAsync(subject, context.CancellationToken).ConfigureAwait(false))
                {
                    await writer.WriteLineAsync(RecordJson.ToJsonObject(record).ToJsonString()).ConfigureAwait(false);
                    count++;
                }
            }
            catch (InvalidOperationException ex)
            {
                throw new CliException(ex.Message);
            }
            finally
            {
                if (path is not null) await writer.DisposeAsync().ConfigureAwait(false);
            }
            if (path is not null) context.Note($"{count} record(s) about the subject written to {path}.");
            return ExitCodes.Success;
        });
        return new Command("subject", "A data subject's records (subject_fields).") { export };
    }
}
