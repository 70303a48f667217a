using System.Globalization;
using System.Reflection;
using Ciaf.Metadata;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Benchmarks;

/// <summary>
/// The file baselines: write-temp-flush-rename of given bytes, a plain read of a known path, and
/// filling a file store quickly (the backends' own layout, written without an fsync per file, which
/// setting a store up does not need).
/// </summary>
internal static class FileStores
{
    /// <summary>The library's layout and bytes for a file backend, or <c>null</c> for one this harness cannot lay out.</summary>
    public static Func<MetadataRecord, (string RelativePath, byte[] Bytes)>? Layout(string backend) => backend switch
    {
        "json" => r => (Path.Combine(r.ModelName,
            $"{r.Timestamp.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}_{r.Stage}_{r.Id}.json"), RecordJson.ToFileBytes(r)),
        "pickle" when PickleSerializer() is { } serialize => r => (Path.Combine(r.ModelName, $"{r.Stage}_{r.Id}.pkl"), serialize(r)),
        _ => null,
    };

    /// <summary>The pickle codec, once the pickle backend has landed (found by name, so this builds without it).</summary>
    private static Func<MetadataRecord, byte[]>? PickleSerializer()
    {
        var type = typeof(MetadataStorage).Assembly.GetType("Ciaf.Metadata.Backends.Pickle.PickleRecordCodec");
        var method = type?.GetMethod("Serialize", BindingFlags.Public | BindingFlags.Static, [typeof(MetadataRecord)]);
        return method is null ? null : method.CreateDelegate<Func<MetadataRecord, byte[]>>();
    }

    /// <summary>Writes the records' files under <paramref name="root"/>; returns id → full path.</summary>
    public static Dictionary<string, string> Fill(string root, IEnumerable<MetadataRecord> records, Func<MetadataRecord, (string RelativePath, byte[] Bytes)> layout)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var (relative, bytes) = layout(record);
            string path = Path.Combine(root, relative);
            string folder = Path.GetDirectoryName(path)!;
            if (folders.Add(folder)) Directory.CreateDirectory(folder);
            File.WriteAllBytes(path, bytes);
            paths[record.Id] = path;
        }
        return paths;
    }

    /// <summary>Every record file under a store (relative path and bytes), as the library wrote them.</summary>
    public static List<(string RelativePath, byte[] Bytes)> Snapshot(string root, string extension)
    {
        var files = new List<(string, byte[])>();
        foreach (var path in Directory.EnumerateFiles(root, "*" + extension, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(root, path);
            if (Path.GetFileName(path).StartsWith('.') || relative.StartsWith("compliance_events", StringComparison.Ordinal)) continue;
            files.Add((relative, File.ReadAllBytes(path)));
        }
        return files;
    }

    /// <summary>The raw durable write: temporary file in the target folder, write, fsync, rename over the target.</summary>
    public static void WriteAtomically(string path, byte[] bytes)
    {
        string folder = Path.GetDirectoryName(path)!;
        string temp = Path.Combine(folder, ".tmp-" + Guid.NewGuid().ToString("N") + ".tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Replays a snapshot into <paramref name="root"/> with <see cref="WriteAtomically"/>.</summary>
    public static void Replay(string root, IReadOnlyList<(string RelativePath, byte[] Bytes)> files)
    {
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (relative, bytes) in files)
        {
            string path = Path.Combine(root, relative);
            string folder = Path.GetDirectoryName(path)!;
            if (folders.Add(folder)) Directory.CreateDirectory(folder);
            WriteAtomically(path, bytes);
        }
    }

    public static string Extension(string backend) => backend == "pickle" ? ".pkl" : ".json";
}
