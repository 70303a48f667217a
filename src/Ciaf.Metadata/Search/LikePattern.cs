using System.Text;

namespace Ciaf.Metadata.Search;

/// <summary>
/// A <c>LIKE</c> pattern: <c>%</c> any run of characters, <c>_</c> one character (a code point), <c>\</c> makes the next
/// character literal. <c>ILIKE</c> folds ASCII letters only, as SQLite's <c>LIKE</c> and PostgreSQL's <c>ILIKE</c> under
/// the C collation do, so every backend agrees.
/// </summary>
internal sealed class LikePattern
{
    private const int AnyOne = -1;
    private const int AnyRun = -2;

    private readonly int[] _items;
    private readonly bool _ignoreCase;

    private LikePattern(int[] items, bool ignoreCase)
    {
        _items = items;
        _ignoreCase = ignoreCase;
    }

    /// <summary>The pattern's items: code points, or the wildcards.</summary>
    /// <exception cref="ArgumentException">The pattern ends with a lone backslash.</exception>
    public static LikePattern Parse(string pattern, bool ignoreCase)
    {
        var items = new List<int>();
        var runes = pattern.EnumerateRunes().GetEnumerator();
        while (runes.MoveNext())
        {
            var r = runes.Current;
            if (r.Value == '\\')
            {
                if (!runes.MoveNext()) throw new ArgumentException("A LIKE pattern must not end with a lone backslash (write \\\\ for a backslash).", nameof(pattern));
                items.Add(Fold(runes.Current.Value, ignoreCase));
            }
            else if (r.Value == '%')
            {
                if (items.Count == 0 || items[^1] != AnyRun) items.Add(AnyRun);
            }
            else
            {
                items.Add(r.Value == '_' ? AnyOne : Fold(r.Value, ignoreCase));
            }
        }
        return new LikePattern([.. items], ignoreCase);
    }

    /// <summary>The SQLite <c>GLOB</c> pattern matching exactly what this (case-sensitive) pattern matches.</summary>
    public string ToGlob()
    {
        var glob = new StringBuilder();
        foreach (int item in _items)
        {
            switch (item)
            {
                case AnyRun: glob.Append('*'); break;
                case AnyOne: glob.Append('?'); break;
                case '*' or '?' or '[': glob.Append('[').Append((char)item).Append(']'); break;
                default: glob.Append(char.ConvertFromUtf32(item)); break;
            }
        }
        return glob.ToString();
    }

    /// <summary>Whether <paramref name="text"/> matches the whole pattern.</summary>
    public bool Matches(string text)
    {
        var chars = new List<int>(text.Length);
        foreach (var r in text.EnumerateRunes()) chars.Add(Fold(r.Value, _ignoreCase));
        // Greedy with one backtrack point (the last %): linear in practice, quadratic at worst, never exponential.
        int t = 0, p = 0, starP = -1, starT = 0;
        while (t < chars.Count)
        {
            if (p < _items.Length && (_items[p] == AnyOne || _items[p] == chars[t]))
            {
                p++;
                t++;
            }
            else if (p < _items.Length && _items[p] == AnyRun)
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }
        while (p < _items.Length && _items[p] == AnyRun) p++;
        return p == _items.Length;
    }

    private static int Fold(int c, bool ignoreCase) => ignoreCase && c is >= 'A' and <= 'Z' ? c + 32 : c;
}
