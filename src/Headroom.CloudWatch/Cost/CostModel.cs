using Headroom.CloudWatch.Config;

namespace Headroom.CloudWatch.Cost;

/// <summary>
/// Estimates what a configuration costs per month before it runs, from the same plan the collector follows: every
/// (job, region, role) is a target; a discovery or custom-namespace target is assumed to hold <c>resources</c> resources
/// (dimension sets), a static target exactly one. Per period P, a loop runs 2,592,000 / P times a month.
/// </summary>
public static class CostModel
{
    public static CostEstimate Estimate(CollectorConfig config, int resources, CostAssumptions? assumptions = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegative(resources);
        var a = assumptions ?? CostAssumptions.Default;

        // Queries per group (region, role, period, length, delay): the collector's batching unit.
        var groups = new Dictionary<(string Region, string Role, TimeSpan Period, TimeSpan Length, TimeSpan Delay), int>();
        double listMetricsRequests = 0, getResourcesRequests = 0, describeRequests = 0;
        void Add(JobConfig job, int perTarget, bool lists)
        {
            foreach (var region in job.Regions)
            {
                foreach (var role in job.Roles)
                {
                    foreach (var metric in job.Metrics)
                    {
                        var key = (region, $"{role.RoleArn}|{role.ExternalId}", metric.Period, metric.Length, metric.Delay);
                        groups[key] = groups.GetValueOrDefault(key) + perTarget * metric.Statistics.Count;
                        if (lists)
                            listMetricsRequests += Pages(perTarget, a.ListMetricsPageSize) * Refreshes(a.ListMetricsEvery, a);
                    }
                }
            }
        }
        foreach (var job in config.Discovery)
        {
            Add(job, resources, lists: true);
            var targets = job.Regions.Count * job.Roles.Count;
            // A service outside the tagging API is not asked for: its metrics are listed and collected as global.
            if (job.Service.IsTaggable)
                getResourcesRequests += targets * Pages(resources, a.GetResourcesPageSize) * Refreshes(a.DiscoveryEvery, a);
            if (job.Service.IsEc2)
                describeRequests += targets * Pages(resources, 200) * Refreshes(a.DiscoveryEvery, a);
        }
        foreach (var job in config.Static)
            Add(job, 1, lists: false);
        foreach (var job in config.CustomNamespace)
            Add(job, resources, lists: true);

        var queriesPerLoop = new Dictionary<int, int>();
        var callsPerLoop = new Dictionary<int, int>();
        double metricsRequested = 0, getMetricDataCalls = 0;
        foreach (var ((_, _, period, _, _), queries) in groups)
        {
            var seconds = (int)period.TotalSeconds;
            var calls = Pages(queries, 500);
            queriesPerLoop[seconds] = queriesPerLoop.GetValueOrDefault(seconds) + queries;
            callsPerLoop[seconds] = callsPerLoop.GetValueOrDefault(seconds) + calls;
            var loops = a.MonthSeconds / period.TotalSeconds;
            metricsRequested += queries * loops;
            getMetricDataCalls += calls * loops;
        }

        var apis = new List<ApiCost>
        {
            new("GetMetricData", getMetricDataCalls, metricsRequested, Price(metricsRequested, a.GetMetricDataPer1000Metrics), "per 1,000 metrics requested"),
            new("ListMetrics", listMetricsRequests, 0, Price(listMetricsRequests, a.ApiRequestsPer1000), "per 1,000 requests"),
            new("GetResources", getResourcesRequests, 0, Price(getResourcesRequests, a.GetResourcesPer1000), a.GetResourcesPer1000 == 0 ? "not billed" : "per 1,000 requests"),
            new("DescribeInstances", describeRequests, 0, 0, "not billed"),
        };
        return new CostEstimate(apis, queriesPerLoop, callsPerLoop, resources);
    }

    private static int Pages(int items, int pageSize) => Math.Max(1, (items + pageSize - 1) / pageSize);

    private static double Refreshes(TimeSpan every, CostAssumptions a) => a.MonthSeconds / every.TotalSeconds;

    private static decimal Price(double units, decimal per1000) => Math.Round((decimal)units / 1000m * per1000, 2);
}
