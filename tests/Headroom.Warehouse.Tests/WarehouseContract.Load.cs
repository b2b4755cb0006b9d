using static Headroom.Warehouse.Tests.Samples;

namespace Headroom.Warehouse.Tests;

public abstract partial class WarehouseContract
{
    [Fact]
    public async Task A_bulk_upsert_of_20000_hourly_rows_works()
    {
        await using var warehouse = await NewWarehouseAsync();
        var runId = await StartRunAsync(warehouse, "node");
        var window = Window(runId, "node", Start, 20, Keys(500), "cpu", "memory");
        Assert.Equal(20_000, window.Hourly.Count);

        var steps = new List<string>();
        var clock = Time();
        ((SqlWarehouse)warehouse).BeforeCommitStep = (step, _) =>
        {
            steps.Add($"{step} at {clock.ElapsedMilliseconds} ms");
            return ValueTask.CompletedTask;
        };
        await warehouse.CommitWindowAsync(window);
        Log($"{databases.Dialect}: first commit of {window.Hourly.Count} hourly rows (500 resources) in {clock.ElapsedMilliseconds} ms ({string.Join(", ", steps)})");
        var runId2 = await StartRunAsync(warehouse, "node");
        steps.Clear();
        clock.Restart();
        await warehouse.CommitWindowAsync(window with { RunId = runId2 });
        Log($"{databases.Dialect}: re-commit (all updates) in {clock.ElapsedMilliseconds} ms ({string.Join(", ", steps)})");

        Assert.Equal(20_000, await CountAsync(warehouse, "utilization_hourly"));
        Assert.Equal(500 * 2, await CountAsync(warehouse, "utilization_daily"));
        Assert.Equal(Sorted(window.Hourly), Sorted(await warehouse.ReadHourlyAsync("node")));
    }

    [Fact]
    public async Task Concurrent_commits_of_overlapping_windows_all_land()
    {
        await using var warehouse = await NewWarehouseAsync();
        var runId = await StartRunAsync(warehouse, "node");
        // Eight windows over the same 40 resources in parallel: they contend for the same resource rows
        // and daily rows (two windows share each day), and the watermark row.
        var windows = Enumerable.Range(0, 8).Select(i => Window(runId, "node", Start.AddHours(12 * i), 12, Keys(40), "cpu")).ToList();

        await Task.WhenAll(windows.Select(w => Task.Run(() => warehouse.CommitWindowAsync(w))));

        Assert.Equal(8 * 12 * 40, await CountAsync(warehouse, "utilization_hourly"));
        Assert.Equal(Start.AddHours(96), (await warehouse.GetWatermarkAsync("node", Source))?.End);
        Assert.All(await warehouse.ReadDailyAsync("node"), d => Assert.Equal(24, d.Hours));
        var resource = (await warehouse.ReadResourcesAsync("node"))[0];
        Assert.Equal((Start, Start.AddHours(95)), (resource.FirstSeen, resource.LastSeen));
    }
}
