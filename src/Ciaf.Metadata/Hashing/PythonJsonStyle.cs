namespace Ciaf.Metadata.Hashing;

/// <summary>Which of Python's <c>json.dumps</c> layouts <see cref="PythonJson"/> writes. All of them are ASCII-only (<c>ensure_ascii=True</c>).</summary>
public enum PythonJsonStyle
{
    /// <summary><c>json.dumps(obj)</c>: one line, <c>", "</c> and <c>": "</c>, keys in insertion order (the SQLite backend's <c>metadata_json</c>).</summary>
    Compact,
    /// <summary><c>json.dumps(obj, sort_keys=True)</c>: as <see cref="Compact"/> with keys sorted by code point (the hash pre-image).</summary>
    Canonical,
    /// <summary><c>json.dump(obj, f, indent=2)</c>: keys in insertion order (the JSON backend's record files).</summary>
    Indented,
    /// <summary>
    /// <c>json.dumps(obj, sort_keys=True, separators=(",", ":"))</c>: keys sorted, no spaces at all (the ledger's leaves
    /// and the content pre-images they hash).
    /// </summary>
    SortedMinimal,
}
