using Headroom.CloudWatch.Config;

namespace Headroom.CloudWatch.Collection;

public sealed partial class Collector
{
    private static readonly TimeSpan ProbePeriod = TimeSpan.FromHours(1);

    /// <summary>
    /// Where each wanted metric's data starts for <paramref name="target"/>: the hour of the first datapoint of every series
    /// (metric × resource) in [<paramref name="start"/>, <paramref name="end"/>), or none. One GetMetricData query per series,
    /// not per statistic (the statistics of a series share their datapoints): <c>SampleCount</c> at one hour, so a 62-day
    /// range is 1,488 points a query and about 67 queries fit a call. Discovery and ListMetrics as a window's read does them
    /// (cached alike). A wanted metric there was something to ask for that CloudWatch does not list comes back with no series.
    /// </summary>
    /// <exception cref="Aws.AwsApiException">A call failed (after retries where retrying helps).</exception>
    public async Task<FirstDatapoints> FirstDatapointsAsync(CollectorTarget target, DateTimeOffset start, DateTimeOffset end, Func<string, bool> wanted,
        WindowLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(wanted);
        var (_, queries, configured) = await PlanWindowAsync(target, wanted, cancellationToken).ConfigureAwait(false);
        var hour = (long)ProbePeriod.TotalSeconds;
        start = DateTimeOffset.FromUnixTimeSeconds(start.ToUnixTimeSeconds() / hour * hour);
        end = DateTimeOffset.FromUnixTimeSeconds((end.ToUnixTimeSeconds() + hour - 1) / hour * hour);

        var probes = queries.GroupBy(q => SeriesKey(q.Metric), StringComparer.Ordinal)
            .Select(g => g.First() with { Config = g.First().Config with { Period = ProbePeriod }, Statistic = "SampleCount" })
            .ToList();
        var first = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var billed = 0;
        if (probes.Count > 0 && start < end)
        {
            var (slices, perCall) = (limits ?? WindowLimits.Default).Plan(start, end, ProbePeriod);
            billed = probes.Count * slices.Count;
            var results = await Task.WhenAll(probes.Chunk(perCall).SelectMany(b => slices.Select(s => ReadBatchAsync(target.Region, target.Role, b, s.Start, s.End, cancellationToken))))
                .ConfigureAwait(false);
            foreach (var (query, points) in results.SelectMany(r => r.Points))
            {
                if (points.Count == 0)
                    continue;
                var at = DateTimeOffset.FromUnixTimeMilliseconds(points.Keys.Min());
                var key = SeriesKey(query.Metric);
                if (!first.TryGetValue(key, out var known) || at < known)
                    first[key] = at;
            }
        }

        return new FirstDatapoints([.. configured.Distinct().Select(m => new MetricFirstData(
            m.Namespace, m.Name, m.Statistics,
            [.. queries.Where(q => ReferenceEquals(q.Config, m)).DistinctBy(q => SeriesKey(q.Metric), StringComparer.Ordinal)
                .Select(q => new SeriesFirstData(
                    [.. (q.Metric.Dimensions ?? []).Select(d => new KeyValuePair<string, string>(d.Name, d.Value))],
                    first.TryGetValue(SeriesKey(q.Metric), out var at) ? at : null))]))], billed);
    }

    private static string SeriesKey(Aws.Metric metric) =>
        $"{metric.Namespace}\n{metric.MetricName}\n{string.Join('\n', (metric.Dimensions ?? []).OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => $"{d.Name}={d.Value}"))}";
}

/// <summary>What <see cref="Collector.FirstDatapointsAsync"/> found, and what it cost.</summary>
/// <param name="Metrics">Each configured metric, with where each of its series' data starts.</param>
/// <param name="Queries">The metrics requested from GetMetricData to find out (what it bills).</param>
public sealed record FirstDatapoints(IReadOnlyList<MetricFirstData> Metrics, int Queries);

/// <summary>Where the data of one configured metric starts, per series.</summary>
/// <param name="Statistics">The statistics asked for (those the ETL reads).</param>
/// <param name="Series">One per resource (or static dimension set) CloudWatch was asked about; empty when it lists none for the resources found.</param>
public sealed record MetricFirstData(string Namespace, string MetricName, IReadOnlyList<string> Statistics, IReadOnlyList<SeriesFirstData> Series)
{
    /// <summary>The exported series names of its statistics, e.g. <c>aws_ec2_cpuutilization_average</c>.</summary>
    public IEnumerable<string> Names => Statistics.Select(s => PromNames.Metric(Namespace, MetricName, s));
}

/// <summary>Where one series' data starts.</summary>
/// <param name="Dimensions">Its CloudWatch dimensions.</param>
/// <param name="First">The start of the hour holding its first datapoint in the range asked about; null when it has none.</param>
public sealed record SeriesFirstData(IReadOnlyList<KeyValuePair<string, string>> Dimensions, DateTimeOffset? First);
