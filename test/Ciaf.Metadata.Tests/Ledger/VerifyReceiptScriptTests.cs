using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ciaf.Metadata.Ledger;
using Ciaf.Metadata.Tests.Support;

namespace Ciaf.Metadata.Tests.Ledger;

/// <summary>
/// docs/tools/verify_receipt.py, the auditor's independent verifier (Python + cryptography, no CIAF code), against
/// receipts this library writes: genuine ones pass, each kind of tampering fails.
/// </summary>
public sealed class VerifyReceiptScriptTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _key.Dispose();
        _temp.Dispose();
    }

    [SkippableFact]
    public void Script_GenuineReceipts_AreValid()
    {
        PythonCryptography.Require();
        foreach (var (size, index) in new[] { (1, 0), (2, 1), (13, 9), (64, 0), (1000, 999), (1000, 517) })
        {
            var (receipt, _) = LedgerReceiptTests.SignedReceipt(_key, size, index);
            var (exit, stdout, stderr) = Verify(receipt.ToJson(), "--id", $"rec-{index}");
            Assert.True(exit == 0, $"size {size} index {index}: exit {exit}\n{stdout}\n{stderr}");
            Assert.Contains($"OK: leaf {index} (record rec-{index})", stdout, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public void Script_TamperedReceipts_AreInvalid()
    {
        PythonCryptography.Require();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (receipt, log) = LedgerReceiptTests.SignedReceipt(_key, 13, 9);
        string[] path = [.. receipt.InclusionPath];
        path[1] = (path[1][0] == 'a' ? "b" : "a") + path[1][1..];
        string checkpoint = receipt.Checkpoint;
        int signatureStart = checkpoint.LastIndexOf(' ') + 1;
        char c = checkpoint[signatureStart + 12];
        string badSignature = checkpoint[..(signatureStart + 12)] + (c == 'A' ? 'B' : 'A') + checkpoint[(signatureStart + 13)..];
        var cases = new (string What, LedgerReceipt Receipt, string Expected)[]
        {
            ("leaf", receipt with { Leaf = receipt.Leaf.Replace("rec-9", "rec-X", StringComparison.Ordinal) }, "INVALID: inclusion"),
            ("path", receipt with { InclusionPath = path }, "INVALID: inclusion"),
            ("root", receipt with { RootHash = Convert.ToHexStringLower(log.RootHash(12)) }, "INVALID: checkpoint: it signs another"),
            ("signature", receipt with { Checkpoint = badSignature }, "INVALID: checkpoint signature"),
            ("size in note", receipt with { Checkpoint = checkpoint.Replace("\n13\n", "\n14\n", StringComparison.Ordinal) }, "INVALID: checkpoint signature"),
            ("other signer", receipt with { Checkpoint = LedgerCheckpoint.Sign("test-store", 13, log.RootHash(), other).Text }, "key id"),
            ("index", receipt with { LeafIndex = 8 }, "INVALID"),
        };
        foreach (var (what, tampered, expected) in cases)
        {
            var (exit, stdout, stderr) = Verify(tampered.ToJson());
            Assert.True(exit == 1, $"{what}: exit {exit}\n{stdout}\n{stderr}");
            Assert.Contains(expected, stdout, StringComparison.Ordinal);
        }

        var (wrongId, idOut, _) = Verify(receipt.ToJson(), "--id", "rec-8");
        Assert.Equal(1, wrongId);
        Assert.Contains("names id 'rec-9', not 'rec-8'", idOut, StringComparison.Ordinal);

        var json = JsonNode.Parse(receipt.ToJson())!.AsObject();
        json.Remove("root_hash");
        var (malformed, malformedOut, _) = Verify(json.ToJsonString());
        Assert.Equal(1, malformed);
        Assert.Contains("receipt: malformed", malformedOut, StringComparison.Ordinal);

        File.WriteAllText(_temp.Combine("garbage.pem"), "not a key");
        Assert.Equal(2, PythonCryptography.Run([Script, Write(receipt.ToJson()), _temp.Combine("garbage.pem")]).ExitCode);
    }

    private (int ExitCode, string Stdout, string Stderr) Verify(string receiptJson, params string[] extra)
    {
        string pem = _temp.Combine("public.pem");
        File.WriteAllText(pem, LedgerKeys.PublicPem(_key));
        return PythonCryptography.Run([Script, Write(receiptJson), pem, .. extra]);
    }

    private string Write(string receiptJson)
    {
        string file = _temp.Combine($"receipt-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, receiptJson);
        return file;
    }

    private static string Script
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "CiafMetadata.slnx"))) dir = Path.GetDirectoryName(dir);
            return Path.Combine(dir ?? throw new InvalidOperationException("repository root not found"), "docs", "tools", "verify_receipt.py");
        }
    }
}
