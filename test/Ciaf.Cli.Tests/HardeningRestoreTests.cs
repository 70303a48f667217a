using Ciaf.Cli.Tests.Support;
using Ciaf.Metadata;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Cli.Tests;

/// <summary>backup and restore under attack (issue 11): the store's own backups, links in the store and as the target.</summary>
public sealed class HardeningRestoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> Run(params string[] args) => CiafTool.RunAsync(_folder.Path, args);

    private Task<CliResult> Ok(params string[] args) => CiafTool.OkAsync(_folder.Path, args);

    private void Seed(string store, string backend, int records)
    {
        using var storage = new MetadataStorage(store, backend);
        for (int i = 0; i < records; i++) storage.SaveMetadata("churn", "training", "model_trained", new { i });
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("json")]
    public async Task Restore_OverwriteFromTheStoresOwnBackupsFolder_KeepsEveryBackupAndExport(string backend)
    {
        string store = _folder.Combine("s2");
        Seed(store, backend, 3);
        string first = (await Ok("backup", "--store", store)).Stdout.Trim();
        string export = (await Ok("export", "--store", store, "--format", "json")).Stdout.Trim();
        Seed(store, backend, 2);
        string second = (await Ok("backup", "--store", store)).Stdout.Trim();

        var restored = await Ok("restore", first, "--target", store, "--overwrite");

        Assert.Contains("3 record(s)", restored.Stdout);
        Assert.True(File.Exists(first), restored.ToString());
        Assert.True(File.Exists(second), restored.ToString());
        Assert.True(File.Exists(export), restored.ToString());
        var stats = (await Ok("stats", "--store", store, "--backend", backend, "--json")).Json();
        Assert.Equal(3, (int)stats["record_count"]!);
    }

    [SymbolicLinkFact]
    public async Task Backup_StoreWithALinkOutOfIt_ReportsItAndArchivesNothingOutside()
    {
        string store = _folder.Combine("store");
        Seed(store, "json", 1);
        string outside = _folder.Combine("outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.json"), "{}");
        Directory.CreateSymbolicLink(Path.Combine(store, "elsewhere"), outside);

        var json = (await Ok("backup", "--store", store, "--json")).Json();
        Assert.Equal("elsewhere", (string?)json["skipped_links"]![0]);
        var human = await Ok("backup", "--store", store);
        Assert.Contains("Not archived: 'elsewhere' is a symbolic link", human.Stderr, StringComparison.Ordinal);
        using var zip = System.IO.Compression.ZipFile.OpenRead((string)json["path"]!);
        Assert.DoesNotContain(zip.Entries, e => e.FullName.Contains("secret", StringComparison.Ordinal));
    }

    [SymbolicLinkFact]
    public async Task Restore_TargetIsASymbolicLink_IsRefusedWithAClearMessage()
    {
        string store = _folder.Combine("store");
        Seed(store, "sqlite", 1);
        string archive = (await Ok("backup", "--store", store, "--output", "b.zip")).Stdout.Trim();
        string real = _folder.Combine("real");
        Directory.CreateDirectory(real);
        await File.WriteAllTextAsync(Path.Combine(real, "keep.txt"), "mine");
        string link = _folder.Combine("link");
        Directory.CreateSymbolicLink(link, real);

        foreach (var args in new[] { new[] { "restore", archive, "--target", link }, ["restore", archive, "--target", link, "--overwrite"] })
        {
            var refused = await Run(args);
            Assert.True(refused.ExitCode == 1, refused.ToString());
            Assert.Contains("is a symbolic link", refused.Stderr, StringComparison.Ordinal);
        }
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.True(File.Exists(Path.Combine(real, "keep.txt")));
    }
}
