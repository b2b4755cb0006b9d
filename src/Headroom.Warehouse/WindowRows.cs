namespace Headroom.Warehouse;

/// <summary>A resource: its identity and the metadata kept about it.</summary>
/// <param name="Key">The identity as one string (e.g. <c>instance="host-1:9100"</c>), unique per profile; any length.</param>
/// <param name="Identity">The identifying labels.</param>
/// <param name="FirstSeen">Earliest time seen in this window; the stored value is the minimum over all windows.</param>
/// <param name="LastSeen">Latest time seen; the stored value is the maximum. Metadata is updated only by windows at least as recent.</param>
public sealed record ResourceRecord(string Key, IReadOnlyDictionary<string, string> Identity, DateTimeOffset FirstSeen, DateTimeOffset LastSeen)
{
    /// <summary>Cloud account, when known.</summary>
    public string? Account { get; init; }

    /// <summary>Region, when known.</summary>
    public string? Region { get; init; }

    /// <summary>Instance type, e.g. <c>m5.large</c>.</summary>
    public string? InstanceType { get; init; }

    /// <summary>Human name, e.g. the <c>Name</c> tag.</summary>
    public string? Name { get; init; }

    /// <summary>Other metadata (tags, info labels), stored as JSON.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>One hour of one dimension of one resource.</summary>
/// <param name="ResourceKey">The resource's <see cref="ResourceRecord.Key"/>.</param>
/// <param name="Dimension">e.g. <c>cpu</c>, <c>memory</c> (at most 100 characters).</param>
/// <param name="HourStart">Start of the hour (UTC, on the hour).</param>
/// <param name="Avg">Mean over the hour.</param>
/// <param name="Min">Minimum.</param>
/// <param name="Max">Maximum.</param>
/// <param name="P95">95th percentile.</param>
/// <param name="Max5m">The maximum of 5-minute maxima, for rightsizing; null when not extracted.</param>
/// <param name="Samples">Samples the statistics are computed from.</param>
/// <param name="Expected">Samples expected from the scrape interval.</param>
public sealed record HourlyUtilization(
    string ResourceKey,
    string Dimension,
    DateTimeOffset HourStart,
    double Avg,
    double Min,
    double Max,
    double P95,
    double? Max5m,
    long Samples,
    long Expected);

/// <summary>A rejected row kept with its reason and raw payload.</summary>
/// <param name="Dimension">The dimension it belonged to.</param>
/// <param name="ResourceKey">The resource, when one could be identified.</param>
/// <param name="PeriodStart">The hour it describes (UTC).</param>
/// <param name="Reason">A short machine-readable reason, e.g. <c>out_of_range</c> (at most 100 characters).</param>
/// <param name="Payload">The raw data as received, stored verbatim.</param>
public sealed record QuarantinedRow(string Dimension, string? ResourceKey, DateTimeOffset PeriodStart, string Reason, string Payload);

/// <summary>A window of a dimension with no or incomplete data, to retry later.</summary>
public sealed record GapOpening(string Dimension, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, string Reason);

/// <summary>A gap that a later window filled; identified by dimension and start.</summary>
public sealed record GapResolution(string Dimension, DateTimeOffset WindowStart);
