using System.Collections;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Ferry.Contracts;

/// <summary>
/// An immutable array with value equality, so that records holding lists compare by content and
/// "did the model change?" is a plain <c>==</c>.
/// </summary>
[CollectionBuilder(typeof(EquatableArray), nameof(EquatableArray.Create))]
public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
{
    private readonly ImmutableArray<T> _items;

    public EquatableArray(ImmutableArray<T> items) => _items = items.IsDefault ? [] : items;

    public ImmutableArray<T> AsImmutableArray() => _items.IsDefault ? [] : _items;

    public int Length => _items.IsDefault ? 0 : _items.Length;

    int IReadOnlyCollection<T>.Count => Length;

    public T this[int index] => _items[index];

    public ReadOnlySpan<T> AsSpan() => _items.IsDefault ? default : _items.AsSpan();

    public bool Equals(EquatableArray<T> other) => AsSpan().SequenceEqual(other.AsSpan(), EqualityComparer<T>.Default);

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in AsSpan())
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public ImmutableArray<T>.Enumerator GetEnumerator() => AsImmutableArray().GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)AsImmutableArray()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable)AsImmutableArray()).GetEnumerator();

    public override string ToString() => $"[{string.Join(", ", AsImmutableArray())}]";

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    public static implicit operator EquatableArray<T>(ImmutableArray<T> items) => new(items);

    public static implicit operator EquatableArray<T>(T[] items) => new([.. items]);
}

/// <summary>Factory for <see cref="EquatableArray{T}"/> (collection expressions use it).</summary>
public static class EquatableArray
{
    public static EquatableArray<T> Create<T>(ReadOnlySpan<T> items) => new([.. items]);

    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items) => new([.. items]);
}
