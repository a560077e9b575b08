using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace IoTRoutes.Core.Workflows.Engine;

/// <summary>
/// A few fields in their order, as two arrays: what the runner makes of each message (a telemetry message has a dozen
/// fields, read by name a few times by a workflow's nodes, then dropped). Finding a name by a scan costs no more than a
/// hash lookup at this size, and making one hashes nothing and allocates a third of a dictionary. Beyond
/// <see cref="MostFields"/> fields a <see cref="Dictionary{TKey,TValue}"/> is the better choice: <see cref="IsFull"/> says when.
/// </summary>
/// <remarks>
/// Filled by its maker (<see cref="Set"/>, <see cref="Remove"/>, or as an <see cref="IDictionary{TKey,TValue}"/> by an
/// action, through <see cref="WorkflowItem.EditFields"/>) before it is handed to an item, and never changed after: items
/// are immutable. Not to be changed while it is enumerated (a removal shifts the fields after it).
/// </remarks>
public sealed class FieldList : IReadOnlyDictionary<string, object?>, IDictionary<string, object?>
{
    /// <summary>The most fields a list is meant for: a scan of more names costs more than a hash.</summary>
    public const int MostFields = 16;

    private string[] _names;
    private object?[] _values;
    private int _count;

    // One bit per name ever set, from its length and end characters: a name whose bit is clear is not in the list, so
    // filling a list rarely compares names (a message's names are all different, and often of one length: f1, f2...).
    private ulong _maybe;

    public FieldList(int capacity = 8)
    {
        capacity = Math.Max(capacity, 1);
        _names = new string[capacity];
        _values = new object?[capacity];
    }

    /// <summary>A copy with room for <paramref name="added"/> more fields, for an action to change.</summary>
    public FieldList Copy(int added = 0)
    {
        var copy = new FieldList(_count + added);
        Array.Copy(_names, copy._names, _count);
        Array.Copy(_values, copy._values, _count);
        copy._count = _count;
        copy._maybe = _maybe;
        return copy;
    }

    public int Count => _count;

    /// <summary>At <see cref="MostFields"/>: a maker with more to add moves to a dictionary.</summary>
    public bool IsFull => _count >= MostFields;

    /// <summary>Sets a field: in its place when the list has it, else at the end.</summary>
    public void Set(string name, object? value)
    {
        var at = IndexOf(name);
        if (at >= 0)
        {
            _values[at] = value;
            return;
        }

        _maybe |= Bit(name);
        if (_count == _names.Length)
        {
            Array.Resize(ref _names, _count * 2);
            Array.Resize(ref _values, _count * 2);
        }

        _names[_count] = name;
        _values[_count] = value;
        _count++;
    }

    /// <summary>
    /// Renames a field in its place; when <paramref name="to"/> is a field already, it takes the value there and
    /// <paramref name="from"/> goes. False when there is no <paramref name="from"/>.
    /// </summary>
    public bool Rename(string from, string to)
    {
        var at = IndexOf(from);
        if (at < 0) return false;
        var existing = IndexOf(to);
        if (existing == at) return true; // renamed to itself
        if (existing >= 0)
        {
            Remove(from, out var value);
            Set(to, value);
            return true;
        }

        _names[at] = to;
        _maybe |= Bit(to);
        return true;
    }

    /// <summary>Removes a field, keeping the others' order.</summary>
    public bool Remove(string name, out object? value)
    {
        var at = IndexOf(name);
        if (at < 0)
        {
            value = null;
            return false;
        }

        value = _values[at];
        _count--;
        Array.Copy(_names, at + 1, _names, at, _count - at);
        Array.Copy(_values, at + 1, _values, at, _count - at);
        _names[_count] = null!;
        _values[_count] = null;
        return true;
    }

    /// <summary>The fields as a dictionary, in the same order, with room for <paramref name="added"/> more.</summary>
    public Dictionary<string, object?> ToDictionary(int added = 0)
    {
        var fields = new Dictionary<string, object?>(_count + added, StringComparer.Ordinal);
        for (var i = 0; i < _count; i++) fields[_names[i]] = _values[i];
        return fields;
    }

    private static ulong Bit(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Length == 0 ? 1 : 1UL << ((name.Length * 7 + name[0] * 3 + name[^1]) & 63);
    }

    // string.Equals looks at the reference, then the length: most names differ in one of them.
    private int IndexOf(string name)
    {
        if ((_maybe & Bit(name)) == 0) return -1;
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_names[i], name)) return i;
        }

        return -1;
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        var at = IndexOf(key);
        value = at >= 0 ? _values[at] : null;
        return at >= 0;
    }

    public object? this[string key]
    {
        get => IndexOf(key) is var at and >= 0 ? _values[at] : throw new KeyNotFoundException($"There is no field {key}.");
        set => Set(key, value);
    }

    public IEnumerable<string> Keys => _names.Take(_count);

    public IEnumerable<object?> Values => _values.Take(_count);

    ICollection<string> IDictionary<string, object?>.Keys => [.. Keys];

    ICollection<object?> IDictionary<string, object?>.Values => [.. Values];

    bool ICollection<KeyValuePair<string, object?>>.IsReadOnly => false;

    public bool Remove(string key) => Remove(key, out _);

    void IDictionary<string, object?>.Add(string key, object? value)
    {
        if (ContainsKey(key)) throw new ArgumentException($"There is a field {key} already.", nameof(key));
        Set(key, value);
    }

    void ICollection<KeyValuePair<string, object?>>.Add(KeyValuePair<string, object?> item) => ((IDictionary<string, object?>)this).Add(item.Key, item.Value);

    void ICollection<KeyValuePair<string, object?>>.Clear()
    {
        Array.Clear(_names);
        Array.Clear(_values);
        _count = 0;
        _maybe = 0;
    }

    bool ICollection<KeyValuePair<string, object?>>.Contains(KeyValuePair<string, object?> item) =>
        TryGetValue(item.Key, out var value) && Equals(value, item.Value);

    void ICollection<KeyValuePair<string, object?>>.CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex)
    {
        for (var i = 0; i < _count; i++) array[arrayIndex + i] = new(_names[i], _values[i]);
    }

    bool ICollection<KeyValuePair<string, object?>>.Remove(KeyValuePair<string, object?> item) =>
        ((ICollection<KeyValuePair<string, object?>>)this).Contains(item) && Remove(item.Key);

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, object?>> IEnumerable<KeyValuePair<string, object?>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public struct Enumerator(FieldList list) : IEnumerator<KeyValuePair<string, object?>>
    {
        private int _at = -1;

        public readonly KeyValuePair<string, object?> Current => new(list._names[_at], list._values[_at]);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => ++_at < list._count;

        public void Reset() => _at = -1;

        public readonly void Dispose()
        {
        }
    }
}
