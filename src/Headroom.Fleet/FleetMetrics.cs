using System.Globalization;

namespace Headroom.Fleet;

/// <summary>Whether a family is a counter or a gauge.</summary>
internal enum MetricKind
{
    Counter,
    Gauge,
}

/// <summary>A metric family the fleet exposes. <see cref="Name"/> is the sample name (with <c>_total</c> for counters).</summary>
internal sealed record MetricFamily(string Name, MetricKind Kind, string Help)
{
    /// <summary>The OpenMetrics family name: counters drop their <c>_total</c> suffix.</summary>
    public string OpenMetricsName => Kind == MetricKind.Counter ? Name[..^"_total".Length] : Name;

    /// <summary>The <c># TYPE</c> of the family.</summary>
    public string TypeName => Kind == MetricKind.Counter ? "counter" : "gauge";
}

/// <summary>One series of one host: its labels (without job and instance) and its value at a time in fleet seconds.</summary>
internal readonly record struct FleetSeries(KeyValuePair<string, string>[] Labels, Func<double, double> ValueAt);

/// <summary>The node_exporter-compatible families every simulated host exposes, in exposition order.</summary>
internal static class FleetMetrics
{
    public const string InfoMetric = "headroom_host_info";

    public static readonly MetricFamily BootTime = new("node_boot_time_seconds", MetricKind.Gauge, "Node boot time, in unixtime.");
    public static readonly MetricFamily Cpu = new("node_cpu_seconds_total", MetricKind.Counter, "Seconds the CPUs spent in each mode.");
    public static readonly MetricFamily DiskIoTime = new("node_disk_io_time_seconds_total", MetricKind.Counter, "Total seconds spent doing I/Os.");
    public static readonly MetricFamily DiskReadBytes = new("node_disk_read_bytes_total", MetricKind.Counter, "The total number of bytes read successfully.");
    public static readonly MetricFamily DiskReads = new("node_disk_reads_completed_total", MetricKind.Counter, "The total number of reads completed successfully.");
    public static readonly MetricFamily DiskWrites = new("node_disk_writes_completed_total", MetricKind.Counter, "The total number of writes completed successfully.");
    public static readonly MetricFamily DiskWrittenBytes = new("node_disk_written_bytes_total", MetricKind.Counter, "The total number of bytes written successfully.");
    public static readonly MetricFamily MemAvailable = new("node_memory_MemAvailable_bytes", MetricKind.Gauge, "Memory information field MemAvailable_bytes.");
    public static readonly MetricFamily MemTotal = new("node_memory_MemTotal_bytes", MetricKind.Gauge, "Memory information field MemTotal_bytes.");
    public static readonly MetricFamily NetworkReceive = new("node_network_receive_bytes_total", MetricKind.Counter, "Network device statistic receive_bytes.");
    public static readonly MetricFamily NetworkTransmit = new("node_network_transmit_bytes_total", MetricKind.Counter, "Network device statistic transmit_bytes.");
    public static readonly MetricFamily Info = new(InfoMetric, MetricKind.Gauge, "Metadata of the host: account, region, instance type and name (value always 1).");
    public static readonly MetricFamily Dmi = new("node_dmi_info", MetricKind.Gauge, "A metric with a constant '1' value labeled by bios_date, bios_vendor, product_name, system_vendor and more from /sys/class/dmi/id.");
    public static readonly MetricFamily Uname = new("node_uname_info", MetricKind.Gauge, "Labeled system information as provided by the uname system call.");

    public static IReadOnlyList<MetricFamily> Families { get; } =
        [BootTime, Cpu, DiskIoTime, DiskReadBytes, DiskReads, DiskWrites, DiskWrittenBytes, MemAvailable, MemTotal, NetworkReceive, NetworkTransmit, Info, Dmi, Uname];

    private static readonly KeyValuePair<string, string>[] s_disk = [new("device", "nvme0n1")];
    private static readonly KeyValuePair<string, string>[] s_nic = [new("device", "eth0")];

    /// <summary>The series of <paramref name="family"/> for <paramref name="host"/>. Counters are zero at boot.</summary>
    public static IEnumerable<FleetSeries> SeriesOf(SimulatedHost host, MetricFamily family)
    {
        var m = host.Model;
        var boot = host.BootSeconds;
        if (ReferenceEquals(family, Cpu))
        {
            for (var cpu = 0; cpu < m.CpuBusy.Length; cpu++)
            {
                var busy = m.CpuBusy[cpu];
                var atBoot = busy.IntegralTo(boot);
                var label = cpu.ToString(CultureInfo.InvariantCulture);
                yield return new([new("cpu", label), new("mode", "idle")], t => Centis(t - boot - (busy.IntegralTo(t) - atBoot)));
                foreach (var (mode, share) in m.ModeShares)
                    yield return new([new("cpu", label), new("mode", mode)], t => Centis(share * (busy.IntegralTo(t) - atBoot)));
            }
        }
        else if (ReferenceEquals(family, BootTime))
        {
            var bootUnix = (double)host.BootTime.ToUnixTimeSeconds();
            yield return new([], _ => bootUnix);
        }
        else if (ReferenceEquals(family, DiskIoTime))
            yield return Counter(s_disk, m.DiskIoTime, boot, 1, Centis);
        else if (ReferenceEquals(family, DiskReadBytes))
            yield return Counter(s_disk, m.DiskReadBytes, boot, 1, Math.Floor);
        else if (ReferenceEquals(family, DiskReads))
            yield return Counter(s_disk, m.DiskReadBytes, boot, 1 / m.ReadBlockBytes, Math.Floor);
        else if (ReferenceEquals(family, DiskWrites))
            yield return Counter(s_disk, m.DiskWrittenBytes, boot, 1 / m.WriteBlockBytes, Math.Floor);
        else if (ReferenceEquals(family, DiskWrittenBytes))
            yield return Counter(s_disk, m.DiskWrittenBytes, boot, 1, Math.Floor);
        else if (ReferenceEquals(family, MemAvailable))
        {
            var total = (double)host.MemoryTotalBytes;
            var used = m.MemoryUsed;
            yield return new([], t => Math.Floor(total * (1 - used.ValueAt(t)) / 4096) * 4096);
        }
        else if (ReferenceEquals(family, MemTotal))
        {
            var total = (double)host.MemoryTotalBytes;
            yield return new([], _ => total);
        }
        else if (ReferenceEquals(family, NetworkReceive) || ReferenceEquals(family, NetworkTransmit))
        {
            var rate = ReferenceEquals(family, NetworkReceive) ? m.ReceiveBytes : m.TransmitBytes;
            yield return Counter(s_nic, rate, boot, 1, Math.Floor);
            // Containers' interfaces share half of the host's traffic again, evenly: cheap, and each a real counter.
            for (var i = 0; i < host.ContainerInterfaces; i++)
                yield return Counter([new("device", ContainerInterface(i))], rate, boot, 0.5 / host.ContainerInterfaces, Math.Floor);
        }
        else if (ReferenceEquals(family, Info))
        {
            yield return new(
                [new("account", host.Account), new("instance_type", host.InstanceType.Name), new("name", host.Name), new("region", host.Region)],
                static _ => 1);
        }
        else if (ReferenceEquals(family, Dmi))
        {
            // As node_exporter reads it on an EC2 instance: the product name is the instance type.
            yield return new(
                [new("bios_vendor", "Amazon EC2"), new("product_name", host.InstanceType.Name), new("system_vendor", "Amazon EC2")],
                static _ => 1);
        }
        else if (ReferenceEquals(family, Uname))
        {
            yield return new(
                [new("domainname", "(none)"), new("machine", "x86_64"), new("nodename", host.Name), new("release", "6.1.0-13-cloud-amd64"), new("sysname", "Linux")],
                static _ => 1);
        }
    }

    /// <summary>The name of a container host's interface <paramref name="index"/>, e.g. <c>veth003f</c>.</summary>
    public static string ContainerInterface(int index) => "veth" + index.ToString("x4", CultureInfo.InvariantCulture);

    private static FleetSeries Counter(KeyValuePair<string, string>[] labels, Simulation.Signal rate, double boot, double scale, Func<double, double> round)
    {
        var atBoot = rate.IntegralTo(boot);
        return new(labels, t => round(scale * (rate.IntegralTo(t) - atBoot)));
    }

    // node_exporter reports CPU seconds with two decimals. Rounding a non-decreasing sequence keeps it non-decreasing.
    private static double Centis(double seconds) => Math.Round(seconds, 2);
}
