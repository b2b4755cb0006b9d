using Headroom.Servers;
using Headroom.Testing;
using Headroom.Warehouse;

namespace Headroom.Etl.Tests;

/// <summary>The same load into SQLite, PostgreSQL and MariaDB gives the same rows.</summary>
[Collection(FleetPrometheusCollection.Name)]
public class DialectLoadTests(FleetPrometheus source)
{
    private static readonly Profile Node = ProfileLoader.Load("node");

    /// <summary>Every column of every table the load writes: hourly and daily rows and the resources.</summary>
    private sealed record Loaded(List<HourlyUtilization> Hourly, List<DailyUtilization> Daily, List<string> Resources);

    private async Task<Loaded> LoadAsync(string url)
    {
        await using var warehouse = await Warehouse.Warehouse.OpenAsync(url);
        await warehouse.MigrateAsync();
        var runner = new EtlRunner(warehouse, source.Client, new ExtractionOptions());
        var options = new EtlOptions { Profile = Node, Source = "fleet", From = FleetPrometheus.End.AddHours(-8), To = FleetPrometheus.End, WindowHours = 3 };
        await runner.RunAsync(options, EtlMode.Backfill);
        await runner.RunAsync(options, EtlMode.Backfill); // and again: idempotent on every dialect
        var resources = (await warehouse.ReadResourcesAsync("node")).Select(Describe).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(source.Fleet.Hosts.Count, resources.Count);
        return new Loaded(
            [.. (await warehouse.ReadHourlyAsync("node")).OrderBy(r => (r.ResourceKey, r.Dimension, r.HourStart))],
            [.. (await warehouse.ReadDailyAsync("node")).OrderBy(r => (r.ResourceKey, r.Dimension, r.Day))],
            resources);
    }

    private static string Describe(ResourceRecord r) =>
        string.Join(" | ", r.Key, Pairs(r.Identity), r.FirstSeen.ToString("O"), r.LastSeen.ToString("O"), r.Account, r.Region, r.InstanceType, r.Name, Pairs(r.Metadata));

    private static string Pairs(IReadOnlyDictionary<string, string> labels) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    [Fact]
    public async Task Postgres_and_mariadb_hold_exactly_what_sqlite_holds()
    {
        var path = Path.Combine(Path.GetTempPath(), $"headroom-dialects-{Guid.NewGuid():N}.db");
        try
        {
            var sqlite = await LoadAsync("sqlite:" + path);
            Assert.Equal(source.Fleet.Hosts.Count * 8 * Node.Dimensions.Count, sqlite.Hourly.Count);
            Assert.NotEmpty(sqlite.Daily);

            await using (var postgres = await PostgresServer.StartAsync())
                AssertSame(sqlite, await LoadAsync(postgres.Url));
            await using (var mariadb = await MariaDbServer.StartAsync())
                AssertSame(sqlite, await LoadAsync(mariadb.Url));
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*"))
                File.Delete(file);
        }
    }

    private static void AssertSame(Loaded expected, Loaded actual)
    {
        Assert.Equal(expected.Resources, actual.Resources);
        Assert.Equal(expected.Hourly.Count, actual.Hourly.Count);
        for (var i = 0; i < expected.Hourly.Count; i++)
        {
            var (e, a) = (expected.Hourly[i], actual.Hourly[i]);
            var where = $"{e.ResourceKey} {e.Dimension} {e.HourStart:O}";
            Assert.Equal((e.ResourceKey, e.Dimension, e.HourStart, e.Samples, e.Expected), (a.ResourceKey, a.Dimension, a.HourStart, a.Samples, a.Expected));
            Close(where, [e.Avg, e.Min, e.Max, e.P95, e.Max5m ?? double.NaN], [a.Avg, a.Min, a.Max, a.P95, a.Max5m ?? double.NaN]);
            Assert.True(e.Max5m.HasValue == a.Max5m.HasValue, $"{where}: max_5m {e.Max5m} vs {a.Max5m}");
        }
        Assert.Equal(expected.Daily.Count, actual.Daily.Count);
        for (var i = 0; i < expected.Daily.Count; i++)
        {
            var (e, a) = (expected.Daily[i], actual.Daily[i]);
            var where = $"{e.ResourceKey} {e.Dimension} {e.Day:O}";
            Assert.Equal((e.ResourceKey, e.Dimension, e.Day, e.Samples, e.Expected, e.Hours), (a.ResourceKey, a.Dimension, a.Day, a.Samples, a.Expected, a.Hours));
            Close(where, [e.Avg, e.Min, e.Max, e.P95, e.Max5m ?? double.NaN], [a.Avg, a.Min, a.Max, a.P95, a.Max5m ?? double.NaN]);
            Assert.True(e.Max5m.HasValue == a.Max5m.HasValue, $"{where}: max_5m {e.Max5m} vs {a.Max5m}");
        }
    }

    // Doubles agree to 1e-9 relative: the databases store IEEE doubles, but sums in SQL may add in another order.
    private static void Close(string where, double[] expected, double[] actual)
    {
        string[] names = ["avg", "min", "max", "p95", "max_5m"];
        for (var i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]) && double.IsNaN(actual[i]))
                continue;
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-9 * Math.Max(1, Math.Abs(expected[i])),
                $"{where} {names[i]}: sqlite {expected[i]:R}, other {actual[i]:R}");
        }
    }
}
