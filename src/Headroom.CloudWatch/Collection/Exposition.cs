using System.Globalization;
using System.Text;

namespace Headroom.CloudWatch.Collection;

/// <summary>Writes collected series in the Prometheus text exposition format (0.0.4), grouped by name, as gauges.</summary>
public static class Exposition
{
    public static string Write(IEnumerable<CollectedSeries> series)
    {
        var builder = new StringBuilder();
        foreach (var family in series.GroupBy(s => s.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            builder.Append("# HELP ").Append(family.Key).Append(family.Key.EndsWith("_info", StringComparison.Ordinal)
                ? " Resources found by discovery, with their tags (value 0).\n" : " A CloudWatch statistic, collected by headroom cloudwatch.\n");
            builder.Append("# TYPE ").Append(family.Key).Append(" gauge\n");
            foreach (var s in family)
            {
                builder.Append(s.Name);
                if (s.Labels.Count > 0)
                {
                    builder.Append('{');
                    for (var i = 0; i < s.Labels.Count; i++)
                    {
                        if (i > 0)
                            builder.Append(',');
                        builder.Append(s.Labels[i].Key).Append("=\"");
                        Escape(builder, s.Labels[i].Value);
                        builder.Append('"');
                    }
                    builder.Append('}');
                }
                builder.Append(' ').Append(Format(s.Value));
                if (s.TimestampMs is { } t)
                    builder.Append(' ').Append(t.ToString(CultureInfo.InvariantCulture));
                builder.Append('\n');
            }
        }
        return builder.ToString();
    }

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void Escape(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '"' => builder.Append("\\\""),
                '\n' => builder.Append(@"\n"),
                _ => builder.Append(c),
            };
        }
    }
}
