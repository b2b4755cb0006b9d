using Headroom.CloudWatch.Aws;

namespace Headroom.CloudWatch.Collection;

/// <summary>How the collector caches and retries.</summary>
public sealed record CollectorOptions
{
    /// <summary>How long discovered resources (GetResources, DescribeInstances) are reused. Default 10 minutes.</summary>
    public TimeSpan DiscoveryTtl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long ListMetrics results are reused. Default 10 minutes.</summary>
    public TimeSpan ListMetricsTtl { get; init; } = TimeSpan.FromMinutes(10);

    public RetryOptions Retry { get; init; } = RetryOptions.Default;

    public static readonly CollectorOptions Default = new();
}
