using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ciaf.Server.Hosting;

/// <summary>
/// Where the server keeps the key ring that protects dashboard sessions, anti-forgery tokens and OIDC sign-in state:
/// the store's own state by default, so several instances serving one store share it with no setup; a folder when
/// <see cref="CiafServerOptions.DataProtectionKeysPath"/> says so (or the store cannot keep state: then ASP.NET Core's
/// default, per machine, and a warning at start).
/// </summary>
internal static class DataProtectionSetup
{
    /// <summary>
    /// The application name every instance protects with. ASP.NET Core's default is the content root path, which differs
    /// between machines and would keep instances sharing one key ring from reading each other's cookies.
    /// </summary>
    public const string ApplicationName = "ciaf-server";

    public static void Configure(IServiceCollection services, CiafServerOptions options)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName);
        if (options.DataProtectionKeysPath is { } folder)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(folder));
        }
        else if (options.Storage.ServerKeyRing.IsAvailable)
        {
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(o =>
                o.XmlRepository = new StoreXmlRepository(options.Storage.ServerKeyRing, provider.GetRequiredService<ILogger<StoreXmlRepository>>())));
        }
    }

    /// <summary>Where the key ring is, for the start-up log.</summary>
    public static string Describe(CiafServerOptions options) =>
        options.DataProtectionKeysPath is { } folder ? $"the folder {folder}"
        : options.Storage.ServerKeyRing.IsAvailable ? $"the store ({(options.Storage.ServerKeyRing.IsSealed ? "sealed with the store key" : "not sealed: the store does not encrypt")})"
        : "ASP.NET Core's default for this machine (the store cannot keep it; set server_data_protection_keys_path to share it between instances)";
}
