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

    private static readonly Lazy<JsonObject> LazyExpected = new(() =>
        PythonJson.Parse(File.ReadAllBytes(Path.Combine(StoresPath, "EXPECTED.json")))!.AsObject());
}
