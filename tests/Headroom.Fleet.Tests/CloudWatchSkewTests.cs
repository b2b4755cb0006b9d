namespace Headroom.Fleet.Tests;

/// <summary>The simulator's knob for the cross-validation of sources: one host's CloudWatch CPU deliberately wrong, known truth.</summary>
public sealed class CloudWatchSkewTests
{
    private static readonly DateTimeOffset s_from = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Only_the_chosen_host_reads_higher_and_only_from_the_chosen_time_clamped_at_100()
    {
        var plain = SimulatedFleet.Create(6, 3);
        var idle = plain.Hosts.First(h => h.CpuProfile == CpuProfile.Idle);
        var saturated = plain.Hosts.First(h => h.CpuProfile == CpuProfile.Saturated);
        var fleet = plain.WithCloudWatchCpuSkew(idle.Id, 30, s_from).WithCloudWatchCpuSkew(saturated.Id, 30, s_from);
        var period = TimeSpan.FromMinutes(5);

        foreach (var (before, after) in plain.Hosts.Zip(fleet.Hosts))
        {
            Assert.Equal(before.Id, after.Id);
            Assert.Equal(before.CloudWatchAt(s_from.AddHours(-1), period), after.CloudWatchAt(s_from.AddHours(-1), period));
            var (was, now) = (before.CloudWatchAt(s_from, period), after.CloudWatchAt(s_from, period));
            Assert.Equal((was.NetworkInBytes, was.NetworkOutBytes), (now.NetworkInBytes, now.NetworkOutBytes));
            // The node_exporter view never changes.
            Assert.Equal(before.CpuUtilizationAt(s_from), after.CpuUtilizationAt(s_from));
            if (after.Id == idle.Id)
                Assert.Equal(was.CpuPercent + 30, now.CpuPercent, 9);
            else if (after.Id == saturated.Id)
                Assert.Equal(Math.Min(100, was.CpuPercent + 30), now.CpuPercent, 9);
            else
                Assert.Equal(was, now);
        }
        Assert.Equal(new[] { idle.Id, saturated.Id }.Order(StringComparer.Ordinal),
            FleetTruth.Of(fleet).Hosts.Where(h => h.CloudWatchCpuSkew != 0).Select(h => h.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_unknown_host_or_an_impossible_skew_is_refused_naming_the_fix()
    {
        var fleet = SimulatedFleet.Create(3, 1);
        Assert.Contains("no host 'host-9999' in the fleet; ids run from host-0001 to host-0003", Assert.Throws<ArgumentException>(() => fleet.WithCloudWatchCpuSkew("host-9999", 10)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => fleet.WithCloudWatchCpuSkew("host-0001", 150));
    }
}
