using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.CloudWatch.Tests;
using Headroom.Insights.Waste;
using Headroom.Warehouse;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Etl.CloudWatch.Tests;

/// <summary>
/// The waste profiles through the CloudWatch-direct path, end to end against a real moto_server: RDS instances and EBS
/// volumes created with the services' own calls, two days of their metrics put with PutMetricData, the direct ETL with
/// profiles aws-rds and aws-ebs into SQLite, and the waste rules over what landed. The facts the saving needs (DB class,
/// Multi-AZ, volume size, type, attachment) come from discovery's describe calls, through the info series, into the
/// resources table. The clock runs two days ahead of moto's, so that the history lies after the resources' creation (the
/// direct path counts a resource present from its <c>created</c> label on).
/// </summary>
public sealed class WasteDirectTests(MotoAws moto) : IClassFixture<MotoAws>, IAsyncLifetime
{
    private const int Days = 2;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-cw-waste-");
    private readonly DateTimeOffset _start = EtlRunner.FloorHour(TimeProvider.System.GetUtcNow()).AddHours(1);
    private IWarehouse _warehouse = null!;

    private DateTimeOffset End => _start.AddDays(Days);

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _warehouse = await Warehouse.Warehouse.OpenAsync($"sqlite:{Path.Combine(_directory.FullName, "w.db")}");
        await _warehouse.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _warehouse.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    private const string Config = """
        apiVersion: v1alpha1
        discovery:
          jobs:
            - type: rds
              regions: [us-east-1]
              searchTags: [{key: env, value: prod}]
              metrics: [{name: DatabaseConnections, statistics: [Maximum], period: 300}]
            - type: ebs
              regions: [us-east-1]
              searchTags: [{key: env, value: prod}]
              metrics:
                - {name: VolumeReadOps, statistics: [Sum], period: 300}
                - {name: VolumeWriteOps, statistics: [Sum], period: 300}
        """;

    private static readonly (string, string)[] Prod = [("env", "prod")];

    /// <summary>One datapoint every 5 minutes of the window for each (metric, dimension, value).</summary>
    private async Task PutAsync(string ns, params (string Metric, string Dimension, string Id, double Value)[] series)
    {
        var data = new List<MetricDatum>();
        for (var t = _start.ToUnixTimeSeconds(); t < End.ToUnixTimeSeconds(); t += 300)
            data.AddRange(series.Select(s => new MetricDatum(s.Metric, [new Headroom.CloudWatch.Aws.Dimension(s.Dimension, s.Id)], t, s.Value)));
        await moto.PutAsync(MotoAws.Ambient, ns, data);
    }

    private async Task<WasteReport> LoadAndJudgeAsync(CollectorConfig config, FakeTimeProvider time)
    {
        var collector = new Collector(config, moto.Http, new AwsEndpoints(moto.Endpoint), new CollectorMetrics(), time,
            new CollectorOptions { Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), BackoffClock = TimeProvider.System } }, () => MotoAws.Ambient);
        var etl = new CloudWatchEtl(_warehouse, collector, time: time);
        foreach (var profile in new[] { "aws-rds", "aws-ebs" })
        {
            var report = await etl.RunAsync(config, new EtlOptions
            {
                Profile = ProfileLoader.Load(profile),
                Source = "cloudwatch",
                FirstRunLookback = TimeSpan.FromDays(Days),
                SafetyDelay = TimeSpan.Zero,
                Overlap = TimeSpan.Zero,
                WindowHours = 24,
                UseRecordingRules = false,
            }, EtlMode.Incremental);
            Assert.Equal(1, report.Complete);
        }
        return await WasteEngine.RunAsync(_warehouse.Waste(), ServicePrices.BuiltIn, new WasteOptions { Days = Days, IdleDays = 1 }, kinds: [WasteKind.RdsInstance, WasteKind.EbsVolume]);
    }

    [Fact]
    public async Task Rds_and_ebs_waste_is_found_and_priced_from_the_describe_apis_facts_through_the_direct_path()
    {
        var aws = new MotoServices(moto);
        await aws.CreateDbInstanceAsync("orders", "db.m5.large", "mysql", true, Prod);      // idle, Multi-AZ
        await aws.CreateDbInstanceAsync("reports", "db.r5.large", "mysql", false, Prod);    // busy
        var spare = await aws.CreateVolumeAsync(500, "gp3", Prod);                          // unattached
        var data = await aws.CreateVolumeAsync(100, "gp2", Prod);                           // attached, ~2 IOPS
        var quiet = await aws.CreateVolumeAsync(200, "gp3", Prod);                          // attached, 0.1 IOPS
        await aws.AttachVolumeAsync(data);
        await aws.AttachVolumeAsync(quiet);
        await PutAsync("AWS/RDS", ("DatabaseConnections", "DBInstanceIdentifier", "orders", 0), ("DatabaseConnections", "DBInstanceIdentifier", "reports", 12));
        await PutAsync("AWS/EBS", ("VolumeReadOps", "VolumeId", data, 300), ("VolumeWriteOps", "VolumeId", data, 300),
            ("VolumeReadOps", "VolumeId", quiet, 15), ("VolumeWriteOps", "VolumeId", quiet, 15));

        var report = await LoadAndJudgeAsync(CollectorConfigReader.Read(Config), new FakeTimeProvider(End.AddMinutes(20)));

        // The facts landed in the resources table.
        var databases = await _warehouse.ReadResourcesAsync("aws-rds");
        var orders = Assert.Single(databases, r => r.Key.Contains(":db:orders", StringComparison.Ordinal));
        Assert.Equal("db.m5.large", orders.InstanceType);
        Assert.Equal("true", orders.Metadata["multi_az"]);
        Assert.Equal("mysql", orders.Metadata["engine"]);
        var volumes = await _warehouse.ReadResourcesAsync("aws-ebs");
        Assert.Equal("500", Assert.Single(volumes, r => r.Key.Contains(spare, StringComparison.Ordinal)).Metadata["size_gib"]);

        var rds = report.Sections.Single(s => s.Info.Kind == WasteKind.RdsInstance);
        WasteFinding Rds(string id) => rds.Findings.Single(f => f.Resource.Key.Contains($":db:{id}", StringComparison.Ordinal));
        Assert.Equal(WasteVerdict.Idle, Rds("orders").Verdict);
        Assert.Equal(decimal.Round(2 * 0.171m * 730, 2, MidpointRounding.AwayFromZero), Rds("orders").MonthlySavings);   // Multi-AZ: twice
        Assert.Equal(WasteVerdict.Ok, Rds("reports").Verdict);

        var ebs = report.Sections.Single(s => s.Info.Kind == WasteKind.EbsVolume);
        WasteFinding Ebs(string id) => ebs.Findings.Single(f => f.Resource.Key.Contains(id, StringComparison.Ordinal));
        Assert.Equal(WasteVerdict.Underused, Ebs(spare).Verdict);
        Assert.Equal(40.00m, Ebs(spare).MonthlySavings);          // 500 GiB gp3 × $0.08
        Assert.Contains("unattached", Ebs(spare).Evidence, StringComparison.Ordinal);
        Assert.Equal(WasteVerdict.Underused, Ebs(quiet).Verdict);
        Assert.Equal(16.00m, Ebs(quiet).MonthlySavings);          // 200 GiB gp3 × $0.08: 0.1 IOPS
        Assert.Equal(WasteVerdict.Ok, Ebs(data).Verdict);
    }

    [Fact]
    public async Task A_denied_describe_call_makes_the_idle_database_insufficient_data_not_a_guessed_saving()
    {
        var aws = new MotoServices(moto);
        await aws.CreateDbInstanceAsync("orders", "db.m5.large", "mysql", false, Prod);
        await PutAsync("AWS/RDS", ("DatabaseConnections", "DBInstanceIdentifier", "orders", 0));
        await using var proxy = new FaultProxy(moto.Endpoint);
        // Every DescribeDBInstances is denied (retries included): the collector has no rds:DescribeDBInstances permission.
        for (var i = 0; i < 10; i++)
            proxy.Enqueue("DescribeDBInstances", 403, FaultProxy.XmlError("AccessDenied", "not authorized to perform: rds:DescribeDBInstances"));
        var time = new FakeTimeProvider(End.AddMinutes(20));
        var collector = new Collector(CollectorConfigReader.Read(Config), moto.Http, new AwsEndpoints(proxy.Endpoint), new CollectorMetrics(), time,
            new CollectorOptions { Retry = new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), BackoffClock = TimeProvider.System } }, () => MotoAws.Ambient);
        await new CloudWatchEtl(_warehouse, collector, time: time).RunAsync(CollectorConfigReader.Read(Config), new EtlOptions
        {
            Profile = ProfileLoader.Load("aws-rds"),
            Source = "cloudwatch",
            FirstRunLookback = TimeSpan.FromDays(Days),
            SafetyDelay = TimeSpan.Zero,
            Overlap = TimeSpan.Zero,
            WindowHours = 24,
            UseRecordingRules = false,
        }, EtlMode.Incremental);

        var report = await WasteEngine.RunAsync(_warehouse.Waste(), ServicePrices.BuiltIn, new WasteOptions { Days = Days, IdleDays = 1 }, kinds: [WasteKind.RdsInstance]);

        var finding = Assert.Single(report.Sections.Single().Findings);
        Assert.Equal(WasteVerdict.InsufficientData, finding.Verdict);
        Assert.Equal(0, finding.MonthlySavings);
        Assert.Contains("rds:DescribeDBInstances", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("no connection", finding.Evidence, StringComparison.Ordinal);
    }
}
