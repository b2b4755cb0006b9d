using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.CloudWatch.Cost;

namespace Headroom.CloudWatch.Tests;

/// <summary>
/// Configurations written here (testdata/yace) that use every service and option YACE's published examples use: they
/// load, resolve each job to its service, and plan the queries the collector will send.
/// </summary>
public class YaceConfigsTests
{
    private static CollectorConfig Read(string name) => CollectorConfigReader.ReadFile(Path.Combine(AppContext.BaseDirectory, "testdata", "yace", name));

    /// <summary>The namespaces YACE's examples/ folder uses (37 files, read upstream in 2025).</summary>
    private static readonly string[] s_exampleNamespaces =
    [
        "AWS/ApplicationELB", "AWS/ApiGateway", "AWS/AppRunner", "AWS/AppStream", "AWS/Backup", "CWAgent", "AWS/DirectoryService",
        "AWS/DX", "AWS/EBS", "AWS/ElastiCache", "AWS/EC2", "AWS/ECS", "AWS/ELB", "AWS/ES", "AWS/Kafka", "AWS/Kinesis", "AWS/KMS",
        "AWS/Lambda", "AWS/Logs", "AWS/AmazonMQ", "AWS/Network Manager", "AWS/NATGateway", "AWS/NetworkELB",
        "AWS/PrivateLinkEndpoints", "AWS/PrivateLinkServices", "AWS/QLDB", "AWS/QuickSight", "AWS/RDS", "AWS/Redshift-Serverless",
        "AWS/S3", "AWS/SES", "AWS/SNS", "AWS/SQS", "AWS/Usage", "AWS/VPN",
    ];

    [Fact]
    public void Together_the_configs_name_every_namespace_of_yaces_examples()
    {
        var configs = new[] { "load-balancers.yml", "data-stores.yml", "compute-and-messaging.yml", "account-wide.yml" }.Select(Read).ToList();
        var used = configs.SelectMany(c => c.Discovery.Select(j => j.Namespace).Concat(c.Static.Select(j => j.Namespace))).ToHashSet(StringComparer.Ordinal);
        var missing = s_exampleNamespaces.Where(ns => !used.Contains(ns)).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Load_balancers_resolve_aliases_and_plan_one_group_per_region()
    {
        var config = Read("load-balancers.yml");
        Assert.Equal(["AWS/ApplicationELB", "AWS/NetworkELB", "AWS/ELB", "AWS/NATGateway", "AWS/VPN", "AWS/PrivateLinkEndpoints", "AWS/PrivateLinkServices", "AWS/DX", "AWS/Network Manager", "AWS/ApiGateway"],
            config.Discovery.Select(j => j.Namespace));
        var alb = config.Discovery[0];
        Assert.Matches(alb.SearchTags[0].Value, "api");
        Assert.Equal(["Average", "p99"], alb.Metrics[1].Statistics);
        Assert.True(alb.Metrics[2].NilToZero);
        Assert.Equal("aws_applicationelb_httpcode_elb_5_xx_count_sum", PromNames.Metric(alb.Namespace, alb.Metrics[2].Name, "Sum"));
        Assert.Equal("aws_apigateway_4xx_sum", PromNames.Metric("AWS/ApiGateway", config.Discovery[9].Metrics[2].Name, "Sum"));

        // 10 resources per target: ALB 2 regions × (1+2+1+1) statistics, NLB 3+1+1, ELB 1+1+2, NAT 4+1+1, VPN 1+1,
        // endpoints 1+2, services 1, DX 1+3, API Gateway 4+2+1+1 at 300 s; Network Manager 1+1 at 60 s.
        var estimate = CostModel.Estimate(config, resources: 10);
        Assert.Equal(10 * (2 * 5 + 5 + 4 + 6 + 2 + 3 + 1 + 4 + 8), estimate.QueriesPerLoop[300]);
        Assert.Equal(10 * 2, estimate.QueriesPerLoop[60]);
    }

    [Fact]
    public void Data_stores_take_exported_tags_from_the_older_map_and_keep_custom_tags_and_requirements()
    {
        var config = Read("data-stores.yml");
        var rds = config.Discovery.Single(j => j.Namespace == "AWS/RDS");
        Assert.Equal(["Name", "owner"], rds.ExportedTagsOnMetrics);
        Assert.Equal(["DBInstanceIdentifier"], rds.DimensionNameRequirements);
        Assert.Equal(new DimensionConfig("cost_center", "db"), Assert.Single(rds.CustomTags));
        Assert.Equal(["Name"], config.Discovery.Single(j => j.Namespace == "AWS/QLDB").ExportedTagsOnMetrics);
        Assert.Empty(config.Discovery.Single(j => j.Namespace == "AWS/DynamoDB").ExportedTagsOnMetrics);
        var s3 = config.Discovery.Single(j => j.Namespace == "AWS/S3");
        Assert.Equal(TimeSpan.FromDays(1), s3.Metrics[0].Period);
        // Redshift Serverless is taggable but its ARNs carry ids, not the Workgroup names its metrics carry.
        Assert.True(config.Discovery.Single(j => j.Namespace == "AWS/Redshift-Serverless").Service is { IsTaggable: true, ArnRules.Count: 0 });
        Assert.Equal("aws_es_cluster_status_red_maximum", PromNames.Metric("AWS/ES", "ClusterStatus.red", "Maximum"));
        Assert.Equal([300, 86400], CostModel.Estimate(config, resources: 5).QueriesPerLoop.Keys.Order());
    }

    [Fact]
    public void Compute_and_messaging_inherit_job_settings_and_override_them_per_metric()
    {
        var config = Read("compute-and-messaging.yml");
        var logs = config.Discovery.Single(j => j.Namespace == "AWS/Logs");
        Assert.All(logs.Metrics, m => Assert.Equal(["Sum"], m.Statistics));   // job-level statistics
        Assert.All(logs.Metrics, m => Assert.Equal(TimeSpan.FromSeconds(120), m.Delay));

        var sqs = config.Discovery.Single(j => j.Namespace == "AWS/SQS");
        Assert.True(sqs.Metrics[0].AddCloudwatchTimestamp);
        Assert.False(sqs.Metrics[2].AddCloudwatchTimestamp);           // the metric's own setting wins
        Assert.Equal(TimeSpan.FromSeconds(60), sqs.Metrics[0].RoundingPeriod);
        Assert.Equal(TimeSpan.FromSeconds(300), sqs.Metrics[0].Length);

        var lambda = config.Discovery.Single(j => j.Namespace == "AWS/Lambda");
        Assert.Equal(["Average", "Maximum", "Minimum", "p90"], lambda.Metrics[2].Statistics);
        Assert.Equal("aws_lambda_duration_p90", PromNames.Metric("AWS/Lambda", "Duration", "p90"));

        var ds = config.Discovery.Single(j => j.Namespace == "AWS/DirectoryService");
        Assert.Equal(["aws_directoryservice_bytes_sent_sec_average", "aws_directoryservice_percent_processor_time_average", "aws_directoryservice_percent_free_space_sum"],
            ds.Metrics.Select(m => PromNames.Metric(ds.Namespace, m.Name, m.Statistics[0])));
        Assert.False(config.Discovery.Single(j => j.Namespace == "AWS/AppRunner").Service.IsTaggable);
        Assert.Equal([TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(300)], Collectors(config));   // one loop per distinct period
    }

    [Fact]
    public void Account_wide_jobs_need_no_tagged_resources_and_a_static_job_needs_no_dimensions()
    {
        var config = Read("account-wide.yml");
        Assert.All(config.Discovery, j => Assert.False(j.Service.IsTaggable));
        var edge = Assert.Single(config.Static);
        Assert.Empty(edge.Dimensions);
        Assert.Equal(3, edge.Regions.Count);
        var custom = Assert.Single(config.CustomNamespace);
        Assert.Equal(["Service"], custom.DimensionNameRequirements);
        Assert.Equal(TimeSpan.FromSeconds(60), custom.Metrics[0].RoundingPeriod);

        var estimate = CostModel.Estimate(config, resources: 10);
        Assert.Equal(10 * (1 + 1) + 10 * (1 + 1), estimate.QueriesPerLoop[300]);   // usage and agent, 10 series each
        Assert.Equal(3 * (1 + 4), estimate.QueriesPerLoop[600]);                    // static: one dimension set per region
        Assert.Equal(0, estimate.Apis.Single(a => a.Api == "GetResources").RequestsPerMonth);
    }

    [Fact]
    public void Rounding_period_moves_the_window_end_to_its_own_multiple()
    {
        var metric = Read("account-wide.yml").CustomNamespace[0].Metrics[0] with { Period = TimeSpan.FromMinutes(5), Length = TimeSpan.FromMinutes(5), Delay = TimeSpan.Zero };
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_250);   // 150 s past a five-minute boundary, 10 s past a minute
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_220), Collector.Window(metric, now).End);   // whole minute
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_100), Collector.Window(metric with { RoundingPeriod = null }, now).End);
    }

    private static IReadOnlyList<TimeSpan> Collectors(CollectorConfig config) =>
        new Collector(config, new HttpClient(), new Aws.AwsEndpoints(new Uri("http://127.0.0.1:9/")), new CollectorMetrics()).Periods;
}
