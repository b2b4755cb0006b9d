using System.Text;
using Headroom.Prometheus.Exposition;

namespace Headroom.Fleet;

/// <summary>Writes a host's metrics in the Prometheus text format (version 0.0.4), as node_exporter would serve them.</summary>
public static class Exposition
{
    /// <summary>Writes every family of <paramref name="host"/> at <paramref name="time"/> to <paramref name="output"/>.</summary>
    public static void Write(SimulatedHost host, DateTimeOffset time, Stream output)
    {
        ArgumentNullException.ThrowIfNull(host);
        var t = FleetClock.ToFleetSeconds(time.ToUnixTimeMilliseconds());
        using var writer = new ExpositionWriter(output);
        foreach (var family in FleetMetrics.Families)
        {
            writer.WriteHelp(family.Name, family.Help);
            writer.WriteType(family.Name, family.TypeName);
            foreach (var series in FleetMetrics.SeriesOf(host, family))
                writer.WriteSample(family.Name, series.Labels, series.ValueAt(t), null);
        }
    }

    /// <summary>The exposition of <paramref name="host"/> at <paramref name="time"/> as UTF-8 bytes.</summary>
    public static byte[] ToBytes(SimulatedHost host, DateTimeOffset time)
    {
        using var buffer = new MemoryStream();
        Write(host, time, buffer);
        return buffer.ToArray();
    }

    /// <summary>The exposition of <paramref name="host"/> at <paramref name="time"/> as a string.</summary>
    public static string ToText(SimulatedHost host, DateTimeOffset time) => Encoding.UTF8.GetString(ToBytes(host, time));
}
