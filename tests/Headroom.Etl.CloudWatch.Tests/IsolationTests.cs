using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.CloudWatch.Config;
using Headroom.CloudWatch.Tests;
using Headroom.Prometheus.Configuration;
using Headroom.Warehouse;

namespace Headroom.Etl.CloudWatch.Tests;

/// <summary>
/// Accounts and regions are independent: a denied role, throttling and a region that does not answer, injected by the fault
/// proxy in front of a real moto_server; limits and pagination; bad input.
/// </summary>
public sealed class IsolationTests(MotoAws moto) : IClassFixture<MotoAws>, IAsyncLifetime
{
    private const string RoleA = "arn:aws:iam::111111111111:role/headroom";
    private const string RoleB = "arn:aws:iam::222222222222:role/headroom";
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-cw-isolation-");
    private readonly DateTimeOffset _to = EtlRunner.FloorHour(TimeProvider.System.GetUtcNow());
    private FaultProxy _proxy = null!;
    private IWarehouse _warehouse = null!;

    private DateTimeOffset From => _to.AddHours(-3);

    public async Task InitializeAsync()
    {
        await moto.ResetAsync();
        _proxy = new FaultProxy(moto.Endpoint);
        _warehouse = await Warehouse.Warehouse.OpenAsync($"sqlite:{Path.Combine(_directory.FullName, "w.db")}");
        await _warehouse.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _warehouse.DisposeAsync();
        await _proxy.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    private static string Config(string roles, string regions = "[us-east-1]") => $$"""
        apiVersion: v1alpha1
        sts-region: us-east-1
        discovery:
          jobs:
            - type: AWS/EC2
              regions: {{regions}}
              roles: {{roles}}
              metrics:
                - {name: CPUUtilization, statistics: [Average], period: 300}
                - {name: NetworkIn, statistics: [Sum], period: 300}
                - {name: NetworkOut, statistics: [Sum], period: 300}
        """;

    private static EtlOptions Incremental() => new()
    {
        Profile = ProfileLoader.Load("aws-ec2"),
        Source = "cloudwatch",
        FirstRunLookback = TimeSpan.FromHours(3),
        SafetyDelay = TimeSpan.Zero,
        Overlap = TimeSpan.Zero,
        WindowHours = 1,
        UseRecordingRules = false,
    };

    /// <summary>Two instances with three hours of history in the account of <paramref name="role"/> (ambient when null), in <paramref name="region"/>.</summary>
    private async Task SeedAsync(string? role, string region = MotoAws.Region)
    {
        var credentials = role is null ? MotoAws.Ambient : await moto.AssumeAsync(role);
        IReadOnlyList<string> ids = region == MotoAws.Region
            ? await moto.RunInstancesAsync(credentials, 2, "m5.large", ("Name", "web"))
            : [.. await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => new AwsSandbox(moto.Endpoint, credentials).RunInstanceAsync(credentials, region, "m5.large", new Dictionary<string, string> { ["Name"] = "web" })))];
        await DirectHistory.PutAsync(moto, credentials, ids, _to.AddHours(-6), _to, region);
    }

    private async Task<int> OpenGapsAsync(string account) =>
        (await _warehouse.ListOpenGapsAsync("aws-ec2", CloudWatchEtl.SourceName(account, "us-east-1"))).Count;

    [Fact]
    public async Task A_denied_role_becomes_gaps_of_its_account_only_while_the_other_loads_and_the_next_run_fills_them()
    {
        await SeedAsync(RoleA);
        await SeedAsync(RoleB);
        var config = Config($"[{{roleArn: '{RoleA}'}}, {{roleArn: '{RoleB}'}}]");
        // Targets run in the configuration's order: the first AssumeRole calls are account A's, one per window (a window
        // that cannot be read becomes gaps without asking where the history starts). Throttling on top is retried.
        for (var call = 0; call < 3; call++)
            _proxy.Enqueue("AssumeRole", 403, FaultProxy.XmlError("AccessDenied", "not authorized to perform sts:AssumeRole"));
        _proxy.Enqueue("GetMetricData", 400, FaultProxy.Error("Throttling", "Rate exceeded"));
        var etl = new CloudWatchEtl(_warehouse, SamePointsTests.Collector(moto, _proxy.Endpoint, config));

        var first = await etl.RunAsync(CollectorConfigReader.Read(config), Incremental(), EtlMode.Incremental);

        var (a, b) = (first.Targets[0], first.Targets[1]);
        Assert.Equal(CloudWatchEtl.SourceName("111111111111", "us-east-1"), a.Source);
        Assert.Equal(3, a.Report!.Unavailable.Count);
        Assert.Contains("AccessDenied", a.Report.Unavailable[0], StringComparison.Ordinal);
        Assert.Equal(0, a.Report.RowsLoaded);
        Assert.Equal(3 * 3, await OpenGapsAsync("111111111111"));
        Assert.Equal(2 * 3 * 3, b.Report!.RowsLoaded);
        Assert.Equal(0, await OpenGapsAsync("222222222222"));
        var rows = await _warehouse.ReadHourlyAsync("aws-ec2");
        Assert.All(rows, r => Assert.Contains(":222222222222:", r.ResourceKey, StringComparison.Ordinal));

        // The next run has nothing new to load, and retries account A's gaps: they fill.
        var second = await etl.RunAsync(CollectorConfigReader.Read(config), Incremental(), EtlMode.Incremental);

        Assert.Equal(3 * 3, second.Targets[0].Report!.GapsResolved);
        Assert.Equal(0, await OpenGapsAsync("111111111111"));
        Assert.Equal(2 * 2 * 3 * 3, (await _warehouse.ReadHourlyAsync("aws-ec2")).Count);
    }

    /// <summary>
    /// A configuration names two regions and only one has instances: the empty one holds nothing a window could ever load,
    /// so its hours are not gaps (they would be retried for 63 days for nothing, and `etl status` would count them).
    /// </summary>
    [Fact]
    public async Task A_region_with_no_resource_opens_no_gaps_while_the_other_loads()
    {
        await SeedAsync(null);
        var config = Config("[{}]", "[us-east-1, us-west-2]").Replace("      roles: [{}]\n", "", StringComparison.Ordinal);
        var etl = new CloudWatchEtl(_warehouse, SamePointsTests.Collector(moto, _proxy.Endpoint, config));

        var report = await etl.RunAsync(CollectorConfigReader.Read(config), Incremental() with { WindowHours = 3 }, EtlMode.Incremental);

        var east = report.Targets.Single(t => t.Region == "us-east-1").Report!;
        var west = report.Targets.Single(t => t.Region == "us-west-2").Report!;
        Assert.Equal(2 * 3 * 3, east.RowsLoaded);
        Assert.False(east.SourceHoldsNoData);
        Assert.True(west.SourceHoldsNoData);
        Assert.Equal(0, west.RowsLoaded);
        Assert.Equal(0, west.GapsOpened);
        Assert.Empty(await _warehouse.ListOpenGapsAsync("aws-ec2", CloudWatchEtl.SourceName(MotoAws.DefaultAccount, "us-west-2")));
        Assert.Empty(await _warehouse.ListOpenGapsAsync("aws-ec2", CloudWatchEtl.SourceName(MotoAws.DefaultAccount, "us-east-1")));
    }

    [Fact]
    public async Task A_region_that_does_not_answer_becomes_its_gaps_and_the_other_region_loads()
    {
        await SeedAsync(null);
        await SeedAsync(null, "us-west-2");
        var config = Config("[{}]", "[us-east-1, us-west-2]").Replace("      roles: [{}]\n", "", StringComparison.Ordinal);
        // moto builds a region's backends on their first use, which on a loaded machine takes longer than the 2.5 s this test
        // gives a call: read us-east-1 once without that timeout, so that only the stalled region times out below.
        await using (var warm = await Warehouse.Warehouse.OpenAsync($"sqlite:{Path.Combine(_directory.FullName, "warm.db")}"))
        {
            await warm.MigrateAsync();
            var eastOnly = Config("[{}]").Replace("      roles: [{}]\n", "", StringComparison.Ordinal);
            await new CloudWatchEtl(warm, SamePointsTests.Collector(moto, moto.Endpoint, eastOnly)).RunAsync(CollectorConfigReader.Read(eastOnly), Incremental(), EtlMode.Incremental);
        }
        _proxy.Stall("us-west-2", TimeSpan.FromSeconds(6));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2.5) };
        var etl = new CloudWatchEtl(_warehouse, SamePointsTests.Collector(moto, _proxy.Endpoint, config, http));

        var report = await etl.RunAsync(CollectorConfigReader.Read(config), Incremental() with { WindowHours = 3 }, EtlMode.Incremental);

        var east = report.Targets.Single(t => t.Region == "us-east-1");
        var west = report.Targets.Single(t => t.Region == "us-west-2");
        Assert.True(east.Report!.RowsLoaded == 2 * 3 * 3, string.Join("; ", east.Report.Unavailable) + east.Error);
        Assert.Empty(east.Report.Unavailable);
        Assert.NotEmpty(west.Report!.Unavailable);
        Assert.All(west.Report.Unavailable, u => Assert.Contains("did not answer in time", u, StringComparison.Ordinal));
        var westSource = CloudWatchEtl.SourceName(MotoAws.DefaultAccount, "us-west-2");
        Assert.Equal(3 * 3, (await _warehouse.ListOpenGapsAsync("aws-ec2", westSource)).Count);

        // The region answers again (a proxy without the stall: the stalled one still holds requests the client gave up on):
        // the next run has nothing new to load and fills the region's gaps.
        await using var healthy = new FaultProxy(moto.Endpoint);
        var second = await new CloudWatchEtl(_warehouse, SamePointsTests.Collector(moto, healthy.Endpoint, config))
            .RunAsync(CollectorConfigReader.Read(config), Incremental() with { WindowHours = 3 }, EtlMode.Incremental);

        Assert.Equal(3 * 3, second.Targets.Single(t => t.Region == "us-west-2").Report!.GapsResolved);
        Assert.Empty(await _warehouse.ListOpenGapsAsync("aws-ec2", westSource));
        Assert.Equal(2 * 2 * 3 * 3, (await _warehouse.ReadHourlyAsync("aws-ec2")).Count);
    }

    [Fact]
    public async Task Throttling_past_the_retries_becomes_a_gap_of_that_account_and_window_only_and_the_next_run_fills_it()
    {
        await SeedAsync(RoleA);
        await SeedAsync(RoleB);
        var config = Config($"[{{roleArn: '{RoleA}'}}, {{roleArn: '{RoleB}'}}]");
        // Targets run in the configuration's order, windows oldest first: account A's first window asks first, and as many throttled answers as a call has attempts exhaust it. Every later call is answered by moto.
        for (var attempt = 0; attempt < new RetryOptions().MaxAttempts; attempt++)
            _proxy.EnqueueWhen("GetMetricData", SamePointsTests.IsWindowRead, 400, FaultProxy.Error("Throttling", "Rate exceeded"));
        var etl = new CloudWatchEtl(_warehouse, SamePointsTests.Collector(moto, _proxy.Endpoint, config));

        var first = await etl.RunAsync(CollectorConfigReader.Read(config), Incremental(), EtlMode.Incremental);

        var (a, b) = (first.Targets[0], first.Targets[1]);
        var unavailable = Assert.Single(a.Report!.Unavailable);
        Assert.Contains("Throttling", unavailable, StringComparison.Ordinal);
        Assert.Equal(2 * 3 * 2, a.Report.RowsLoaded);                 // its two other windows load
        var gaps = await _warehouse.ListOpenGapsAsync("aws-ec2", CloudWatchEtl.SourceName("111111111111", "us-east-1"));
        Assert.Equal(3, gaps.Count);                                    // one hour × three dimensions
        Assert.All(gaps, g => Assert.Equal(From, g.WindowStart));
        Assert.Equal(2 * 3 * 3, b.Report!.RowsLoaded);
        Assert.Equal(0, await OpenGapsAsync("222222222222"));

        var second = await etl.RunAsync(CollectorConfigReader.Read(config), Incremental(), EtlMode.Incremental);

        Assert.Equal(3, second.Targets[0].Report!.GapsResolved);
        Assert.Equal(0, await OpenGapsAsync("111111111111"));
        Assert.Equal(2 * 2 * 3 * 3, (await _warehouse.ReadHourlyAsync("aws-ec2")).Count);
    }

    [Fact]
    public async Task Limits_split_a_window_across_calls_in_queries_and_in_time_and_next_token_pages_are_followed()
    {
        await SeedAsync(null);
        var config = Config("[{}]").Replace("      roles: [{}]\n", "", StringComparison.Ordinal);
        // One 3-hour window, aligned as windows are (to multiples of their length since the epoch).
        var end = DateTimeOffset.FromUnixTimeSeconds(_to.ToUnixTimeSeconds() / 10_800 * 10_800);
        var options = Incremental() with { WindowHours = 3, From = end.AddHours(-3), To = end };
        var plain = await new CloudWatchEtl(_warehouse, SamePointsTests.Collector(moto, _proxy.Endpoint, config)).RunAsync(CollectorConfigReader.Read(config), options, EtlMode.Backfill);
        Assert.Equal(1, plain.Targets[0].Report!.Requests);   // 2 instances × 3 metrics × 36 points: one call
        var expected = await _warehouse.ReadHourlyAsync("aws-ec2");

        await using var other = await Warehouse.Warehouse.OpenAsync($"sqlite:{Path.Combine(_directory.FullName, "limited.db")}");
        await other.MigrateAsync();
        // 24 datapoints a call: a 36-point query is cut into a 2-hour and a 1-hour slice, one query a call: 6 × 2 = 12 calls,
        // plus one for the scripted first page that carries a NextToken.
        _proxy.EnqueueWhen("GetMetricData", SamePointsTests.IsWindowRead, 200, """{"MetricDataResults":[{"Id":"q0","Timestamps":[],"Values":[],"StatusCode":"PartialData"}],"NextToken":"page-2"}""");
        var before = _proxy.Received.Count(SamePointsTests.IsWindowRead);
        var limited = await new CloudWatchEtl(other, SamePointsTests.Collector(moto, _proxy.Endpoint, config), limits: new WindowLimits { MaxDatapointsPerCall = 24 })
            .RunAsync(CollectorConfigReader.Read(config), options, EtlMode.Backfill);

        Assert.Equal(13, limited.Targets[0].Report!.Requests);
        var requests = _proxy.Received.Where(SamePointsTests.IsWindowRead).Skip(before).ToList();
        Assert.Equal(13, requests.Count);
        Assert.Single(requests, r => r.Body.Contains("\"NextToken\":\"page-2\"", StringComparison.Ordinal));
        var actual = await other.ReadHourlyAsync("aws-ec2");
        Assert.Equal(expected.Select(r => (r.ResourceKey, r.Dimension, r.HourStart, r.Avg, r.Max, r.Samples)), actual.Select(r => (r.ResourceKey, r.Dimension, r.HourStart, r.Avg, r.Max, r.Samples)));
    }

    [Fact]
    public async Task An_empty_discovery_result_is_a_clear_error()
    {
        var config = Config("[{}]").Replace("      roles: [{}]\n", "", StringComparison.Ordinal);
        var etl = new CloudWatchEtl(_warehouse, SamePointsTests.Collector(moto, _proxy.Endpoint, config));

        var e = await Assert.ThrowsAsync<CloudWatchEtlException>(() => etl.RunAsync(CollectorConfigReader.Read(config), Incremental(), EtlMode.Incremental));

        Assert.StartsWith("discovery found nothing to read in us-east-1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_input_names_the_problem_and_the_fix()
    {
        var unknownNamespace = Assert.Throws<ConfigException>(() => CollectorConfigReader.Read(Config("[{}]").Replace("AWS/EC2", "AWS/Nope", StringComparison.Ordinal)));
        Assert.Contains("unknown service 'AWS/Nope'", unknownNamespace.Message, StringComparison.Ordinal);
        var unknownStatistic = Assert.Throws<ConfigException>(() => CollectorConfigReader.Read(Config("[{}]").Replace("[Average]", "[Mean]", StringComparison.Ordinal)));
        Assert.Contains("unknown statistic 'Mean'", unknownStatistic.Message, StringComparison.Ordinal);

        // A configuration without the series the profile reads.
        var cpuMaximumOnly = CollectorConfigReader.Read(Config("[{}]").Replace("[Average]", "[Maximum]", StringComparison.Ordinal).Replace("[Sum]", "[Maximum]", StringComparison.Ordinal));
        var mismatch = Assert.Throws<CloudWatchEtlException>(() => CloudWatchEtl.Wanted(cpuMaximumOnly, ProfileLoader.Load("aws-ec2")));
        Assert.Contains("provides none of the series profile 'aws-ec2' reads (aws_ec2_cpuutilization_average", mismatch.Message, StringComparison.Ordinal);

        var now = TimeProvider.System.GetUtcNow();
        var tooLong = Assert.Throws<CloudWatchEtlException>(() => CloudWatchEtl.Validate(Incremental() with { FirstRunLookback = TimeSpan.FromDays(90) }, now));
        Assert.Contains("use at most 63d", tooLong.Message, StringComparison.Ordinal);
        var tooOld = Assert.Throws<CloudWatchEtlException>(() => CloudWatchEtl.Validate(Incremental() with { From = now.AddDays(-70), To = now.AddDays(-69) }, now));
        Assert.Contains("more than 63 days ago", tooOld.Message, StringComparison.Ordinal);
        var future = Assert.Throws<CloudWatchEtlException>(() => CloudWatchEtl.Validate(Incremental() with { From = now.AddDays(-1), To = now.AddDays(2) }, now));
        Assert.Contains("in the future", future.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 300, 1, 500)]        // 12 points a query: the 500-query limit binds
    [InlineData(24, 300, 1, 350)]       // 288 points a query: 100,800 / 288 = 350 queries a call
    [InlineData(24, 60, 1, 70)]         // 1,440 points a query
    [InlineData(24 * 71, 60, 2, 1)]     // 102,240 points: one query is split in time
    public void Both_limits_of_get_metric_data_shape_the_calls(int hours, int periodSeconds, int slices, int perCall)
    {
        var start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 / 3600 * 3600);
        var (planned, queriesPerCall) = WindowLimits.Default.Plan(start, start.AddHours(hours), TimeSpan.FromSeconds(periodSeconds));
        Assert.Equal(slices, planned.Count);
        Assert.Equal(perCall, queriesPerCall);
        Assert.Equal(start.AddHours(hours), planned[^1].End);
    }
}
