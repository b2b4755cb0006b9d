using System.Text;

namespace Headroom.Fleet;

/// <summary>Writes a host's metrics in the Prometheus text format (version 0.0.4), as node_exporter would serve them.</summary>
public static class Exposition
{
    /// <summary>The content type of the text format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes every family of <paramref name="host"/> at <paramref name="time"/> to <paramref name="output"/>.</summary>
    public static void Write(SimulatedHost host, DateTimeOffset time, Stream output)
    {
        ArgumentNullException.ThrowIfNull(host);
        var t = FleetClock.ToFleetSeconds(time.ToUnixTimeMilliseconds());
        var writer = new SampleWriter(output, 1 << 16);
        foreach (var family in FleetMetrics.Families)
        {
            writer.Append($"# HELP {family.Name} {family.Help}\n# TYPE {family.Name} {(family.Kind == MetricKind.Counter ? "counter" : "gauge")}\n");
            foreach (var series in FleetMetrics.SeriesOf(host, family))
            {
                var prefix = series.Labels.Length == 0 ? family.Name : $"{family.Name}{{{series.Labels}}}";
                writer.AppendSample(Encoding.UTF8.GetBytes(prefix), series.ValueAt(t), null);
            }
        }
        writer.Flush();
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
