using System.Diagnostics;
using Xunit.Abstractions;
using static Headroom.Warehouse.Tests.Samples;

namespace Headroom.Warehouse.Tests;

/// <summary>The behaviour every dialect must show; one concrete class per dialect runs it against a real database.</summary>
public abstract partial class WarehouseContract(IDatabases databases, ITestOutputHelper output)
{
    private const string Profile = "node";

    protected async Task<IWarehouse> NewWarehouseAsync(WarehouseOptions? options = null)
    {
        var warehouse = await Warehouse.OpenAsync(await databases.NewDatabaseUrlAsync(), options ?? new WarehouseOptions());
        Assert.Equal(databases.Dialect, warehouse.Dialect);
        await warehouse.MigrateAsync();
        return warehouse;
    }

    [Fact]
    public async Task Migrating_twice_is_a_no_op()
    {
        await using var warehouse = await Warehouse.OpenAsync(await databases.NewDatabaseUrlAsync());
        Assert.Equal([1, 2], await warehouse.MigrateAsync());
        Assert.Empty(await warehouse.MigrateAsync());
        Assert.Equal(2, await CountAsync(warehouse, "schema_migrations"));
        Assert.Equal(0, await CountAsync(warehouse, "utilization_hourly"));
    }

    [Fact]
    public async Task A_committed_window_reads_back_equal()
    {
        await using var warehouse = await NewWarehouseAsync();
        var runId = await StartRunAsync(warehouse, Profile);
        var window = Window(runId, Profile, Start, 6, Keys(3), "cpu", "memory");
        await warehouse.CommitWindowAsync(window);
        await warehouse.FinishRunAsync(runId, new EtlRunResult(EtlRunStatus.Succeeded, window.Hourly.Count, 0));

        Assert.Equal(Sorted(window.Hourly), Sorted(await warehouse.ReadHourlyAsync(Profile)));
        Assert.Equal(window.Hourly.Count(h => h.Dimension == "cpu"), (await warehouse.ReadHourlyAsync(Profile, "cpu")).Count);
        Assert.Equal(window.Resources.Select(Describe).Order(), (await warehouse.ReadResourcesAsync(Profile)).Select(Describe).Order());
        var watermark = await warehouse.GetWatermarkAsync(Profile, Source);
        Assert.Equal(Start.AddHours(6), watermark?.End);
        Assert.Equal(runId, watermark?.RunId);
        var run = Assert.Single((await warehouse.GetStatusAsync()).RecentRuns);
        Assert.Equal((runId, EtlRunStatus.Succeeded, (long)window.Hourly.Count, Source), (run.Id, run.Status, run.RowsLoaded, run.Source));
        Assert.NotNull(run.FinishedAt);
    }

    [Fact]
    public async Task Committing_the_same_window_again_changes_nothing()
    {
        await using var warehouse = await NewWarehouseAsync();
        var first = Window(await StartRunAsync(warehouse, Profile), Profile, Start.AddHours(20), 8, Keys(4), "cpu", "network_in") with
        {
            // The second row lies past the window's end (as an extra edge hour from a source might).
            Quarantine =
            [
                new QuarantinedRow("cpu", "host-x", Start.AddHours(21), "out_of_range", "{\"value\":1.7}"),
                new QuarantinedRow("cpu", "host-y", Start.AddHours(29), "future_timestamp", "{}"),
            ],
            OpenGaps = [new GapOpening("memory", Start.AddHours(20), Start.AddHours(28), "no_data")],
        };
        await warehouse.CommitWindowAsync(first);
        var before = await SnapshotAsync(warehouse);

        await warehouse.CommitWindowAsync(first with { RunId = await StartRunAsync(warehouse, Profile), OpenGaps = [] });

        Assert.Equal(before, await SnapshotAsync(warehouse));
        Assert.Equal(first.Hourly.Count, await CountAsync(warehouse, "utilization_hourly"));
        Assert.Equal(2, await CountAsync(warehouse, "quarantine"));
    }

    [Fact]
    public async Task The_watermark_only_moves_forward()
    {
        await using var warehouse = await NewWarehouseAsync();
        var runId = await StartRunAsync(warehouse, Profile);
        Assert.Null(await warehouse.GetWatermarkAsync(Profile, Source));

        await warehouse.CommitWindowAsync(Window(runId, Profile, Start, 6, Keys(2), "cpu"));
        Assert.Equal(Start.AddHours(6), (await warehouse.GetWatermarkAsync(Profile, Source))?.End);
        await warehouse.CommitWindowAsync(Window(runId, Profile, Start.AddHours(6), 6, Keys(2), "cpu"));
        Assert.Equal(Start.AddHours(12), (await warehouse.GetWatermarkAsync(Profile, Source))?.End);

        var backfillRun = await StartRunAsync(warehouse, Profile);
        await warehouse.CommitWindowAsync(Window(backfillRun, Profile, Start.AddDays(-3), 6, Keys(2), "cpu"));
        var watermark = await warehouse.GetWatermarkAsync(Profile, Source);
        Assert.Equal((Start.AddHours(12), runId), (watermark?.End, watermark?.RunId));
        Assert.Equal(2 * 18, (await warehouse.ReadHourlyAsync(Profile)).Count);
        Assert.Null(await warehouse.GetWatermarkAsync(Profile, "http://other:9090"));
        Assert.Equal(Start.AddHours(12), (await warehouse.GetWatermarkAsync(Profile, "http://user:pw@prometheus:9090"))?.End);
    }

    private static List<HourlyUtilization> Sorted(IEnumerable<HourlyUtilization> rows) =>
        rows.OrderBy(r => r.ResourceKey, StringComparer.Ordinal).ThenBy(r => r.Dimension, StringComparer.Ordinal).ThenBy(r => r.HourStart).ToList();

    /// <summary>Everything a window can write, as comparable text.</summary>
    private static async Task<string> SnapshotAsync(IWarehouse warehouse, bool withDaily = true)
    {
        var hourly = Sorted(await warehouse.ReadHourlyAsync(Profile)).Select(h => h.ToString());
        IEnumerable<string> daily = withDaily ? (await warehouse.ReadDailyAsync(Profile)).Select(d => d.ToString()).Order(StringComparer.Ordinal) : [];
        var resources = (await warehouse.ReadResourcesAsync(Profile)).Select(Describe).Order(StringComparer.Ordinal);
        var quarantine = (await warehouse.ReadQuarantineAsync(Profile)).Select(q => q.ToString()).Order(StringComparer.Ordinal);
        var gaps = (await warehouse.ListOpenGapsAsync(Profile, Source)).Select(g => g with { FirstSeen = default, LastAttempt = default }).Select(g => g.ToString());
        var watermark = await warehouse.GetWatermarkAsync(Profile, Source);
        var counts = string.Join(",", await Task.WhenAll(new[] { "resources", "utilization_hourly", "utilization_daily", "quarantine", "gaps", "watermarks" }.Select(t => CountAsync(warehouse, t))));
        return string.Join("\n", [.. hourly, .. daily, .. resources, .. quarantine, .. gaps, watermark?.End.ToString("O", null) ?? "no watermark", counts]);
    }

    protected void Log(string message) => output.WriteLine(message);

    protected static Stopwatch Time() => Stopwatch.StartNew();
}
