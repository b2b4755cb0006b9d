using System.Globalization;
using Headroom.Prometheus.Client;
using Headroom.PromQL.Syntax;

namespace Headroom.Etl;

/// <summary>
/// Builds the one PromQL query that returns every hourly statistic of a dimension: each statistic is an
/// <c>*_over_time</c> over the last hour, tagged with a <c>headroom_stat</c> label and joined with
/// <c>or</c>, so one round trip brings all five.
/// </summary>
internal static class ExtractionQuery
{
    public const string StatLabel = "headroom_stat";

    /// <summary>
    /// The query is evaluated at the end of each hour minus 1 ms, so that the one-hour range covers exactly
    /// [hour start, hour end) under both Prometheus 2's closed and Prometheus 3's left-open range boundaries.
    /// </summary>
    public static readonly TimeSpan EvaluationOffset = TimeSpan.FromMilliseconds(1);

    /// <summary>The inner series: the expression as a subquery at the profile's resolution.</summary>
    public static string RawRange(Profile profile, Dimension dimension) =>
        $"({dimension.Expr})[1h:{Durations.Format(profile.Resolution)}]";

    /// <summary>The inner series read from the dimension's recording rule.</summary>
    public static string RecordedRange(Dimension dimension) =>
        $"{dimension.Record ?? throw new InvalidOperationException($"dimension {dimension.Name} has no recording rule")}[1h]";

    public static string Statistics(string range)
    {
        string Tag(string expression, string stat) =>
            $"label_replace({expression}, \"{StatLabel}\", \"{stat}\", \"\", \"\")";
        return string.Join(" or ",
            Tag($"avg_over_time({range})", "avg"),
            Tag($"min_over_time({range})", "min"),
            Tag($"max_over_time({range})", "max"),
            Tag($"quantile_over_time(0.95, {range})", "p95"),
            Tag($"count_over_time({range})", "count"));
    }

    /// <summary>Points an hour holds at <paramref name="step"/>.</summary>
    public static long ExpectedPerHour(TimeSpan step) => (long)(TimeSpan.FromHours(1) / step);

    public static string Describe(DateTimeOffset from, DateTimeOffset to) =>
        string.Create(CultureInfo.InvariantCulture, $"{from:yyyy-MM-ddTHH:mm}Z..{to:yyyy-MM-ddTHH:mm}Z");
}
