using static Headroom.Warehouse.Tests.Samples;

namespace Headroom.Warehouse.Tests;

public abstract partial class WarehouseContract
{
    [Fact]
    public async Task Hostile_values_round_trip_verbatim()
    {
        await using var warehouse = await NewWarehouseAsync();
        var runId = await StartRunAsync(warehouse, Profile);
        string[] hostile =
        [
            "it's \"quoted\" `back` \\ slash",
            "'; DROP TABLE resources; --",
            "x'); DELETE FROM utilization_hourly WHERE ('1'='1",
            "ünïcødé 日本語 🚀👩‍💻 \u200b",
            "line1\nline2\ttab\r\n%_*?",
            new string('a', 1000) + new string('é', 500) + string.Concat(Enumerable.Repeat("🚀", 250)),
            "$1 @p0 :name ? {0}",
        ];
        var keys = hostile.Select((h, i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture) + h).ToArray();
        var window = Window(runId, Profile, Start, 2, keys, "cpu");
        window = window with
        {
            Resources = window.Resources.Select((r, i) => r with
            {
                Identity = new Dictionary<string, string> { ["instance"] = hostile[i], [hostile[i]] = "label name too" },
                Name = hostile[i],
                Account = hostile[i],
                Region = hostile[(i + 1) % hostile.Length],
                InstanceType = hostile[(i + 2) % hostile.Length],
                Metadata = new Dictionary<string, string> { ["tag:" + hostile[i]] = hostile[i] },
            }).ToList(),
            Quarantine = hostile.Select(h => new QuarantinedRow("cpu", h, Start, "bad_label", h + h)).ToList(),
        };
        await warehouse.CommitWindowAsync(window);

        Assert.Equal(window.Resources.Select(Describe).Order(StringComparer.Ordinal), (await warehouse.ReadResourcesAsync(Profile)).Select(Describe).Order(StringComparer.Ordinal));
        Assert.Equal(Sorted(window.Hourly), Sorted(await warehouse.ReadHourlyAsync(Profile)));
        Assert.Equal(window.Quarantine.Select(q => q.ResourceKey + "|" + q.Payload).Order(StringComparer.Ordinal),
            (await warehouse.ReadQuarantineAsync(Profile)).Select(q => q.ResourceKey + "|" + q.Payload).Order(StringComparer.Ordinal));
        Assert.Equal(keys.Length, await CountAsync(warehouse, "resources"));
        Assert.Equal(2 * keys.Length, await CountAsync(warehouse, "utilization_hourly"));
        Assert.Equal(2000, hostile[5].Length);
    }
}
