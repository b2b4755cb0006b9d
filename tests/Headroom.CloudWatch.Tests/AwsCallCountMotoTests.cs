using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Headroom.CloudWatch.Tests;

/// <summary>
/// What one collection costs in AWS calls, counted on the wire (<see cref="AwsCallCounter"/>) against a real moto_server:
/// the collector's selling point is fewer calls than YACE, so a call made twice for the same answer is a defect these
/// tests catch (the sharing ones failed on the code before, with two calls where one now goes). moto answers ListFunctions
/// in one page whatever the number of functions, so "once per page" is checked as "no page asked twice".
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class AwsCallCountMotoTests(MotoAws moto, ITestOutputHelper output) : IAsyncLifetime
{
    private const double MiB = 1024 * 1024;
    private const string Region = MotoAws.Region;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 300 * 300 + 17));
    private readonly MotoServices _aws = new(moto);
    private readonly AwsCallCounter _counter = new();
    private HttpClient _http = null!;

    private static readonly (string Key, string Value)[] Prod = [("env", "prod"), ("Name", "kept")];
    private static readonly (string Key, string Value)[] Dev = [("env", "dev"), ("Name", "filtered")];

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _http = new HttpClient(_counter) { Timeout = TimeSpan.FromSeconds(60) };
    }

    public Task DisposeAsync()
    {
        _http.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A collector whose requests go through the counter, to moto or to a proxy in front of it.</summary>
    private Collector Collector(string yaml, Uri? endpoint = null, CollectorMetrics? metrics = null) =>
        new(CollectorConfigReader.Read(yaml), _http, new AwsEndpoints(endpoint ?? moto.Endpoint), metrics ?? new CollectorMetrics(), _time,
        new CollectorOptions { Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), BackoffClock = TimeProvider.System } }, () => MotoAws.Ambient);

    private void Log(string when)
    {
        foreach (var call in _counter.Calls)
            output.WriteLine($"{when}: {call.Operation} {call.Region} {call.Subject}");
    }

    [Fact]
    public async Task Facts_and_enhanced_metrics_share_one_describe_table_per_table_and_one_list_functions_per_page()
    {
        await _aws.CreateFunctionAsync("resize", 1536, 30, Prod);
        await _aws.CreateFunctionAsync("thumbnail", 128, 3, Dev);
        await _aws.CreateTableAsync("Orders", (100, 50), Prod);
        await _aws.CreateTableAsync("Events", null, Prod);
        await _aws.CreateTableAsync("Sandbox", Dev);
        await _aws.PutItemAsync("Orders", "o-1");
        var collector = Collector("""
            apiVersion: v1alpha1
            discovery:
              jobs:
                - type: lambda
                  regions: [us-east-1]
                  searchTags: [{key: env, value: prod}]
                  enhancedMetrics: [{name: MemorySize}, {name: Timeout}]
                  metrics: [{name: Invocations, statistics: [Sum]}]
                - type: dynamodb
                  regions: [us-east-1]
                  searchTags: [{key: env, value: prod}]
                  enhancedMetrics: [{name: ItemCount}, {name: TableSizeBytes}]
                  metrics: [{name: ConsumedReadCapacityUnits, statistics: [Sum]}]
            """);

        var result = await collector.CollectAsync();
        Log("first");

        // Both uses of each answer were served: the info series' facts and the enhanced metrics.
        var function = $"arn:aws:lambda:{Region}:{MotoAws.DefaultAccount}:function:resize";
        Assert.Equal("1536", Series(result, "aws_lambda_info", function).Label(InfoLabels.MemorySizeMb));
        Assert.Equal(1536 * MiB, Series(result, "aws_lambda_memory_size", function).Value);
        Assert.Equal(30, Series(result, "aws_lambda_timeout", function).Value);
        var orders = $"arn:aws:dynamodb:{Region}:{MotoAws.DefaultAccount}:table/Orders";
        var events = $"arn:aws:dynamodb:{Region}:{MotoAws.DefaultAccount}:table/Events";
        Assert.Equal("PROVISIONED", Series(result, "aws_dynamodb_info", orders).Label(InfoLabels.BillingMode));
        Assert.Equal("PAY_PER_REQUEST", Series(result, "aws_dynamodb_info", events).Label(InfoLabels.BillingMode));
        Assert.Equal(1, Series(result, "aws_dynamodb_item_count", orders).Value);
        Assert.Equal(0, Series(result, "aws_dynamodb_item_count", events).Value);

        // One DescribeTable per discovered table (not the dev one), one ListFunctions per region and page.
        Assert.Equal(new Dictionary<(string, string), int> { [(Region, "Orders")] = 1, [(Region, "Events")] = 1 }, _counter.Of("DescribeTable"));
        Assert.Equal(new Dictionary<(string, string), int> { [(Region, "first page")] = 1 }, _counter.Of("ListFunctions"));

        // Within the discovery TTL (10 minutes) nothing is described again.
        _counter.Clear();
        _time.Advance(TimeSpan.FromMinutes(5));
        await collector.CollectAsync();
        Log("within the TTL");
        Assert.Empty(_counter.Of("DescribeTable"));
        Assert.Empty(_counter.Of("ListFunctions"));

        // When discovery is refreshed, the answers are asked for again, once.
        _counter.Clear();
        _time.Advance(TimeSpan.FromMinutes(5));
        await collector.CollectAsync();
        Log("after the TTL");
        Assert.Equal(new Dictionary<(string, string), int> { [(Region, "Orders")] = 1, [(Region, "Events")] = 1 }, _counter.Of("DescribeTable"));
        Assert.Equal(new Dictionary<(string, string), int> { [(Region, "first page")] = 1 }, _counter.Of("ListFunctions"));
    }

    [Fact]
    public async Task Lambda_jobs_of_one_region_share_one_list_functions()
    {
        await _aws.CreateFunctionAsync("resize", 1536, 30, Prod);
        await _aws.CreateFunctionAsync("thumbnail", 128, 3, Dev);
        var collector = Collector("""
            apiVersion: v1alpha1
            discovery:
              jobs:
                - {type: lambda, regions: [us-east-1], searchTags: [{key: env, value: prod}], enhancedMetrics: [{name: MemorySize}], metrics: [{name: Invocations, statistics: [Sum]}]}
                - {type: lambda, regions: [us-east-1], searchTags: [{key: env, value: dev}], enhancedMetrics: [{name: Timeout}], metrics: [{name: Errors, statistics: [Sum]}]}
            """);

        var result = await collector.CollectAsync();
        Log("two lambda jobs");

        // Each job's facts and enhanced metrics are its own functions', from the one answer.
        var resize = $"arn:aws:lambda:{Region}:{MotoAws.DefaultAccount}:function:resize";
        var thumbnail = $"arn:aws:lambda:{Region}:{MotoAws.DefaultAccount}:function:thumbnail";
        Assert.Equal("1536", Series(result, "aws_lambda_info", resize).Label(InfoLabels.MemorySizeMb));
        Assert.Equal("128", Series(result, "aws_lambda_info", thumbnail).Label(InfoLabels.MemorySizeMb));
        Assert.Equal(1536 * MiB, Series(result, "aws_lambda_memory_size", resize).Value);
        Assert.Equal(3, Series(result, "aws_lambda_timeout", thumbnail).Value);
        Assert.DoesNotContain(result.Series, s => s.Name == "aws_lambda_timeout" && s.Label("name") == resize);
        Assert.Equal(new Dictionary<(string, string), int> { [(Region, "first page")] = 1 }, _counter.Of("ListFunctions"));
    }

    [Fact]
    public async Task A_describe_table_denied_during_discovery_leaves_the_facts_out_and_is_asked_again_for_the_enhanced_metrics()
    {
        await using var proxy = new FaultProxy(moto.Endpoint);
        await _aws.CreateTableAsync("Orders", (100, 50), Prod);
        await _aws.PutItemAsync("Orders", "o-1");
        proxy.Enqueue("DescribeTable", 400, FaultProxy.Error("AccessDeniedException", "User is not authorized to perform: dynamodb:DescribeTable"));
        var metrics = new CollectorMetrics();
        var collector = Collector("""
            apiVersion: v1alpha1
            discovery:
              jobs:
                - type: dynamodb
                  regions: [us-east-1]
                  searchTags: [{key: env, value: prod}]
                  enhancedMetrics: [{name: ItemCount}]
                  metrics: [{name: ConsumedReadCapacityUnits, statistics: [Sum]}]
            """, proxy.Endpoint, metrics);

        var result = await collector.CollectAsync();
        Log("denied once");

        // A failed answer is not kept: the facts are left out as before, the enhanced metric asks again and gets moto's.
        var orders = $"arn:aws:dynamodb:{Region}:{MotoAws.DefaultAccount}:table/Orders";
        Assert.Null(Series(result, "aws_dynamodb_info", orders).Label(InfoLabels.BillingMode));
        Assert.Equal(1, Series(result, "aws_dynamodb_item_count", orders).Value);
        Assert.Empty(result.FailedTargets);
        Assert.Equal(1, metrics.Errors.WithLabels("DescribeTable", "AccessDeniedException").Value);
        Assert.Equal(new Dictionary<(string, string), int> { [(Region, "Orders")] = 2 }, _counter.Of("DescribeTable"));
    }

    [Fact]
    public async Task Load_balancer_jobs_of_one_region_share_one_get_resources_and_one_describe_load_balancers()
    {
        // moto's tagging API spells load balancers' types its own way (see ServicesMotoTests.MotoTypeNames). It also gives a
        // network load balancer an ARN of /app/, so two ALB jobs stand for the usual alb and nlb pair: the same
        // DescribeLoadBalancers answer (every type of the region) serves both in the same way.
        await using var proxy = new FaultProxy(moto.Endpoint) { Rewrite = ServicesMotoTests.MotoTypeNames };
        var web = await _aws.CreateLoadBalancerV2Async("web", "application", ("team", "web"));
        var api = await _aws.CreateLoadBalancerV2Async("api", "application", ("team", "api"));
        var collector = Collector("""
            apiVersion: v1alpha1
            discovery:
              jobs:
                - {type: alb, regions: [us-east-1], searchTags: [{key: team, value: web}], metrics: [{name: RequestCount, statistics: [Sum]}]}
                - {type: alb, regions: [us-east-1], searchTags: [{key: team, value: api}], metrics: [{name: TargetResponseTime, statistics: [Average]}]}
            """, proxy.Endpoint);

        var result = await collector.CollectAsync();
        Log("load balancers");

        Assert.Equal("application", Series(result, "aws_applicationelb_info", web).Label(InfoLabels.LoadBalancerType));
        Assert.Equal("application", Series(result, "aws_applicationelb_info", api).Label(InfoLabels.LoadBalancerType));
        Assert.Equal(new Dictionary<(string, string), int> { [(Region, "")] = 1 }, _counter.Of("DescribeLoadBalancers"));
        // Both jobs search by the tag key team (values are matched by the collector): one GetResources question.
        Assert.Equal(new Dictionary<(string, string), int> { [(Region, "elasticloadbalancing:loadbalancer/app,elasticloadbalancing:targetgroup")] = 1 },
            _counter.Of("GetResources"));
    }

    private static CollectedSeries Series(CollectionResult result, string name, string arn) =>
        Assert.Single(result.Series, s => s.Name == name && s.Label("name") == arn);
}
