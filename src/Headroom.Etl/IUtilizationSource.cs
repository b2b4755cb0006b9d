namespace Headroom.Etl;

/// <summary>
/// Where a run reads a window from: hourly rows of every dimension of a profile, and what is known about the resources.
/// A Prometheus-compatible endpoint is one implementation (<see cref="PrometheusUtilizationSource"/>); CloudWatch read
/// directly is another (Headroom.Etl.CloudWatch). The runner validates, commits, and keeps watermarks and gaps alike for both.
/// </summary>
public interface IUtilizationSource
{
    /// <summary>Requests sent to the source so far, retries included.</summary>
    long Requests { get; }

    /// <summary>The rows of every dimension of <see cref="EtlOptions.Profile"/> for the hours in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    /// <exception cref="SourceUnavailableException">This source cannot be read for the window now; the window's hours become gaps, retried later.</exception>
    Task<SourceWindow> ReadAsync(EtlOptions options, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken);

    /// <summary>
    /// Where the source's history of <paramref name="profile"/> starts, seen from a run over [<paramref name="from"/>,
    /// <paramref name="to"/>): hours before it are not gaps. The default knows nothing (<see cref="SourceHistory.Unknown"/>),
    /// so every empty hour is a gap; a source that cannot answer returns that too (the probe is advisory).
    /// </summary>
    /// <param name="lookBack">How far before <paramref name="from"/> to look before calling a source empty.</param>
    Task<SourceHistory> HistoryAsync(Profile profile, DateTimeOffset from, DateTimeOffset to, TimeSpan lookBack, CancellationToken cancellationToken) =>
        Task.FromResult(SourceHistory.Unknown);
}

/// <summary>Where a source's history starts, as far as a run needs to know.</summary>
/// <param name="Start">
/// The hour the history starts in, when that is inside the run's range or the hour under way after it (a young
/// Prometheus); null when the source held data before the range or cannot tell.
/// </param>
/// <param name="HoldsNoData">Neither the range nor the look-back before it holds any sample: nothing to load, no gap to open.</param>
public sealed record SourceHistory(DateTimeOffset? Start, bool HoldsNoData)
{
    /// <summary>Nothing known: every empty hour is a gap.</summary>
    public static SourceHistory Unknown { get; } = new(null, false);

    /// <summary>
    /// Where each dimension's own history starts, by dimension name, where the source can tell it apart from
    /// <see cref="Start"/> (CloudWatch: the first datapoint of the series the dimension reads): hours before it are not gaps
    /// of that dimension. <see cref="DateTimeOffset.MaxValue"/> when none of its series holds a datapoint: no hour is a gap
    /// (the source says which metrics are missing instead). A dimension not named here follows <see cref="Start"/>.
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset> DimensionStarts { get; init; } = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
}

/// <summary>What a source gave for one window.</summary>
/// <param name="Rows">Rows per dimension, in the order of the profile's dimensions.</param>
/// <param name="Metadata">What is known about each resource, by resource key (<see cref="Validator.ResourceKey"/>).</param>
public sealed record SourceWindow(IReadOnlyList<IReadOnlyList<HourlyRow>> Rows, IReadOnlyDictionary<string, ResourceMetadata> Metadata)
{
    /// <summary>Dimensions read from recording rules.</summary>
    public int RecordedReads { get; init; }

    /// <summary>Dimensions read from the raw expression because the rule did not cover the window.</summary>
    public int RawFallbacks { get; init; }
}

/// <summary>Metadata of one resource: the warehouse's columns and further labels or tags.</summary>
public sealed record ResourceMetadata(string? Account, string? Region, string? InstanceType, string? Name, IReadOnlyDictionary<string, string> Extra);

/// <summary>
/// A source (or the part of it one run reads, e.g. one AWS account and region) could not be read for a window: a role that
/// cannot be assumed, calls that keep failing. The runner records the window's hours as gaps and goes on; later runs retry them.
/// </summary>
public sealed class SourceUnavailableException : Exception
{
    public SourceUnavailableException()
    {
    }

    public SourceUnavailableException(string message)
        : base(message)
    {
    }

    public SourceUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
