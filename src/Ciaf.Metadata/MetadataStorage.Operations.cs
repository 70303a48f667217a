using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Audit;
using Ciaf.Metadata.Hashing;
using Ciaf.Metadata.Storage;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata;

public sealed partial class MetadataStorage
{
    /// <summary>The export formats this version writes.</summary>
    public static IReadOnlyList<string> ExportFormats { get; } = ["json", "jsonl"];

    /// <summary>
    /// Exports every record of a model (or of the store when <paramref name="modelName"/> is <c>null</c>),
    /// oldest first, with no cap, streaming record by record. Returns the file written: by default a
    /// new file under <c>&lt;store&gt;/exports/</c> whose name never collides with an earlier export.
    /// Records are exported as stored: encrypted sensitive values stay encrypted, so every exported hash verifies.
    /// </summary>
    /// <param name="modelName">The model, or <c>null</c> for all.</param>
    /// <param name="format"><c>json</c> (an array, as the reference writes) or <c>jsonl</c> (one record per line).</param>
    /// <param name="outputPath">Where to write; <c>null</c> for the exports folder.</param>
    /// <exception cref="ArgumentException">Unknown format or invalid model name.</exception>
    public string ExportMetadata(string? modelName = null, string format = "json", string? outputPath = null) =>
        SyncOverAsync.Run(ExportMetadataAsync(modelName, format, outputPath));

    /// <inheritdoc cref="ExportMetadata"/>
    public async ValueTask<string> ExportMetadataAsync(string? modelName = null, string format = "json", string? outputPath = null,
        CancellationToken cancellationToken = default)
    {
        if (modelName is not null) NameRules.Validate(modelName, nameof(modelName));
        format = (format ?? string.Empty).Trim().ToLowerInvariant();
        if (!ExportFormats.Contains(format))
            throw new ArgumentException($"Unknown export format '{format}'. Valid: {string.Join(", ", ExportFormats)}.", nameof(format));
        ThrowIfDisposed();

        string target = outputPath is null
            ? Path.Combine(StoragePath, "exports", ExportFileName(modelName ?? "all", format, 0))
            : Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string temp = target + $".tmp-{Guid.NewGuid():N}";
        int exported = 0;
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            await using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                bool first = true;
                if (format == "json") await writer.WriteAsync("[").ConfigureAwait(false);
                var query = new MetadataQuery { ModelName = modelName, Order = RecordOrder.OldestFirst };
                // The stored form: encrypted values stay encrypted, so an export leaks nothing and its hashes verify.
                await foreach (var record in QueryStoredAsync(query, cancellationToken).ConfigureAwait(false))
                {
                    exported++;
                    var obj = RecordJson.ToJsonObject(record);
                    if (format == "json")
                    {
                        string text = PythonJson.Serialize(obj, PythonJsonStyle.Indented).Replace("\n", "\n  ", StringComparison.Ordinal);
                        await writer.WriteAsync(first ? "\n  " : ",\n  ").ConfigureAwait(false);
                        await writer.WriteAsync(text).ConfigureAwait(false);
                    }
                    else
                    {
                        await writer.WriteAsync(PythonJson.Serialize(obj, PythonJsonStyle.Compact)).ConfigureAwait(false);
                        await writer.WriteAsync('\n').ConfigureAwait(false);
                    }
                    first = false;
                }
                if (format == "json") await writer.WriteAsync(first ? "]" : "\n]").ConfigureAwait(false);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            if (outputPath is not null)
            {
                File.Move(temp, target, overwrite: true);
            }
            else
            {
                // Never overwrite an earlier export, even one written in the same second by another process.
                for (int n = 1; ; n++)
                {
                    try
                    {
                        File.Move(temp, target, overwrite: false);
                        break;
                    }
                    catch (IOException) when (File.Exists(target))
                    {
                        target = Path.Combine(Path.GetDirectoryName(target)!, ExportFileName(modelName ?? "all", format, n));
                    }
                }
            }
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        if (_options.AuditAllAccess)
        {
            Audit(AuditActions.Export, null, new JsonObject { ["model_name"] = modelName, ["format"] = format, ["path"] = target, ["records"] = exported });
        }
        return target;
    }

    private string ExportFileName(string name, string format, int n)
    {
        string stamp = _options.TimeProvider.GetUtcNow().ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);
        return n == 0 ? $"{name}_metadata_{stamp}.{format}" : $"{name}_metadata_{stamp}_{n}.{format}";
    }
}
