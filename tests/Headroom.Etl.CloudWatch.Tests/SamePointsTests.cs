using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.CloudWatch.Tests;
using Headroom.Prometheus.Client;
using Headroom.Warehouse;

namespace Headroom.Etl.CloudWatch.Tests;

/// <summary>
/// The oracle: the Prometheus path over the collector's series. With <c>addCloudwatchTimestamp</c> each sample carries its
/// datapoint's time, so both paths see the same twelve 5-minute points per hour and their rows must agree to rounding
/// (1e-9 relative: Prometheus sums with Kahan compensation, the direct path plainly; both are within a few ulps of exact).
/// Without timestamps the collector's samples land one period plus its delay late (up to 10 minutes of a 60-minute hour),
/// which is the only sampling difference between the two paths; docs/cloudwatch.md says so.
/// </summary>
public sealed class SamePointsTests(SamePointsFixture fixture) : IClassFixture<SamePointsFixture>, IAsyncLifetime
{
    public const string Config = """
        apiVersion: v1alpha1
        discovery:
          jobs:
            - type: AWS/EC2
              regions: [us-east-1]
              searchTags:
                - key: env
                  value: prod
              metrics:
                - {name: CPUUtilization, statistics: [Average], period: 300}
                - {name: NetworkIn, statistics: [Sum], period: 300}
                - {name: NetworkOut, statistics: [Sum], period: 300}
                - {name: StatusCheckFailed, statistics: [Maximum], period: 300}
        """;

    private readonly List<IWarehouse> _warehouses = [];
    private FaultProxy _proxy = null!;

    public Task InitializeAsync()
    {
        _proxy = new FaultProxy(fixture.Moto.Endpoint);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var w in _warehouses)
            await w.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    private async Task<IWarehouse> WarehouseAsync(string name)
    {
        var warehouse = await Warehouse.Warehouse.OpenAsync($"sqlite:{Path.Combine(fixture.DataDirectory, name + ".db")}");
        await warehouse.MigrateAsync();
        _warehouses.Add(warehouse);
        return warehouse;
    }

    /// <summary>A GetMetricData request of a window's read, not of the history probe that asks where the data starts (SampleCount at an hour).</summary>
    internal static bool IsWindowRead((string Operation, string Body) request) => request.Operation == "GetMetricData" && IsWindowRead(request.Body);

    /// <summary>A GetMetricData body of a window's read.</summary>
    internal static bool IsWindowRead(string body) => !body.Contains("\"Stat\":\"SampleCount\"", StringComparison.Ordinal);

    internal static Collector Collector(MotoAws moto, Uri endpoint, string yaml = Config, HttpClient? http = null) =>
        new(CollectorConfigReader.Read(yaml), http ?? moto.Http, new AwsEndpoints(endpoint), new CollectorMetrics(), options: new CollectorOptions
        {
            Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
        }, ambient: () => MotoAws.Ambient);

    private EtlOptions Options(int windowHours, DateTimeOffset? to = null) => new()
    {
        Profile = ProfileLoader.Load("aws-ec2"),
        Source = "cloudwatch",
        From = fixture.Start,
        To = to ?? fixture.End,
        WindowHours = windowHours,
        UseRecordingRules = false,
        Overlap = TimeSpan.Zero,
    };

    [Fact]
    public async Task Daily_and_hourly_windows_load_the_rows_the_prometheus_path_loads_with_one_query_per_metric_per_window()
    {
        // The Prometheus path over the collector's series.
        var viaPrometheus = await WarehouseAsync("prometheus");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        await new EtlRunner(viaPrometheus, new PrometheusClient(http, fixture.Prometheus.BaseUri), new ExtractionOptions())
            .RunAsync(Options(24), EtlMode.Backfill);
        var expected = await viaPrometheus.ReadHourlyAsync("aws-ec2");
        Assert.Equal(3 * 3 * 48, expected.Count);

        // CloudWatch directly, a day a window: 3 instances × 3 metrics the profile reads (StatusCheckFailed is configured but
        // not read) = 9 queries, one call per window.
        var daily = await WarehouseAsync("daily");
        var report = await new CloudWatchEtl(daily, Collector(fixture.Moto, _proxy.Endpoint)).RunAsync(CollectorConfigReader.Read(Config), Options(24), EtlMode.Backfill);
        var target = Assert.Single(report.Targets);
        Assert.Equal($"cloudwatch:{MotoAws.DefaultAccount}/us-east-1", target.Source);
        Assert.Null(target.Error);
        Assert.Equal(2, target.Report!.Requests);
        Assert.Equal(2 * 9, target.MetricsRequested);
        var calls = _proxy.Received.Where(IsWindowRead).ToList();
        Assert.Equal(2, calls.Count);
        // Every hour has data: nothing asks where the series' data starts (that would bill a query per series again).
        Assert.DoesNotContain(_proxy.Received, r => r.Operation == "GetMetricData" && !IsWindowRead(r));
        Assert.All(calls, c => Assert.Equal(9, System.Text.RegularExpressions.Regex.Count(c.Body, "\"MetricStat\"")));
        Assert.DoesNotContain(calls, c => c.Body.Contains("StatusCheckFailed", StringComparison.Ordinal));
        AssertSameRows(expected, await daily.ReadHourlyAsync("aws-ec2"));

        // Hourly windows over the first six hours: six calls of nine queries, the same rows.
        var before = _proxy.Received.Count(IsWindowRead);
        var hourly = await WarehouseAsync("hourly");
        var hourlyReport = await new CloudWatchEtl(hourly, Collector(fixture.Moto, _proxy.Endpoint)).RunAsync(CollectorConfigReader.Read(Config), Options(1, fixture.Start.AddHours(6)), EtlMode.Backfill);
        Assert.Equal(6, _proxy.Received.Count(IsWindowRead) - before);
        Assert.Equal(6 * 9, hourlyReport.Targets[0].MetricsRequested);
        AssertSameRows([.. expected.Where(r => r.HourStart < fixture.Start.AddHours(6))], await hourly.ReadHourlyAsync("aws-ec2"));

        // Resources carry what the report needs: account, region, instance type, the Name tag, the other tags.
        var resources = await daily.ReadResourcesAsync("aws-ec2");
        Assert.Equal(3, resources.Count);
        for (var i = 0; i < 3; i++)
        {
            var r = resources.Single(x => x.Key.Contains(fixture.Instances[i], StringComparison.Ordinal));
            Assert.Equal((MotoAws.DefaultAccount, "us-east-1", SamePointsFixture.Types[i], $"host-{i}"), (r.Account, r.Region, r.InstanceType, r.Name));
            Assert.Equal("prod", r.Metadata["tag_env"]);
        }
    }

    private static void AssertSameRows(IReadOnlyList<HourlyUtilization> expected, IReadOnlyList<HourlyUtilization> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        var byKey = actual.ToDictionary(r => (r.ResourceKey, r.Dimension, r.HourStart));
        foreach (var e in expected)
        {
            Assert.True(byKey.TryGetValue((e.ResourceKey, e.Dimension, e.HourStart), out var a), $"no row for {e.ResourceKey} {e.Dimension} {e.HourStart:u}");
            foreach (var (name, x, y) in new[] { ("avg", e.Avg, a.Avg), ("min", e.Min, a.Min), ("max", e.Max, a.Max), ("p95", e.P95, a.P95) })
                Assert.True(Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Abs(x)), $"{e.ResourceKey} {e.Dimension} {e.HourStart:u} {name}: Prometheus {x}, CloudWatch {y}");
            Assert.Equal((e.Samples, e.Expected), (a.Samples, a.Expected));
        }
    }
}
