using System.Collections;
using System.Text;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL;

/// <summary>One label: a name and a value.</summary>
/// <param name="Name">The label name; <c>__name__</c> for the metric name.</param>
/// <param name="Value">The label value, never empty in a stored set.</param>
public readonly record struct Label(string Name, string Value);

/// <summary>
/// An immutable set of labels sorted by name, with a precomputed hash so that equality checks of
/// different sets usually cost one comparison. <c>__name__</c> is an ordinary member.
/// </summary>
public sealed class Labels : IEquatable<Labels>, IReadOnlyList<Label>
{
    /// <summary>The label holding the metric name.</summary>
    public const string MetricName = "__name__";

    private readonly Label[] _labels;
    private readonly ulong _hash;

    private Labels(Label[] sorted)
    {
        _labels = sorted;
        _hash = ComputeHash(sorted);
    }

    /// <summary>The empty set.</summary>
    public static Labels Empty { get; } = new([]);

    /// <summary>A 64-bit hash of names and values, stable across processes.</summary>
    public ulong Hash => _hash;

    /// <inheritdoc />
    public int Count => _labels.Length;

    /// <inheritdoc />
    public Label this[int index] => _labels[index];

    /// <summary>The labels as a span, sorted by name.</summary>
    public ReadOnlySpan<Label> AsSpan() => _labels;

    /// <summary>Builds a set from labels in any order; empty values are dropped, the last duplicate wins.</summary>
    public static Labels From(IEnumerable<Label> labels)
    {
        var dict = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            dict[label.Name] = label.Value;
        }
        return FromSorted(dict.Where(p => p.Value.Length > 0).Select(p => new Label(p.Key, p.Value)).ToArray());
    }

    /// <summary>Builds a set from name/value pairs: <c>Labels.Of("__name__", "up", "job", "api")</c>.</summary>
    public static Labels Of(params string[] namesAndValues)
    {
        ArgumentNullException.ThrowIfNull(namesAndValues);
        var list = new List<Label>(namesAndValues.Length / 2);
        for (var i = 0; i + 1 < namesAndValues.Length; i += 2)
        {
            list.Add(new Label(namesAndValues[i], namesAndValues[i + 1]));
        }
        return From(list);
    }

    internal static Labels FromSorted(Label[] sorted) => sorted.Length == 0 ? Empty : new Labels(sorted);

    /// <summary>The value of <paramref name="name"/>, or the empty string when absent.</summary>
    public string Get(string name)
    {
        foreach (var label in _labels)
        {
            if (label.Name == name)
            {
                return label.Value;
            }
        }
        return "";
    }

    /// <summary>Whether the set has a label called <paramref name="name"/>.</summary>
    public bool Has(string name) => Get(name).Length > 0;

    /// <summary>The metric name, or the empty string.</summary>
    public string Name => Get(MetricName);

    /// <summary>A copy without <paramref name="names"/>.</summary>
    public Labels Without(IReadOnlyCollection<string> names)
    {
        if (names.Count == 0)
        {
            return this;
        }
        var kept = _labels.Where(l => !names.Contains(l.Name)).ToArray();
        return kept.Length == _labels.Length ? this : FromSorted(kept);
    }

    /// <summary>A copy without the metric name.</summary>
    public Labels WithoutName() => Has(MetricName) ? Without([MetricName]) : this;

    /// <summary>A copy with only <paramref name="names"/>.</summary>
    public Labels Keep(IReadOnlyCollection<string> names)
    {
        var kept = _labels.Where(l => names.Contains(l.Name)).ToArray();
        return kept.Length == _labels.Length ? this : FromSorted(kept);
    }

    /// <summary>A copy with <paramref name="name"/> set to <paramref name="value"/> (removed when empty).</summary>
    public Labels With(string name, string value)
    {
        var list = new List<Label>(_labels.Length + 1);
        var done = false;
        foreach (var label in _labels)
        {
            var cmp = string.CompareOrdinal(label.Name, name);
            if (!done && cmp >= 0)
            {
                if (value.Length > 0)
                {
                    list.Add(new Label(name, value));
                }
                done = true;
                if (cmp == 0)
                {
                    continue;
                }
            }
            list.Add(label);
        }
        if (!done && value.Length > 0)
        {
            list.Add(new Label(name, value));
        }
        return FromSorted([.. list]);
    }

    /// <inheritdoc />
    public bool Equals(Labels? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (other is null || other._hash != _hash || other._labels.Length != _labels.Length)
        {
            return false;
        }
        return _labels.AsSpan().SequenceEqual(other._labels);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Labels);

    /// <inheritdoc />
    public override int GetHashCode() => (int)(_hash ^ (_hash >> 32));

    /// <summary>Orders sets label by label, as Prometheus sorts series.</summary>
    public static int Compare(Labels a, Labels b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var n = Math.Min(a.Count, b.Count);
        for (var i = 0; i < n; i++)
        {
            var c = string.CompareOrdinal(a._labels[i].Name, b._labels[i].Name);
            if (c != 0)
            {
                return c;
            }
            c = string.CompareOrdinal(a._labels[i].Value, b._labels[i].Value);
            if (c != 0)
            {
                return c;
            }
        }
        return a.Count.CompareTo(b.Count);
    }

    /// <summary>The set as Prometheus prints it: <c>{__name__="up", job="api"}</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder("{");
        for (var i = 0; i < _labels.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }
            builder.Append(Printer.LabelName(_labels[i].Name)).Append('=').Append(Quoting.Quote(_labels[i].Value));
        }
        return builder.Append('}').ToString();
    }

    /// <inheritdoc />
    public IEnumerator<Label> GetEnumerator() => ((IEnumerable<Label>)_labels).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static ulong ComputeHash(Label[] labels)
    {
        // FNV-1a over names and values with separators: deterministic, so hashes can cross process boundaries.
        var hash = 14695981039346656037UL;
        foreach (var label in labels)
        {
            hash = Add(hash, label.Name);
            hash = (hash ^ 0xff) * 1099511628211UL;
            hash = Add(hash, label.Value);
            hash = (hash ^ 0xfe) * 1099511628211UL;
        }
        return hash;
    }

    private static ulong Add(ulong hash, string s)
    {
        foreach (var c in s)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}
