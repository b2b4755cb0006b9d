using Headroom.Fleet.Simulation;

namespace Headroom.Fleet;

/// <summary>
/// One simulated host: its identity, capacity and utilization profile, and the signals its metrics are
/// computed from. Everything is derived from (seed, index); two hosts built from the same pair are equal.
/// </summary>
public sealed partial class SimulatedHost
{
    /// <summary>Stable identifier, also the Prometheus <c>instance</c> label, e.g. <c>host-0007</c>.</summary>
    public required string Id { get; init; }

    /// <summary>A human name such as <c>api-17</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The 12-digit account the host belongs to.</summary>
    public required string Account { get; init; }

    /// <summary>The AWS-style region.</summary>
    public required string Region { get; init; }

    /// <summary>The EC2-style instance id, e.g. <c>i-0a1b2c3d4e5f60718</c>, derived from <see cref="Id"/> and <see cref="Account"/>.</summary>
    public string InstanceId => "i-0" + Hash16(Id + "/" + Account);

    /// <summary>The availability zone in <see cref="Region"/>, e.g. <c>us-east-1b</c>.</summary>
    public string AvailabilityZone => Region + (char)('a' + (int)(Convert.ToUInt64(Hash16(Id), 16) % 3));

    /// <summary>The instance type (vCPUs and memory).</summary>
    public required InstanceType InstanceType { get; init; }

    /// <summary>How the host uses CPU: the ground truth.</summary>
    public required CpuProfile CpuProfile { get; init; }

    /// <summary>How the host uses memory: the ground truth.</summary>
    public required MemoryProfile MemoryProfile { get; init; }

    /// <summary>When the host booted; counters start at zero then.</summary>
    public required DateTimeOffset BootTime { get; init; }

    private static string Hash16(string text)
    {
        // FNV-1a, 64 bits: stable across runs and platforms, unlike string.GetHashCode.
        var hash = 14695981039346656037UL;
        foreach (var c in text)
            hash = (hash ^ c) * 1099511628211UL;
        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>This host with its CloudWatch CPU view skewed by <paramref name="points"/> from <paramref name="from"/> on; all else equal.</summary>
    internal SimulatedHost WithCloudWatchCpuSkew(double points, DateTimeOffset from) => new()
    {
        Id = Id,
        Name = Name,
        Account = Account,
        Region = Region,
        InstanceType = InstanceType,
        CpuProfile = CpuProfile,
        MemoryProfile = MemoryProfile,
        BootTime = BootTime,
        ContainerInterfaces = ContainerInterfaces,
        Model = Model,
        BootSeconds = BootSeconds,
        CloudWatchCpuSkew = points,
        CloudWatchSkewFrom = from,
    };

    /// <summary>The host's MemTotal in bytes (a little under the type's nominal memory, as on a real kernel).</summary>
    public long MemoryTotalBytes => (long)(InstanceType.MemoryGiB * 0.97 * (1L << 30)) / 4096 * 4096;

    /// <summary>Long-run mean CPU utilization (0..1) across all CPUs.</summary>
    public double MeanCpuUtilization => Model.MeanBusy;

    /// <summary>Long-run mean memory utilization (0..1).</summary>
    public double MeanMemoryUtilization => Model.MeanMemoryUsed;

    /// <summary>Long-run mean of received plus transmitted bytes per day.</summary>
    public double MeanNetworkBytesPerDay => (Model.MeanReceiveRate + Model.MeanTransmitRate) * FleetClock.SecondsPerDay;

    /// <summary>Container network interfaces (<c>veth…</c>) beside <c>eth0</c>; 0 unless the fleet is skewed.</summary>
    public int ContainerInterfaces { get; init; }

    /// <summary>
    /// How many series a scrape of this host returns: 6 CPU modes per vCPU, one series each for the eleven other
    /// families, and a receive and a transmit series per network interface.
    /// </summary>
    public int SeriesCount => (6 * InstanceType.VCpus) + 11 + (2 * (1 + ContainerInterfaces));

    /// <summary>
    /// Percentage points CloudWatch's <c>CPUUtilization</c> of this host reads above what its own CPU counters (node_exporter)
    /// show, from <see cref="CloudWatchSkewFrom"/> on: a deliberately wrong view with known truth, for the cross-validation of
    /// the two sources. 0 (the default): both views agree. See <see cref="SimulatedFleet.WithCloudWatchCpuSkew"/>.
    /// </summary>
    public double CloudWatchCpuSkew { get; init; }

    /// <summary>When <see cref="CloudWatchCpuSkew"/> starts: periods starting earlier agree.</summary>
    public DateTimeOffset CloudWatchSkewFrom { get; init; } = DateTimeOffset.MinValue;

    internal HostModel Model { get; init; } = null!;

    internal double BootSeconds { get; init; }

    /// <summary>CPU utilization (0..1, averaged over CPUs) at an instant, as a rate over a short window would see it.</summary>
    public double CpuUtilizationAt(DateTimeOffset time) => Model.Busy.ValueAt(FleetClock.ToFleetSeconds(time.ToUnixTimeMilliseconds()));

    /// <summary>Memory utilization (0..1) at an instant.</summary>
    public double MemoryUtilizationAt(DateTimeOffset time) => Model.MemoryUsed.ValueAt(FleetClock.ToFleetSeconds(time.ToUnixTimeMilliseconds()));

    /// <summary>
    /// What CloudWatch reports for the host over the period starting at <paramref name="start"/>: the average
    /// <c>CPUUtilization</c> in percent and the <c>NetworkIn</c> and <c>NetworkOut</c> sums in bytes, from the same
    /// signals as the node_exporter metrics, so both views of the fleet agree.
    /// </summary>
    public CloudWatchPeriod CloudWatchAt(DateTimeOffset start, TimeSpan period)
    {
        if (period <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(period), period, "the period must be positive");
        var from = FleetClock.ToFleetSeconds(start.ToUnixTimeMilliseconds());
        var to = from + period.TotalSeconds;
        // The CPUs' own signals, as node_cpu_seconds_total counts them: their mean is smoother than Busy's peaks.
        var busy = 0.0;
        foreach (var cpu in Model.CpuBusy)
            busy += cpu.IntegralTo(to) - cpu.IntegralTo(from);
        var percent = 100 * busy / Model.CpuBusy.Length / period.TotalSeconds;
        if (CloudWatchCpuSkew != 0 && start >= CloudWatchSkewFrom)
            percent = Math.Clamp(percent + CloudWatchCpuSkew, 0, 100);
        return new CloudWatchPeriod(
            percent,
            Model.ReceiveBytes.IntegralTo(to) - Model.ReceiveBytes.IntegralTo(from),
            Model.TransmitBytes.IntegralTo(to) - Model.TransmitBytes.IntegralTo(from));
    }
}

/// <summary>One host's CloudWatch EC2 statistics over one period.</summary>
/// <param name="CpuPercent">Average <c>CPUUtilization</c>, 0 to 100.</param>
/// <param name="NetworkInBytes">Sum of <c>NetworkIn</c>: bytes received in the period.</param>
/// <param name="NetworkOutBytes">Sum of <c>NetworkOut</c>: bytes sent in the period.</param>
public readonly record struct CloudWatchPeriod(double CpuPercent, double NetworkInBytes, double NetworkOutBytes);
