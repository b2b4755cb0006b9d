using Headroom.Etl;
using Headroom.Fleet;
using Headroom.Prometheus.Client;
using Headroom.Servers;
using Headroom.Warehouse;

namespace Headroom.Insights.Tests;

/// <summary>
/// The whole path on simulated fleets whose truth is known: history → promtool blocks → a real Prometheus → the
/// ETL into SQLite → the reports. Every idle and under-used host must be flagged, and no other (precision and
/// recall 1.0).
/// </summary>
public sealed class FleetReportTests
{
    private const int Hosts = 20;
    private const int Days = 15;
    private static readonly DateTimeOffset End = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    public async Task Reports_flag_exactly_the_idle_and_underused_hosts(long seed)
    {
        var fleet = SimulatedFleet.Create(Hosts, seed);
        var truth = FleetTruth.Of(fleet);
        var directory = Directory.CreateTempSubdirectory("headroom-insights-fleet-");
        try
        {

            var tsdb = Path.Combine(directory.FullName, "tsdb");
            // A 2-minute step keeps the backfill quick; rate(...[5m]) still sees two or three samples.
            await Promtool.BackfillAsync(stream => FleetHistory.Write(fleet, new HistoryOptions(End.AddDays(-Days), End, TimeSpan.FromMinutes(2)), stream), tsdb);
            await using var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d", ScrapeSelf = false });
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };

            await using var warehouse = await Warehouse.Warehouse.OpenAsync("sqlite:" + Path.Combine(directory.FullName, "headroom.db"));
            await warehouse.MigrateAsync();
            var node = ProfileLoader.Load("node");
            var profile = node with { Dimensions = [.. node.Dimensions.Where(d => d.Name is "cpu" or "memory" or "network_in" or "network_out")] };
            var etl = await new EtlRunner(warehouse, new PrometheusClient(http, prometheus.BaseUri), new ExtractionOptions())
                .RunAsync(new EtlOptions { Profile = profile, Source = "test", From = End.AddDays(-Days).AddHours(1), To = End, UseRecordingRules = false }, EtlMode.Backfill);
            Assert.True(etl.RowsLoaded > Hosts * 4 * 24 * (Days - 1), $"ETL loaded {etl.RowsLoaded} rows");

            var report = await InsightsEngine.RunAsync(warehouse.Reports(), PriceCatalog.BuiltIn, new InsightsOptions(), withDaily: true);

            Assert.Equal(DateOnly.FromDateTime(End.AddDays(-1).UtcDateTime), report.LastDay);
            Assert.Equal(Hosts, report.Resources.Count);
            var expectedIdle = truth.Hosts.Where(h => h.CpuProfile == "idle").Select(h => h.Id).ToHashSet();
            var expectedLow = truth.Hosts.Where(h => h.CpuProfile == "underused").Select(h => h.Id).ToHashSet();
            Assert.NotEmpty(expectedIdle);
            Assert.NotEmpty(expectedLow);

            var flaggedIdle = report.Resources.Where(r => r.Underuse.Kind == UnderuseKind.Idle).Select(r => Host(r)).ToHashSet();
            var flaggedLow = report.Resources.Where(r => r.Underuse.Kind == UnderuseKind.LowUtilization).Select(r => Host(r)).ToHashSet();
            var details = string.Join("\n", report.Resources.Select(r =>
                $"{Host(r)} {truth.Hosts.Single(h => h.Id == Host(r)).CpuProfile}: {r.Underuse.Kind} low {r.Underuse.LowDays}/{r.Underuse.Days} avg {r.Underuse.CpuAverage:P2} max {r.Underuse.CpuMax:P2} net {r.Underuse.NetworkBytesPerDay:N0}"));
            Assert.True(expectedIdle.SetEquals(flaggedIdle), $"idle: expected {string.Join(',', expectedIdle)}, got {string.Join(',', flaggedIdle)}\n{details}");
            Assert.True(expectedLow.SetEquals(flaggedLow), $"low utilization: expected {string.Join(',', expectedLow)}, got {string.Join(',', flaggedLow)}\n{details}");

            foreach (var r in report.Resources)
            {
                var host = truth.Hosts.Single(h => h.Id == Host(r));
                // Metadata from the info series maps to the catalog.
                Assert.Equal(host.InstanceType, r.Resource.InstanceType);
                Assert.NotNull(r.Current);
                Assert.Equal(14, r.Underuse.Days);
                Assert.Equal(14, report.Daily[r.Resource.Key].Count);
                if (r.Rightsizing.Recommended is { } recommended)
                {
                    Assert.True(recommended.VCpus >= r.Rightsizing.RequiredVCpus, $"{host.Id}: {recommended.Name} below the CPU need");
                    Assert.True(recommended.MemoryGiB >= r.Rightsizing.RequiredMemoryGiB, $"{host.Id}: {recommended.Name} below the memory need");
                }
                if (host.CpuProfile == "idle")
                    Assert.Equal(r.MonthlyCost, r.MonthlySavings);
                if (host.CpuProfile == "saturated")
                    Assert.Equal(Finding.UnderProvisioned, r.Rightsizing.Finding);
            }
            Assert.Equal(report.Resources.Where(r => r.MonthlySavings > 0).Sum(r => r.MonthlySavings), report.Summary.MonthlySavings);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static string Host(ResourceInsight r) => r.Resource.Key.Split('"')[1];
}
