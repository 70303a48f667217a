using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Ciaf.Metadata.Hashing;

// The save path's fast lane: a payload of dictionaries, lists, anonymous objects and POCOs of plain values is written
// straight to its canonical text (hashed) and its compact text (stored), with no JsonObject built. Anything it does not
// handle exactly as ToJsonObject + PythonJson would (JSON nodes and elements, duplicate keys once converted to strings,
// converters of their own, getters that throw, cycles, too deep, values that cannot be stored) makes it give up, and
// the caller takes the node path, which also produces the error messages.
public static partial class MetadataConverter
{
    /// <summary>
    /// Writes <paramref name="payload"/> as <c>json.dumps(payload, sort_keys=True)</c> (hashed) and as
    /// <c>json.dumps(payload)</c> without building nodes; <c>false</c> when the payload needs <see cref="ToJsonObject"/>.
    /// </summary>
    /// <param name="payload">The caller's payload (not <c>null</c>).</param>
    /// <param name="compact">The compact text (ASCII bytes), keys in the payload's order.</param>
    /// <param name="canonicalLength">The length of the canonical text, in bytes (ASCII).</param>
    /// <param name="hash">SHA-256 (lowercase hex) of the canonical text.</param>
    /// <param name="wantCanonical">Whether to return <paramref name="canonical"/>.</param>
    /// <param name="canonical">
    /// With <paramref name="wantCanonical"/>, the pooled writer holding the canonical text (the ledger's content hash is
    /// derived from it without another walk), which the caller must <see cref="PythonJsonWriter.Return"/>; otherwise <c>null</c>.
    /// </param>
    /// <param name="leaveHashFrom">
    /// From this canonical length up, the text is not hashed here: <paramref name="hash"/> is empty and
    /// <paramref name="canonical"/> is returned whatever <paramref name="wantCanonical"/> says (a buffered save leaves a large
    /// record's hashes to the writer).
    /// </param>
    internal static bool TryWriteText(object payload, out byte[] compact, out int canonicalLength, out string hash,
        bool wantCanonical, out PythonJsonWriter? canonical, int leaveHashFrom = int.MaxValue)
    {
        canonical = null;
        compact = [];
        hash = string.Empty;
        canonicalLength = 0;
        if (payload is IEnumerable and not IDictionary || payload is ITuple || IsScalar(payload)) return false; // not an object
        var text = PythonJsonWriter.Rent();
        var sorted = PythonJsonWriter.Rent();
        var walk = new TextWalk(text);
        try
        {
            // One walk of the payload writes the compact text and notes where each value's text lies; the canonical
            // text is then assembled from those pieces with keys sorted (values are read and formatted once).
            if (!walk.Write(payload, level: 1)) return false;
            if (!walk.WriteCanonical(sorted)) return false;
            compact = text.Written.ToArray();
            canonicalLength = sorted.Written.Length;
            if (canonicalLength >= leaveHashFrom)
            {
                canonical = sorted;
                return true;
            }
            hash = PythonJson.HashOf(sorted.Written);
            if (wantCanonical) canonical = sorted;
            return true;
        }
        finally
        {
            walk.Dispose();
            if (canonical is null) sorted.Return();
            text.Return();
        }
    }

    // The plain values Convert turns into one JsonValue (written through it, so the text is the same by construction).
    private static bool IsScalar(object value) => value is string or bool or char or byte or sbyte or short or ushort or int or uint
        or long or ulong or BigInteger or Int128 or UInt128 or nint or nuint or double or float or Half or decimal or DateTimeOffset
        or DateTime or DateOnly or TimeOnly or TimeSpan or Guid or Enum or Uri or Version or byte[];

    /// <summary>
    /// The walk behind <see cref="TryWriteText"/>: writes the compact text and records, for every value, the node that
    /// says where its text lies, so the canonical text can be put together from the same bytes in key order.
    /// </summary>
    private sealed class TextWalk(PythonJsonWriter text) : IDisposable
    {
        private Node[] _nodes = ArrayPool<Node>.Shared.Rent(64);
        private int _count;

        public void Dispose() => ArrayPool<Node>.Shared.Return(_nodes, clearArray: true);

        // Members by key in code-point order: an insertion sort for the usual handful (Span.Sort would allocate a
        // comparison delegate per object), Span.Sort past that.
        private void SortByKey(Span<int> members)
        {
            if (members.Length > 16)
            {
                SortManyByKey(members);
                return;
            }
            var nodes = _nodes;
            for (int i = 1; i < members.Length; i++)
            {
                int member = members[i];
                int j = i - 1;
                for (; j >= 0 && PythonJson.CodePointComparer.Compare(nodes[members[j]].Key, nodes[member].Key) > 0; j--) members[j + 1] = members[j];
                members[j + 1] = member;
            }
        }

        // Apart, so that the comparison's closure is allocated only when it is used (a closure over a local is created
        // where the local is declared, on every call of the method that declares it).
        private void SortManyByKey(Span<int> members)
        {
            var nodes = _nodes;
            members.Sort((a, b) => PythonJson.CodePointComparer.Compare(nodes[a].Key, nodes[b].Key));
        }

        /// <summary>A value's text in the compact output; a container's members follow it (each with its key for an object).</summary>
        private struct Node
        {
            public int Start, End;   // the value's text
            public int Members;      // how many direct members (containers)
            public int Next;         // the node after this value's whole subtree
            public string? Key;      // the member's key, when inside an object
            public byte[]? KeyText;  // the key as a JSON string literal, when the type's contract has it ready
            public bool IsObject, InOrder; // InOrder: the canonical text of the subtree is the compact text
        }

        private int Add(string? key, byte[]? keyText = null)
        {
            if (_count == _nodes.Length)
            {
                var bigger = ArrayPool<Node>.Shared.Rent(_nodes.Length * 2);
                _nodes.AsSpan(0, _count).CopyTo(bigger);
                ArrayPool<Node>.Shared.Return(_nodes, clearArray: true);
                _nodes = bigger;
            }
            _nodes[_count] = new Node { Key = key, KeyText = keyText, Start = text.Written.Length, InOrder = true };
            return _count++;
        }

        private bool End(int node, bool ok)
        {
            _nodes[node].End = text.Written.Length;
            _nodes[node].Next = _count;
            return ok;
        }

        public bool Write(object? value, int level, string? key = null, byte[]? keyText = null)
        {
            int node = Add(key, keyText);
            switch (value)
            {
                case null: text.WriteRaw("null"u8); return End(node, true);
                case string s: text.WriteString(s); return End(node, true);
                case bool b: text.WriteRaw(b ? "true"u8 : "false"u8); return End(node, true);
                case int i: text.WriteInteger(i); return End(node, true);
                case long l: text.WriteInteger(l); return End(node, true);
                case double d: text.WriteFloat(d); return End(node, true);
                case float f: text.WriteFloat(f); return End(node, true);
                case JsonNode or JsonElement or JsonDocument: return false;
            }
            if (IsScalar(value))
            {
                text.WriteNode(ToJsonNode(value), PythonJsonStyle.Compact, 0);
                return End(node, true);
            }
            if (level > MaxDepth) return false;
            switch (value)
            {
                // The usual dictionary, enumerated without boxing an entry per member (IDictionary's enumerator does).
                case Dictionary<string, object?> strings: return End(node, WriteDictionary(node, strings, level));
                case IDictionary dictionary: return End(node, WriteDictionary(node, dictionary, level));
                case ITuple tuple:
                {
                    text.WriteRaw("["u8);
                    for (int i = 0; i < tuple.Length; i++)
                    {
                        if (i > 0) text.WriteRaw(", "u8);
                        if (!Write(tuple[i], level + 1)) return false;
                        _nodes[node].Members++;
                    }
                    text.WriteRaw("]"u8);
                    return End(node, true);
                }
                // An array of references (object[], string[], anonymous objects...), read by index: no enumerator.
                case object?[] items:
                {
                    text.WriteRaw("["u8);
                    for (int i = 0; i < items.Length; i++)
                    {
                        if (i > 0) text.WriteRaw(", "u8);
                        if (!Write(items[i], level + 1)) return false;
                        _nodes[node].Members++;
                    }
                    text.WriteRaw("]"u8);
                    return End(node, true);
                }
                // A stored collection, not a lazy sequence that could yield something else when read again.
                case IEnumerable when IsPairSequence(value.GetType()) || value is not ICollection: return false;
                case IEnumerable enumerable:
                {
                    text.WriteRaw("["u8);
                    foreach (var item in enumerable)
                    {
                        if (_nodes[node].Members > 0) text.WriteRaw(", "u8);
                        if (!Write(item, level + 1)) return false;
                        _nodes[node].Members++;
                    }
                    text.WriteRaw("]"u8);
                    return End(node, true);
                }
                case Delegate or Stream or System.Reflection.MemberInfo or System.Reflection.Assembly or Task or ValueTask
                    or CancellationToken or WaitHandle or Thread:
                    return false;
                default:
                    return End(node, WriteObject(node, value, level));
            }
        }

        private bool WriteDictionary(int node, Dictionary<string, object?> dictionary, int level)
        {
            _nodes[node].IsObject = true;
            text.WriteRaw("{"u8);
            foreach (var (key, member) in dictionary)
            {
                if (!WriteMember(node, key, member, level)) return false;
            }
            text.WriteRaw("}"u8);
            return true;
        }

        private bool WriteDictionary(int node, IDictionary dictionary, int level)
        {
            _nodes[node].IsObject = true;
            text.WriteRaw("{"u8);
            foreach (DictionaryEntry entry in dictionary)
            {
                string key = entry.Key as string ?? System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                if (!WriteMember(node, key, entry.Value, level)) return false;
            }
            text.WriteRaw("}"u8);
            return true;
        }

        private bool WriteObject(int node, object value, int level)
        {
            if (PropertyOrders.GetValue(value.GetType(), PropertyOrder.Of) is not { Stored: true } properties) return false;
            _nodes[node].IsObject = true;
            text.WriteRaw("{"u8);
            var declared = properties.Declared;
            var readers = properties.Readers;
            for (int p = 0; p < declared.Length; p++)
            {
                var property = declared[p];
                var (typed, keyText) = readers[p];
                if (typed is not null)
                {
                    try
                    {
                        WriteScalarMember(node, property.Name, keyText, typed, value);
                    }
                    catch (Exception)
                    {
                        return false;
                    }
                    continue;
                }
                object? propertyValue;
                try
                {
                    propertyValue = property.Get!(value);
                }
                catch (Exception)
                {
                    return false;
                }
                if (propertyValue is null && property.ShouldSerialize is { } should && !should(value, null)) continue;
                if (!WriteMember(node, property.Name, propertyValue, level, keyText)) return false;
            }
            text.WriteRaw("}"u8);
            return true;
        }

        // A double, integer or boolean member read through its typed reader: the text Write gives its boxed value.
        private void WriteScalarMember(int node, string key, byte[] keyText, Delegate reader, object instance)
        {
            WriteKey(node, key, keyText);
            int child = Add(key, keyText);
            switch (reader)
            {
                case Func<object, double> d: text.WriteFloat(d(instance)); break;
                case Func<object, long> l: text.WriteInteger(l(instance)); break;
                case Func<object, bool> b: text.WriteRaw(b(instance) ? "true"u8 : "false"u8); break;
            }
            End(child, true);
            _nodes[node].Members++;
        }

        private bool WriteMember(int node, string key, object? value, int level, byte[]? keyText = null)
        {
            WriteKey(node, key, keyText);
            if (!Write(value, level + 1, key, keyText)) return false;
            _nodes[node].Members++;
            return true;
        }

        // keyText: the key already written as a JSON string literal (a type's member name), else null.
        private void WriteKey(int node, string key, byte[]? keyText)
        {
            if (_nodes[node].Members > 0) text.WriteRaw(", "u8);
            if (keyText is null) text.WriteString(key);
            else text.WriteRaw(keyText);
            text.WriteRaw(": "u8);
        }

        /// <summary>
        /// Writes the canonical text of what <see cref="Write"/> wrote; <c>false</c> for two keys of an object that are
        /// equal once converted to strings (the node path keeps one of them).
        /// </summary>
        public bool WriteCanonical(PythonJsonWriter canonical)
        {
            SetOrder(0);
            return WriteCanonical(canonical, 0);
        }

        /// <summary>
        /// Node <paramref name="index"/>'s canonical text: its compact bytes where nothing below it is out of key order,
        /// else its members in code-point order of their keys.
        /// </summary>
        private bool WriteCanonical(PythonJsonWriter canonical, int index)
        {
            ref var node = ref _nodes[index];
            if (node.InOrder || node.Members == 0)
            {
                canonical.WriteRaw(text.Written[node.Start..node.End]);
                return true;
            }
            var members = ArrayPool<int>.Shared.Rent(node.Members);
            try
            {
                int n = 0;
                for (int child = index + 1; n < node.Members; child = _nodes[child].Next) members[n++] = child;
                var span = members.AsSpan(0, n);
                bool isObject = node.IsObject;
                if (isObject)
                {
                    SortByKey(span);
                    for (int i = 1; i < span.Length; i++)
                    {
                        if (string.Equals(_nodes[span[i - 1]].Key, _nodes[span[i]].Key, StringComparison.Ordinal)) return false;
                    }
                }
                canonical.WriteRaw(isObject ? "{"u8 : "["u8);
                for (int i = 0; i < span.Length; i++)
                {
                    if (i > 0) canonical.WriteRaw(", "u8);
                    if (isObject)
                    {
                        ref var member = ref _nodes[span[i]];
                        if (member.KeyText is { } keyText) canonical.WriteRaw(keyText);
                        else canonical.WriteString(member.Key!);
                        canonical.WriteRaw(": "u8);
                    }
                    if (!WriteCanonical(canonical, span[i])) return false;
                }
                canonical.WriteRaw(isObject ? "}"u8 : "]"u8);
                return true;
            }
            finally
            {
                ArrayPool<int>.Shared.Return(members);
            }
        }

        /// <summary>
        /// Works out <see cref="Node.InOrder"/> bottom-up: strictly increasing keys all the way down. Equal keys count as out
        /// of order, so <see cref="WriteCanonical(PythonJsonWriter, int)"/> sorts them and finds the duplicate.
        /// </summary>
        private void SetOrder(int index)
        {
            ref var node = ref _nodes[index];
            bool inOrder = true;
            string? previous = null;
            int n = 0;
            for (int child = index + 1; n < node.Members; child = _nodes[child].Next, n++)
            {
                SetOrder(child);
                inOrder &= _nodes[child].InOrder;
                if (!node.IsObject) continue;
                string key = _nodes[child].Key!;
                if (previous is not null && PythonJson.CodePointComparer.Compare(previous, key) >= 0) inOrder = false;
                previous = key;
            }
            node.InOrder = inOrder;
        }
    }

    // Looked up once per object written: the contract's own cache (GetTypeInfo) costs more than this table.
    private static readonly ConditionalWeakTable<Type, PropertyOrder?> PropertyOrders = new();

    /// <summary>
    /// The cached object contract of <paramref name="type"/> (its readable members in declaration order), or <c>null</c>
    /// when System.Text.Json has no object contract for it. Shared with capture scopes, which read a payload's members
    /// through the same contract the fast lane writes them with.
    /// </summary>
    internal static PropertyOrder? ObjectContract(Type type) => PropertyOrders.GetValue(type, PropertyOrder.Of);

    /// <summary>How System.Text.Json writes <paramref name="type"/> (an object, a collection, a dictionary, or a value of its own converter); <c>null</c> when it cannot.</summary>
    internal static JsonTypeInfoKind? ContractKind(Type type)
    {
        try
        {
            return ContractOptions.GetTypeInfo(type).Kind;
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private static bool IsStored(JsonPropertyInfo property) => property.AttributeProvider switch
    {
        System.Reflection.FieldInfo => true,
        System.Reflection.PropertyInfo p => p.DeclaringType?.GetField($"<{p.Name}>k__BackingField",
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic) is not null,
        _ => false,
    };

    /// <summary>A type's readable properties in declaration order, worked out once.</summary>
    internal sealed class PropertyOrder(JsonTypeInfo info)
    {
        /// <summary>
        /// The order for <paramref name="type"/>, or <c>null</c> when the fast lane does not write it: System.Text.Json
        /// has no object contract for it (a converter of its own, or no contract at all).
        /// </summary>
        public static PropertyOrder? Of(Type type)
        {
            try
            {
                var info = ContractOptions.GetTypeInfo(type);
                return info.Kind == JsonTypeInfoKind.Object ? new PropertyOrder(info) : null;
            }
            catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException)
            {
                return null;
            }
        }

        /// <summary>
        /// Whether every member is a stored value (a field, an auto-property, an anonymous type's member), so the two passes
        /// read the same values; a computed property (<c>DateTime.UtcNow</c>, a counter) could differ between them.
        /// </summary>
        public bool Stored { get; } = IsAnonymous(info.Type) || info.Properties.All(p => p.Get is null || IsStored(p));

        public JsonPropertyInfo[] Declared { get; } = [.. info.Properties.Where(p => p.Get is not null)];

        /// <summary>
        /// For each of <see cref="Declared"/>: a typed reader when the member is a <c>double</c>, <c>int</c>, <c>long</c>
        /// or <c>bool</c> (read without boxing: <see cref="JsonPropertyInfo.Get"/> boxes every value, most of a payload's
        /// allocations), else <c>null</c>; and its name as a JSON string literal (<c>ensure_ascii</c>), written once per
        /// type rather than twice per instance.
        /// </summary>
        internal (Delegate? Typed, byte[] KeyText)[] Readers => _readers ??= [.. Declared.Select(p => (TypedReader(info.Type, p), KeyText(p.Name)))];

        // Built on first use (capture scopes read contracts without writing); two threads racing build equal arrays.
        private (Delegate? Typed, byte[] KeyText)[]? _readers;

        private static byte[] KeyText(string name)
        {
            var w = PythonJsonWriter.Rent();
            try
            {
                w.WriteString(name);
                return w.Written.ToArray();
            }
            finally
            {
                w.Return();
            }
        }

        private static Delegate? TypedReader(Type declaring, JsonPropertyInfo property)
        {
            if (property.CustomConverter is not null || property.AttributeProvider is not System.Reflection.MemberInfo member) return null;
            Type? target = property.PropertyType == typeof(double) ? typeof(double)
                : property.PropertyType == typeof(int) || property.PropertyType == typeof(long) ? typeof(long)
                : property.PropertyType == typeof(bool) ? typeof(bool)
                : null;
            if (target is null || member is not (System.Reflection.PropertyInfo { GetMethod: not null } or System.Reflection.FieldInfo)) return null;
            try
            {
                var instance = System.Linq.Expressions.Expression.Parameter(typeof(object));
                var typed = declaring.IsValueType
                    ? System.Linq.Expressions.Expression.Unbox(instance, declaring)
                    : (System.Linq.Expressions.Expression)System.Linq.Expressions.Expression.Convert(instance, declaring);
                var read = System.Linq.Expressions.Expression.MakeMemberAccess(typed, member);
                var body = read.Type == target ? (System.Linq.Expressions.Expression)read : System.Linq.Expressions.Expression.Convert(read, target);
                return System.Linq.Expressions.Expression.Lambda(typeof(Func<,>).MakeGenericType(typeof(object), target), body, instance).Compile();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException or MemberAccessException)
            {
                return null; // read boxed, as before
            }
        }

        /// <summary>
        /// Whether <c>JsonSerializer</c> writes an instance as its members' own values under their names: no member has a
        /// converter or number handling of its own or collects extension data, and the type has no number handling,
        /// polymorphism (a <c>$type</c> discriminator) or serialization callback. (The converter ignores all of these.)
        /// </summary>
        public bool SerializedAsDeclared { get; } = info.NumberHandling is null && info.PolymorphismOptions is null && info.OnSerializing is null
            && info.Properties.All(p => p.CustomConverter is null && p.NumberHandling is null && !p.IsExtensionData);
    }
}
