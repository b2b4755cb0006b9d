using System.Globalization;
using Headroom.Prometheus;
using Headroom.Prometheus.Client;

namespace Headroom.Sharding;

/// <summary>
/// Reads what the planner needs from a Prometheus server or anything that speaks its API (the gateway over all
/// shards): series per target and the shards' own head series, memory and CPU.
/// </summary>
public static class UsageReader
{
    /// <summary>Series Prometheus adds for every target beside what it scrapes: up, scrape_duration_seconds, scrape_samples_scraped, scrape_samples_post_metric_relabeling, scrape_series_added.</summary>
    public const int SeriesAddedPerTarget = 5;

    /// <summary>
    /// Measures the fleet. Series per target are the largest <c>scrape_samples_post_metric_relabeling</c> (samples
    /// that reach the head, after relabeling drops any) over the last 5 minutes, plus <see cref="SeriesAddedPerTarget"/>.
    /// </summary>
    /// <param name="client">The source.</param>
    /// <param name="job">When set, only targets of this job are read.</param>
    /// <exception cref="PrometheusApiException">The source cannot be reached or refused a query.</exception>
    public static async Task<FleetMeasurement> ReadAsync(PrometheusClient client, string? job = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var selector = job is null ? "" : $"{{job=\"{job.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"}}";
        var samples = await client.QueryAsync($"max by (instance) (max_over_time(scrape_samples_post_metric_relabeling{selector}[5m]))",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var byTarget = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var series in samples.Series)
        {
            if (series.Labels.TryGetValue("instance", out var instance) && series.Samples.Count > 0 && double.IsFinite(series.Samples[0].Value))
                byTarget[instance] = (long)series.Samples[0].Value + SeriesAddedPerTarget;
        }

        const string Shards = "prometheus_tsdb_head_series";
        var head = await ByInstanceAsync(client, Shards, cancellationToken).ConfigureAwait(false);
        var memory = await ByInstanceAsync(client, $"process_resident_memory_bytes and on (job, instance) {Shards}", cancellationToken).ConfigureAwait(false);
        var cpu = await ByInstanceAsync(client, $"rate(process_cpu_seconds_total[5m]) and on (job, instance) {Shards}", cancellationToken).ConfigureAwait(false);
        var shards = head
            .Select(h => new ShardUsage(h.Key, (long)h.Value, memory.GetValueOrDefault(h.Key, double.NaN), cpu.GetValueOrDefault(h.Key, double.NaN)))
            .OrderBy(static s => s.Instance, StringComparer.Ordinal)
            .ToList();
        return new FleetMeasurement(byTarget, shards);
    }

    private static async Task<Dictionary<string, double>> ByInstanceAsync(PrometheusClient client, string query, CancellationToken cancellationToken)
    {
        var answer = await client.QueryAsync(query, cancellationToken: cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var series in answer.Series)
        {
            var instance = series.Labels.GetValueOrDefault("instance") ?? string.Join(",", series.Labels.Select(l => l.Key + "=" + l.Value));
            if (series.Samples.Count > 0)
                result[instance] = series.Samples[0].Value;
        }
        return result;
    }

    /// <summary>Formats cores for people: <c>0.25</c>.</summary>
    public static string Cores(double cores) => double.IsFinite(cores) ? cores.ToString("0.###", CultureInfo.InvariantCulture) : "-";
}
