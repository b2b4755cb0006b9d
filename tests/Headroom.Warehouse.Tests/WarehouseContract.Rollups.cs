using Microsoft.Extensions.Time.Testing;
using static Headroom.Warehouse.Tests.Samples;

namespace Headroom.Warehouse.Tests;

public abstract partial class WarehouseContract
{
    [Fact]
    public async Task The_daily_rollup_equals_a_hand_computation_across_windows()
    {
        await using var warehouse = await NewWarehouseAsync();
        var runId = await StartRunAsync(warehouse, "node");
        // 30 hours from 20:00 on day 0: 4 hours of day 0, 24 of day 1, 2 of day 2; committed as two windows
        // splitting day 1, so its rollup must combine hours from both.
        var first = Window(runId, "node", Start.AddHours(20), 14, Keys(2), "cpu");
        var second = Window(runId, "node", Start.AddHours(34), 16, Keys(2), "cpu");
        await warehouse.CommitWindowAsync(first);
        await warehouse.CommitWindowAsync(second);

        var expected = first.Hourly.Concat(second.Hourly)
            .GroupBy(h => (h.ResourceKey, h.Dimension, Day: DateOnly.FromDateTime(h.HourStart.UtcDateTime)))
            .Select(g => new DailyUtilization(g.Key.ResourceKey, g.Key.Dimension, g.Key.Day,
                g.Sum(h => h.Avg * h.Samples) / g.Sum(h => h.Samples), g.Min(h => h.Min), g.Max(h => h.Max), g.Max(h => h.P95),
                g.Max(h => h.Max5m), g.Sum(h => h.Samples), g.Sum(h => h.Expected), g.Count()))
            .OrderBy(d => d.ResourceKey, StringComparer.Ordinal).ThenBy(d => d.Day).ToList();
        var actual = (await warehouse.ReadDailyAsync("node", "cpu")).OrderBy(d => d.ResourceKey, StringComparer.Ordinal).ThenBy(d => d.Day).ToList();

        Assert.Equal(6, expected.Count);
        Assert.Equal([4, 24, 2, 4, 24, 2], actual.Select(d => d.Hours));
        Assert.Equal(expected.Select(d => d with { Avg = 0 }), actual.Select(d => d with { Avg = 0 }));
        foreach (var (e, a) in expected.Zip(actual))
            Assert.Equal(e.Avg, a.Avg, 1e-12);
    }

    [Fact]
    public async Task Resources_keep_the_earliest_first_seen_and_the_newest_metadata()
    {
        await using var warehouse = await NewWarehouseAsync();
        var runId = await StartRunAsync(warehouse, "node");
        var recent = Window(runId, "node", Start, 2, ["host"], "cpu");
        await warehouse.CommitWindowAsync(recent with { Resources = [recent.Resources[0] with { InstanceType = "m5.xlarge" }] });
        var old = Window(runId, "node", Start.AddDays(-5), 2, ["host"], "cpu");
        await warehouse.CommitWindowAsync(old with { Resources = [old.Resources[0] with { InstanceType = "m5.large" }] });

        var stored = Assert.Single(await warehouse.ReadResourcesAsync("node"));
        Assert.Equal((Start.AddDays(-5), Start.AddHours(1), "m5.xlarge"), (stored.FirstSeen, stored.LastSeen, stored.InstanceType));
    }

    [Fact]
    public async Task An_hourly_row_of_an_unknown_resource_is_refused()
    {
        await using var warehouse = await NewWarehouseAsync();
        var runId = await StartRunAsync(warehouse, "node");
        var window = Window(runId, "node", Start, 2, ["a", "b"], "cpu");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => warehouse.CommitWindowAsync(window with { Resources = window.Resources.Take(1).ToList() }));
        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(warehouse, "resources"));
    }
}
