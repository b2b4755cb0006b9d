using Headroom.CloudWatch.Config;
using Headroom.CloudWatch.Tests;
using Headroom.Testing;
using Headroom.Warehouse;

namespace Headroom.Etl.CloudWatch.Tests;

/// <summary>
/// Where a direct read's history starts: hours before a series' first datapoint are not gaps (an instance launched an
/// hour ago has nothing to retry for the 12 hours before), hours after it are; and a configured metric that has no
/// datapoint at all is named, with its dimensions, instead of silently becoming gaps.
/// </summary>
public sealed class HistoryStartTests(MotoAws moto) : IClassFixture<MotoAws>, IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-cw-history-");
    private readonly DateTimeOffset _to = EtlRunner.FloorHour(TimeProvider.System.GetUtcNow());
    private IWarehouse _warehouse = null!;

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

    private const string Config = CloudWatchConfigs.AwsEc2Profile;

    private static EtlOptions Incremental() => new()
    {
        Profile = ProfileLoader.Load("aws-ec2"),
        Source = "cloudwatch",
        FirstRunLookback = TimeSpan.FromHours(12),
        SafetyDelay = TimeSpan.Zero,
        Overlap = TimeSpan.Zero,
        WindowHours = 3,
        UseRecordingRules = false,
    };

    private Task<IReadOnlyList<Gap>> OpenGapsAsync() =>
        _warehouse.ListOpenGapsAsync("aws-ec2", CloudWatchEtl.SourceName(MotoAws.DefaultAccount, MotoAws.Region));

    [Fact]
    public async Task Hours_before_the_first_datapoint_are_not_gaps_and_a_missing_hour_after_it_is()
    {
        // Two instances whose metrics start three hours ago (launched then), with the middle hour of the three missing.
        var ids = await moto.RunInstancesAsync(MotoAws.Ambient, 2, "m5.large", ("Name", "young"));
        await DirectHistory.PutAsync(moto, MotoAws.Ambient, ids, _to.AddHours(-3), _to.AddHours(-2));
        await DirectHistory.PutAsync(moto, MotoAws.Ambient, ids, _to.AddHours(-1), _to);
        var etl = new CloudWatchEtl(_warehouse, SamePointsTests.Collector(moto, moto.Endpoint, Config));

        var report = (await etl.RunAsync(CollectorConfigReader.Read(Config), Incremental(), EtlMode.Incremental)).Targets.Single();

        Assert.Null(report.Error);
        Assert.Equal(2 * 2 * 3, report.Report!.RowsLoaded);
        Assert.Equal(_to.AddHours(-3), report.Report.HistoryStart);
        Assert.Equal(9, report.Report.HoursBeforeHistory);
        var gaps = await OpenGapsAsync();
        Assert.Equal(3, gaps.Count);                                   // the missing hour, once per dimension
        Assert.All(gaps, g => Assert.Equal(_to.AddHours(-2), g.WindowStart));
        Assert.Empty(report.NoData);
    }

    [Fact]
    public async Task A_run_with_every_hour_present_does_not_ask_where_the_history_starts()
    {
        // The question costs a GetMetricData query per series: asked on every hourly run, it would double the bill.
        var ids = await moto.RunInstancesAsync(MotoAws.Ambient, 2, "m5.large", ("Name", "steady"));
        await DirectHistory.PutAsync(moto, MotoAws.Ambient, ids, _to.AddHours(-12), _to);
        var etl = new CloudWatchEtl(_warehouse, SamePointsTests.Collector(moto, moto.Endpoint, Config));

        // The run ends where the data does, even when the clock passes the hour meanwhile.
        var report = (await etl.RunAsync(CollectorConfigReader.Read(Config), Incremental() with { To = _to }, EtlMode.Incremental)).Targets.Single();

        Assert.Null(report.Error);
        Assert.Equal(2 * 3 * 12, report.Report!.RowsLoaded);
        Assert.Empty(await OpenGapsAsync());
        // Each window (3 hours, aligned to multiples of 3 hours: 4 or 5 of them) one query per series (2 instances × 3
        // metrics), and nothing more.
        Assert.Equal(report.Report.Windows * 2 * 3, report.MetricsRequested);
        Assert.Null(report.Report.HistoryStart);
    }

    [Fact]
    public async Task A_configured_metric_without_any_datapoint_is_named_with_its_dimensions_and_opens_no_gaps()
    {
        // CPU is published; NetworkIn and NetworkOut never are. A static job names an instance that does not exist.
        var ids = await moto.RunInstancesAsync(MotoAws.Ambient, 2, "m5.large", ("Name", "web"));
        await DirectHistory.PutAsync(moto, MotoAws.Ambient, ids, _to.AddHours(-12), _to, metrics: ["CPUUtilization"]);
        var config = Config + """

            static:
              - name: gone
                namespace: AWS/EC2
                regions: [us-east-1]
                dimensions: [{name: InstanceId, value: i-0000000000000dead}]
                metrics:
                  - {name: CPUUtilization, statistics: [Average], period: 300}
            """;
        var etl = new CloudWatchEtl(_warehouse, SamePointsTests.Collector(moto, moto.Endpoint, config));

        var report = (await etl.RunAsync(CollectorConfigReader.Read(config), Incremental(), EtlMode.Incremental)).Targets.Single();

        Assert.Null(report.Error);
        Assert.Equal(2 * 12, report.Report!.RowsLoaded);               // CPU of both instances, every hour
        Assert.Empty(await OpenGapsAsync());
        Assert.Equal(3, report.NoData.Count);
        var networkIn = Assert.Single(report.NoData, l => l.StartsWith("AWS/EC2 NetworkIn (Sum)", StringComparison.Ordinal));
        Assert.Contains("CloudWatch lists no such metric", networkIn, StringComparison.Ordinal);
        Assert.Contains("check the metric's name", networkIn, StringComparison.Ordinal);
        Assert.Single(report.NoData, l => l.StartsWith("AWS/EC2 NetworkOut (Sum)", StringComparison.Ordinal));
        var dead = Assert.Single(report.NoData, l => l.StartsWith("AWS/EC2 CPUUtilization (Average)", StringComparison.Ordinal));
        Assert.Contains("InstanceId=i-0000000000000dead", dead, StringComparison.Ordinal);
        Assert.Contains("no datapoint", dead, StringComparison.Ordinal);
    }
}
