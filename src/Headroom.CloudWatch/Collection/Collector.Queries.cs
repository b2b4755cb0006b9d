using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Config;

namespace Headroom.CloudWatch.Collection;

/// <summary>A GetMetricData query to run: where, as whom, what, and the labels its series gets.</summary>
internal sealed record PlannedQuery(string Region, RoleConfig Role, MetricConfig Config, string Statistic, Metric Metric, IReadOnlyList<KeyValuePair<string, string>> Labels);

public sealed partial class Collector
{
    /// <summary>
    /// Runs the queries: grouped by region, account, period, length and delay (one time window per group), at most 500 per
    /// call, following NextToken, groups in parallel under GetMetricData's concurrency limit.
    /// </summary>
    private async Task<(List<CollectedSeries> Series, int Calls, Dictionary<string, AwsApiException> Failures)> RunQueriesAsync(List<PlannedQuery> queries, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var batches = Batches(queries).ToList();
        var results = await Task.WhenAll(batches.Select(b => RunBatchAsync(b, now, cancellationToken))).ConfigureAwait(false);
        var failures = new Dictionary<string, AwsApiException>(StringComparer.Ordinal);
        foreach (var (batch, result) in batches.Zip(results))
        {
            if (result.Failure is { } e)
                failures.TryAdd(TargetKey(batch[0].Region, batch[0].Role), e);
        }
        return (results.Where(r => r.Failure is null).SelectMany(r => r.Series).ToList(), results.Sum(r => r.Calls), failures);
    }

    /// <summary>Queries grouped by (region, role, period, length, delay, rounding), then cut into chunks of at most 500.</summary>
    internal static IEnumerable<PlannedQuery[]> Batches(IEnumerable<PlannedQuery> queries) =>
        queries.GroupBy(q => (q.Region, RoleKey(q.Role), q.Config.Period, q.Config.Length, q.Config.Delay, q.Config.RoundingPeriod))
            .SelectMany(g => g.Chunk(CloudWatchApi.MaxQueriesPerCall));

    /// <summary>
    /// The window of a group: its end is now minus the delay, rounded down to the period so that only whole periods are
    /// asked for (or to the roundingPeriod when one is set); its start is the end minus the length.
    /// </summary>
    internal static (DateTimeOffset Start, DateTimeOffset End) Window(MetricConfig metric, DateTimeOffset now)
    {
        var periodSeconds = (long)(metric.RoundingPeriod ?? metric.Period).TotalSeconds;
        var endSeconds = (now - metric.Delay).ToUnixTimeSeconds() / periodSeconds * periodSeconds;
        var end = DateTimeOffset.FromUnixTimeSeconds(endSeconds);
        return (end - metric.Length, end);
    }

    private async Task<(List<CollectedSeries> Series, int Calls, AwsApiException? Failure)> RunBatchAsync(PlannedQuery[] batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var (series, calls) = await RunBatchInAsync(batch, now, cancellationToken).ConfigureAwait(false);
            return (series, calls, null);
        }
        catch (AwsApiException e)
        {
            // Batches run in parallel: each failed one is logged with its account and region and fails that target only.
            CollectorLog.AwsFailed(Logger, e, batch[0].Region, batch[0].Role);
            return ([], 0, e);
        }
    }

    /// <summary>One batch: its queries share a region, account, period, length and delay.</summary>
    private async Task<(List<CollectedSeries> Series, int Calls)> RunBatchInAsync(PlannedQuery[] batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var first = batch[0];
        var credentials = await _accounts.CredentialsAsync(first.Role, first.Region, cancellationToken).ConfigureAwait(false);
        var (start, end) = Window(first.Config, now);
        var requests = batch.Select((q, i) => new MetricDataQuery($"q{i}", new MetricStat(q.Metric, (int)q.Config.Period.TotalSeconds, q.Statistic))).ToList();
        var points = new Dictionary<string, (double Time, double Value)>(StringComparer.Ordinal);
        var calls = 0;
        string? token = null;
        do
        {
            var page = await _api.GetMetricDataPageAsync(first.Region, credentials,
                new GetMetricDataRequest(requests, start.ToUnixTimeSeconds(), end.ToUnixTimeSeconds(), token, "TimestampDescending"), cancellationToken).ConfigureAwait(false);
            calls++;
            foreach (var result in page.MetricDataResults ?? [])
            {
                var times = result.Timestamps ?? [];
                var values = result.Values ?? [];
                for (var i = 0; i < Math.Min(times.Length, values.Length); i++)
                {
                    // The newest datapoint wins, whatever order the pages come in.
                    if (!points.TryGetValue(result.Id, out var known) || times[i] > known.Time)
                        points[result.Id] = (times[i], values[i]);
                }
            }
            token = page.NextToken;
        }
        while (!string.IsNullOrEmpty(token));

        var series = new List<CollectedSeries>(batch.Length);
        for (var i = 0; i < batch.Length; i++)
        {
            var q = batch[i];
            var name = PromNames.Metric(q.Metric.Namespace, q.Metric.MetricName, q.Statistic);
            if (points.TryGetValue($"q{i}", out var point))
                series.Add(new CollectedSeries(name, q.Labels, point.Value, q.Config.AddCloudwatchTimestamp ? (long)(point.Time * 1000) : null));
            else
                series.Add(new CollectedSeries(name, q.Labels, q.Config.NilToZero ? 0 : double.NaN));
        }
        return (series, calls);
    }
}
