namespace Headroom.Fleet.Tests;

/// <summary>The metrics a host exposes agree with its profile: what the reports will be tested against.</summary>
public class ProfileTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly SimulatedFleet Fleet = SimulatedFleet.Create(120, 5);

    [Fact]
    public void Counters_never_decrease()
    {
        foreach (var host in Fleet.Hosts.Take(30))
        {
            var previous = Metrics.Parse(Exposition.ToText(host, Start));
            for (var minute = 1; minute <= 24 * 60; minute += 7)
            {
                var current = Metrics.Parse(Exposition.ToText(host, Start.AddMinutes(minute)));
                foreach (var (series, value) in current.Where(kv => kv.Key.Contains("_total", StringComparison.Ordinal)))
                    Assert.True(value >= previous[series], $"{host.Id} {series} went from {previous[series]} to {value}");
                previous = current;
            }
        }
    }

    [Fact]
    public void Daily_cpu_from_the_counters_fits_each_profile()
    {
        foreach (var host in Fleet.Hosts)
        {
            for (var day = 0; day < 14; day++)
            {
                var from = Start.AddDays(day);
                var cpu = Metrics.CpuUtilization(host, from, from.AddDays(1));
                var (low, high) = host.CpuProfile switch
                {
                    CpuProfile.Idle => (0.0, 0.01),
                    CpuProfile.Underused => (0.03, 0.09),
                    CpuProfile.Steady => (0.2, 0.6),
                    CpuProfile.Diurnal => (0.2, 0.5),
                    CpuProfile.Bursty => (0.15, 0.5),
                    CpuProfile.Saturated => (0.75, 1.0),
                    _ => throw new InvalidOperationException(),
                };
                Assert.True(cpu >= low && cpu <= high, $"{host.Id} ({host.CpuProfile}) used {cpu:P2} on day {day}, expected {low:P0}..{high:P0}");
            }
        }
    }

    [Fact]
    public void Idle_hosts_never_reach_one_percent_even_over_five_minutes()
    {
        foreach (var host in Fleet.Hosts.Where(h => h.CpuProfile == CpuProfile.Idle))
        {
            for (var minute = 0; minute < 3 * 24 * 60; minute += 5)
            {
                var from = Start.AddMinutes(minute);
                Assert.True(Metrics.CpuUtilization(host, from, from.AddMinutes(5)) < 0.01, $"{host.Id} at {from:O}");
            }
        }
    }

    [Fact]
    public void Quiet_hosts_move_under_five_megabytes_a_day_and_busy_ones_far_more()
    {
        foreach (var host in Fleet.Hosts)
        {
            var a = Metrics.Parse(Exposition.ToText(host, Start));
            var b = Metrics.Parse(Exposition.ToText(host, Start.AddDays(1)));
            var bytes = new[] { "node_network_receive_bytes_total{device=\"eth0\"}", "node_network_transmit_bytes_total{device=\"eth0\"}" }.Sum(k => b[k] - a[k]);
            if (host.CpuProfile is CpuProfile.Idle or CpuProfile.Underused)
                Assert.True(bytes < 5e6, $"{host.Id} moved {bytes:N0} bytes");
            else
                Assert.True(bytes > 1e9, $"{host.Id} moved only {bytes:N0} bytes");
        }
    }

    [Fact]
    public void Memory_in_use_fits_the_memory_profile()
    {
        foreach (var host in Fleet.Hosts)
        {
            for (var hour = 0; hour < 7 * 24; hour += 5)
            {
                var m = Metrics.Parse(Exposition.ToText(host, Start.AddHours(hour)));
                var used = 1 - (m["node_memory_MemAvailable_bytes"] / m["node_memory_MemTotal_bytes"]);
                var (low, high) = host.MemoryProfile switch
                {
                    MemoryProfile.Low => (0.05, 0.22),
                    MemoryProfile.Moderate => (0.3, 0.6),
                    MemoryProfile.High => (0.75, 0.92),
                    _ => (0.28, 0.88),
                };
                Assert.InRange(used, low, high);
            }
        }
    }
}
