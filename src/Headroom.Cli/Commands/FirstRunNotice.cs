using System.Globalization;
using Headroom.Etl;
using Headroom.Insights;

namespace Headroom.Cli.Commands;

/// <summary>
/// What a run on a young source tells its user: where the source's history starts, what the run loaded, what it waits
/// for, and when the report has what its rules need. The ETL knows the history; the report's needs come from
/// <see cref="InsightsOptions"/>' defaults, which is why the CLI (which sees both) writes it.
/// </summary>
internal static class FirstRunNotice
{
    /// <summary>The lines to print, none when the source's history is older than the run's range.</summary>
    public static IReadOnlyList<string> Lines(EtlReport report, TimeSpan safetyDelay, InsightsOptions? insights = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.SourceHoldsNoData)
        {
            return [$"the source holds no data for this profile ({report.HoursBeforeHistory} hours checked, none counted as gaps): " +
                    "is node_exporter scraped, and is this the right profile? Run again once it has been scraped for an hour."];
        }
        if (report.HistoryStart is not { } start)
            return [];
        insights ??= new InsightsOptions();
        var lines = new List<string>();
        // The first hour holds the first sample somewhere inside it: the first complete hour is the next one.
        var firstComplete = start.AddHours(2);
        lines.Add($"the source's history starts at {Time(start)}: the {report.HoursBeforeHistory} hours before it are before its history, not gaps.");
        lines.Add(report.RowsLoaded > 0
            ? $"loaded {report.RowsLoaded:N0} rows of the {(report.To - start).TotalHours:N0} hours it holds."
            : $"nothing to load yet: the first complete hour ends at {Time(firstComplete)}; run again after {Time(firstComplete + safetyDelay)}.");
        lines.Add($"the report: rightsizing needs {insights.MinHours} hours of data (from {Time(firstComplete.AddHours(insights.MinHours - 1))}), " +
                  $"the low-utilization rule {insights.LowDays} days (from {Time(firstComplete.AddDays(insights.LowDays))}), " +
                  $"a full {insights.Days}-day window from {Time(firstComplete.AddDays(insights.Days))}; until then it answers with what it has and says so.");
        return lines;
    }

    private static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
