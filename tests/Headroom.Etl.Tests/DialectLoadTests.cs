using Headroom.Harness;
using Headroom.Testing;
using Headroom.Warehouse;

namespace Headroom.Etl.Tests;

/// <summary>The same load into SQLite, PostgreSQL and MariaDB gives the same rows.</summary>
[Collection(FleetPrometheusCollection.Name)]
public class DialectLoadTests(FleetPrometheus source)
{
    private static readonly Profile Node = ProfileLoader.Load("node");

    private async Task<List<HourlyUtilization>> LoadAsync(string url)
    {
        await using var warehouse = await Warehouse.Warehouse.OpenAsync(url);
        await warehouse.MigrateAsync();
        var runner = new EtlRunner(warehouse, source.Client, new ExtractionOptions());
        var options = new EtlOptions { Profile = Node, Source = "fleet", From = FleetPrometheus.End.AddHours(-8), To = FleetPrometheus.End, WindowHours = 3 };
        await runner.RunAsync(options, EtlMode.Backfill);
        await runner.RunAsync(options, EtlMode.Backfill); // and again: idempotent on every dialect
        Assert.Equal(source.Fleet.Hosts.Count, (await warehouse.ReadResourcesAsync("node")).Count);
        return [.. (await warehouse.ReadHourlyAsync("node")).OrderBy(r => (r.ResourceKey, r.Dimension, r.HourStart))];
    }

    [Fact]
    public async Task Postgres_and_mariadb_hold_exactly_what_sqlite_holds()
    {
        var path = Path.Combine(Path.GetTempPath(), $"headroom-dialects-{Guid.NewGuid():N}.db");
        try
        {
            var sqlite = await LoadAsync("sqlite:" + path);
            Assert.Equal(source.Fleet.Hosts.Count * 8 * Node.Dimensions.Count, sqlite.Count);

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

    private static void AssertSame(List<HourlyUtilization> expected, List<HourlyUtilization> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((expected[i].ResourceKey, expected[i].Dimension, expected[i].HourStart), (actual[i].ResourceKey, actual[i].Dimension, actual[i].HourStart));
            Assert.Equal(expected[i].Avg, actual[i].Avg, 1e-9);
            Assert.Equal(expected[i].P95, actual[i].P95, 1e-9);
            Assert.Equal(expected[i].Samples, actual[i].Samples);
        }
    }
}
