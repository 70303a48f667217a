using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Tests.Support;
using Ciaf.Metadata.Transfer;

namespace Ciaf.Metadata.Tests.Hardening;

/// <summary>
/// Backup and restore under attack (issue 11): restoring over a store from its own backups folder, decompression
/// bombs, symbolic links in the store or as the target, malformed manifests and duplicate entries.
/// </summary>
public sealed class BackupRestoreHardeningTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private static int Records(string path, string backend)
    {
        using var storage = new MetadataStorage(path, backend);
        return (int)storage.GetPerformanceMetrics().RecordCount;
    }

    private static void Save(string path, string backend, int count)
    {
        using var storage = new MetadataStorage(path, backend);
        for (int i = 0; i < count; i++) storage.SaveMetadata("churn", "training", "model_trained", new { i });
    }

    /// <summary>A zip holding exactly these entries, in this order (names may repeat).</summary>
    private string Zip(string name, params (string Name, byte[] Content)[] entries)
    {
        string path = _folder.Combine(name);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (entryName, content) in entries)
        {
            using var stream = zip.CreateEntry(entryName, CompressionLevel.SmallestSize).Open();
            stream.Write(content);
        }
        return path;
    }

    private static byte[] Manifest(JsonArray files) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["format"] = BackupManifest.FormatName,
        ["version"] = 1,
        ["backend"] = "json",
        ["files"] = files,
    }.ToJsonString());

    private static JsonObject Listed(string path, long size, string sha256) => new() { ["path"] = path, ["size"] = size, ["sha256"] = sha256 };

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    // ------------------------------------------------------------------ item 2: restoring over a store from its own backups

    [Theory]
    [InlineData("json")]
    [InlineData("sqlite")]
    public void Restore_OverwriteFromTheStoresOwnBackupsFolder_KeepsEveryBackupAndExport(string backend)
    {
        string store = _folder.Combine("s2");
        Save(store, backend, 3);
        string first, second, export;
        using (var storage = new MetadataStorage(store, backend))
        {
            first = storage.Backup();
            export = storage.ExportMetadata(null, "json");
            storage.SaveMetadata("churn", "training", "model_trained", new { late = true });
            second = storage.Backup();
        }
        Save(store, backend, 2);

        var manifest = MetadataStorage.Restore(first, store, overwrite: true);

        Assert.Equal(3, manifest.RecordCount);
        Assert.True(File.Exists(first), "the archive just restored survives");
        Assert.True(File.Exists(second), "the other backups survive");
        Assert.True(File.Exists(export), "the exports survive");
        Assert.Equal(3, Records(store, backend));
        Assert.Empty(Directory.EnumerateDirectories(_folder.Path, ".s2.*"));

        // The later backup holds neither backups/ nor exports/ (its restore would refuse them) and restores just as well.
        MetadataStorage.Restore(second, store, overwrite: true);
        Assert.Equal(4, Records(store, backend));
        Assert.True(File.Exists(first));
    }

    [Fact]
    public void Restore_OverwriteWithTheArchiveInTheTargetsData_IsRefusedAndChangesNothing()
    {
        string store = _folder.Combine("s2");
        Save(store, "json", 3);
        string backup;
        using (var storage = new MetadataStorage(store, "json")) backup = storage.Backup();
        string inData = Path.Combine(store, "churn", "backup.zip");
        File.Move(backup, inData);
        Save(store, "json", 1);

        var ex = Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(inData, store, overwrite: true));

        Assert.Contains("lies inside that store's data", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(inData));
        Assert.Equal(4, Records(store, "json"));
    }

    [Fact]
    public void Restore_OverwriteWithADamagedArchive_LeavesTheTargetWhole()
    {
        string store = _folder.Combine("s2");
        Save(store, "json", 3);
        string backup;
        using (var storage = new MetadataStorage(store, "json")) backup = storage.Backup();
        using (var zip = ZipFile.Open(backup, ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Last(e => e.FullName != BackupManifest.EntryName);
            string name = entry.FullName;
            entry.Delete();
            using var w = zip.CreateEntry(name).Open();
            w.Write("{}"u8);
        }

        Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(backup, store, overwrite: true));

        Assert.Equal(3, Records(store, "json"));
        Assert.True(File.Exists(backup));
        Assert.Empty(Directory.EnumerateDirectories(_folder.Path, ".s2.*"));
    }

    // ------------------------------------------------------------------ item 5: decompression bombs

    [Fact]
    public async Task ExtractVerified_EntryInflatingPastItsManifestSize_StopsAtTheDeclaredSizeAndGoesNoFurther()
    {
        byte[] bomb = new byte[8 << 20]; // 8 MiB of zeros: deflates to a few KiB
        byte[] later = "later"u8.ToArray();
        string zip = Zip("bomb.zip",
            (BackupManifest.EntryName, Manifest([Listed("a/bomb.json", 100, Sha(bomb[..100])), Listed("b/later.json", later.Length, Sha(later))])),
            ("a/bomb.json", bomb),
            ("b/later.json", later));
        Assert.True(new FileInfo(zip).Length < 1 << 20);
        string staging = _folder.Combine("staging");
        Directory.CreateDirectory(staging);

        var ex = await Assert.ThrowsAsync<MetadataStorageException>(() => BackupArchive.ExtractVerifiedAsync(zip, staging, CancellationToken.None));

        Assert.Contains("'a/bomb.json' holds more than the 100 bytes", ex.Message, StringComparison.Ordinal);
        long written = Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.InRange(written, 0, 100);
        Assert.False(File.Exists(Path.Combine(staging, "b", "later.json")), "extraction stops at the first failure");

        // Through the public API, the staging folder is gone too and no target is created.
        Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(zip, _folder.Combine("target")));
        Assert.False(Directory.Exists(_folder.Combine("target")));
        Assert.Empty(Directory.EnumerateDirectories(_folder.Path, ".target.*"));
    }

    [Fact]
    public void Restore_ManifestDeclaringMoreThanTheDiskHolds_IsRefusedBeforeExtracting()
    {
        byte[] content = "x"u8.ToArray();
        string zip = Zip("huge.zip",
            (BackupManifest.EntryName, Manifest([Listed("a.json", long.MaxValue / 2, Sha(content))])),
            ("a.json", content));

        var ex = Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(zip, _folder.Combine("target")));

        Assert.Contains("free", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder.Combine("target")));
    }

    [Fact]
    public void Restore_ManifestInflatingPastItsCap_IsRefusedUnread()
    {
        byte[] manifest = new byte[BackupArchive.MaxManifestBytes + 1];
        manifest.AsSpan().Fill((byte)' ');
        string zip = Zip("manifest-bomb.zip", (BackupManifest.EntryName, manifest));

        var ex = Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(zip, _folder.Combine("target")));

        Assert.Contains("larger than", ex.Message, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ item 11: malformed manifests, duplicate entries

    [Theory]
    [InlineData("""[null]""", "files[0] is null")]
    [InlineData("""[{"size": 1, "sha256": "00"}]""", "files[0] has no path")]
    [InlineData("""[{"path": "", "size": 1}]""", "files[0] has no path")]
    [InlineData("""[{"path": "a.json", "size": -1, "sha256": "SHA"}]""", "negative size")]
    [InlineData("""[{"path": "a.json", "size": 1, "sha256": "not-a-hash"}]""", "no valid SHA-256")]
    [InlineData("""[{"path": "a.json", "size": 1}]""", "no valid SHA-256")]
    [InlineData("""[{"path": "a.json", "size": 1, "sha256": "SHA"}, {"path": "a.json", "size": 1, "sha256": "SHA"}]""", "listed twice")]
    [InlineData("""[{"path": "backups/x.zip", "size": 1, "sha256": "SHA"}]""", "a folder a backup never holds")]
    public void Restore_InvalidManifestField_IsRefusedNamingIt(string files, string expected)
    {
        byte[] content = "x"u8.ToArray();
        string manifest = Encoding.UTF8.GetString(Manifest([])).Replace("\"files\":[]", "\"files\":" + files.Replace("SHA", Sha(content), StringComparison.Ordinal), StringComparison.Ordinal);
        string zip = Zip("bad.zip", (BackupManifest.EntryName, Encoding.UTF8.GetBytes(manifest)), ("a.json", content));

        var ex = Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(zip, _folder.Combine("target")));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder.Combine("target")));
    }

    [Fact]
    public void Restore_TwoManifestEntries_IsRefused()
    {
        byte[] content = "x"u8.ToArray();
        var files = new JsonArray(Listed("a.json", 1, Sha(content)));
        string zip = Zip("two-manifests.zip",
            (BackupManifest.EntryName, Manifest(files)),
            (BackupManifest.EntryName, Manifest([])),
            ("a.json", content));

        var ex = Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(zip, _folder.Combine("target")));

        Assert.Contains($"entry '{BackupManifest.EntryName}' appears twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_TwoEntriesOfOneFile_IsRefused()
    {
        byte[] content = "x"u8.ToArray();
        string zip = Zip("two-files.zip",
            (BackupManifest.EntryName, Manifest([Listed("a.json", 1, Sha(content))])),
            ("a.json", content),
            ("a.json", "y"u8.ToArray()));

        var ex = Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(zip, _folder.Combine("target")));

        Assert.Contains("entry 'a.json' appears twice", ex.Message, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ item 10: links in the store

    [SymbolicLinkFact]
    public void Backup_StoreWithLinksOutOfIt_ArchivesNothingOutsideAndListsThem()
    {
        string store = _folder.Combine("store");
        Save(store, "json", 2);
        string outside = _folder.Combine("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.json"), "{\"password\": \"hunter2\"}");
        File.CreateSymbolicLink(Path.Combine(store, "churn", "stolen.json"), Path.Combine(outside, "secret.json"));
        Directory.CreateSymbolicLink(Path.Combine(store, "elsewhere"), outside);

        string backup;
        using (var storage = new MetadataStorage(store, "json")) backup = storage.Backup();

        using (var zip = ZipFile.OpenRead(backup))
        {
            Assert.DoesNotContain(zip.Entries, e => e.FullName.Contains("stolen", StringComparison.Ordinal) || e.FullName.Contains("elsewhere", StringComparison.Ordinal));
        }
        var manifest = MetadataStorage.Restore(backup, _folder.Combine("restored"));
        Assert.Equal(["churn/stolen.json", "elsewhere"], manifest.SkippedLinks);
        Assert.Equal(2, Records(_folder.Combine("restored"), "json"));
    }

    // ------------------------------------------------------------------ item 15: a link as the target

    [SymbolicLinkFact]
    public void Restore_TargetIsASymbolicLink_IsRefusedAndTheLinkStays()
    {
        string store = _folder.Combine("store");
        Save(store, "json", 1);
        string backup;
        using (var storage = new MetadataStorage(store, "json")) backup = storage.Backup();
        string real = _folder.Combine("real");
        Directory.CreateDirectory(real);
        string link = _folder.Combine("link");
        Directory.CreateSymbolicLink(link, real);
        string dangling = _folder.Combine("dangling");
        Directory.CreateSymbolicLink(dangling, _folder.Combine("nowhere"));

        foreach (var target in new[] { link, dangling })
        {
            var ex = Assert.Throws<MetadataStorageException>(() => MetadataStorage.Restore(backup, target, overwrite: true));
            Assert.Contains("is a symbolic link", ex.Message, StringComparison.Ordinal);
            Assert.NotNull(new FileInfo(target).LinkTarget);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(real));
    }
}
