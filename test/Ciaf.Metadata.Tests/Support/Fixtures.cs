using System.Text.Json.Nodes;

namespace Ciaf.Metadata.Tests.Support;

/// <summary>The Python reference's stores and EXPECTED.json, copied into the test output.</summary>
internal static class Fixtures
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pyciaf-stores");

    private static readonly Lazy<JsonObject> LazyExpected = new(() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "EXPECTED.json")))!);

    public static JsonObject Expected => LazyExpected.Value;

    public static IEnumerable<JsonObject> ExpectedRecords => Expected["records"]!.AsArray().Select(n => n!.AsObject());

    public static IEnumerable<JsonObject> ExpectedComplianceEvents => Expected["compliance_events"]!.AsArray().Select(n => n!.AsObject());

    /// <summary>Copies one of the fixture stores (json, sqlite, pickle, ...) into <paramref name="target"/>.</summary>
    public static void CopyStore(string store, string target)
    {
        string source = Path.Combine(Root, store);
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, dir)));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)), overwrite: true);
    }
}
