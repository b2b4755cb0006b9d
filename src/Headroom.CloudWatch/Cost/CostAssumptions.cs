namespace Headroom.CloudWatch.Cost;

/// <summary>
/// Prices and cadences the estimate uses. Defaults are CloudWatch's public us-east-1 list prices (standard tier, no free
/// tier subtracted) and Headroom's defaults; docs/cloudwatch.md explains each.
/// </summary>
public sealed record CostAssumptions
{
    /// <summary>GetMetricData: USD per 1,000 metrics requested. Default 0.01.</summary>
    public decimal GetMetricDataPer1000Metrics { get; init; } = 0.01m;

    /// <summary>ListMetrics, GetMetricStatistics and other CloudWatch API requests: USD per 1,000 requests. Default 0.01.</summary>
    public decimal ApiRequestsPer1000 { get; init; } = 0.01m;

    /// <summary>
    /// Resource Groups Tagging API GetResources: USD per 1,000 requests. Default 0: AWS does not charge for it; requests
    /// are still counted.
    /// </summary>
    public decimal GetResourcesPer1000 { get; init; }

    /// <summary>Seconds in the modelled month: 30 days.</summary>
    public double MonthSeconds { get; init; } = 30 * 86_400;

    /// <summary>How often ListMetrics results are refreshed (Headroom's cache TTL). Default 10 minutes.</summary>
    public TimeSpan ListMetricsEvery { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often discovery (GetResources) is refreshed (Headroom's cache TTL). Default 10 minutes.</summary>
    public TimeSpan DiscoveryEvery { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Metrics per ListMetrics page, as CloudWatch returns them. 500.</summary>
    public int ListMetricsPageSize { get; init; } = 500;

    /// <summary>Resources per GetResources page Headroom asks for. 100.</summary>
    public int GetResourcesPageSize { get; init; } = 100;

    public static readonly CostAssumptions Default = new();
}
