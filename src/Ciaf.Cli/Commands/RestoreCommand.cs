using System.CommandLine;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata;
using Ciaf.Metadata.Hashing;
using Spectre.Console;

namespace Ciaf.Cli.Commands;

/// <summary>
/// <c>ciaf restore BACKUP --target PATH [--overwrite]</c>: checks a backup against its manifest and restores it into a
/// folder. A damaged backup is refused, naming the problem, and the target is left untouched. Needs no store.
/// </summary>
internal static class RestoreCommand
{
    public static Command Create(CliApp app)
    {
        var backup = new Argument<string>("backup") { Description = "A backup archive written by 'ciaf backup'." };
        var target = new Option<string>("--target", "-t")
        {
            Description = "The store folder to restore into (created if missing; must be empty unless --overwrite).",
            Required = true,
            HelpName = "path",
        };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the store's data in a target folder that is not empty (its backups/ and exports/ folders are kept)." };
        var command = new Command("restore", "Restore a backup into a store folder, after checking every file against its manifest.") { backup, target, overwrite };
        app.Bind(command, async (context, parse) =>
        {
            string archive = context.Host.FullPath(parse.GetValue(backup)!);
            string folder = context.Host.FullPath(parse.GetValue(target)!);
            bool replace = parse.GetValue(overwrite);
            // A link is left to the library, which refuses it whatever --overwrite says.
            if (!replace && new FileInfo(folder).LinkTarget is null && Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            {
                throw new CliException($"Refusing to restore into '{folder}': the folder is not empty. Choose an empty folder, or pass --overwrite to replace its data (its backups/ and exports/ folders are kept).");
            }
            // The files are extracted beside the target and moved into place at the end: cancelling leaves the target as it was.
            var manifest = await LongWork.RunAsync(context, "Restoring", "files", null,
                async (_, ct) => await MetadataStorage.RestoreAsync(archive, folder, replace, ct).ConfigureAwait(false),
                m => m.Files.Count).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["backup"] = archive,
                    ["target"] = folder,
                    ["backend"] = manifest.Backend,
                    ["created_at"] = PythonTimestamp.Format(manifest.CreatedAt),
                    ["record_count"] = manifest.RecordCount,
                    ["files"] = manifest.Files.Count,
                });
            }
            else
            {
                context.Out.MarkupLine($"Restored the {Markup.Escape(manifest.Backend)} backup of {Markup.Escape(Render.Time(manifest.CreatedAt))} UTC " +
                    $"([bold]{manifest.RecordCount}[/] record(s), {manifest.Files.Count} file(s)) into {Markup.Escape(folder)}.");
                context.Note($"Open it with: ciaf stats --store \"{folder}\" --backend {manifest.Backend}");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
