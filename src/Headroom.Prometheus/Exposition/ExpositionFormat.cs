namespace Headroom.Prometheus.Exposition;

/// <summary>Which of Prometheus' text formats an <see cref="ExpositionWriter"/> writes.</summary>
public enum ExpositionFormat
{
    /// <summary>
    /// The text format 0.0.4 that scrape targets and <c>/federate</c> serve: timestamps in milliseconds,
    /// <c># HELP</c> escapes backslash and newline.
    /// </summary>
    Text,

    /// <summary>
    /// OpenMetrics 1.0 text, as <c>promtool tsdb create-blocks-from openmetrics</c> reads it: timestamps in seconds,
    /// <c># HELP</c> also escapes double quotes, and the exposition ends with <c># EOF</c>.
    /// </summary>
    OpenMetrics,
}
