using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;

namespace Headroom.CloudWatch.Cost;

/// <summary>The monthly bill of reading a configuration straight into the warehouse, a window at a time.</summary>
/// <param name="Window">The window each run reads with one query per metric and statistic.</param>
/// <param name="QueriesPerWindow">GetMetricData queries per window, all targets.</param>
/// <param name="CallsPerWindow">GetMetricData calls per window, under both limits (500 queries, 100,800 datapoints).</param>
/// <param name="Formula">The arithmetic of the GetMetricData line, for people.</param>
public sealed record DirectReadEstimate(TimeSpan Window, int QueriesPerWindow, int CallsPerWindow, IReadOnlyList<ApiCost> Apis, string Formula)
{
    public decimal TotalUsdPerMonth => Apis.Sum(a => a.UsdPerMonth);
}

/// <summary>
/// What <c>headroom etl --source cloudwatch</c> costs: GetMetricData bills per metric requested, not per datapoint, so one query
/// over a whole window costs what one query over one period costs. Per window and target: <c>resources × statistics</c>
/// queries (static jobs: one resource), in calls of at most 500 queries and 100,800 datapoints; discovery (GetResources, free)
/// and ListMetrics once per window, since each run is its own process. Windows per month: 30 days / window. Every metric of the
/// configuration is counted; the ETL asks only for those its profile reads, so this is an upper bound.
/// </summary>
public static class DirectReadCost
{
    public static DirectReadEstimate Estimate(CollectorConfig config, int resources, TimeSpan window, CostAssumptions? assumptions = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegative(resources);
        if (window < TimeSpan.FromHours(1))
            throw new ArgumentOutOfRangeException(nameof(window), window, "the window is at least one hour");
        var a = assumptions ?? CostAssumptions.Default;
        var windows = a.MonthSeconds / window.TotalSeconds;
        var start = DateTimeOffset.UnixEpoch;
        int queries = 0, calls = 0;
        double listMetrics = 0, getResources = 0;
        foreach (var job in config.Discovery.Cast<JobConfig>().Concat(config.Static).Concat(config.CustomNamespace))
        {
            var targets = job.Regions.Count * job.Roles.Count;
            var perTarget = job is StaticJob ? 1 : resources;
            foreach (var group in job.Metrics.GroupBy(m => m.Period))
            {
                var groupQueries = perTarget * group.Sum(m => m.Statistics.Count);
                var (slices, perCall) = WindowLimits.Default.Plan(start, start + window, group.Key);
                queries += targets * groupQueries;
                calls += targets * slices.Count * Pages(groupQueries, perCall);
            }
            if (job is not StaticJob)
                listMetrics += targets * job.Metrics.Count * Pages(perTarget, a.ListMetricsPageSize) * windows;
            if (job is DiscoveryJob)
                getResources += targets * Pages(resources, a.GetResourcesPageSize) * windows;
        }
        var metrics = queries * windows;
        var apis = new List<ApiCost>
        {
            new("GetMetricData", calls * windows, metrics, Price(metrics, a.GetMetricDataPer1000Metrics), "per 1,000 metrics requested"),
            new("ListMetrics", listMetrics, 0, Price(listMetrics, a.ApiRequestsPer1000), "per 1,000 requests"),
            new("GetResources", getResources, 0, Price(getResources, a.GetResourcesPer1000), a.GetResourcesPer1000 == 0 ? "not billed" : "per 1,000 requests"),
        };
        var formula = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{queries:N0} queries a window × {windows:N0} windows a month (30 d / {window.TotalHours:0.##} h) = {metrics:N0} metrics × USD {a.GetMetricDataPer1000Metrics} / 1,000 = USD {Price(metrics, a.GetMetricDataPer1000Metrics):N2}");
        return new DirectReadEstimate(window, queries, calls, apis, formula);
    }

    private static int Pages(int items, int pageSize) => Math.Max(1, (items + pageSize - 1) / pageSize);

    private static decimal Price(double units, decimal per1000) => Math.Round((decimal)units / 1000m * per1000, 2);
}
