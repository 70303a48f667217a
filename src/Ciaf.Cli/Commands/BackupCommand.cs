using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ciaf.Cli.Infrastructure;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Transfer;

namespace Ciaf.Cli.Commands;

/// <summary><c>ciaf backup [--output PATH]</c>: a .zip of the store with a manifest of every file's size and SHA-256.</summary>
internal static class BackupCommand
{
    private static readonly JsonSerializerOptions ManifestJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create(CliApp app)
    {
        var output = new Option<string?>("--output", "-o") { Description = "The archive to write (must not exist; default: a new file under <store>/backups/)." };
        var command = new Command("backup", "Back the store up to a .zip archive (a consistent snapshot, taken while writers keep writing).") { output };
        app.Bind(command, async (context, parse) =>
        {
            string? target = parse.GetValue(output) is { } o ? context.Host.FullPath(o) : null;
            if (target is not null && File.Exists(target)) throw new CliException($"The backup file '{target}' already exists; choose another name.");
            await using var storage = context.Stores.Open(context);
            // Cancelling removes the partial archive.
            var (path, manifest) = await LongWork.RunAsync(context, "Backing up", "files", null, async (progress, ct) =>
            {
                string written = await storage.BackupAsync(target, ct).ConfigureAwait(false);
                return (written, ReadManifest(written));
            }, r => r.Item2?.Files.Count ?? 0).ConfigureAwait(false);
            long size = new FileInfo(path).Length;
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["path"] = path,
                    ["backend"] = manifest?.Backend ?? storage.Backend,
                    ["created_at"] = manifest is null ? null : PythonTimestamp.Format(manifest.CreatedAt),
                    ["record_count"] = manifest?.RecordCount,
                    ["files"] = manifest?.Files.Count,
                    ["size_bytes"] = size,
                    ["skipped_links"] = manifest is null ? null : new JsonArray([.. manifest.SkippedLinks.Select(l => JsonValue.Create(l))]),
                });
            }
            else
            {
                context.WriteLine(path);
                if (manifest is not null)
                {
                    context.Note(string.Create(CultureInfo.InvariantCulture,
                        $"{manifest.Backend} backup: {manifest.RecordCount} record(s), {manifest.Files.Count} file(s), {size} bytes. Restore with: ciaf restore \"{path}\" --target <folder>"));
                    foreach (var link in manifest.SkippedLinks)
                        context.Note($"Not archived: '{link}' is a symbolic link (links are never followed, so nothing outside the store is backed up).");
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The manifest of an archive just written (for the summary); <c>null</c> if it cannot be read.</summary>
    internal static BackupManifest? ReadManifest(string zipPath)
    {
        try
        {
            using var zip = ZipFile.OpenRead(zipPath);
            using var stream = zip.GetEntry(BackupManifest.EntryName)?.Open();
            return stream is null ? null : JsonSerializer.Deserialize<BackupManifest>(stream, ManifestJson);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException)
        {
            return null;
        }
    }
}
