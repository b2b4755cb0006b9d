using Headroom.Fleet;
using Headroom.Testing;
using Headroom.Warehouse;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Etl.Tests;

[Collection(FleetPrometheusCollection.Name)]
public sealed class RunnerTests(FleetPrometheus source) : IAsyncLifetime
{
    private static readonly Profile Node = ProfileLoader.Load("node");
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"headroom-etl-{Guid.NewGuid():N}.db");
    private readonly FakeTimeProvider _clock = new(FleetPrometheus.End.AddMinutes(10));
    private IWarehouse _warehouse = null!;

    public async Task InitializeAsync()
    {
        _warehouse = await Warehouse.Warehouse.OpenAsync("sqlite:" + _db);
        await _warehouse.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _warehouse.DisposeAsync();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_db)!, Path.GetFileName(_db) + "*"))
            File.Delete(file);
    }

    private EtlRunner Runner(EtlMetrics? metrics = null) =>
        new(_warehouse, source.Client, new ExtractionOptions { RetryDelay = TimeSpan.FromMilliseconds(10) }, metrics, _clock);

    private EtlOptions Options(DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        new() { Profile = Node, Source = source.Server.BaseUri.AbsoluteUri, From = from, To = to, FirstRunLookback = TimeSpan.FromHours(12) };

    [Fact]
    public async Task A_first_run_loads_every_dimension_of_every_host_and_sets_the_watermark()
    {
        var report = await Runner().RunAsync(Options(), EtlMode.Incremental);
        Assert.Equal(FleetPrometheus.End.AddHours(-12), report.From);
        Assert.Equal(FleetPrometheus.End, report.To);
        Assert.Equal(source.Fleet.Hosts.Count * 12 * Node.Dimensions.Count, report.RowsLoaded);
        Assert.Equal(0, report.RowsRejected);

        var hourly = await _warehouse.ReadHourlyAsync("node");
        Assert.Equal(report.RowsLoaded, hourly.Count);
        var resources = await _warehouse.ReadResourcesAsync("node");
        Assert.Equal(source.Fleet.Hosts.Count, resources.Count);
        foreach (var host in source.Fleet.Hosts)
        {
            var resource = resources.Single(r => r.Identity["instance"] == host.Id);
            Assert.Equal(host.Account, resource.Account);
            Assert.Equal(host.InstanceType.Name, resource.InstanceType);
            Assert.Equal(host.Region, resource.Region);
            Assert.Equal(host.Name, resource.Name);
        }
        var watermark = await _warehouse.GetWatermarkAsync("node", source.Server.BaseUri.AbsoluteUri);
        Assert.Equal(FleetPrometheus.End, watermark!.End);
    }

    [Fact]
    public async Task Loading_the_same_range_again_changes_nothing()
    {
        var from = FleetPrometheus.End.AddHours(-30);
        var to = FleetPrometheus.End.AddHours(-20);
        await Runner().RunAsync(Options(from, to), EtlMode.Backfill);
        var first = (await _warehouse.ReadHourlyAsync("node")).OrderBy(r => (r.ResourceKey, r.Dimension, r.HourStart)).ToList();
        var firstDaily = await _warehouse.ReadDailyAsync("node");
        await Runner().RunAsync(Options(from, to), EtlMode.Backfill);
        await Runner().RunAsync(Options(from.AddHours(3), to.AddHours(-2)), EtlMode.Backfill);
        var second = (await _warehouse.ReadHourlyAsync("node")).OrderBy(r => (r.ResourceKey, r.Dimension, r.HourStart)).ToList();
        Assert.Equal(first, second);
        Assert.Equal(firstDaily.OrderBy(d => (d.ResourceKey, d.Dimension, d.Day)), (await _warehouse.ReadDailyAsync("node")).OrderBy(d => (d.ResourceKey, d.Dimension, d.Day)));
    }

    [Fact]
    public async Task Warehouse_rows_equal_prometheus_own_answers_per_hour()
    {
        var from = FleetPrometheus.End.AddHours(-6);
        await Runner().RunAsync(Options(from, FleetPrometheus.End), EtlMode.Backfill);
        var memory = Node.Dimensions.Single(d => d.Name == "memory");
        var stored = (await _warehouse.ReadHourlyAsync("node", "memory")).ToDictionary(r => (r.ResourceKey, r.HourStart));
        Assert.Equal(source.Fleet.Hosts.Count * 6, stored.Count);
        // An independent path, not the extractor the runner uses: one instant query per statistic at the end of each hour.
        var statistics = new (string Function, Func<HourlyUtilization, double> Pick)[]
        {
            ("avg_over_time(", r => r.Avg), ("min_over_time(", r => r.Min), ("max_over_time(", r => r.Max),
            ("quantile_over_time(0.95, ", r => r.P95), ("count_over_time(", r => r.Samples),
        };
        for (var hour = from; hour < FleetPrometheus.End; hour = hour.AddHours(1))
        {
            foreach (var (function, pick) in statistics)
            {
                var expected = await source.Client.QueryAsync($"{function}({memory.Expr})[1h:1m])", hour.AddHours(1).AddMilliseconds(-1));
                Assert.Equal(source.Fleet.Hosts.Count, expected.Series.Count);
                foreach (var series in expected.Series)
                {
                    var row = stored[(Validator.ResourceKey(Node, series.Labels)!, hour)];
                    Assert.True(Math.Abs(series.Samples[0].Value - pick(row)) <= 1e-12,
                        $"{row.ResourceKey} {hour:O} {function.TrimEnd('(', ' ', ',')}: Prometheus {series.Samples[0].Value}, warehouse {pick(row)}");
                }
            }
        }
    }

    [Fact]
    public async Task Incomplete_hours_are_quarantined_and_become_gaps_without_failing_the_run()
    {
        var strict = Options(FleetPrometheus.End.AddHours(-2), FleetPrometheus.End) with
        {
            Validation = new ValidationOptions { MinCompleteness = 1.5 }, // no hour can be that complete
        };
        var report = await Runner().RunAsync(strict, EtlMode.Backfill);
        Assert.Equal(0, report.RowsLoaded);
        Assert.Equal(source.Fleet.Hosts.Count * 2 * Node.Dimensions.Count, report.RejectedByReason[RejectReason.LowCompleteness]);
        Assert.Equal(2 * Node.Dimensions.Count, report.GapsOpened);
        var quarantined = await _warehouse.ReadQuarantineAsync("node");
        Assert.All(quarantined, q => Assert.Equal(RejectReason.LowCompleteness, q.Reason));
        Assert.Contains("\"samples\":60", quarantined[0].Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hours_past_the_sources_data_become_gaps_and_the_watermark_still_advances()
    {
        _clock.SetUtcNow(FleetPrometheus.End.AddHours(3).AddMinutes(10));
        var metrics = new EtlMetrics();
        var report = await Runner(metrics).RunAsync(Options(FleetPrometheus.End.AddHours(-2), null), EtlMode.Incremental);
        Assert.Equal(3 * Node.Dimensions.Count, report.GapsOpened);
        var gaps = await _warehouse.ListOpenGapsAsync("node", source.Server.BaseUri.AbsoluteUri);
        Assert.Equal(3 * Node.Dimensions.Count, gaps.Count);
        Assert.All(gaps, g => Assert.True(g.WindowStart >= FleetPrometheus.End));

        // A later run retries them: still no data, so they stay open and are not counted again.
        var again = await Runner(metrics).RunAsync(Options(), EtlMode.Incremental);
        Assert.Equal(0, again.GapsResolved);
        Assert.Equal(3 * Node.Dimensions.Count, (await _warehouse.ListOpenGapsAsync("node", source.Server.BaseUri.AbsoluteUri)).Count);
        Assert.Contains("headroom_etl_open_gaps{profile=\"node\"} 15", await metrics.ExportAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_window_with_too_many_bad_rows_is_not_loaded_and_the_run_fails()
    {
        // Memory in bytes declared as a ratio: every row is out of range.
        var wrong = Node with { Dimensions = [new Dimension("memory", Unit.Ratio, "max by (instance) (node_memory_MemTotal_bytes)", null)] };
        var options = Options(FleetPrometheus.End.AddHours(-2), FleetPrometheus.End) with { Profile = wrong };
        var e = await Assert.ThrowsAsync<DataQualityException>(() => Runner().RunAsync(options, EtlMode.Backfill));
        Assert.Contains("out_of_range: 12", e.Message, StringComparison.Ordinal);
        Assert.Empty(await _warehouse.ReadHourlyAsync("node"));
        var status = await _warehouse.GetStatusAsync();
        Assert.Equal(EtlRunStatus.Failed, status.RecentRuns[0].Status);
    }
}
