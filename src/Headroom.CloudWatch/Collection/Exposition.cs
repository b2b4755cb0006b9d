using System.Text;
using Headroom.Prometheus.Exposition;

namespace Headroom.CloudWatch.Collection;

/// <summary>Writes collected series in the Prometheus text exposition format (0.0.4), grouped by name, as gauges.</summary>
public static class Exposition
{
    /// <summary>The exposition of <paramref name="series"/>: families sorted by name, series in the order given.</summary>
    public static string Write(IEnumerable<CollectedSeries> series)
    {
        using var bytes = new MemoryStream();
        using (var writer = new ExpositionWriter(bytes))
        {
            foreach (var family in series.GroupBy(s => s.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                writer.WriteHelp(family.Key, family.Key.EndsWith("_info", StringComparison.Ordinal)
                    ? "Resources found by discovery, with their tags (value 0)." : "A CloudWatch statistic, collected by headroom cloudwatch.");
                writer.WriteType(family.Key, "gauge");
                foreach (var s in family)
                    writer.WriteSample(s.Name, s.Labels, s.Value, s.TimestampMs);
            }
        }
        return Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
    }
}
