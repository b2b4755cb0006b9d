using System.Text.Json.Nodes;
using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.CloudWatch.Tests;

/// <summary>
/// Discovery by tags and collection end to end for the services beyond EC2, against a real moto_server: a resource tagged
/// env=prod and one tagged env=dev of each kind, a datapoint put for each, and the series that come out, named as YACE
/// names them. Where moto's tagging API spells a resource type its own way (elbv2 load balancers only as
/// elasticloadbalancing:loadbalancer, classic ones only as elb:loadbalancer, ElastiCache clusters as
/// elasticache:cache_clusters), the requests go through a proxy that adds moto's spelling beside AWS's, so the table's
/// real filters and ARN rules are what is tested.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class ServicesMotoTests(MotoAws moto) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 300 * 300 + 17));
    private readonly MotoServices _aws = new(moto);
    private FaultProxy? _proxy;

    public Task InitializeAsync() => moto.ResetAsync();

    public async Task DisposeAsync()
    {
        if (_proxy is not null)
            await _proxy.DisposeAsync();
    }

    private static readonly (string Key, string Value)[] Prod = [("env", "prod"), ("Name", "kept")];
    private static readonly (string Key, string Value)[] Dev = [("env", "dev"), ("Name", "filtered")];

    /// <summary>A discovery job of one service selecting env=prod, exporting the Name tag, with one metric.</summary>
    private static string Job(string type, string metric, string statistic) => $"""
        apiVersion: v1alpha1
        discovery:
          jobs:
            - type: {type}
              regions: [us-east-1]
              searchTags:
                - key: env
                  value: prod
              exportedTagsOnMetrics: [Name]
              metrics:
                - name: {metric}
                  statistics: [{statistic}]
                  period: 300
        """;

    private async Task<CollectionResult> CollectAsync(string yaml, string ns, params MetricDatum[] data)
    {
        var config = CollectorConfigReader.Read(yaml);
        var at = Collector.Window(config.AllMetrics.First(), _time.GetUtcNow()).End.AddSeconds(-100).ToUnixTimeSeconds();
        await moto.PutAsync(MotoAws.Ambient, ns, [.. data.Select(d => d with { Timestamp = at })]);
        var endpoint = _proxy?.Endpoint ?? moto.Endpoint;
        var collector = new Collector(config, moto.Http, new AwsEndpoints(endpoint), new CollectorMetrics(), _time,
            new CollectorOptions { Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), BackoffClock = TimeProvider.System } }, () => MotoAws.Ambient);
        return await collector.CollectAsync();
    }

    private static MetricDatum Datum(string metric, double value, params (string Name, string Value)[] dimensions) =>
        new(metric, [.. dimensions.Select(d => new Dimension(d.Name, d.Value))], 0, value);

    /// <summary>The one series of <paramref name="name"/>: it belongs to <paramref name="arn"/>, carries the prod resource's Name tag and the value put.</summary>
    private static CollectedSeries AssertOne(CollectionResult result, string name, string arn, double value)
    {
        var series = result.Series.Where(s => s.Name == name).ToList();
        var one = Assert.Single(series);
        Assert.Equal(arn, one.Label("name"));
        Assert.Equal(value, one.Value);
        Assert.Equal("kept", one.Label("tag_Name"));
        Assert.Equal("us-east-1", one.Label("region"));
        Assert.Equal(MotoAws.DefaultAccount, one.Label("account_id"));
        return one;
    }

    /// <summary>The info series: one per discovered prod resource, with all its tags.</summary>
    private static void AssertInfo(CollectionResult result, string name, params string[] arns)
    {
        var info = result.Series.Where(s => s.Name == name).ToList();
        Assert.Equal(arns.Order(StringComparer.Ordinal), info.Select(s => s.Label("name")!).Order(StringComparer.Ordinal));
        Assert.All(info, s => Assert.Equal("prod", s.Label("tag_env")));
    }

    /// <summary>Adds moto's spelling of resource types beside AWS's in GetResources requests.</summary>
    private void ThroughMotoTypeNames()
    {
        _proxy = new FaultProxy(moto.Endpoint) { Rewrite = MotoTypeNames };
    }

    internal static string MotoTypeNames(string operation, string body)
    {
        if (operation != "GetResources")
            return body;
        var json = JsonNode.Parse(body)!.AsObject();
        var types = json["ResourceTypeFilters"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        var extra = types.SelectMany(t => t switch
        {
            "elasticloadbalancing:loadbalancer/app" or "elasticloadbalancing:loadbalancer/net" => ["elasticloadbalancing:loadbalancer"],
            "elasticloadbalancing:loadbalancer" => ["elb:loadbalancer"],
            "elasticache:cluster" => ["elasticache:cache_clusters"],
            _ => Array.Empty<string>(),
        });
        json["ResourceTypeFilters"] = new JsonArray([.. types.Concat(extra).Distinct().Select(t => (JsonNode)JsonValue.Create(t)!)]);
        return json.ToJsonString();
    }

    /// <summary>A kind of resource: its job type and metric, how one is created with tags (giving its dimension value), its ARN and series.</summary>
    private sealed record Kind(string Type, string Namespace, string Metric, string Statistic, string Dimension, string Series, string Info,
        Func<MotoServices, string, (string, string)[], Task<string>> Create, Func<string, string> Arn);

    private static readonly Dictionary<string, Kind> s_kinds = new(StringComparer.Ordinal)
    {
        ["rds"] = new("rds", "AWS/RDS", "DatabaseConnections", "Average", "DBInstanceIdentifier", "aws_rds_database_connections_average", "aws_rds_info",
            async (aws, name, tags) => { await aws.CreateDbInstanceAsync(name, tags); return name; },
            id => $"arn:aws:rds:us-east-1:{MotoAws.DefaultAccount}:db:{id}"),
        ["ebs"] = new("AWS/EBS", "AWS/EBS", "VolumeReadOps", "Sum", "VolumeId", "aws_ebs_volume_read_ops_sum", "aws_ebs_info",
            (aws, _, tags) => aws.CreateVolumeAsync(tags),
            id => $"arn:aws:ec2:us-east-1:{MotoAws.DefaultAccount}:volume/{id}"),
        ["lambda"] = new("lambda", "AWS/Lambda", "Duration", "Maximum", "FunctionName", "aws_lambda_duration_maximum", "aws_lambda_info",
            async (aws, name, tags) => { await aws.CreateFunctionAsync(name, 1024, tags); return name; },
            id => $"arn:aws:lambda:us-east-1:{MotoAws.DefaultAccount}:function:{id}"),
        ["sqs"] = new("sqs", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", "QueueName", "aws_sqs_approximate_number_of_messages_visible_maximum", "aws_sqs_info",
            async (aws, name, tags) => { await aws.CreateQueueAsync(name, tags); return name; },
            id => $"arn:aws:sqs:us-east-1:{MotoAws.DefaultAccount}:{id}"),
        ["ngw"] = new("ngw", "AWS/NATGateway", "BytesOutToDestination", "Sum", "NatGatewayId", "aws_natgateway_bytes_out_to_destination_sum", "aws_natgateway_info",
            (aws, _, tags) => aws.CreateNatGatewayAsync(tags),
            id => $"arn:aws:ec2:us-east-1:{MotoAws.DefaultAccount}:natgateway/{id}"),
    };

    [Theory]
    [InlineData("rds")]
    [InlineData("ebs")]
    [InlineData("lambda")]
    [InlineData("sqs")]
    [InlineData("ngw")]
    public async Task A_resource_tagged_to_match_is_discovered_and_its_metric_collected_under_yace_names(string kind)
    {
        var k = s_kinds[kind];
        var kept = await k.Create(_aws, "orders", Prod);
        var filtered = await k.Create(_aws, "scratch", Dev);

        var result = await CollectAsync(Job(k.Type, k.Metric, k.Statistic), k.Namespace,
            Datum(k.Metric, 4096, (k.Dimension, kept)), Datum(k.Metric, 1, (k.Dimension, filtered)));

        Assert.Equal(kept, AssertOne(result, k.Series, k.Arn(kept), 4096).Label("dimension_" + k.Dimension));
        AssertInfo(result, k.Info, k.Arn(kept));
    }

    [Fact]
    public async Task A_percentile_is_asked_for_by_name_and_exported_under_yace_name()
    {
        // moto's GetMetricData knows the five plain statistics only (a percentile answers HTTP 500), so the proxy answers
        // GetMetricData as CloudWatch does; discovery and ListMetrics are moto's.
        ThroughMotoTypeNames();
        await _aws.CreateFunctionAsync("resize", 1024, Prod);
        var at = _time.GetUtcNow().AddMinutes(-5).ToUnixTimeSeconds() / 300 * 300;
        _proxy!.Enqueue("GetMetricData", 200, $$"""{"MetricDataResults":[{"Id":"q0","Label":"Duration","StatusCode":"Complete","Timestamps":[{{at}}],"Values":[812.5]}]}""");

        var result = await CollectAsync(Job("lambda", "Duration", "p90"), "AWS/Lambda", Datum("Duration", 250, ("FunctionName", "resize")));

        var arn = $"arn:aws:lambda:us-east-1:{MotoAws.DefaultAccount}:function:resize";
        AssertOne(result, "aws_lambda_duration_p90", arn, 812.5);
        var request = _proxy.Received.Single(r => r.Operation == "GetMetricData").Body;
        Assert.Contains("\"Stat\":\"p90\"", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enhanced_metrics_export_lambda_memory_and_timeout_and_dynamodb_item_counts()
    {
        await _aws.CreateFunctionAsync("resize", 1536, 30, Prod);
        await _aws.CreateFunctionAsync("thumbnail", 128, 3, Dev);
        await _aws.CreateTableAsync("Orders", Prod);
        await _aws.PutItemAsync("Orders", "o-1");
        await _aws.PutItemAsync("Orders", "o-2");
        var yaml = """
            apiVersion: v1alpha1
            discovery:
              jobs:
                - type: lambda
                  regions: [us-east-1]
                  searchTags: [{key: env, value: prod}]
                  exportedTagsOnMetrics: [Name]
                  enhancedMetrics: [{name: MemorySize}, {name: Timeout}]
                  metrics: [{name: Invocations, statistics: [Sum]}]
                - type: dynamodb
                  regions: [us-east-1]
                  searchTags: [{key: env, value: prod}]
                  exportedTagsOnMetrics: [Name]
                  enhancedMetrics: [{name: ItemCount}, {name: TableSizeBytes}]
                  metrics: [{name: ConsumedReadCapacityUnits, statistics: [Sum]}]
            """;

        var result = await CollectAsync(yaml, "AWS/Lambda", Datum("Invocations", 5, ("FunctionName", "resize")));

        var function = $"arn:aws:lambda:us-east-1:{MotoAws.DefaultAccount}:function:resize";
        Assert.Equal("resize", AssertOne(result, "aws_lambda_memory_size", function, 1536.0 * 1024 * 1024).Label("dimension_FunctionName"));
        AssertOne(result, "aws_lambda_timeout", function, 30);
        var table = $"arn:aws:dynamodb:us-east-1:{MotoAws.DefaultAccount}:table/Orders";
        Assert.Equal("Orders", AssertOne(result, "aws_dynamodb_item_count", table, 2).Label("dimension_TableName"));
        AssertOne(result, "aws_dynamodb_table_size_bytes", table, 0);   // moto reports every table's size as 0
    }

    [Fact]
    public async Task DynamoDb_tables_are_discovered_by_tag_and_their_metrics_collected()
    {
        await _aws.CreateTableAsync("Orders", Prod);
        await _aws.CreateTableAsync("Sandbox", Dev);

        var result = await CollectAsync(Job("dynamodb", "ConsumedReadCapacityUnits", "Sum"), "AWS/DynamoDB",
            Datum("ConsumedReadCapacityUnits", 300, ("TableName", "Orders")), Datum("ConsumedReadCapacityUnits", 2, ("TableName", "Sandbox")),
            // A global secondary index's metric carries the table and the index: it is the table's too.
            Datum("ConsumedReadCapacityUnits", 30, ("TableName", "Orders"), ("GlobalSecondaryIndexName", "by-customer")));

        var arn = $"arn:aws:dynamodb:us-east-1:{MotoAws.DefaultAccount}:table/Orders";
        var series = result.Series.Where(s => s.Name == "aws_dynamodb_consumed_read_capacity_units_sum").ToList();
        Assert.Equal(2, series.Count);
        Assert.All(series, s => Assert.Equal(arn, s.Label("name")));
        Assert.Equal(300, series.Single(s => s.Label("dimension_GlobalSecondaryIndexName") is null).Value);
        Assert.Equal(30, series.Single(s => s.Label("dimension_GlobalSecondaryIndexName") == "by-customer").Value);
        AssertInfo(result, "aws_dynamodb_info", arn);
    }

    [Fact]
    public async Task ElastiCache_clusters_are_discovered_by_tag_and_their_metrics_collected()
    {
        ThroughMotoTypeNames();
        await _aws.CreateCacheClusterAsync("sessions", Prod);
        await _aws.CreateCacheClusterAsync("scratch", Dev);

        var result = await CollectAsync(Job("ec", "CPUUtilization", "Average"), "AWS/ElastiCache",
            // Per-node metrics carry CacheNodeId as well; the cluster's id is what ties them to the resource.
            Datum("CPUUtilization", 33, ("CacheClusterId", "sessions"), ("CacheNodeId", "0001")),
            Datum("CPUUtilization", 2, ("CacheClusterId", "scratch"), ("CacheNodeId", "0001")));

        var arn = $"arn:aws:elasticache:us-east-1:{MotoAws.DefaultAccount}:cluster:sessions";
        var series = AssertOne(result, "aws_elasticache_cpuutilization_average", arn, 33);
        Assert.Equal("0001", series.Label("dimension_CacheNodeId"));
        AssertInfo(result, "aws_elasticache_info", arn);
    }

    [Fact]
    public async Task Classic_load_balancers_are_discovered_by_tag_and_albs_are_not_taken_for_them()
    {
        ThroughMotoTypeNames();
        await _aws.CreateClassicLoadBalancerAsync("legacy", Prod);
        await _aws.CreateClassicLoadBalancerAsync("legacy-dev", Dev);
        await _aws.CreateLoadBalancerV2Async("modern", "application", Prod);

        var result = await CollectAsync(Job("elb", "RequestCount", "Sum"), "AWS/ELB",
            Datum("RequestCount", 900, ("LoadBalancerName", "legacy")), Datum("RequestCount", 1, ("LoadBalancerName", "legacy-dev")));

        var arn = $"arn:aws:elasticloadbalancing:us-east-1:{MotoAws.DefaultAccount}:loadbalancer/legacy";
        Assert.Equal("legacy", AssertOne(result, "aws_elb_request_count_sum", arn, 900).Label("dimension_LoadBalancerName"));
        AssertInfo(result, "aws_elb_info", arn);
    }

    [Fact]
    public async Task Albs_and_their_target_groups_are_discovered_by_tag_and_metrics_go_to_the_most_specific()
    {
        ThroughMotoTypeNames();
        var alb = await _aws.CreateLoadBalancerV2Async("front", "application", Prod);
        await _aws.CreateLoadBalancerV2Async("front-dev", "application", Dev);
        var group = await _aws.CreateTargetGroupAsync("web", "HTTP", Prod);
        var lbDimension = alb[(alb.IndexOf(":loadbalancer/", StringComparison.Ordinal) + ":loadbalancer/".Length)..];
        var tgDimension = group[(group.IndexOf(":targetgroup/", StringComparison.Ordinal) + 1)..];

        var result = await CollectAsync(Job("alb", "RequestCount", "Sum"), "AWS/ApplicationELB",
            Datum("RequestCount", 500, ("LoadBalancer", lbDimension)),
            Datum("RequestCount", 120, ("LoadBalancer", lbDimension), ("TargetGroup", tgDimension)));

        var series = result.Series.Where(s => s.Name == "aws_applicationelb_request_count_sum").ToList();
        Assert.Equal(2, series.Count);
        Assert.Equal(alb, series.Single(s => s.Label("dimension_TargetGroup") is null && s.Value == 500).Label("name"));
        Assert.Equal(group, series.Single(s => s.Label("dimension_TargetGroup") == tgDimension && s.Value == 120).Label("name"));
        AssertInfo(result, "aws_applicationelb_info", alb, group);
    }

    [Fact]
    public async Task Nlb_target_groups_are_discovered_by_tag_and_their_metrics_collected()
    {
        // moto names every elbv2 load balancer loadbalancer/app/..., a network one too, so the NLB itself cannot be
        // discovered from moto; its target groups (same ARN format on AWS and moto) can.
        ThroughMotoTypeNames();
        var group = await _aws.CreateTargetGroupAsync("tcp-443", "TCP", Prod);
        await _aws.CreateTargetGroupAsync("tcp-dev", "TCP", Dev);
        var tgDimension = group[(group.IndexOf(":targetgroup/", StringComparison.Ordinal) + 1)..];

        var result = await CollectAsync(Job("nlb", "HealthyHostCount", "Minimum"), "AWS/NetworkELB",
            Datum("HealthyHostCount", 3, ("LoadBalancer", "net/edge/a1b2c3d4e5f6a7b8"), ("TargetGroup", tgDimension)));

        Assert.Equal(tgDimension, AssertOne(result, "aws_networkelb_healthy_host_count_minimum", group, 3).Label("dimension_TargetGroup"));
        AssertInfo(result, "aws_networkelb_info", group);
    }

    [Fact]
    public async Task A_service_outside_the_tagging_api_exports_every_listed_metric_as_global()
    {
        var result = await CollectAsync("""
            apiVersion: v1alpha1
            discovery:
              jobs:
                - type: AWS/Usage
                  regions: [us-east-1]
                  customTags:
                    - {key: team, value: platform}
                  metrics:
                    - name: CallCount
                      statistics: [Sum]
                      period: 300
            """, "AWS/Usage",
            Datum("CallCount", 17, ("Service", "EC2"), ("Type", "API"), ("Resource", "DescribeInstances"), ("Class", "None")));

        var series = Assert.Single(result.Series);
        Assert.Equal("aws_usage_call_count_sum", series.Name);
        Assert.Equal("global", series.Label("name"));
        Assert.Equal(17, series.Value);
        Assert.Equal("DescribeInstances", series.Label("dimension_Resource"));
        Assert.Equal("platform", series.Label("custom_tag_team"));
        Assert.Equal(MotoAws.DefaultAccount, series.Label("account_id"));
    }
}
