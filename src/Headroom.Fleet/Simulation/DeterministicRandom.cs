namespace Headroom.Fleet.Simulation;

/// <summary>
/// Seeded randomness with no hidden state: the same (stream, index) always gives the same number, so any
/// sample of any host can be recomputed independently (history, live scrapes and tests agree).
/// </summary>
internal static class DeterministicRandom
{
    /// <summary>SplitMix64's finaliser: a cheap, well-mixed 64-bit hash.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public static ulong Stream(ulong seed, ulong host, ulong purpose) => Mix(Mix(Mix(seed) ^ host) ^ purpose);

    /// <summary>A uniform number in [0, 1) for the given stream and index.</summary>
    public static double Unit(ulong stream, ulong index) => (Mix(stream ^ Mix(index)) >> 11) * (1.0 / (1UL << 53));
}

/// <summary>A small sequential generator over <see cref="DeterministicRandom"/> for drawing a host's parameters.</summary>
internal sealed class Draw(ulong stream)
{
    private ulong _index;

    public double Unit() => DeterministicRandom.Unit(stream, _index++);

    public double Between(double low, double high) => low + ((high - low) * Unit());

    public int Below(int exclusiveMax) => (int)(Unit() * exclusiveMax);

    public T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];
}
