using System.Text.RegularExpressions;

namespace Headroom.CloudWatch.Config;

/// <summary>A YACE configuration file (<c>apiVersion: v1alpha1</c>) as Headroom reads it.</summary>
public sealed record CollectorConfig
{
    /// <summary>Region for STS calls (YACE's <c>sts-region</c>); null means the job's region.</summary>
    public string? StsRegion { get; init; }

    /// <summary>Jobs that find resources by tags and query their metrics.</summary>
    public IReadOnlyList<DiscoveryJob> Discovery { get; init; } = [];

    /// <summary>Jobs that query fixed dimensions.</summary>
    public IReadOnlyList<StaticJob> Static { get; init; } = [];

    /// <summary>Jobs over a namespace of one's own (e.g. CWAgent), metrics found with ListMetrics.</summary>
    public IReadOnlyList<CustomNamespaceJob> CustomNamespace { get; init; } = [];

    /// <summary>Every metric of every job, for planning and cost.</summary>
    public IEnumerable<MetricConfig> AllMetrics =>
        Discovery.SelectMany(j => j.Metrics).Concat(Static.SelectMany(j => j.Metrics)).Concat(CustomNamespace.SelectMany(j => j.Metrics));
}

/// <summary>An IAM role to assume for a job (YACE's <c>roles</c>); no role means the ambient credentials.</summary>
public sealed record RoleConfig(string? RoleArn, string? ExternalId)
{
    /// <summary>The ambient credentials, with no role assumed.</summary>
    public static readonly RoleConfig Ambient = new(null, null);

    /// <summary>The account id in the role ARN (arn:aws:iam::ACCOUNT:role/NAME), if any.</summary>
    public string? AccountId => RoleArn?.Split(':') is { Length: >= 5 } parts && parts[4].Length > 0 ? parts[4] : null;
}

/// <summary>A tag a discovered resource must carry; the value is a regular expression, anchored.</summary>
public sealed record SearchTag(string Key, Regex Value);

/// <summary>A CloudWatch dimension, name and value.</summary>
public sealed record DimensionConfig(string Name, string Value);

/// <summary>One metric to query, with the statistics and timing it is asked for.</summary>
public sealed record MetricConfig
{
    public required string Name { get; init; }

    /// <summary>Namespace, filled from the job.</summary>
    public required string Namespace { get; init; }

    public required IReadOnlyList<string> Statistics { get; init; }

    /// <summary>Aggregation period of each datapoint.</summary>
    public required TimeSpan Period { get; init; }

    /// <summary>How far back the query window reaches.</summary>
    public required TimeSpan Length { get; init; }

    /// <summary>How far the window's end is moved back from now, so the last datapoint is complete.</summary>
    public required TimeSpan Delay { get; init; }

    /// <summary>Export 0 instead of NaN when CloudWatch returns no datapoint.</summary>
    public bool NilToZero { get; init; }

    /// <summary>Export the datapoint's timestamp (YACE's <c>addCloudwatchTimestamp</c>).</summary>
    public bool AddCloudwatchTimestamp { get; init; }

    /// <summary>
    /// What the window's end is rounded down to (YACE's <c>roundingPeriod</c>); null rounds to <see cref="Period"/>, so
    /// that only whole periods are asked for.
    /// </summary>
    public TimeSpan? RoundingPeriod { get; init; }

    /// <summary>The line of the metric in the configuration file, for messages.</summary>
    public int Line { get; init; }
}

/// <summary>What every kind of job shares.</summary>
public abstract record JobConfig
{
    public required string Namespace { get; init; }

    public required IReadOnlyList<string> Regions { get; init; }

    public IReadOnlyList<RoleConfig> Roles { get; init; } = [RoleConfig.Ambient];

    /// <summary>Labels added to every series of the job (YACE's <c>customTags</c>, exported as <c>custom_tag_*</c>).</summary>
    public IReadOnlyList<DimensionConfig> CustomTags { get; init; } = [];

    public required IReadOnlyList<MetricConfig> Metrics { get; init; }

    /// <summary>List only metrics with datapoints in the last three hours (ListMetrics' RecentlyActive=PT3H).</summary>
    public bool RecentlyActiveOnly { get; init; }

    public int Line { get; init; }
}

/// <summary>A discovery job: resources of one service type found by tags in each region and role.</summary>
public sealed record DiscoveryJob : JobConfig
{
    /// <summary>The service as written (<c>AWS/EC2</c> or the alias <c>ec2</c>).</summary>
    public required ServiceType Service { get; init; }

    public IReadOnlyList<SearchTag> SearchTags { get; init; } = [];

    /// <summary>Resource tags copied onto every metric as <c>tag_*</c> labels.</summary>
    public IReadOnlyList<string> ExportedTagsOnMetrics { get; init; } = [];

    /// <summary>Dimensions a metric must have (YACE's <c>dimensionNameRequirements</c>).</summary>
    public IReadOnlyList<string> DimensionNameRequirements { get; init; } = [];

    /// <summary>Configuration values read from the service's own API (see <see cref="Config.EnhancedMetrics"/>).</summary>
    public IReadOnlyList<string> EnhancedMetrics { get; init; } = [];
}

/// <summary>A static job: fixed dimensions, no discovery.</summary>
public sealed record StaticJob : JobConfig
{
    public required string Name { get; init; }

    public required IReadOnlyList<DimensionConfig> Dimensions { get; init; }
}

/// <summary>A job over a custom namespace: every dimension set ListMetrics returns is queried.</summary>
public sealed record CustomNamespaceJob : JobConfig
{
    public required string Name { get; init; }

    public IReadOnlyList<string> DimensionNameRequirements { get; init; } = [];
}
