using Headroom.Prometheus.Client;

namespace Headroom.Etl;

/// <summary>
/// A Prometheus-compatible endpoint as a source: each dimension from its recording rule when the rule covers every hour
/// of the window with complete data, otherwise from the raw expression (counted in headroom_etl_raw_fallback_total);
/// metadata from the profile's info series.
/// </summary>
public sealed partial class PrometheusUtilizationSource : IUtilizationSource
{
    private readonly PrometheusClient _client;
    private readonly HourlyExtractor _extractor;
    private readonly EtlMetrics _metrics;

    /// <param name="onRequest">Called with the latency of every request (for the query-duration histogram).</param>
    public PrometheusUtilizationSource(PrometheusClient client, ExtractionOptions extraction, EtlMetrics metrics, TimeProvider? time = null, Action<TimeSpan>? onRequest = null)
    {
        _client = client;
        _metrics = metrics;
        _extractor = new HourlyExtractor(client, extraction, time, onRequest);
    }

    /// <inheritdoc />
    public long Requests => _extractor.Requests;

    /// <inheritdoc />
    public async Task<SourceWindow> ReadAsync(EtlOptions options, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var profile = options.Profile;
        var reads = await Task.WhenAll(profile.Dimensions.Select(d => ExtractAsync(options, d, start, end, cancellationToken))).ConfigureAwait(false);
        var metadata = await MetadataReader.ReadAsync(_client, profile, start, end, cancellationToken).ConfigureAwait(false);
        return new SourceWindow([.. reads.Select(r => r.Rows)], metadata.ToDictionary(m => m.Key, m => new ResourceMetadata(m.Value.Account, m.Value.Region, m.Value.InstanceType, m.Value.Name, m.Value.Extra), StringComparer.Ordinal))
        {
            RecordedReads = reads.Count(r => r.Recorded == true),
            RawFallbacks = reads.Count(r => r.Recorded == false),
        };
    }

    /// <summary>Recorded is true when read from the rule, false after a fallback, null when the dimension has no rule (or rules are off).</summary>
    private async Task<(IReadOnlyList<HourlyRow> Rows, bool? Recorded)> ExtractAsync(EtlOptions options, Dimension dimension, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var profile = options.Profile;
        bool? recordedRead = null;
        if (options.UseRecordingRules && dimension.Record is not null)
        {
            var recorded = await _extractor.ExtractAsync(profile, dimension, start, end, recorded: true, options.RuleInterval, cancellationToken).ConfigureAwait(false);
            if (Covers(recorded, start, end, options.Validation.MinCompleteness))
                return (recorded, true);
            recordedRead = false;
            _metrics.RawFallbacks.WithLabels(profile.Name, dimension.Name).Inc();
        }
        return (await _extractor.ExtractAsync(profile, dimension, start, end, cancellationToken: cancellationToken).ConfigureAwait(false), recordedRead);
    }

    private static bool Covers(IReadOnlyList<HourlyRow> rows, DateTimeOffset start, DateTimeOffset end, double minCompleteness)
    {
        var hours = rows.Where(r => r.Expected > 0 && (double)r.Samples / r.Expected >= minCompleteness).Select(r => r.HourStart).ToHashSet();
        for (var hour = start; hour < end; hour = hour.AddHours(1))
        {
            if (!hours.Contains(hour))
                return false;
        }
        return rows.All(r => r.Expected > 0 && (double)r.Samples / r.Expected >= minCompleteness);
    }
}
