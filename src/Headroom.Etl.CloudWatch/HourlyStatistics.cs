namespace Headroom.Etl.CloudWatch;

/// <summary>
/// Hourly statistics from the points of one hour, computed as Prometheus' <c>*_over_time</c> functions compute them, so
/// that a direct read and the Prometheus path give the same row for the same points.
/// </summary>
internal static class HourlyStatistics
{
    /// <summary>Average, minimum, maximum, 95th percentile (linear between ranks, as <c>quantile_over_time</c>) and count.</summary>
    public static (double Avg, double Min, double Max, double P95, long Count) Of(List<double> values)
    {
        if (values.Count == 0)
            return (double.NaN, double.NaN, double.NaN, double.NaN, 0);
        values.Sort();
        var sum = 0.0;
        foreach (var v in values)
            sum += v;
        var rank = 0.95 * (values.Count - 1);
        var lower = (int)Math.Floor(rank);
        var upper = Math.Min(lower + 1, values.Count - 1);
        var weight = rank - lower;
        var p95 = values[lower] * (1 - weight) + values[upper] * weight;
        return (sum / values.Count, values[0], values[^1], p95, values.Count);
    }
}
