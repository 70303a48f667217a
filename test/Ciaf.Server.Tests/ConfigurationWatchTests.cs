using Ciaf.Metadata;
using Ciaf.Server.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Ciaf.Server.Tests;

/// <summary>
/// The server reads its configuration files (appsettings*.json in the working folder, for Kestrel's settings) once: no
/// file watcher on the folder `ciaf serve` was started from. A file source that reloads on change is what asks its
/// folder's file provider to watch; none may.
/// </summary>
public sealed class ConfigurationWatchTests
{
    [Fact]
    public async Task Build_ConfigurationFiles_AreReadButNotWatched()
    {
        await using var host = await TestServerHost.StartAsync();
        var root = Assert.IsAssignableFrom<IConfigurationRoot>(host.App.Services.GetRequiredService<IConfiguration>());
        var files = root.Providers.OfType<FileConfigurationProvider>().ToList();
        // ASP.NET Core's appsettings.json and appsettings.{Environment}.json are still there (optional), read at start.
        Assert.Contains(files, f => f.Source.Path == "appsettings.json");
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} would be watched"));
    }

    [Fact]
    public async Task Build_ReloadAskedForExplicitly_StillWins()
    {
        // The default is only a default: an operator who passes the host setting gets what they asked for.
        var options = new CiafServerOptions { Storage = Ciaf.Metadata.MetadataStorage.Create(b => b.UseSqlite(Path.Combine(Path.GetTempPath(), "ciaf-watch-" + Guid.NewGuid().ToString("N")))) };
        try
        {
            await using var app = CiafServer.Build(options, args: [$"--{CiafServer.ReloadConfigOnChangeKey}=true"],
                configure: b => Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.UseTestServer(b.WebHost));
            var root = (IConfigurationRoot)app.Services.GetRequiredService<IConfiguration>();
            Assert.Contains(root.Providers.OfType<FileConfigurationProvider>(), f => f.Source.ReloadOnChange);
        }
        finally
        {
            string path = options.Storage.StoragePath;
            await options.Storage.DisposeAsync();
            Directory.Delete(path, recursive: true);
        }
    }
}
