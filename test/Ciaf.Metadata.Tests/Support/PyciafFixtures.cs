using System.Text.Json.Nodes;
using Ciaf.Metadata.Hashing;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>The stores the Python reference wrote (Fixtures/pyciaf-stores) and its EXPECTED.json.</summary>
public static class PyciafFixtures
{
    /// <summary>The folder holding the reference's stores.</summary>
    public static string StoresPath { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pyciaf-stores");

    /// <summary>The path of one store (<c>json</c>, <c>pickle</c>, <c>sqlite</c>, ...).</summary>
    public static string Store(string name) => Path.Combine(StoresPath, name);

    /// <summary>EXPECTED.json, parsed with Python's JSON rules (exact integers, NaN and Infinity allowed).</summary>
    public static JsonObject Expected => LazyExpected.Value.DeepClone().AsObject();

    /// <summary>EXPECTED.json without a copy, for tests that only read it.</summary>
    public static JsonObject ExpectedShared => LazyExpected.Value;

    /// <summary>Every record of EXPECTED.json, in save order.</summary>
    public static IEnumerable<JsonObject> ExpectedRecords => ExpectedShared["records"]!.AsArray().Select(n => n!.AsObject());

    /// <summary>Every compliance event of EXPECTED.json.</summary>
    public static IEnumerable<JsonObject> ExpectedComplianceEvents => ExpectedShared["compliance_events"]!.AsArray().Select(n => n!.AsObject());

    /// <summary>Copies one of the reference's stores (json, sqlite, pickle, ...) into <paramref name="target"/>.</summary>
    public static void CopyStore(string store, string target)
    {
        string source = Store(store);
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, dir)));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)), overwrite: true);
    }

    private static readonly Lazy<JsonObject> LazyExpected = new(() =>
        PythonJson.Parse(File.ReadAllBytes(Path.Combine(StoresPath, "EXPECTED.json")))!.AsObject());
}
