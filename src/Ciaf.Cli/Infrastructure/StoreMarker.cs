using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ciaf.Cli.Infrastructure;

/// <summary>
/// <c>./.ciaf_store.json</c>: the store the last <c>ciaf demo</c> or <c>ciaf init</c> run in a folder created (its path
/// and backend, or the configuration file that names it), so later commands in that folder find it with no options.
/// It only ever names what a command run here created; the resolver says on stderr when it used it.
/// </summary>
internal sealed record StoreMarker
{
    public const string FileName = ".ciaf_store.json";

    [JsonPropertyName("storage_path")]
    public string? StoragePath { get; init; }

    [JsonPropertyName("storage_backend")]
    public string? StorageBackend { get; init; }

    /// <summary>A configuration file naming the store (what <c>ciaf init --output FILE</c> wrote).</summary>
    [JsonPropertyName("config_file")]
    public string? ConfigFile { get; init; }

    [JsonPropertyName("created_by")]
    public string? CreatedBy { get; init; }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Records the marker in the working folder; a folder that cannot be written only costs the convenience (a warning).</summary>
    public void Save(CliContext context)
    {
        string file = context.Host.FullPath(FileName);
        try
        {
            File.WriteAllText(file, JsonSerializer.Serialize(this, Options) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Stderr.WriteLine($"ciaf: warning: could not record the store in {file} ({e.Message}); later commands need --store.");
        }
    }

    /// <summary>The marker in <paramref name="folder"/>, or null when there is none.</summary>
    /// <exception cref="CliException">The file is there but is not a marker.</exception>
    public static StoreMarker? Read(string folder)
    {
        string file = Path.Combine(folder, FileName);
        if (!File.Exists(file)) return null;
        try
        {
            var marker = JsonSerializer.Deserialize<StoreMarker>(File.ReadAllText(file), Options);
            if (marker is { StoragePath.Length: > 0 } or { ConfigFile.Length: > 0 }) return marker;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read {file}: {StoreResolver.OneLine(e.Message)} (delete it, or pass --store).", ExitCodes.Failure, e);
        }
        throw new CliException($"{file} names no store (delete it, or pass --store).");
    }
}
