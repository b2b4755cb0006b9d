using System.Globalization;
using System.Text;
using Headroom.PromQL;

namespace Headroom.Prometheus.Exposition;

/// <summary>
/// Prometheus' text exposition format (0.0.4), as <c>/federate</c> and scrape targets serve it: <c># TYPE</c> lines,
/// then <c>name{label="value"} value [timestamp]</c> with label values escaped (<c>\\</c>, <c>\"</c>, <c>\n</c>).
/// </summary>
public static class TextExposition
{
    /// <summary>The Content-Type of the format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Appends a <c># TYPE</c> line.</summary>
    public static void AppendType(StringBuilder output, string metric, string type)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Append("# TYPE ").Append(metric).Append(' ').Append(type).Append('\n');
    }

    /// <summary>Appends one sample line; the metric name comes from <c>__name__</c>, the other labels go in braces.</summary>
    public static void AppendSample(StringBuilder output, Labels labels, double value, long? timestampMs)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(labels);
        output.Append(labels.Name);
        var first = true;
        foreach (var label in labels)
        {
            if (label.Name == Labels.MetricName)
            {
                continue;
            }
            output.Append(first ? '{' : ',');
            first = false;
            output.Append(label.Name).Append("=\"");
            AppendEscaped(output, label.Value);
            output.Append('"');
        }
        if (!first)
        {
            output.Append('}');
        }
        output.Append(' ').Append(FormatValue(value));
        if (timestampMs is { } t)
        {
            output.Append(' ').Append(t.ToString(CultureInfo.InvariantCulture));
        }
        output.Append('\n');
    }

    /// <summary>A sample value as the format writes it: shortest round-trip text, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void AppendEscaped(StringBuilder output, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    output.Append(@"\\");
                    break;
                case '"':
                    output.Append("\\\"");
                    break;
                case '\n':
                    output.Append(@"\n");
                    break;
                default:
                    output.Append(c);
                    break;
            }
        }
    }
}
