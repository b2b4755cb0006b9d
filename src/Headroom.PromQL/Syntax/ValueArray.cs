using System.Collections;

namespace Headroom.PromQL.Syntax;

/// <summary>
/// An immutable list that compares by content, so that syntax-tree records holding lists compare structurally.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public readonly struct ValueArray<T> : IReadOnlyList<T>, IEquatable<ValueArray<T>>
{
    private readonly T[]? _items;

    /// <summary>Copies <paramref name="items"/> into a new list.</summary>
    public ValueArray(IEnumerable<T> items) => _items = [.. items];

    private ValueArray(T[] items, bool _) => _items = items;

    /// <summary>The empty list.</summary>
    public static ValueArray<T> Empty => default;

    /// <inheritdoc />
    public int Count => _items?.Length ?? 0;

    /// <inheritdoc />
    public T this[int index] => (_items ?? [])[index];

    /// <summary>The elements as a span.</summary>
    public ReadOnlySpan<T> AsSpan() => _items;

    internal static ValueArray<T> Wrap(T[] items) => new(items, true);

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public bool Equals(ValueArray<T> other) =>
        AsSpan().SequenceEqual(other.AsSpan(), EqualityComparer<T>.Default);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ValueArray<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in AsSpan())
        {
            hash.Add(item);
        }
        return hash.ToHashCode();
    }

    /// <summary>Compares by content.</summary>
    public static bool operator ==(ValueArray<T> left, ValueArray<T> right) => left.Equals(right);

    /// <summary>Compares by content.</summary>
    public static bool operator !=(ValueArray<T> left, ValueArray<T> right) => !left.Equals(right);
}

/// <summary>Creates <see cref="ValueArray{T}"/> instances.</summary>
public static class ValueArray
{
    /// <summary>A list of the given items.</summary>
    public static ValueArray<T> Of<T>(params T[] items) => new(items);
}
