using System.Security.Cryptography;
using System.Text;
using Ciaf.Metadata.Storage;

namespace Ciaf.Metadata.Search;

/// <summary>
/// The declared-index service behind <c>storage.AddSearchIndex</c> and <c>ciaf index</c>. An index's path appears in
/// SQL text (an expression index is matched by its text, which a parameter cannot be), so only paths of plain
/// identifiers are indexable: the SQL they produce holds no character of the filter language that could quote.
/// </summary>
internal sealed class SearchIndexes(StoreCore core)
{
    /// <summary>The checked path, or an exception saying why it cannot be indexed.</summary>
    /// <exception cref="FilterSyntaxException">It is not a field.</exception>
    /// <exception cref="ArgumentException">It is a column, or has an array index or a key that is not an identifier.</exception>
    public static FilterField Indexable(string path)
    {
        var field = FilterParser.ParseField(path, FilterSchema.Records);
        if (!field.IsPath) throw new ArgumentException($"{field.Text} is a column; the tables index their columns already. Index a metadata path, e.g. metadata.performance.accuracy.", nameof(path));
        foreach (var segment in field.Path)
        {
            if (segment.IsIndex || !IsIdentifier(segment.Key!))
                throw new ArgumentException($"Only paths of plain keys (letters, digits, '_') can be indexed; {field.Text} has {(segment.IsIndex ? $"the array index [{segment.Index}]" : $"the key \"{segment.Key}\"")}.", nameof(path));
        }
        return field;
    }

    /// <summary>A short, stable index name for a path (PostgreSQL names are at most 63 bytes).</summary>
    public static string NameOf(FilterField field) =>
        "ix_ciaf_path_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(field.Text)).AsSpan(0, 8));

    private static bool IsIdentifier(string key) =>
        key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_') && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    public ValueTask<bool> AddAsync(string path, CancellationToken cancellationToken) => Backend().AddSearchIndexAsync(Indexable(path), cancellationToken);

    public ValueTask<bool> DropAsync(string path, CancellationToken cancellationToken) => Backend().DropSearchIndexAsync(Indexable(path), cancellationToken);

    public ValueTask<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => Backend().SearchIndexesAsync(cancellationToken);

    private ISearchIndexBackend Backend()
    {
        core.ThrowIfDisposed();
        return core.Backend as ISearchIndexBackend ?? throw new NotSupportedException(
            $"Indexes do not apply to the {core.Backend.Name} backend: it is searched in memory, record by record. Declared indexes are for sqlite and postgresql.");
    }
}
