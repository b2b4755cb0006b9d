using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.CloudWatch.Tests;

/// <summary>Collection against a real moto_server: what is put into "AWS" comes out as YACE-named series.</summary>
[Collection(MotoCollection.Name)]
public sealed class CollectorMotoTests(MotoAws moto) : IAsyncLifetime
{
    // A fixed clock makes the query window known; moto does not check signature times.
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 300 * 300 + 17));

    public Task InitializeAsync() => moto.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Collector Collector(string yaml, CollectorMetrics? metrics = null) =>
        new(CollectorConfigReader.Read(yaml), moto.Http, new AwsEndpoints(moto.Endpoint), metrics ?? new CollectorMetrics(), _time,
            new CollectorOptions { Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), BackoffClock = TimeProvider.System } }, () => MotoAws.Ambient);

    /// <summary>A timestamp inside the window a 5-minute metric with no delay is asked for.</summary>
    private double InWindow(MetricConfig metric) => Collection.Collector.Window(metric, _time.GetUtcNow()).End.AddSeconds(-100).ToUnixTimeSeconds();

    private const string Ec2Config = """
        apiVersion: v1alpha1
        discovery:
          jobs:
            - type: AWS/EC2
              regions: [us-east-1]
              searchTags:
                - key: env
                  value: prod
              exportedTagsOnMetrics: [Name]
              metrics:
                - name: CPUUtilization
                  statistics: [Average, Maximum]
                  period: 300
                - name: NetworkIn
                  statistics: [Sum]
                  period: 300
                  nilToZero: true
        """;

    [Fact]
    public async Task Discovered_instances_export_what_was_put_with_yace_names_and_labels()
    {
        var web = await moto.RunInstancesAsync(MotoAws.Ambient, 2, "m5.large", ("Name", "web"), ("env", "prod"));
        var dev = await moto.RunInstancesAsync(MotoAws.Ambient, 1, "t3.micro", ("Name", "dev"), ("env", "dev"));
        var stopped = await moto.RunInstancesAsync(MotoAws.Ambient, 1, "t3.micro", ("Name", "old"), ("env", "prod"));
        await moto.StopInstancesAsync(MotoAws.Ambient, stopped[0]);

        var collector = Collector(Ec2Config);
        var cpu = CollectorConfigReader.Read(Ec2Config).Discovery[0].Metrics[0];
        var at = InWindow(cpu);
        var data = new List<MetricDatum>();
        foreach (var (id, value) in new[] { (web[0], 12.5), (web[1], 71.25), (dev[0], 5.0), (stopped[0], 1.0) })
            data.Add(new MetricDatum("CPUUtilization", [new Dimension("InstanceId", id)], at, value, "Percent"));
        data.Add(new MetricDatum("NetworkIn", [new Dimension("InstanceId", web[0])], at, 123456, "Bytes"));
        // A per-instance-type aggregate: no resource gives this dimension, so it is not exported.
        data.Add(new MetricDatum("CPUUtilization", [new Dimension("InstanceType", "m5.large")], at, 50, "Percent"));
        await moto.PutAsync(MotoAws.Ambient, "AWS/EC2", data);

        var result = await collector.CollectAsync();

        var averages = result.Series.Where(s => s.Name == "aws_ec2_cpuutilization_average").ToList();
        Assert.Equal(2, averages.Count);   // dev does not match searchTags; the stopped instance is dropped
        var first = averages.Single(s => s.Label("dimension_InstanceId") == web[0]);
        Assert.Equal(12.5, first.Value);
        Assert.Equal($"arn:aws:ec2:us-east-1:{MotoAws.DefaultAccount}:instance/{web[0]}", first.Label("name"));
        Assert.Equal("us-east-1", first.Label("region"));
        Assert.Equal(MotoAws.DefaultAccount, first.Label("account_id"));
        Assert.Equal("web", first.Label("tag_Name"));
        Assert.Null(first.Label("tag_env"));   // only exportedTagsOnMetrics become labels of metrics
        Assert.Equal(71.25, averages.Single(s => s.Label("dimension_InstanceId") == web[1]).Value);
        Assert.Equal(71.25, result.Series.Single(s => s.Name == "aws_ec2_cpuutilization_maximum" && s.Label("dimension_InstanceId") == web[1]).Value);

        Assert.Equal(123456, result.Series.Single(s => s.Name == "aws_ec2_network_in_sum" && s.Label("dimension_InstanceId") == web[0]).Value);
        // No datapoint for web[1]'s NetworkIn: nilToZero makes it 0; ListMetrics did not list it, so it is absent.
        Assert.DoesNotContain(result.Series, s => s.Name == "aws_ec2_network_in_sum" && s.Label("dimension_InstanceId") == web[1]);

        var info = result.Series.Where(s => s.Name == "aws_ec2_info").ToList();
        Assert.Equal(2, info.Count);
        var webInfo = info.Single(s => s.Label("name")!.EndsWith(web[0], StringComparison.Ordinal));
        Assert.Equal(0, webInfo.Value);
        Assert.Equal("m5.large", webInfo.Label("instance_type"));
        Assert.Equal("prod", webInfo.Label("tag_env"));
        Assert.Equal("web", webInfo.Label("tag_Name"));

        var text = Exposition.Write(result.Series);
        Assert.Contains($"aws_ec2_cpuutilization_average{{account_id=\"{MotoAws.DefaultAccount}\",dimension_InstanceId=\"{web[0]}\",name=\"arn:aws:ec2:us-east-1:{MotoAws.DefaultAccount}:instance/{web[0]}\",region=\"us-east-1\",tag_Name=\"web\"}} 12.5\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE aws_ec2_info gauge", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_without_datapoints_is_nan_or_zero_with_nil_to_zero()
    {
        var ids = await moto.RunInstancesAsync(MotoAws.Ambient, 1, "t3.micro", ("env", "prod"));
        // Datapoints outside the window: ListMetrics lists the metrics, GetMetricData finds nothing in the window.
        var old = _time.GetUtcNow().AddDays(-1).ToUnixTimeSeconds();
        await moto.PutAsync(MotoAws.Ambient, "AWS/EC2", [
            new MetricDatum("CPUUtilization", [new Dimension("InstanceId", ids[0])], old, 10),
            new MetricDatum("NetworkIn", [new Dimension("InstanceId", ids[0])], old, 10)]);

        var result = await Collector(Ec2Config).CollectAsync();

        Assert.True(double.IsNaN(result.Series.Single(s => s.Name == "aws_ec2_cpuutilization_average").Value));
        Assert.Equal(0, result.Series.Single(s => s.Name == "aws_ec2_network_in_sum").Value);
    }

    [Theory]
    [InlineData(499, 1)]
    [InlineData(500, 1)]
    [InlineData(1201, 3)]
    public async Task N_queries_make_ceil_n_over_500_get_metric_data_calls(int series, int calls)
    {
        // The window of a one-minute metric without delay ends at the last whole minute.
        var at = _time.GetUtcNow().ToUnixTimeSeconds() / 60 * 60 - 30;
        var data = Enumerable.Range(0, series).Select(i => new MetricDatum("jobs_done", [new Dimension("Worker", $"w{i:D5}")], at, i)).ToList();
        await moto.PutAsync(MotoAws.Ambient, "Headroom/Test", data);
        var metrics = new CollectorMetrics();
        var collector = Collector("""
            apiVersion: v1alpha1
            customNamespace:
              - name: workers
                namespace: Headroom/Test
                regions: [us-east-1]
                metrics:
                  - name: jobs_done
                    statistics: [Sum]
                    period: 60
                    delay: 0
            """, metrics);

        var result = await collector.CollectAsync();

        Assert.Equal(series, result.Queries);
        Assert.Equal(calls, metrics.RequestCount("GetMetricData"));
        Assert.Equal(calls, result.GetMetricDataCalls);
        Assert.Equal(series, metrics.MetricsRequested.Value);
        Assert.Equal(series, result.Series.Count);
        // Each series carries the value put for its own dimension, so ids were matched back across batches.
        Assert.All(result.Series, s => Assert.Equal(int.Parse(s.Label("dimension_Worker")![1..], System.Globalization.CultureInfo.InvariantCulture), s.Value));
        Assert.All(result.Series, s => Assert.Equal("aws_headroom_test_jobs_done_sum", s.Name));
    }

    [Fact]
    public async Task Discovery_and_list_metrics_are_cached_between_loops()
    {
        var ids = await moto.RunInstancesAsync(MotoAws.Ambient, 1, "t3.micro", ("env", "prod"));
        var cpu = CollectorConfigReader.Read(Ec2Config).Discovery[0].Metrics[0];
        await moto.PutAsync(MotoAws.Ambient, "AWS/EC2", [new MetricDatum("CPUUtilization", [new Dimension("InstanceId", ids[0])], InWindow(cpu), 3)]);
        var metrics = new CollectorMetrics();
        var collector = Collector(Ec2Config, metrics);

        await collector.CollectAsync();
        await collector.CollectAsync();

        Assert.Equal(1, metrics.RequestCount("GetResources"));
        Assert.Equal(1, metrics.RequestCount("DescribeInstances"));
        Assert.Equal(2, metrics.RequestCount("ListMetrics"));   // one per metric name, once
        Assert.Equal(2, metrics.RequestCount("GetMetricData")); // one per loop

        _time.Advance(TimeSpan.FromMinutes(11));
        await collector.CollectAsync();
        Assert.Equal(2, metrics.RequestCount("GetResources"));
    }

    [Fact]
    public async Task Roles_in_two_accounts_are_assumed_and_labelled_with_their_account()
    {
        const string RoleA = "arn:aws:iam::111111111111:role/headroom";
        const string RoleB = "arn:aws:iam::222222222222:role/headroom";
        var expected = new Dictionary<string, (string Account, double Value)>();
        foreach (var (role, account, value) in new[] { (RoleA, "111111111111", 11.0), (RoleB, "222222222222", 22.0) })
        {
            var credentials = await moto.AssumeAsync(role);
            var ids = await moto.RunInstancesAsync(credentials, 1, "c5.xlarge", ("Name", $"api-{account}"), ("env", "prod"));
            var at = InWindow(CollectorConfigReader.Read(Ec2Config).Discovery[0].Metrics[0]);
            await moto.PutAsync(credentials, "AWS/EC2", [new MetricDatum("CPUUtilization", [new Dimension("InstanceId", ids[0])], at, value)]);
            expected[ids[0]] = (account, value);
        }
        var metrics = new CollectorMetrics();
        var collector = Collector(Ec2Config.Replace("      searchTags:", $"      roles:\n        - roleArn: {RoleA}\n          externalId: ext-a\n        - roleArn: {RoleB}\n      searchTags:", StringComparison.Ordinal), metrics);

        var result = await collector.CollectAsync();

        var cpu = result.Series.Where(s => s.Name == "aws_ec2_cpuutilization_average").ToList();
        Assert.Equal(2, cpu.Count);
        foreach (var s in cpu)
        {
            var (account, value) = expected[s.Label("dimension_InstanceId")!];
            Assert.Equal(account, s.Label("account_id"));
            Assert.Equal(value, s.Value);
            Assert.StartsWith($"arn:aws:ec2:us-east-1:{account}:instance/", s.Label("name"), StringComparison.Ordinal);
            Assert.Equal($"api-{account}", s.Label("tag_Name"));
        }
        Assert.Equal(2, metrics.RequestCount("AssumeRole"));
        Assert.Equal(2, metrics.RequestCount("GetMetricData"));   // one per account
    }

    [Fact]
    public async Task Static_jobs_query_fixed_dimensions_and_learn_the_account_from_sts()
    {
        var at = _time.GetUtcNow().ToUnixTimeSeconds() / 60 * 60 - 30;
        await moto.PutAsync(MotoAws.Ambient, "AWS/NATGateway", [
            new MetricDatum("BytesOutToDestination", [new Dimension("NatGatewayId", "nat-0abc")], at, 2048),
            new MetricDatum("BytesOutToDestination", [new Dimension("NatGatewayId", "nat-other")], at, 1)]);
        var metrics = new CollectorMetrics();
        var collector = Collector("""
            apiVersion: v1alpha1
            static:
              - name: egress
                namespace: AWS/NATGateway
                regions: [us-east-1]
                customTags:
                  - {key: team, value: network}
                dimensions:
                  - {name: NatGatewayId, value: nat-0abc}
                metrics:
                  - {name: BytesOutToDestination, statistics: [Sum, SampleCount], period: 60, delay: 0}
            """, metrics);

        var result = await collector.CollectAsync();

        var sum = result.Series.Single(s => s.Name == "aws_natgateway_bytes_out_to_destination_sum");
        Assert.Equal(2048, sum.Value);
        Assert.Equal("egress", sum.Label("name"));
        Assert.Equal("nat-0abc", sum.Label("dimension_NatGatewayId"));
        Assert.Equal("network", sum.Label("custom_tag_team"));
        Assert.Equal(MotoAws.DefaultAccount, sum.Label("account_id"));
        Assert.Equal(1, result.Series.Single(s => s.Name == "aws_natgateway_bytes_out_to_destination_sample_count").Value);
        Assert.Equal(1, metrics.RequestCount("GetCallerIdentity"));
        Assert.Equal(0, metrics.RequestCount("ListMetrics"));   // static jobs need no listing
    }
}
