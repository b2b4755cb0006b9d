namespace Headroom.PromQL.Engine;

/// <summary>
/// Whether a sample exactly on the left edge of a window counts: the window of a range selector
/// (<c>x[5m]</c> at <c>t</c>), of the lookback of an instant selector, and of a subquery's range.
/// </summary>
public enum WindowLeftEdge
{
    /// <summary>It does not: windows are <c>(t - range, t]</c>, as in Prometheus 3 (the default).</summary>
    Excluded,

    /// <summary>It does: windows are <c>[t - range, t]</c>, as in Prometheus 2.</summary>
    Included,
}

/// <summary>Settings of a <see cref="QueryEngine"/>.</summary>
public sealed record EngineOptions
{
    /// <summary>How far back an instant selector looks for the latest sample. Default 5 minutes, as in Prometheus.</summary>
    public TimeSpan LookbackDelta { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The most samples one query may hold in memory at once. Default 50 million, as in Prometheus.</summary>
    public long MaxSamples { get; init; } = 50_000_000;

    /// <summary>How long one query may run. Default 2 minutes, as in Prometheus.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The step of a subquery written without one (<c>x[5m:]</c>) when the query has no step. Default 1 minute.</summary>
    public TimeSpan DefaultSubqueryStep { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether samples exactly on a window's left edge count. Default <see cref="WindowLeftEdge.Excluded"/>, as in
    /// Prometheus 3; <see cref="WindowLeftEdge.Included"/> answers as Prometheus 2 does (a gateway over Prometheus 2
    /// shards, whose pushed-down parts count the edge).
    /// </summary>
    public WindowLeftEdge LeftEdge { get; init; } = WindowLeftEdge.Excluded;

    /// <summary>
    /// How much wider than its nominal range a window selects samples: 1 ms when the left edge counts, since
    /// timestamps are whole milliseconds and <c>[t - r, t]</c> is <c>(t - r - 1, t]</c>. Functions that read the
    /// range itself (<c>rate</c>'s extrapolation) keep the nominal one.
    /// </summary>
    internal long EdgeMs => LeftEdge == WindowLeftEdge.Included ? 1 : 0;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (LookbackDelta <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LookbackDelta), "must be positive");
        }
        if (MaxSamples <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSamples), "must be positive");
        }
        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), "must be positive");
        }
        if (DefaultSubqueryStep <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultSubqueryStep), "must be positive");
        }
    }
}
