using System.Security.Cryptography;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Ciaf.Metadata.Tests.Ledger;

public sealed class LedgerKeysTests
{
    [Fact]
    public void Create_NewPath_WritesOwnerOnlyPkcs8PemThatLoadsBack()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("keys", "ledger.pem");
        using var key = LedgerKeys.Create(path);

        string text = File.ReadAllText(path);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", text, StringComparison.Ordinal);
        Assert.EndsWith("-----END PRIVATE KEY-----\n", text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["ledger.pem"], Directory.GetFiles(temp.Combine("keys")).Select(Path.GetFileName));
        using var loaded = LedgerKeys.LoadPrivate(path);
        Assert.Equal(LedgerKeys.KeyId(key), LedgerKeys.KeyId(loaded));
        Assert.Equal(256, loaded.KeySize);
    }

    [Fact]
    public void Create_ExistingFile_RefusesAndLeavesItUnchanged()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("ledger.pem");
        File.WriteAllText(path, "precious");
        var e = Assert.Throws<IOException>(() => LedgerKeys.Create(path));
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [SkippableFact]
    public void LoadPrivate_ReadableByOthers_LoadsWithAWarning()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix permissions only");
        using var temp = new TempDirectory();
        string path = temp.Combine("ledger.pem");
        LedgerKeys.Create(path).Dispose();
        var logger = new ListLogger();
        LedgerKeys.LoadPrivate(path, logger).Dispose();
        Assert.Empty(logger.Messages);

        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.OtherRead);
        LedgerKeys.LoadPrivate(path, logger).Dispose();
        var warning = Assert.Single(logger.Messages);
        Assert.Contains("chmod 600", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPrivate_PublicOrForeignKeys_AreRefusedClearly()
    {
        using var temp = new TempDirectory();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string publicPath = temp.Combine("public.pem");
        File.WriteAllText(publicPath, LedgerKeys.PublicPem(key));
        Assert.Contains("public key", Assert.Throws<InvalidDataException>(() => LedgerKeys.LoadPrivate(publicPath)).Message, StringComparison.Ordinal);

        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        string p384Path = temp.Combine("p384.pem");
        File.WriteAllText(p384Path, p384.ExportPkcs8PrivateKeyPem());
        Assert.Contains("P-256", Assert.Throws<InvalidDataException>(() => LedgerKeys.LoadPrivate(p384Path)).Message, StringComparison.Ordinal);

        string garbage = temp.Combine("garbage.pem");
        File.WriteAllText(garbage, "not a key");
        Assert.Throws<InvalidDataException>(() => LedgerKeys.LoadPrivate(garbage));
        Assert.Throws<FileNotFoundException>(() => LedgerKeys.LoadPrivate(temp.Combine("missing.pem")));
    }

    [Fact]
    public void LoadPublic_PemTextPathOrPrivateKey_KeepsOnlyThePublicHalf()
    {
        using var temp = new TempDirectory();
        string privatePath = temp.Combine("ledger.pem");
        using var key = LedgerKeys.Create(privatePath);
        string pem = LedgerKeys.PublicPem(key);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\n", pem, StringComparison.Ordinal);
        string publicPath = temp.Combine("public.pem");
        File.WriteAllText(publicPath, pem);

        foreach (string source in new[] { pem, publicPath, privatePath })
        {
            using var loaded = LedgerKeys.LoadPublic(source);
            Assert.Equal(LedgerKeys.KeyId(key), LedgerKeys.KeyId(loaded));
            Assert.ThrowsAny<CryptographicException>(() => loaded.ExportParameters(includePrivateParameters: true));
        }
    }

    [Fact]
    public void KeyId_IsTheFirstFourBytesOfTheSpkiSha256()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] id = LedgerKeys.KeyId(key);
        Assert.Equal(4, id.Length);
        Assert.Equal(SHA256.HashData(key.ExportSubjectPublicKeyInfo())[..4], id);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
