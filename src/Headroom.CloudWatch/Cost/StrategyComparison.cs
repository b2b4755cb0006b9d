using Headroom.CloudWatch.Config;

namespace Headroom.CloudWatch.Cost;

/// <summary>The monthly requests and cost of one exporter's strategy for the same configuration.</summary>
/// <param name="GetMetricDataMetrics">Metrics requested through GetMetricData per month.</param>
/// <param name="GetMetricStatisticsRequests">GetMetricStatistics requests per month (cloudwatch_exporter's default API).</param>
public sealed record StrategyCost(
    string Strategy, string Cadence, double GetMetricDataMetrics, double GetMetricStatisticsRequests,
    double ListMetricsRequests, double GetResourcesRequests, decimal UsdPerMonth);

/// <summary>
/// The same configuration under three strategies, each modelled from its documented defaults:
/// <list type="bullet">
/// <item>Headroom: one loop per period, GetMetricData in batches of 500, ListMetrics and GetResources cached 10 minutes; scrapes are free.</item>
/// <item>YACE: one loop per scraping interval (300 s assumed), GetMetricData in batches of 500, ListMetrics and GetResources every loop; scrapes are free.</item>
/// <item>cloudwatch_exporter (defaults <c>use_get_metric_data: false</c>, <c>list_metrics_cache_ttl: 0</c>): every Prometheus scrape makes one
/// GetMetricStatistics request per metric and dimension set (all statistics in one request) and ListMetrics per metric; every replica scraping it pays again.</item>
/// </list>
/// </summary>
public static class StrategyComparison
{
    public static IReadOnlyList<StrategyCost> Compare(CollectorConfig config, int resources, TimeSpan yaceInterval, TimeSpan scrapeInterval, int replicas, CostAssumptions? assumptions = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var a = assumptions ?? CostAssumptions.Default;
        var headroom = CostModel.Estimate(config, resources, a);
        var rows = new List<StrategyCost>
        {
            new("Headroom", "loop per period; ListMetrics/GetResources cached 10 min",
                headroom.Apis.Single(x => x.Api == "GetMetricData").MetricsRequestedPerMonth, 0,
                headroom.Apis.Single(x => x.Api == "ListMetrics").RequestsPerMonth,
                headroom.Apis.Single(x => x.Api == "GetResources").RequestsPerMonth, headroom.TotalUsdPerMonth),
        };

        // Per loop (YACE) or per scrape (cloudwatch_exporter) quantities.
        double queries = 0, metricDimensionSets = 0, listPages = 0, resourcePages = 0;
        foreach (var job in config.Discovery.Cast<JobConfig>().Concat(config.Static).Concat(config.CustomNamespace))
        {
            var targets = job.Regions.Count * job.Roles.Count;
            var perTarget = job is StaticJob ? 1 : resources;
            foreach (var metric in job.Metrics)
            {
                queries += targets * perTarget * metric.Statistics.Count;
                metricDimensionSets += targets * perTarget;
                if (job is not StaticJob)
                    listPages += targets * Pages(perTarget, a.ListMetricsPageSize);
            }
            if (job is DiscoveryJob)
                resourcePages += targets * Pages(resources, a.GetResourcesPageSize);
        }

        var yaceLoops = a.MonthSeconds / yaceInterval.TotalSeconds;
        var yaceMetrics = queries * yaceLoops;
        var yaceList = listPages * yaceLoops;
        rows.Add(new("YACE", $"loop every {yaceInterval.TotalSeconds:F0} s; ListMetrics/GetResources every loop",
            yaceMetrics, 0, yaceList, resourcePages * yaceLoops,
            Price(yaceMetrics, a.GetMetricDataPer1000Metrics) + Price(yaceList, a.ApiRequestsPer1000) + Price(resourcePages * yaceLoops, a.GetResourcesPer1000)));

        foreach (var scrapers in new[] { 1, replicas }.Distinct())
        {
            var scrapes = a.MonthSeconds / scrapeInterval.TotalSeconds * scrapers;
            var statistics = metricDimensionSets * scrapes;
            var list = listPages * scrapes;
            rows.Add(new($"cloudwatch_exporter × {scrapers} Prometheus", $"per scrape every {scrapeInterval.TotalSeconds:F0} s",
                0, statistics, list, 0, Price(statistics, a.ApiRequestsPer1000) + Price(list, a.ApiRequestsPer1000)));
        }
        return rows;
    }

    private static int Pages(int items, int pageSize) => Math.Max(1, (items + pageSize - 1) / pageSize);

    private static decimal Price(double units, decimal per1000) => Math.Round((decimal)units / 1000m * per1000, 2);
}
