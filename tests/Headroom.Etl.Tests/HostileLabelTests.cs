using System.Globalization;
using System.Text;
using Headroom.Prometheus.Client;
using Headroom.Servers;

namespace Headroom.Etl.Tests;

/// <summary>Label values that break naive code (quotes, SQL, unicode, very long) reach the warehouse verbatim.</summary>
public class HostileLabelTests
{
    public static readonly string[] Values =
    [
        "it's \"quoted\"",
        "'; DROP TABLE resources; --",
        "back\\slash and\nnewline",
        "ユニコード 🚀 ünïcödé",
        new string('x', 2000),
        "@p0 $1 %s {{.}}",
    ];

    [Fact]
    public async Task Hostile_instance_and_metadata_values_are_stored_verbatim()
    {
        var directory = Directory.CreateTempSubdirectory("headroom-hostile-");
        try
        {
            var end = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
            var file = Path.Combine(directory.FullName, "hostile.om");
            await File.WriteAllTextAsync(file, OpenMetrics(end.AddHours(-3), end));
            var tsdb = Path.Combine(directory.FullName, "tsdb");
            (await Promtool.CreateBlocksFromOpenMetricsAsync(file, tsdb, TimeSpan.FromHours(162))).EnsureSuccess();
            await using var prometheus = await PrometheusServer.StartAsync(new PrometheusOptions { DataDirectory = tsdb, Retention = "3650d" });
            using var http = new HttpClient();
            await using var warehouse = await Warehouse.Warehouse.OpenAsync("sqlite:" + Path.Combine(directory.FullName, "w.db"));
            await warehouse.MigrateAsync();

            var profile = ProfileLoader.Load("node") with { Dimensions = [ProfileLoader.Load("node").Dimensions.Single(d => d.Name == "memory")] };
            var report = await new EtlRunner(warehouse, new PrometheusClient(http, prometheus.BaseUri), new ExtractionOptions())
                .RunAsync(new EtlOptions { Profile = profile, Source = "hostile", From = end.AddHours(-2), To = end }, EtlMode.Backfill);
            Assert.Equal(Values.Length * 2, report.RowsLoaded);

            var resources = await warehouse.ReadResourcesAsync("node");
            Assert.Equal(Values.Order(StringComparer.Ordinal), resources.Select(r => r.Identity["instance"]).Order(StringComparer.Ordinal));
            foreach (var r in resources)
                Assert.Equal(r.Identity["instance"], r.Name); // the info series carries the same value as name
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string OpenMetrics(DateTimeOffset start, DateTimeOffset end)
    {
        static string Escape(string v) => v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        var sb = new StringBuilder();
        void Family(string name, Func<string, string> labels, double value)
        {
            sb.Append(CultureInfo.InvariantCulture, $"# TYPE {name} gauge\n");
            foreach (var v in Values)
            {
                for (var t = start; t <= end; t = t.AddMinutes(1))
                    sb.Append(CultureInfo.InvariantCulture, $"{name}{{{labels(Escape(v))}}} {value} {t.ToUnixTimeSeconds()}\n");
            }
        }
        Family("node_memory_MemAvailable_bytes", v => $"instance=\"{v}\",job=\"x\"", 600);
        Family("node_memory_MemTotal_bytes", v => $"instance=\"{v}\",job=\"x\"", 1000);
        Family("headroom_host_info", v => $"account=\"1\",instance=\"{v}\",instance_type=\"t3.small\",job=\"x\",name=\"{v}\",region=\"r\"", 1);
        sb.Append("# EOF\n");
        return sb.ToString();
    }
}
