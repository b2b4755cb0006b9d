using Headroom.Warehouse;
using Microsoft.Extensions.Time.Testing;

namespace Headroom.Etl.Tests.RealHost;

/// <summary>
/// The node profile on a real node_exporter scraped by a real Prometheus, checked against the kernel's own counters.
/// Tolerances: this 2-core machine is shared with other builds, so its load swings between idle and full within a
/// second; both readings cover the same ~30 s to within one 50 ms poll and node_exporter's read delay after the scrape
/// (well under 0.5 s, under 2 % of the interval), so 0.05 of a CPU-share bounds the misalignment with room to spare.
/// </summary>
public sealed class RealHostTests(RealHostPrometheus host) : IClassFixture<RealHostPrometheus>
{
    private const double CpuTolerance = 0.05;

    // Memory is a gauge read at one instant by both; builds beside the test move it by tens of MB a second (≈1 %).
    private const double MemoryTolerance = 0.03;

    private static readonly Profile Node = ProfileLoader.Load("node");

    [Fact]
    public async Task The_profiles_expressions_return_this_machines_cpu_memory_and_network_without_lo()
    {
        var (first, last) = host.Samples;
        // The profile's expression as it is: its 5m window holds only the ~30 s of history, which a lone rate() would
        // read as a tenth of the true rate (it extrapolates half a scrape, not to the window's start); the profile's
        // ratio of idle's rate to all modes' rates cancels that, so it is the interval's CPU share.
        var cpu = Node.Dimensions.Single(d => d.Name == "cpu").Expr;
        var cpuValue = Assert.Single((await host.Client.QueryAsync(cpu, last)).Series);
        Assert.Equal(host.Instance, cpuValue.Labels["instance"]);
        var expected = host.ProcStat.BusyBetween(first, last);
        Assert.True(Math.Abs(cpuValue.Samples[0].Value - expected) <= CpuTolerance,
            $"the profile's CPU {cpuValue.Samples[0].Value:F3}, /proc/stat {expected:F3} over {first:O}..{last:O}");

        var memory = Assert.Single((await host.Client.QueryAsync(Node.Dimensions.Single(d => d.Name == "memory").Expr, last)).Series);
        var expectedMemory = host.ProcStat.MemoryAt(last);
        Assert.True(Math.Abs(memory.Samples[0].Value - expectedMemory) <= MemoryTolerance,
            $"the profile's memory {memory.Samples[0].Value:F3}, /proc/meminfo {expectedMemory:F3}");

        foreach (var name in new[] { "network_in", "network_out" })
        {
            var network = Assert.Single((await host.Client.QueryAsync(Node.Dimensions.Single(d => d.Name == name).Expr, last)).Series);
            Assert.True(network.Samples[0].Value >= 0, $"{name} is {network.Samples[0].Value}");
        }
        // The devices the network expressions sum: every interface of /proc/net/dev but lo.
        var devices = (await host.Client.QueryAsync("count by (device) (node_network_receive_bytes_total{device!=\"lo\"})", last)).Series
            .Select(s => s.Labels["device"]).Order(StringComparer.Ordinal).ToList();
        var kernel = File.ReadLines("/proc/net/dev").Skip(2).Select(l => l.Split(':')[0].Trim()).Where(d => d != "lo").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(kernel, devices);
        Assert.DoesNotContain("lo", devices);
    }

    [Fact]
    public async Task An_etl_run_loads_rows_whose_cpu_agrees_with_proc_stat_and_names_the_host_by_nodename()
    {
        var (first, last) = host.Samples;
        // The hourly statistics are means of the expression at the profile's resolution. Over 30 s of history a 5m
        // rate() is mostly partial windows (it divides by the window, not the data); irate over 3 s at a 1 s resolution
        // gives each scrape interval one point, so the hour's mean is the interval's CPU share.
        var profile = Node with
        {
            Resolution = TimeSpan.FromSeconds(1),
            Dimensions = [.. Node.Dimensions.Select(d => d with { Expr = d.Expr.Replace("rate(", "irate(", StringComparison.Ordinal).Replace("[5m]", "[3s]", StringComparison.Ordinal) })],
        };
        var from = EtlRunner.FloorHour(first);
        var to = EtlRunner.FloorHour(last).AddHours(1);
        var db = Path.Combine(Path.GetTempPath(), $"headroom-realhost-{Guid.NewGuid():N}.db");
        try
        {
            await using var warehouse = await Warehouse.Warehouse.OpenAsync("sqlite:" + db);
            await warehouse.MigrateAsync();
            var runner = new EtlRunner(warehouse, host.Client, new ExtractionOptions(), time: new FakeTimeProvider(to.AddMinutes(10)));
            var report = await runner.RunAsync(new EtlOptions
            {
                Profile = profile,
                Source = host.Server.BaseUri.AbsoluteUri,
                From = from,
                To = to,
                UseRecordingRules = false,
                // Half a minute of an hour: every row is "incomplete" by design here.
                Validation = new ValidationOptions { MinCompleteness = 0 },
            }, EtlMode.Backfill);
            Assert.True(report.RowsLoaded > 0, $"no rows loaded: {report}");

            var rows = await warehouse.ReadHourlyAsync("node", "cpu");
            Assert.NotEmpty(rows);
            // The interval may straddle an hour: the samples-weighted mean of its rows is the mean of all points.
            var cpu = rows.Sum(r => r.Avg * r.Samples) / rows.Sum(r => r.Samples);
            var expected = host.ProcStat.BusyBetween(first, last);
            Assert.True(Math.Abs(cpu - expected) <= CpuTolerance, $"ETL CPU {cpu:F3}, /proc/stat {expected:F3} over {first:O}..{last:O}");

            var resource = Assert.Single(await warehouse.ReadResourcesAsync("node"));
            Assert.Equal(host.Instance, resource.Identity["instance"]);
            Assert.Equal(Environment.MachineName, resource.Name);
            Assert.Equal("node_uname_info nodename", resource.Metadata[MetadataFields.SourceKey(MetadataFields.Name)]);
            var vendor = "/sys/class/dmi/id/sys_vendor";
            if (File.Exists(vendor) && File.ReadAllText(vendor).Trim() == "Amazon EC2")
                Assert.Equal(File.ReadAllText("/sys/class/dmi/id/product_name").Trim(), resource.InstanceType);
            else
                Assert.Null(resource.InstanceType);
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(db) + "*"))
                File.Delete(file);
        }
    }
}
