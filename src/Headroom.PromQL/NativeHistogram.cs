namespace Headroom.PromQL;

/// <summary>A histogram sample with custom bucket bounds (the native form of a classic histogram).</summary>
/// <param name="T">Milliseconds since the epoch.</param>
/// <param name="H">The histogram.</param>
public readonly record struct HistogramPoint(long T, NativeHistogram H);

/// <summary>
/// A native histogram with custom buckets: upper bounds, the count of each bucket (not cumulative; the last
/// bucket ends at +Inf), the total count and the sum of observations. Immutable.
/// </summary>
public sealed class NativeHistogram
{
    /// <summary>Creates a histogram; <paramref name="counts"/> has one more entry than <paramref name="bounds"/>.</summary>
    public NativeHistogram(double[] bounds, double[] counts, double count, double sum)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Length != bounds.Length + 1)
        {
            throw new ArgumentException("counts needs one entry per bound plus the +Inf bucket", nameof(counts));
        }
        Bounds = bounds;
        Counts = counts;
        Count = count;
        Sum = sum;
    }

    /// <summary>Upper bounds of all buckets but the last (+Inf), ascending.</summary>
    public IReadOnlyList<double> Bounds { get; }

    /// <summary>Observations per bucket.</summary>
    public IReadOnlyList<double> Counts { get; }

    /// <summary>All observations.</summary>
    public double Count { get; }

    /// <summary>The sum of all observations.</summary>
    public double Sum { get; }

    /// <summary>Whether both have the same bucket bounds.</summary>
    public bool SameBounds(NativeHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Bounds.SequenceEqual(other.Bounds);
    }

    /// <summary>This histogram plus <paramref name="other"/> times <paramref name="factor"/> (buckets must match).</summary>
    public NativeHistogram Add(NativeHistogram other, double factor = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        var counts = new double[Counts.Count];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Counts[i] + factor * other.Counts[i];
        }
        return new NativeHistogram([.. Bounds], counts, Count + factor * other.Count, Sum + factor * other.Sum);
    }

    /// <summary>Every count and the sum multiplied by <paramref name="factor"/>.</summary>
    public NativeHistogram Scale(double factor) =>
        new([.. Bounds], [.. Counts.Select(c => c * factor)], Count * factor, Sum * factor);

    /// <summary>Whether going from <paramref name="previous"/> to this is a counter reset (a count went down).</summary>
    public bool IsResetFrom(NativeHistogram previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        if (Count < previous.Count || !SameBounds(previous))
        {
            return true;
        }
        for (var i = 0; i < Counts.Count; i++)
        {
            if (Counts[i] < previous.Counts[i])
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The buckets as classic cumulative (upper bound, count) pairs, ending with +Inf.</summary>
    public List<(double Upper, double Count)> Cumulative()
    {
        var result = new List<(double, double)>(Counts.Count);
        double running = 0;
        for (var i = 0; i < Counts.Count; i++)
        {
            running += Counts[i];
            result.Add((i < Bounds.Count ? Bounds[i] : double.PositiveInfinity, running));
        }
        return result;
    }
}
