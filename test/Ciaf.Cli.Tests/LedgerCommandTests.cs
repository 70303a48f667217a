using System.Security.Cryptography;
using System.Text;
using Ciaf.Cli.Tests.Support;
using Ciaf.Metadata.Ledger;

namespace Ciaf.Cli.Tests;

/// <summary><c>ciaf ledger key create|public</c> and <c>ciaf verify-receipt</c> (offline: no store is opened).</summary>
public sealed class LedgerCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> Run(params string[] args) => CiafTool.RunAsync(_folder.Path, args);

    private Task<CliResult> Ok(params string[] args) => CiafTool.OkAsync(_folder.Path, args);

    [Fact]
    public async Task KeyCreate_DefaultPath_WritesOwnerOnlyKeyAndPrintsItsPublicPem()
    {
        var created = await Ok("ledger", "key", "create");
        string file = _folder.Combine("ciaf_ledger_key.pem");
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(file), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\n", created.Stdout, StringComparison.Ordinal);
        Assert.Contains(file, created.Stderr, StringComparison.Ordinal);

        using var key = LedgerKeys.LoadPrivate(file);
        Assert.Equal(LedgerKeys.PublicPem(key), created.Stdout);
        var shown = await Ok("ledger", "key", "public");
        Assert.Equal(created.Stdout, shown.Stdout);

        var json = (await Ok("ledger", "key", "public", "--json")).Json();
        Assert.Equal(file, (string?)json["path"]);
        Assert.Equal(Convert.ToHexStringLower(LedgerKeys.KeyId(key)), (string?)json["key_id"]);
        Assert.Equal(created.Stdout, (string?)json["public_key"]);
    }

    [Fact]
    public async Task KeyCreate_PathFromArgumentOrEnvironment_ArgumentWins()
    {
        var environment = new Dictionary<string, string> { ["CIAF_LEDGER_KEY_PATH"] = "keys/from-env.pem" };
        var fromEnv = await CiafTool.RunAsync(_folder.Path, environment, "ledger", "key", "create");
        Assert.True(fromEnv.ExitCode == 0, fromEnv.ToString());
        Assert.True(File.Exists(_folder.Combine("keys", "from-env.pem")));

        var fromArg = await CiafTool.RunAsync(_folder.Path, environment, "ledger", "key", "create", "given.pem");
        Assert.True(fromArg.ExitCode == 0, fromArg.ToString());
        Assert.True(File.Exists(_folder.Combine("given.pem")));

        var shown = await CiafTool.RunAsync(_folder.Path, environment, "ledger", "key", "public");
        Assert.Equal(fromEnv.Stdout, shown.Stdout);
        Assert.NotEqual(fromEnv.Stdout, (await Ok("ledger", "key", "public", "--key", "given.pem")).Stdout);
    }

    [Fact]
    public async Task KeyCreate_ExistingFile_FailsAndKeepsIt()
    {
        await Ok("ledger", "key", "create", "k.pem");
        string before = File.ReadAllText(_folder.Combine("k.pem"));
        var again = await Run("ledger", "key", "create", "k.pem");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(_folder.Combine("k.pem")));
    }

    [Fact]
    public async Task KeyPublic_NoKeyFile_FailsSayingHowToCreateOne()
    {
        var result = await Run("ledger", "key", "public");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ciaf ledger key create", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyReceipt_GenuineReceipt_Exit0WithoutOpeningAnyStore()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string receipt = WriteReceipt(key, SignedReceipt(key));
        string pem = WritePublicKey(key);
        // A configured store that does not exist: the command must not create or open it.
        string store = _folder.Combine("no-store");
        var result = await Ok("verify-receipt", receipt, "--key", pem, "--id", "rec-5", "--store", store, "--backend", "sqlite");
        Assert.StartsWith("OK: record 'rec-5' is leaf 5 of the log of 8 leaves", result.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(store));

        var json = (await Ok("verify-receipt", receipt, "--key", pem, "--json")).Json();
        Assert.True((bool)json["valid"]!);
        Assert.Equal(5, (long)json["leaf_index"]!);
        Assert.Equal("rec-5", (string?)json["id"]);
        Assert.Empty(json["failures"]!.AsArray());
    }

    [Fact]
    public async Task VerifyReceipt_TamperedWrongIdOrOtherKey_Exit1ListingFailures()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var genuine = SignedReceipt(key);
        string pem = WritePublicKey(key);

        var tampered = await Run("verify-receipt", WriteReceipt(key, genuine with { Leaf = genuine.Leaf.Replace("rec-5", "rec-6", StringComparison.Ordinal) }), "--key", pem);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("INVALID", tampered.Stdout, StringComparison.Ordinal);
        Assert.Contains("inclusion", tampered.Stdout, StringComparison.Ordinal);

        var wrongId = await Run("verify-receipt", WriteReceipt(key, genuine), "--key", pem, "--id", "rec-4", "--json");
        Assert.Equal(1, wrongId.ExitCode);
        Assert.Contains("names id 'rec-5', not 'rec-4'", wrongId.Json()["failures"]![0]!.ToString(), StringComparison.Ordinal);

        var otherKey = await Run("verify-receipt", WriteReceipt(key, genuine), "--key", WritePublicKey(other));
        Assert.Equal(1, otherKey.ExitCode);
        Assert.Contains("checkpoint signature", otherKey.Stdout, StringComparison.Ordinal);

        string malformed = _folder.Combine("malformed.json");
        File.WriteAllText(malformed, "{\"leaf\": 1}");
        var notReceipt = await Run("verify-receipt", malformed, "--key", pem);
        Assert.Equal(1, notReceipt.ExitCode);
        Assert.Contains("Not a ledger receipt", notReceipt.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyReceipt_MissingFilesOrBadKey_Exit2()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string receipt = WriteReceipt(key, SignedReceipt(key));
        string garbage = _folder.Combine("garbage.pem");
        File.WriteAllText(garbage, "not a key");

        Assert.Equal(2, (await Run("verify-receipt", _folder.Combine("missing.json"), "--key", WritePublicKey(key))).ExitCode);
        Assert.Equal(2, (await Run("verify-receipt", receipt, "--key", _folder.Combine("missing.pem"))).ExitCode);
        Assert.Equal(2, (await Run("verify-receipt", receipt)).ExitCode);
        var bad = await Run("verify-receipt", receipt, "--key", garbage);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("P-256", bad.Stderr, StringComparison.Ordinal);
    }

    private static LedgerReceipt SignedReceipt(ECDsa key)
    {
        var log = new MerkleLog();
        for (int i = 0; i < 8; i++) log.Append(Encoding.UTF8.GetBytes(Leaf(i)));
        var checkpoint = LedgerCheckpoint.Sign("cli-test", log.Size, log.RootHash(), key);
        return LedgerReceipt.Create(Leaf(5), 5, log.InclusionProof(5), checkpoint);
    }

    private static string Leaf(int seq) => $"{{\"id\":\"rec-{seq}\",\"kind\":\"record\",\"seq\":{seq}}}";

    private string WriteReceipt(ECDsa key, LedgerReceipt receipt)
    {
        string file = _folder.Combine($"receipt-{Convert.ToHexStringLower(LedgerKeys.KeyId(key))}-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, receipt.ToJson());
        return file;
    }

    private string WritePublicKey(ECDsa key)
    {
        string file = _folder.Combine($"public-{Convert.ToHexStringLower(LedgerKeys.KeyId(key))}.pem");
        File.WriteAllText(file, LedgerKeys.PublicPem(key));
        return file;
    }
}
