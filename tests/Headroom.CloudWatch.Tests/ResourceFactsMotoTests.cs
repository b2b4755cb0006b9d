using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.CloudWatch.Tests;

/// <summary>
/// The facts the waste rules price with and CloudWatch does not publish, read from each service's describe API during
/// discovery and exported as extra labels of YACE's info series, against a real moto_server: resources created with the
/// services' own calls, then the info series' labels compared with what was created. moto 5.2 implements every describe
/// call used (EC2 DescribeVolumes, RDS DescribeDBInstances, ElastiCache DescribeCacheClusters, Redshift DescribeClusters,
/// ELBv2 DescribeLoadBalancers, Lambda ListFunctions, DynamoDB DescribeTable); its tagging API does not return Redshift
/// clusters, so that test has the proxy answer GetResources with the cluster moto holds.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class ResourceFactsMotoTests(MotoAws moto) : IAsyncLifetime
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

    private static string Job(string type, string metric) => $"""
        apiVersion: v1alpha1
        discovery:
          jobs:
            - type: {type}
              regions: [us-east-1]
              searchTags: [{"{"}key: env, value: prod{"}"}]
              metrics: [{"{"}name: {metric}, statistics: [Maximum]{"}"}]
        """;

    private async Task<CollectionResult> CollectAsync(string yaml)
    {
        var config = CollectorConfigReader.Read(yaml);
        var collector = new Collector(config, moto.Http, new AwsEndpoints(_proxy?.Endpoint ?? moto.Endpoint), new CollectorMetrics(), _time,
            new CollectorOptions { Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), BackoffClock = TimeProvider.System } }, () => MotoAws.Ambient);
        return await collector.CollectAsync();
    }

    private static CollectedSeries Info(CollectionResult result, string name, string arnEnd) =>
        Assert.Single(result.Series, s => s.Name == name && s.Label("name")!.EndsWith(arnEnd, StringComparison.Ordinal));

    private static void AssertCreatedRecently(CollectedSeries info)
    {
        var created = DateTimeOffset.Parse(info.Label(InfoLabels.Created)!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - created, TimeSpan.FromMinutes(-5), TimeSpan.FromMinutes(30));
    }

    [Fact]
    public async Task Ebs_volumes_carry_their_size_type_and_attachment_state()
    {
        var unattached = await _aws.CreateVolumeAsync(500, "gp3", Prod);
        var attached = await _aws.CreateVolumeAsync(100, "gp2", Prod);
        await _aws.AttachVolumeAsync(attached);

        var result = await CollectAsync(Job("ebs", "VolumeReadOps"));

        var idle = Info(result, "aws_ebs_info", unattached);
        Assert.Equal(("gp3", "500", "available"), (idle.Label(InfoLabels.VolumeType), idle.Label(InfoLabels.SizeGib), idle.Label(InfoLabels.State)));
        var used = Info(result, "aws_ebs_info", attached);
        Assert.Equal(("gp2", "100", "in-use"), (used.Label(InfoLabels.VolumeType), used.Label(InfoLabels.SizeGib), used.Label(InfoLabels.State)));
        AssertCreatedRecently(idle);
        Assert.Equal("prod", idle.Label("tag_env"));   // YACE's own labels are kept
    }

    [Fact]
    public async Task Rds_instances_carry_their_class_engine_and_multi_az()
    {
        await _aws.CreateDbInstanceAsync("orders", "db.m5.large", "mysql", true, Prod);
        await _aws.CreateDbInstanceAsync("reports", "db.r5.xlarge", "postgres", false, Prod);

        var result = await CollectAsync(Job("rds", "DatabaseConnections"));

        var orders = Info(result, "aws_rds_info", ":db:orders");
        Assert.Equal(("db.m5.large", "mysql", "true"), (orders.Label(InfoLabels.InstanceType), orders.Label(InfoLabels.Engine), orders.Label(InfoLabels.MultiAz)));
        var reports = Info(result, "aws_rds_info", ":db:reports");
        Assert.Equal(("db.r5.xlarge", "postgres", "false"), (reports.Label(InfoLabels.InstanceType), reports.Label(InfoLabels.Engine), reports.Label(InfoLabels.MultiAz)));
        Assert.NotNull(orders.Label(InfoLabels.State));
        AssertCreatedRecently(orders);
    }

    [Fact]
    public async Task ElastiCache_clusters_carry_their_node_type_and_count()
    {
        _proxy = new FaultProxy(moto.Endpoint) { Rewrite = ServicesMotoTests.MotoTypeNames };
        await _aws.CreateCacheClusterAsync("sessions", "memcached", "cache.m5.large", 3, Prod);

        var result = await CollectAsync(Job("ec", "CurrConnections"));

        var info = Info(result, "aws_elasticache_info", ":cluster:sessions");
        Assert.Equal(("cache.m5.large", "3", "memcached"), (info.Label(InfoLabels.InstanceType), info.Label(InfoLabels.NodeCount), info.Label(InfoLabels.Engine)));
    }

    [Fact]
    public async Task Redshift_clusters_carry_their_node_type_and_count()
    {
        // moto's tagging API does not know Redshift clusters: the proxy answers GetResources with the one moto holds.
        _proxy = new FaultProxy(moto.Endpoint);
        var arn = await _aws.CreateRedshiftClusterAsync("warehouse", "ra3.xlplus", 2, Prod);
        _proxy.Enqueue("GetResources", 200, $$"""{"ResourceTagMappingList":[{"ResourceARN":"{{arn}}","Tags":[{"Key":"env","Value":"prod"}]}],"PaginationToken":""}""");

        var result = await CollectAsync(Job("redshift", "DatabaseConnections"));

        var info = Info(result, "aws_redshift_info", ":cluster:warehouse");
        Assert.Equal(("ra3.xlplus", "2"), (info.Label(InfoLabels.InstanceType), info.Label(InfoLabels.NodeCount)));
        AssertCreatedRecently(info);
    }

    [Fact]
    public async Task Load_balancers_carry_their_type()
    {
        _proxy = new FaultProxy(moto.Endpoint) { Rewrite = ServicesMotoTests.MotoTypeNames };
        var alb = await _aws.CreateLoadBalancerV2Async("front", "application", Prod);
        await _aws.CreateClassicLoadBalancerAsync("legacy", Prod);

        var result = await CollectAsync("""
            apiVersion: v1alpha1
            discovery:
              jobs:
                - {type: alb, regions: [us-east-1], searchTags: [{key: env, value: prod}], metrics: [{name: RequestCount, statistics: [Sum]}]}
                - {type: elb, regions: [us-east-1], searchTags: [{key: env, value: prod}], metrics: [{name: RequestCount, statistics: [Sum]}]}
            """);

        Assert.Equal("application", Assert.Single(result.Series, s => s.Name == "aws_applicationelb_info" && s.Label("name") == alb).Label(InfoLabels.LoadBalancerType));
        Assert.Equal("classic", Info(result, "aws_elb_info", ":loadbalancer/legacy").Label(InfoLabels.LoadBalancerType));
    }

    [Fact]
    public async Task Lambda_functions_carry_their_memory_and_architecture_and_dynamodb_tables_their_capacity()
    {
        await _aws.CreateFunctionAsync("resize", 1536, 30, "arm64", Prod);
        await _aws.CreateTableAsync("Orders", (100, 50), Prod);
        await _aws.CreateTableAsync("Events", null, Prod);

        var result = await CollectAsync("""
            apiVersion: v1alpha1
            discovery:
              jobs:
                - {type: lambda, regions: [us-east-1], searchTags: [{key: env, value: prod}], metrics: [{name: Invocations, statistics: [Sum]}]}
                - {type: dynamodb, regions: [us-east-1], searchTags: [{key: env, value: prod}], metrics: [{name: ConsumedReadCapacityUnits, statistics: [Sum]}]}
            """);

        var function = Info(result, "aws_lambda_info", ":function:resize");
        Assert.Equal(("1536", "arm64"), (function.Label(InfoLabels.MemorySizeMb), function.Label(InfoLabels.Architecture)));
        var orders = Info(result, "aws_dynamodb_info", "table/Orders");
        Assert.Equal(("PROVISIONED", "100", "50"), (orders.Label(InfoLabels.BillingMode), orders.Label(InfoLabels.ReadCapacityUnits), orders.Label(InfoLabels.WriteCapacityUnits)));
        Assert.Equal("PAY_PER_REQUEST", Info(result, "aws_dynamodb_info", "table/Events").Label(InfoLabels.BillingMode));
    }

    [Fact]
    public async Task A_denied_describe_call_leaves_the_facts_out_and_collection_goes_on()
    {
        _proxy = new FaultProxy(moto.Endpoint);
        await _aws.CreateDbInstanceAsync("orders", "db.m5.large", "mysql", false, Prod);
        _proxy.Enqueue("DescribeDBInstances", 403, FaultProxy.XmlError("AccessDenied", "User is not authorized to perform: rds:DescribeDBInstances"));

        var metrics = new CollectorMetrics();
        var config = CollectorConfigReader.Read(Job("rds", "DatabaseConnections"));
        var collector = new Collector(config, moto.Http, new AwsEndpoints(_proxy.Endpoint), metrics, _time,
            new CollectorOptions { Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), BackoffClock = TimeProvider.System } }, () => MotoAws.Ambient);
        var result = await collector.CollectAsync();

        var info = Info(result, "aws_rds_info", ":db:orders");
        Assert.Null(info.Label(InfoLabels.InstanceType));
        Assert.Null(info.Label(InfoLabels.MultiAz));
        Assert.Equal("prod", info.Label("tag_env"));
        Assert.Equal(1, metrics.Errors.WithLabels("DescribeDBInstances", "AccessDenied").Value);
    }
}
