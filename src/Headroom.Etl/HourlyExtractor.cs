using System.Collections.Concurrent;
using Headroom.Prometheus.Client;
using Polly;
using Polly.Retry;

namespace Headroom.Etl;

/// <summary>
/// Extracts hourly statistics of a dimension from a Prometheus-compatible source: one query_range per
/// chunk of hours at a 1h step, chunks halved when the source refuses them as too large, transient
/// failures retried with exponential backoff and jitter, and at most a fixed number of requests in flight.
/// </summary>
public sealed class HourlyExtractor
{
    private readonly PrometheusClient _client;
    private readonly ExtractionOptions _options;
    private readonly ResiliencePipeline _retry;
    private readonly SemaphoreSlim _inFlight;
    private readonly Action<TimeSpan>? _onRequest;
    private long _requests;
    private long _splits;

    /// <param name="onRequest">Called with the latency of every request (for the query-duration histogram).</param>
    public HourlyExtractor(PrometheusClient client, ExtractionOptions options, TimeProvider? time = null, Action<TimeSpan>? onRequest = null)
    {
        _onRequest = onRequest;
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _client = client;
        _options = options;
        _inFlight = new SemaphoreSlim(options.MaxConcurrency);
        var builder = new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<PrometheusApiException>(IsTransient),
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
            });
        }
        _retry = builder.Build();
    }

    /// <summary>Requests sent so far, retries included.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Chunks split because the source refused them as too large.</summary>
    public long Splits => Interlocked.Read(ref _splits);

    /// <summary>Hourly rows of <paramref name="dimension"/> for the hours in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <param name="recorded">Read the dimension's recording rule instead of evaluating its expression.</param>
    /// <param name="ruleInterval">The rule's evaluation interval, for the expected sample count when <paramref name="recorded"/>.</param>
    public async Task<IReadOnlyList<HourlyRow>> ExtractAsync(
        Profile profile, Dimension dimension, DateTimeOffset from, DateTimeOffset to, bool recorded = false, TimeSpan? ruleInterval = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(dimension);
        var query = ExtractionQuery.Statistics(recorded ? ExtractionQuery.RecordedRange(dimension) : ExtractionQuery.RawRange(profile, dimension));
        var expected = ExtractionQuery.ExpectedPerHour(recorded ? ruleInterval ?? TimeSpan.FromMinutes(1) : profile.Resolution);
        var chunks = Chunk(from, to, _options.ChunkHours).ToList();
        var rows = new ConcurrentBag<HourlyRow>();
        await Task.WhenAll(chunks.Select(c => ExtractChunkAsync(query, dimension.Name, expected, c.From, c.To, rows, cancellationToken))).ConfigureAwait(false);
        return [.. rows.OrderBy(r => r.HourStart).ThenBy(r => Key(r.Labels), StringComparer.Ordinal)];
    }

    private async Task ExtractChunkAsync(string query, string dimension, long expected, DateTimeOffset from, DateTimeOffset to, ConcurrentBag<HourlyRow> rows, CancellationToken cancellationToken)
    {
        QueryResponse result;
        try
        {
            result = await SendAsync(query, from, to, cancellationToken).ConfigureAwait(false);
        }
        catch (PrometheusApiException e) when (IsTooLarge(e) && to - from > TimeSpan.FromHours(1))
        {
            Interlocked.Increment(ref _splits);
            var middle = from.AddHours(Math.Floor((to - from).TotalHours / 2));
            await Task.WhenAll(
                ExtractChunkAsync(query, dimension, expected, from, middle, rows, cancellationToken),
                ExtractChunkAsync(query, dimension, expected, middle, to, rows, cancellationToken)).ConfigureAwait(false);
            return;
        }
        catch (PrometheusApiException e) when (IsTooLarge(e))
        {
            throw new PrometheusApiException(
                $"the source refuses even one hour of {dimension} as too large ({e.Message}); deploy the profile's recording rules (headroom rules generate) or raise the source's query limits",
                e.StatusCode, e.ErrorType, e);
        }

        foreach (var row in Combine(result, dimension, expected))
            rows.Add(row);
    }

    private async Task<QueryResponse> SendAsync(string query, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var start = from.AddHours(1) - ExtractionQuery.EvaluationOffset;
            var end = to - ExtractionQuery.EvaluationOffset;
            return await _retry.ExecuteAsync(async ct =>
            {
                Interlocked.Increment(ref _requests);
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    return await _client.QueryRangeAsync(query, start, end, TimeSpan.FromHours(1), ct).ConfigureAwait(false);
                }
                finally
                {
                    _onRequest?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(started));
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>Joins the five tagged statistics of each (series, hour) into one row.</summary>
    private static IEnumerable<HourlyRow> Combine(QueryResponse result, string dimension, long expected)
    {
        var byKey = new Dictionary<(string Series, long Time), (IReadOnlyDictionary<string, string> Labels, double[] Values)>();
        foreach (var series in result.Series)
        {
            if (!series.Labels.TryGetValue(ExtractionQuery.StatLabel, out var stat))
                continue;
            var slot = Array.IndexOf(Stats, stat);
            var labels = series.Labels.Where(l => l.Key != ExtractionQuery.StatLabel).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
            var key = Key(labels);
            foreach (var sample in series.Samples)
            {
                if (!byKey.TryGetValue((key, sample.TimestampMs), out var entry))
                {
                    entry = (labels, [double.NaN, double.NaN, double.NaN, double.NaN, 0]);
                    byKey[(key, sample.TimestampMs)] = entry;
                }
                entry.Values[slot] = sample.Value;
            }
        }

        foreach (var ((_, time), (labels, v)) in byKey)
        {
            var hourStart = DateTimeOffset.FromUnixTimeMilliseconds(time) + ExtractionQuery.EvaluationOffset - TimeSpan.FromHours(1);
            yield return new HourlyRow(labels, dimension, hourStart, v[0], v[1], v[2], v[3], (long)v[4], expected);
        }
    }

    private static readonly string[] Stats = ["avg", "min", "max", "p95", "count"];

    internal static string Key(IReadOnlyDictionary<string, string> labels) =>
        string.Join('\u0001', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "\u0002" + l.Value));

    private static IEnumerable<(DateTimeOffset From, DateTimeOffset To)> Chunk(DateTimeOffset from, DateTimeOffset to, int hours)
    {
        for (var start = from; start < to; start = start.AddHours(hours))
            yield return (start, start.AddHours(hours) < to ? start.AddHours(hours) : to);
    }

    private static bool IsTransient(PrometheusApiException e) =>
        e.StatusCode is null or >= 500 or 429 || e.ErrorType is "timeout" or "unavailable";

    private static bool IsTooLarge(PrometheusApiException e) =>
        e.StatusCode is 422 or 400 &&
        (e.Message.Contains("too many samples", StringComparison.OrdinalIgnoreCase) ||
         e.Message.Contains("maximum resolution", StringComparison.OrdinalIgnoreCase));
}
