using Headroom.CloudWatch.Config;
using Headroom.CloudWatch.Cost;
using Headroom.Testing;

namespace Headroom.CloudWatch.Tests;

public class CostModelTests
{
    [Fact]
    public void Five_thousand_instances_with_four_metrics_every_five_minutes()
    {
        var estimate = CostModel.Estimate(CollectorConfigReader.Read(CloudWatchConfigs.FourMetrics), 5000);

        Assert.Equal(20_000, estimate.QueriesPerLoop[300]);
        Assert.Equal(40, estimate.CallsPerLoop[300]);            // ceil(20,000 / 500)
        var gmd = estimate.Apis.Single(a => a.Api == "GetMetricData");
        Assert.Equal(20_000 * 8_640d, gmd.MetricsRequestedPerMonth); // 8,640 five-minute loops in 30 days
        Assert.Equal(40 * 8_640d, gmd.RequestsPerMonth);
        Assert.Equal(1_728.00m, gmd.UsdPerMonth);
        var list = estimate.Apis.Single(a => a.Api == "ListMetrics");
        Assert.Equal(4 * 10 * 4_320d, list.RequestsPerMonth);     // 4 metrics, 10 pages of 500, every 10 minutes
        Assert.Equal(1.73m, list.UsdPerMonth);
        Assert.Equal(50 * 4_320d, estimate.Apis.Single(a => a.Api == "GetResources").RequestsPerMonth);
        Assert.Equal(0m, estimate.Apis.Single(a => a.Api == "GetResources").UsdPerMonth);
        Assert.Equal(1_729.73m, estimate.TotalUsdPerMonth);
    }

    [Fact]
    public void Regions_and_roles_multiply_and_periods_are_batched_apart()
    {
        var config = CollectorConfigReader.Read("""
            apiVersion: v1alpha1
            discovery:
              jobs:
                - type: AWS/EC2
                  regions: [us-east-1, eu-west-1]
                  roles:
                    - roleArn: arn:aws:iam::111111111111:role/a
                    - roleArn: arn:aws:iam::222222222222:role/a
                  metrics:
                    - {name: CPUUtilization, statistics: [Average, Maximum], period: 60}
                    - {name: NetworkIn, statistics: [Sum], period: 300}
            """);

        var estimate = CostModel.Estimate(config, 300);

        // 4 targets; at period 60: 300 resources × 2 statistics = 600 queries each → 2 calls each.
        Assert.Equal(4 * 600, estimate.QueriesPerLoop[60]);
        Assert.Equal(4 * 2, estimate.CallsPerLoop[60]);
        Assert.Equal(4 * 300, estimate.QueriesPerLoop[300]);
        Assert.Equal(4 * 1, estimate.CallsPerLoop[300]);
        var expected = (4 * 600 * 43_200d) + (4 * 300 * 8_640d);
        Assert.Equal(expected, estimate.Apis.Single(a => a.Api == "GetMetricData").MetricsRequestedPerMonth);
    }

    [Fact]
    public void Strategies_compared_for_five_thousand_instances()
    {
        var rows = StrategyComparison.Compare(CollectorConfigReader.Read(CloudWatchConfigs.FourMetrics), 5000, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1), 2);

        Assert.Equal(["Headroom", "YACE", "cloudwatch_exporter × 1 Prometheus", "cloudwatch_exporter × 2 Prometheus"], rows.Select(r => r.Strategy));
        Assert.Equal(1_729.73m, rows[0].UsdPerMonth);
        // YACE: same 172.8 M metrics requested; ListMetrics 4 × 10 pages every 5 minutes = 345,600 requests.
        Assert.Equal(172_800_000d, rows[1].GetMetricDataMetrics);
        Assert.Equal(345_600d, rows[1].ListMetricsRequests);
        Assert.Equal(1_728.00m + 3.46m, rows[1].UsdPerMonth);
        // cloudwatch_exporter: 20,000 GetMetricStatistics per one-minute scrape, 43,200 scrapes a month, each replica again.
        Assert.Equal(864_000_000d, rows[2].GetMetricStatisticsRequests);
        Assert.Equal(8_640.00m + 17.28m, rows[2].UsdPerMonth);
        Assert.Equal(2 * 864_000_000d, rows[3].GetMetricStatisticsRequests);
        Assert.Equal(17_280.00m + 34.56m, rows[3].UsdPerMonth);
    }
}
