using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.CloudWatch.Tests;

/// <summary>Retries, pagination and failing loops, with a fault injector in front of a real moto_server.</summary>
[Collection(MotoCollection.Name)]
public sealed class FaultTests(MotoAws moto) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 300 * 300 + 17));
    private FaultProxy _proxy = null!;
    private string _instance = "";

    private const string Config = """
        apiVersion: v1alpha1
        discovery:
          jobs:
            - type: ec2
              regions: [us-east-1]
              metrics:
                - name: CPUUtilization
                  statistics: [Average]
                  period: 300
        """;

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _proxy = new FaultProxy(moto.Endpoint);
        _instance = (await moto.RunInstancesAsync(MotoAws.Ambient, 1, "t3.small", ("Name", "db")))[0];
        var window = Collector.Window(CollectorConfigReader.Read(Config).Discovery[0].Metrics[0], _time.GetUtcNow());
        await moto.PutAsync(MotoAws.Ambient, "AWS/EC2", [new MetricDatum("CPUUtilization", [new Dimension("InstanceId", _instance)], window.End.AddSeconds(-60).ToUnixTimeSeconds(), 42)]);
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    private Collector NewCollector(CollectorMetrics metrics, int attempts = 5) =>
        new(CollectorConfigReader.Read(Config), moto.Http, new AwsEndpoints(_proxy.Endpoint), metrics, _time,
            new CollectorOptions { Retry = new RetryOptions { MaxAttempts = attempts, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5), BackoffClock = TimeProvider.System } },
            () => MotoAws.Ambient);

    [Fact]
    public async Task Throttling_and_5xx_answers_are_retried_and_counted()
    {
        _proxy.Enqueue("GetMetricData", 503, FaultProxy.Error("ServiceUnavailable", "try later"));
        _proxy.Enqueue("GetMetricData", 400, FaultProxy.Error("Throttling", "Rate exceeded"));
        _proxy.Enqueue("GetResources", 500, FaultProxy.Error("InternalServiceException", "oops"));
        var metrics = new CollectorMetrics();

        var result = await NewCollector(metrics).CollectAsync();

        Assert.Equal(42, result.Series.Single(s => s.Name == "aws_ec2_cpuutilization_average").Value);
        Assert.Equal(3, metrics.RequestCount("GetMetricData"));
        Assert.Equal(2, metrics.Retries.WithLabels("GetMetricData").Value);
        Assert.Equal(1, metrics.Throttles.WithLabels("GetMetricData").Value);
        Assert.Equal(2, metrics.RequestCount("GetResources"));
        Assert.Equal(3, _proxy.Received.Count(r => r.Operation == "GetMetricData"));
    }

    [Fact]
    public async Task Client_errors_are_not_retried_and_say_what_failed()
    {
        _proxy.Enqueue("GetMetricData", 400, FaultProxy.Error("AccessDeniedException", "User is not authorized to perform cloudwatch:GetMetricData"));
        var metrics = new CollectorMetrics();

        var e = await Assert.ThrowsAsync<AwsApiException>(() => NewCollector(metrics).CollectAsync());

        Assert.Equal("GetMetricData: AccessDeniedException: User is not authorized to perform cloudwatch:GetMetricData", e.Message);
        Assert.Equal(1, metrics.RequestCount("GetMetricData"));
        Assert.Equal(1, metrics.Errors.WithLabels("GetMetricData", "AccessDeniedException").Value);
    }

    [Fact]
    public async Task Pages_are_followed_and_the_newest_datapoint_wins()
    {
        // The first page has an older datapoint and a NextToken; the second page (moto's answer) has the real one.
        _proxy.Enqueue("GetMetricData", 200, $$"""{"MetricDataResults":[{"Id":"q0","Timestamps":[{{_time.GetUtcNow().AddDays(-1).ToUnixTimeSeconds()}}],"Values":[999],"StatusCode":"PartialData"}],"NextToken":"page-2"}""");
        var metrics = new CollectorMetrics();

        var result = await NewCollector(metrics).CollectAsync();

        Assert.Equal(2, result.GetMetricDataCalls);
        Assert.Equal(2, metrics.RequestCount("GetMetricData"));
        Assert.Equal(2, metrics.MetricsRequested.Value);   // every page bills its queries again
        var requests = _proxy.Received.Where(r => r.Operation == "GetMetricData").ToList();
        Assert.DoesNotContain("NextToken", requests[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"NextToken\":\"page-2\"", requests[1].Body, StringComparison.Ordinal);
        Assert.Equal(42, result.Series.Single(s => s.Name == "aws_ec2_cpuutilization_average").Value);
    }

    [Fact]
    public async Task A_failing_loop_keeps_serving_the_last_good_result_and_says_so()
    {
        var metrics = new CollectorMetrics();
        var loops = new CollectorLoops(NewCollector(metrics, attempts: 2), _time);
        var period = TimeSpan.FromMinutes(5);

        Assert.True(await loops.RunOnceAsync(period));
        var good = await loops.RenderAsync();
        Assert.Contains("headroom_cloudwatch_last_loop_success{period=\"300\"} 1", good, StringComparison.Ordinal);

        _proxy.Enqueue("GetMetricData", 500, FaultProxy.Error("InternalFailure", "broken"));
        _proxy.Enqueue("GetMetricData", 500, FaultProxy.Error("InternalFailure", "still broken"));
        _time.Advance(period);
        Assert.False(await loops.RunOnceAsync(period));

        var served = await loops.RenderAsync();
        Assert.Contains($"dimension_InstanceId=\"{_instance}\"", served, StringComparison.Ordinal);
        Assert.Matches(@"aws_ec2_cpuutilization_average\{[^}]+\} 42\n", served);
        Assert.Contains("headroom_cloudwatch_last_loop_success{period=\"300\"} 0", served, StringComparison.Ordinal);
        Assert.Contains("headroom_cloudwatch_loops_total{period=\"300\",status=\"failure\"} 1", served, StringComparison.Ordinal);
        Assert.Contains("headroom_cloudwatch_api_errors_total{api=\"GetMetricData\",code=\"InternalFailure\"} 1", served, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow() - period, loops.Results[period].CollectedAt);
    }

    [Fact]
    public async Task Recently_active_only_asks_list_metrics_for_the_last_three_hours()
    {
        var collector = new Collector(CollectorConfigReader.Read(Config.Replace("      metrics:", "      recentlyActiveOnly: true\n      metrics:", StringComparison.Ordinal)),
            moto.Http, new AwsEndpoints(_proxy.Endpoint), new CollectorMetrics(), _time, ambient: () => MotoAws.Ambient);

        await collector.CollectAsync();

        var list = Assert.Single(_proxy.Received, r => r.Operation == "ListMetrics");
        Assert.Contains("\"RecentlyActive\":\"PT3H\"", list.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(_proxy.Received.Where(r => r.Operation == "ListMetrics" && r != list), _ => true);
    }

    [Fact]
    public async Task One_failing_region_keeps_its_previous_series_while_the_other_region_is_fresh()
    {
        var twoRegions = Config.Replace("regions: [us-east-1]", "regions: [us-east-1, us-west-2]", StringComparison.Ordinal);
        var west = (await moto.RunInstancesAsync(MotoAws.Ambient, 1, "t3.small", ("Name", "west")))[0];
        var window = Collector.Window(CollectorConfigReader.Read(Config).Discovery[0].Metrics[0], _time.GetUtcNow());
        await moto.PutAsync(MotoAws.Ambient, "AWS/EC2", [new MetricDatum("CPUUtilization", [new Dimension("InstanceId", west)], window.End.AddSeconds(-60).ToUnixTimeSeconds(), 7)]);
        var loops = new CollectorLoops(new Collector(CollectorConfigReader.Read(twoRegions), moto.Http, new AwsEndpoints(_proxy.Endpoint), new CollectorMetrics(), _time,
            new CollectorOptions { Retry = new RetryOptions { MaxAttempts = 1, BackoffClock = TimeProvider.System } }, () => MotoAws.Ambient), _time);
        var period = TimeSpan.FromMinutes(5);
        Assert.True(await loops.RunOnceAsync(period));
        var before = loops.Results[period].Series.Count(s => s.Name == "aws_ec2_cpuutilization_average");

        // Each region is its own batch: the first GetMetricData call of the pass, whichever region's it is, is denied.
        _proxy.Enqueue("GetMetricData", 400, FaultProxy.Error("AccessDeniedException", "not authorized in this region"));
        _time.Advance(period);
        Assert.True(await loops.RunOnceAsync(period));

        var result = loops.Results[period];
        Assert.Single(result.FailedTargets);
        Assert.Contains("AccessDeniedException", result.FailedTargets[0], StringComparison.Ordinal);
        Assert.Equal(before, result.Series.Count(s => s.Name == "aws_ec2_cpuutilization_average"));
        Assert.Equal(_time.GetUtcNow(), result.CollectedAt);
    }
}
