namespace Headroom.PromQL;

/// <summary>A float sample at a time: milliseconds since the epoch and a value.</summary>
/// <param name="T">Milliseconds since the Unix epoch.</param>
/// <param name="F">The value.</param>
public readonly record struct FloatPoint(long T, double F);

/// <summary>A series: its labels and its samples in time order.</summary>
/// <param name="Labels">The identity of the series.</param>
/// <param name="Points">The float samples, ascending by time.</param>
public sealed record Series(Labels Labels, FloatPoint[] Points)
{
    /// <summary>Native histogram samples, ascending by time; empty for float-only series.</summary>
    public HistogramPoint[] Histograms { get; init; } = [];
}

/// <summary>One element of an instant vector.</summary>
/// <param name="Labels">The identity of the series.</param>
/// <param name="T">The evaluation time in milliseconds.</param>
/// <param name="F">The value.</param>
public readonly record struct Sample(Labels Labels, long T, double F);

/// <summary>Prometheus' staleness marker: a NaN with a particular bit pattern, distinct from an ordinary NaN.</summary>
public static class StaleMarker
{
    /// <summary>The bit pattern of the marker.</summary>
    public const ulong Bits = 0x7ff0000000000002UL;

    /// <summary>The marker as a value.</summary>
    public static double Value { get; } = BitConverter.UInt64BitsToDouble(Bits);

    /// <summary>Whether <paramref name="value"/> is the staleness marker (and not any other NaN).</summary>
    public static bool IsStale(double value) => BitConverter.DoubleToUInt64Bits(value) == Bits;
}
