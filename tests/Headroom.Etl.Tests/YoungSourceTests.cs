using Headroom.Testing;
using Headroom.Warehouse;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Etl.Tests;

/// <summary>
/// A first run over a range that starts before the source's history (a Prometheus installed minutes ago): the hours
/// before its first sample are not gaps. The fleet's Prometheus holds the two days before <see cref="FleetPrometheus.End"/>.
/// </summary>
[Collection(FleetPrometheusCollection.Name)]
public sealed class YoungSourceTests(FleetPrometheus source) : IAsyncLifetime
{
    private static readonly Profile Node = ProfileLoader.Load("node");
    private static readonly DateTimeOffset HistoryStart = FleetPrometheus.End.AddDays(-2);
    private readonly string _db = Path.Combine(Path.GetTempPath(), $"headroom-young-{Guid.NewGuid():N}.db");
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

    private Task<EtlReport> RunAsync(DateTimeOffset now, TimeSpan lookback) =>
        new EtlRunner(_warehouse, source.Client, new ExtractionOptions(), time: new FakeTimeProvider(now))
            .RunAsync(new EtlOptions { Profile = Node, Source = source.Server.BaseUri.AbsoluteUri, FirstRunLookback = lookback }, EtlMode.Incremental);

    [Fact]
    public async Task Hours_before_the_first_sample_are_before_the_history_not_gaps()
    {
        // Three hours after the history began, a first run looks back a day: 21 hours before it, 3 with data.
        var report = await RunAsync(HistoryStart.AddHours(3).AddMinutes(10), TimeSpan.FromDays(1));
        Assert.Equal(HistoryStart, report.HistoryStart);
        Assert.Equal(21, report.HoursBeforeHistory);
        Assert.Equal(source.Fleet.Hosts.Count * 3 * Node.Dimensions.Count, report.RowsLoaded);
        Assert.Equal(0, report.GapsOpened);
        Assert.Empty(await _warehouse.ListOpenGapsAsync("node", source.Server.BaseUri.AbsoluteUri));
        // The watermark moves to the end: the next run does not re-read the empty past.
        Assert.Equal(HistoryStart.AddHours(3), (await _warehouse.GetWatermarkAsync("node", source.Server.BaseUri.AbsoluteUri))!.End);
    }

    [Fact]
    public async Task A_source_started_minutes_ago_has_its_history_in_the_hour_under_way_and_opens_no_gap()
    {
        var report = await RunAsync(HistoryStart.AddMinutes(20), TimeSpan.FromDays(7));
        Assert.Equal(HistoryStart, report.To);
        Assert.Equal(HistoryStart, report.HistoryStart);
        Assert.False(report.SourceHoldsNoData);
        Assert.Equal(7 * 24, report.HoursBeforeHistory);
        Assert.Equal(0, report.RowsLoaded);
        Assert.Equal(0, report.GapsOpened);
    }

    [Fact]
    public async Task A_source_without_the_profiles_series_says_so_and_opens_no_gap()
    {
        var absent = Node with { Dimensions = [.. Node.Dimensions.Select(d => d with { Expr = d.Expr.Replace("node_", "absent_node_", StringComparison.Ordinal) })] };
        var report = await new EtlRunner(_warehouse, source.Client, new ExtractionOptions(), time: new FakeTimeProvider(FleetPrometheus.End.AddMinutes(10)))
            .RunAsync(new EtlOptions { Profile = absent, Source = source.Server.BaseUri.AbsoluteUri, FirstRunLookback = TimeSpan.FromHours(6) }, EtlMode.Incremental);
        Assert.True(report.SourceHoldsNoData);
        Assert.Null(report.HistoryStart);
        Assert.Equal(6, report.HoursBeforeHistory);
        Assert.Equal(0, report.GapsOpened);
    }

    [Fact]
    public async Task A_source_whose_history_is_older_than_the_range_still_opens_gaps()
    {
        // Hours after the fleet's last sample: the source stopped, it is not young.
        var report = await RunAsync(FleetPrometheus.End.AddHours(3).AddMinutes(10), TimeSpan.FromHours(2));
        Assert.Null(report.HistoryStart);
        Assert.Equal(0, report.HoursBeforeHistory);
        Assert.Equal(2 * Node.Dimensions.Count, report.GapsOpened);
    }
}
