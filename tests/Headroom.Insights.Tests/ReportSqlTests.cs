using Headroom.Servers;
using Headroom.Testing;
using Headroom.Warehouse;

namespace Headroom.Insights.Tests;

/// <summary>One warehouse per dialect (real PostgreSQL and MariaDB servers), filled with the same synthetic rows.</summary>
public sealed class ThreeWarehouses : IAsyncLifetime
{
    public const int Resources = 30;
    public const int ShortResources = 2;
    public static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    public const int Hours = 16 * 24;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-insights-sql-");
    private PostgresServer? _postgres;
    private MariaDbServer? _mariadb;

    public Dictionary<WarehouseDialect, IWarehouse> Warehouses { get; } = [];

    public async Task InitializeAsync()
    {
        var postgres = PostgresServer.StartAsync();
        var mariadb = MariaDbServer.StartAsync();
        _postgres = await postgres;
        _mariadb = await mariadb;
        foreach (var url in new[] { "sqlite:" + Path.Combine(_directory.FullName, "w.db"), _postgres.Url, _mariadb.Url })
        {
            var warehouse = await Warehouse.Warehouse.OpenAsync(url);
            await warehouse.MigrateAsync();
            await SyntheticUtilization.FillAsync(warehouse, Resources, Start, Hours);
            // Resources seen only in the last 20 hours: not enough for a verdict.
            await SyntheticUtilization.FillAsync(warehouse, ShortResources, Start.AddHours(Hours - 20), 20, profile: "short");
            Warehouses[warehouse.Dialect] = warehouse;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var warehouse in Warehouses.Values)
            await warehouse.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
        MySqlConnector.MySqlConnection.ClearAllPools();
        if (_postgres is not null)
            await _postgres.DisposeAsync();
        if (_mariadb is not null)
            await _mariadb.DisposeAsync();
        _directory.Delete(recursive: true);
    }
}

public sealed class ReportSqlTests(ThreeWarehouses fixture) : IClassFixture<ThreeWarehouses>
{
    private static readonly DateOnly LastDay = DateOnly.FromDateTime(ThreeWarehouses.Start.AddHours(ThreeWarehouses.Hours - 1).UtcDateTime);
    private static readonly ReportWindow Window = new("node", LastDay.AddDays(-13), LastDay.AddDays(1));

    [Fact]
    public async Task Latest_day_is_the_same_everywhere()
    {
        foreach (var warehouse in fixture.Warehouses.Values)
        {
            Assert.Equal(LastDay, await warehouse.Reports().LatestDayAsync("node", "cpu"));
            Assert.Null(await warehouse.Reports().LatestDayAsync("nothing", "cpu"));
            Assert.Null(await warehouse.Reports().LatestDayAsync("node", "gpu"));
        }
    }

    [Fact]
    public async Task Low_utilization_rows_are_equal_on_every_dialect_and_match_the_rows_written()
    {
        var results = new Dictionary<WarehouseDialect, IReadOnlyList<LowUtilizationRow>>();
        foreach (var (dialect, warehouse) in fixture.Warehouses)
            results[dialect] = await warehouse.Reports().ReadLowUtilizationAsync(new LowUtilizationQuery(Window));

        var sqlite = results[WarehouseDialect.Sqlite];
        Assert.Equal(ThreeWarehouses.Resources, sqlite.Count);
        foreach (var (dialect, rows) in results)
        {
            Assert.Equal(sqlite.Select(r => r.Resource), rows.Select(r => r.Resource));
            for (var i = 0; i < rows.Count; i++)
            {
                var (a, b) = (sqlite[i], rows[i]);
                Assert.True(a.Days == b.Days && a.LowDays == b.LowDays && a.NetworkDays == b.NetworkDays && a.Hours == b.Hours, $"{dialect} {b}");
                Assert.Equal(a.CpuAverage, b.CpuAverage, 9);
                Assert.Equal(a.CpuMax, b.CpuMax, 9);
                Assert.Equal(a.NetworkBytesPerDay!.Value, b.NetworkBytesPerDay!.Value, 3);
            }
        }

        // Against the written rows: idle and under-used resources are low on all 14 days, the others on none.
        foreach (var row in sqlite)
        {
            var index = Index(row.Resource.Key);
            var kind = SyntheticUtilization.KindOf(index);
            Assert.Equal(14, row.Days);
            Assert.Equal(14 * 24, row.Hours);
            Assert.Equal(kind is SyntheticUtilization.Idle or SyntheticUtilization.Underused ? 14 : 0, row.LowDays);
            var hours = Hours(index, "cpu").ToList();
            Assert.Equal(hours.Max(h => h.Max), row.CpuMax, 9);
        }
    }

    [Fact]
    public async Task Peak_usage_is_equal_on_every_dialect_and_is_the_nearest_rank_quantile()
    {
        foreach (var (statistic, quantile) in new[] { (CpuStatistic.P995, 0.995), (CpuStatistic.P95, 0.95), (CpuStatistic.Max, 1.0) })
        {
            var results = new Dictionary<WarehouseDialect, IReadOnlyList<PeakUsageRow>>();
            foreach (var (dialect, warehouse) in fixture.Warehouses)
                results[dialect] = await warehouse.Reports().ReadPeakUsageAsync(new PeakUsageQuery(Window) { CpuQuantile = quantile });
            var sqlite = results[WarehouseDialect.Sqlite];
            Assert.Equal(ThreeWarehouses.Resources, sqlite.Count);
            foreach (var rows in results.Values)
            {
                Assert.Equal(sqlite.Select(r => (r.Resource, r.CpuHours, r.MemoryHours)), rows.Select(r => (r.Resource, r.CpuHours, r.MemoryHours)));
                for (var i = 0; i < rows.Count; i++)
                {
                    Assert.Equal(sqlite[i].CpuPeak!.Value, rows[i].CpuPeak!.Value, 9);
                    Assert.Equal(sqlite[i].MemoryMax!.Value, rows[i].MemoryMax!.Value, 9);
                    Assert.Equal(sqlite[i].CpuAverage!.Value, rows[i].CpuAverage!.Value, 9);
                }
            }
            foreach (var row in sqlite)
            {
                var maxima = Hours(Index(row.Resource.Key), "cpu").Select(h => h.Max5m!.Value).Order().ToList();
                // Nearest rank: the smallest value whose rank (1-based) is at least q × n.
                var expected = maxima[(int)Math.Ceiling((quantile * maxima.Count) - 1e-9) - 1];
                Assert.True(Math.Abs(expected - row.CpuPeak!.Value) < 1e-9, $"{statistic} of {row.Resource.Key}: expected {expected}, got {row.CpuPeak}");
                Assert.Equal(14 * 24, row.CpuHours);
            }
        }
    }

    [Fact]
    public async Task Streamed_peaks_equal_the_reference_sql_on_every_dialect()
    {
        foreach (var (dialect, warehouse) in fixture.Warehouses)
        {
            foreach (var quantile in new[] { 0.995, 0.99, 0.95, 1.0 })
            {
                var query = new PeakUsageQuery(Window) { CpuQuantile = quantile };
                var streamed = await warehouse.Reports().ReadPeakUsageAsync(query);
                var sql = await ((SqlWarehouse)warehouse).ReadPeakUsageInSqlAsync(query);
                Assert.Equal(sql.Select(r => (r.Resource, r.CpuHours, r.MemoryHours)), streamed.Select(r => (r.Resource, r.CpuHours, r.MemoryHours)));
                foreach (var (a, b) in sql.Zip(streamed))
                {
                    Assert.True(a.CpuPeak == b.CpuPeak, $"{dialect} q={quantile} {a.Resource.Key}: SQL {a.CpuPeak}, streamed {b.CpuPeak}");
                    Assert.Equal(a.CpuMax, b.CpuMax);
                    Assert.Equal(a.MemoryMax, b.MemoryMax);
                    Assert.Equal(a.CpuAverage!.Value, b.CpuAverage!.Value, 9);
                }
            }
        }
    }

    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4 }, 0.5, 2.0)]
    [InlineData(new[] { 1.0, 2, 3, 4 }, 0.51, 3.0)]
    [InlineData(new[] { 4.0, 3, 2, 1 }, 1.0, 4.0)]
    [InlineData(new[] { 5.0, 5, 5, 1 }, 0.25, 1.0)]
    [InlineData(new[] { 5.0, 5, 5, 1 }, 0.26, 5.0)]
    [InlineData(new[] { 7.0 }, 0.995, 7.0)]
    public void Nearest_rank_is_the_smallest_value_with_at_least_q_at_or_below(double[] values, double q, double expected) =>
        Assert.Equal(expected, SqlWarehouse.NearestRank([.. values], q));

    [Fact]
    public void Nearest_rank_p995_of_200_values_is_the_199th()
    {
        // Exactly 99.5% of the values are at or below the 199th: the boundary belongs to it, not to the 200th.
        var values = Enumerable.Range(1, 200).Select(i => (double)i).Reverse().ToList();
        Assert.Equal(199, SqlWarehouse.NearestRank(values, 0.995));
    }

    [Fact]
    public async Task Daily_series_are_equal_on_every_dialect()
    {
        var results = new Dictionary<WarehouseDialect, IReadOnlyList<DailyPoint>>();
        foreach (var (dialect, warehouse) in fixture.Warehouses)
            results[dialect] = await warehouse.Reports().ReadDailySeriesAsync(Window, "cpu");
        var sqlite = results[WarehouseDialect.Sqlite];
        Assert.Equal(ThreeWarehouses.Resources * 14, sqlite.Count);
        foreach (var rows in results.Values)
        {
            Assert.Equal(sqlite.Select(p => (p.ResourceKey, p.Day)), rows.Select(p => (p.ResourceKey, p.Day)));
            Assert.All(sqlite.Zip(rows), pair =>
            {
                Assert.Equal(pair.First.Avg, pair.Second.Avg, 9);
                Assert.Equal(pair.First.P95, pair.Second.P95, 9);
                Assert.Equal(pair.First.Max, pair.Second.Max, 9);
            });
        }
    }

    [Fact]
    public async Task The_reports_are_identical_on_every_dialect_and_flag_exactly_the_idle_and_underused()
    {
        var reports = new Dictionary<WarehouseDialect, InsightsReport>();
        foreach (var (dialect, warehouse) in fixture.Warehouses)
            reports[dialect] = await InsightsEngine.RunAsync(warehouse.Reports(), PriceCatalog.BuiltIn, new InsightsOptions(), withDaily: false);
        var sqlite = reports[WarehouseDialect.Sqlite];
        foreach (var report in reports.Values)
        {
            Assert.Equal(sqlite.Resources.Select(r => (r.Resource.Key, r.Underuse.Kind, r.Rightsizing.Finding, r.Rightsizing.Recommended?.Name, r.Action, r.MonthlySavings)),
                report.Resources.Select(r => (r.Resource.Key, r.Underuse.Kind, r.Rightsizing.Finding, r.Rightsizing.Recommended?.Name, r.Action, r.MonthlySavings)));
            Assert.Equal(sqlite.Summary, report.Summary);
        }
        foreach (var r in sqlite.Resources)
        {
            var kind = SyntheticUtilization.KindOf(Index(r.Resource.Key));
            var expected = kind switch
            {
                SyntheticUtilization.Idle => UnderuseKind.Idle,
                SyntheticUtilization.Underused => UnderuseKind.LowUtilization,
                _ => UnderuseKind.None,
            };
            Assert.True(expected == r.Underuse.Kind, $"{r.Resource.Key} ({kind}) is {r.Underuse.Kind}");
        }
        Assert.True(sqlite.Summary.MonthlySavings > 0);
    }

    [Fact]
    public async Task Resources_with_under_30_hours_get_insufficient_data_on_every_dialect()
    {
        foreach (var warehouse in fixture.Warehouses.Values)
        {
            var report = await InsightsEngine.RunAsync(warehouse.Reports(), PriceCatalog.BuiltIn, new InsightsOptions { Profile = "short" }, withDaily: false);
            Assert.Equal(ThreeWarehouses.ShortResources, report.Resources.Count);
            Assert.All(report.Resources, r =>
            {
                Assert.Equal(Finding.InsufficientData, r.Rightsizing.Finding);
                Assert.Equal(UnderuseKind.InsufficientData, r.Underuse.Kind);
                Assert.Null(r.Rightsizing.Recommended);
                Assert.Equal(0, r.MonthlySavings);
                Assert.Equal(20, r.Rightsizing.CpuHours);
            });
        }
    }

    [Fact]
    public async Task An_empty_warehouse_says_what_to_load()
    {
        var warehouse = fixture.Warehouses[WarehouseDialect.Sqlite];
        var e = await Assert.ThrowsAsync<NoDataException>(() => InsightsEngine.RunAsync(warehouse.Reports(), PriceCatalog.BuiltIn, new InsightsOptions { Profile = "aws-ec2" }, false));
        Assert.Contains("headroom etl run", e.Message, StringComparison.Ordinal);
        Assert.Contains("'aws-ec2'", e.Message, StringComparison.Ordinal);
    }

    private static int Index(string key) => int.Parse(key.AsSpan(key.IndexOf("syn-", StringComparison.Ordinal) + 4, 5), System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<HourlyUtilization> Hours(int index, string dimension)
    {
        var from = Window.Start;
        for (var hour = from; hour < Window.End; hour = hour.AddHours(1))
            yield return SyntheticUtilization.Row(index, SyntheticUtilization.KeyOf(index), dimension, hour);
    }
}
