namespace Headroom.CloudWatch.Cost;

/// <summary>Monthly requests, metrics requested and cost of one API.</summary>
public sealed record ApiCost(string Api, double RequestsPerMonth, double MetricsRequestedPerMonth, decimal UsdPerMonth, string PricedAs);

/// <summary>The estimate of a configuration's monthly CloudWatch bill.</summary>
/// <param name="QueriesPerLoop">GetMetricData queries per loop, by period (seconds).</param>
/// <param name="CallsPerLoop">GetMetricData calls per loop, by period (seconds), at most 500 queries each.</param>
public sealed record CostEstimate(
    IReadOnlyList<ApiCost> Apis, IReadOnlyDictionary<int, int> QueriesPerLoop, IReadOnlyDictionary<int, int> CallsPerLoop, int ResourcesPerTarget)
{
    public decimal TotalUsdPerMonth => Apis.Sum(a => a.UsdPerMonth);
}
