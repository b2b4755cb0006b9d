using Headroom.CloudWatch.Aws;
using Headroom.CloudWatch.Collection;
using Headroom.PromQL;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;

namespace Headroom.Etl.CloudWatch;

/// <summary>
/// One account in one region of a CloudWatch configuration as an ETL source. A window is read with one GetMetricData query
/// per metric and statistic the profile uses, over the whole window at the metric's period; the profile's expressions are
/// evaluated over those points by Headroom's PromQL engine at the profile's resolution, exactly as the Prometheus path
/// evaluates them over the collector's series, and each hour's points become a row. Any failure of AWS for this target
/// makes the window a gap for this target only.
/// </summary>
public sealed class CloudWatchUtilizationSource : IUtilizationSource
{
    private readonly Collector _collector;
    private readonly CollectorTarget _target;
    private readonly IReadOnlySet<string> _wanted;
    private readonly WindowLimits _limits;
    private long _calls;
    private long _queries;
    private long _series;

    /// <param name="wanted">The exported series names the profile reads (see <see cref="CloudWatchEtl.Wanted"/>).</param>
    public CloudWatchUtilizationSource(Collector collector, CollectorTarget target, IReadOnlySet<string> wanted, WindowLimits? limits = null)
    {
        _collector = collector;
        _target = target;
        _wanted = wanted;
        _limits = limits ?? WindowLimits.Default;
    }

    /// <summary>GetMetricData calls made so far, pages included.</summary>
    public long Requests => Interlocked.Read(ref _calls);

    /// <summary>Metrics requested so far (what GetMetricData bills).</summary>
    public long MetricsRequested => Interlocked.Read(ref _queries);

    /// <summary>Series (metric × resource) read so far; 0 after a run means discovery found nothing to read.</summary>
    public long SeriesRead => Interlocked.Read(ref _series);

    /// <summary>
    /// The configured metrics that have no datapoint here, one line each naming the namespace, the metric, its statistics and
    /// the dimensions without data, with what to check; filled by <see cref="HistoryAsync"/>.
    /// </summary>
    public IReadOnlyList<string> NoData { get; private set; } = [];

    /// <summary>
    /// Where this account and region's history starts, per dimension: the first datapoint of the series the dimension reads
    /// (one GetMetricData query per series at one hour, over the run's range and <paramref name="lookBack"/> before it).
    /// An instance launched yesterday has nothing to load, and no gap to retry, for the days before; a metric with no
    /// datapoint at all opens no gap either (it never would fill), and is named in <see cref="NoData"/>. Where there is no
    /// resource (or no metric) the profile reads, nothing to load and no gap: discovery sees what exists now, and those hours
    /// would be retried for the 63 days CloudWatch keeps them, for nothing. A call that fails leaves
    /// <see cref="SourceHistory.Unknown"/> (the probe is advisory) and an empty hour stays a gap.
    /// </summary>
    public async Task<SourceHistory> HistoryAsync(Profile profile, DateTimeOffset from, DateTimeOffset to, TimeSpan lookBack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        IReadOnlyList<MetricFirstData> metrics;
        try
        {
            // CloudWatch's own limits, not the window's: those cut a window's read, and the probe has 24 times fewer points an hour.
            var found = await _collector.FirstDatapointsAsync(_target, from - lookBack, to.AddHours(1), _wanted.Contains, cancellationToken: cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _queries, found.Queries);
            metrics = found.Metrics;
        }
        catch (AwsApiException)
        {
            return SourceHistory.Unknown;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SourceHistory.Unknown;
        }
        NoData = [.. metrics.Select(m => Missing(m, from - lookBack)).OfType<string>()];
        if (metrics.All(static m => m.Series.Count == 0))
            return new SourceHistory(null, HoldsNoData: true);

        var starts = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var dimension in profile.Dimensions)
        {
            var reads = CloudWatchEtl.Reads(dimension.Expr);
            var read = metrics.Where(m => m.Names.Any(reads.Contains)).ToList();
            if (read.Count == 0)
                continue;
            var firsts = read.SelectMany(static m => m.Series).Select(static s => s.First).OfType<DateTimeOffset>().ToList();
            starts[dimension.Name] = firsts.Count == 0 ? DateTimeOffset.MaxValue : firsts.Min();
        }
        var all = metrics.SelectMany(static m => m.Series).Select(static s => s.First).OfType<DateTimeOffset>().ToList();
        var start = all.Count == 0 ? (DateTimeOffset?)null : all.Min();
        return new SourceHistory(start is { } s && s > from ? s : null, HoldsNoData: false) { DimensionStarts = starts };
    }

    /// <summary>The line naming what of <paramref name="metric"/> has no datapoint since <paramref name="since"/>; null when all of it has.</summary>
    private string? Missing(MetricFirstData metric, DateTimeOffset since)
    {
        var what = $"{metric.Namespace} {metric.MetricName} ({string.Join(", ", metric.Statistics)})";
        if (metric.Series.Count == 0)
        {
            return $"{what}: CloudWatch lists no such metric for the resources found in {_target.Region}; " +
                "check the metric's name and dimensions in the configuration (both are case-sensitive), or whether anything publishes it " +
                "(EC2 memory and disk need the CloudWatch agent)";
        }
        var silent = metric.Series.Where(static s => s.First is null).ToList();
        if (silent.Count == 0)
            return null;
        const int Shown = 5;
        var dimensions = string.Join(", ", silent.Take(Shown).Select(static s => s.Dimensions.Count == 0 ? "no dimension" : string.Join(",", s.Dimensions.Select(static d => $"{d.Key}={d.Value}"))));
        var more = silent.Count > Shown ? $" and {silent.Count - Shown} more" : "";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{what} has no datapoint since {since:yyyy-MM-dd HH:mm}Z for {dimensions}{more} ({silent.Count} of {metric.Series.Count} series): check the metric's name and dimensions in the configuration, or whether the resource publishes it");
    }

    /// <inheritdoc />
    public async Task<SourceWindow> ReadAsync(EtlOptions options, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var profile = options.Profile;
        WindowRead read;
        try
        {
            read = await _collector.ReadWindowAsync(_target, start, end, _wanted.Contains, _limits, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e)
        {
            throw new SourceUnavailableException($"{_target.Who} in {_target.Region}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SourceUnavailableException($"{_target.Who} in {_target.Region}: AWS did not answer in time", e);
        }
        Interlocked.Add(ref _calls, read.Calls);
        Interlocked.Add(ref _queries, read.Queries);
        Interlocked.Add(ref _series, read.Series.Count);

        var storage = new InMemoryStorage();
        foreach (var series in read.Series)
        {
            var labels = Labels.From(series.Labels.Select(l => new Label(l.Key, l.Value)).Append(new Label(Labels.MetricName, series.Name)));
            foreach (var (t, v) in series.Points)
                storage.Append(labels, t, v);
        }
        // Points sit exactly on the steps (both are multiples of the period since the epoch); a lookback shorter than one
        // step keeps a missing point missing instead of repeating the one before it.
        var step = profile.Resolution;
        AppendInfo(storage, read.Info, start, end, step);
        var engine = new QueryEngine(storage, new EngineOptions { LookbackDelta = step / 2 });
        var rows = new List<IReadOnlyList<HourlyRow>>();
        foreach (var dimension in profile.Dimensions)
        {
            var result = await engine.RangeAsync(dimension.Expr, start.ToUnixTimeMilliseconds(), (end - step).ToUnixTimeMilliseconds(), (long)step.TotalMilliseconds, cancellationToken).ConfigureAwait(false);
            rows.Add(Hourly(result.Value, dimension.Name, (long)(TimeSpan.FromHours(1) / step)));
        }
        return new SourceWindow(rows, Metadata(profile, read.Info));
    }

    /// <summary>
    /// The info series (value 0, as the collector exports them) at every step of the window from the resource's creation on,
    /// so that expressions over them (<c>count by (name) (aws_rds_info)</c>, the waste profiles' <c>present</c>) mean here
    /// what they mean over the collector's series: the hours the resource existed. Discovery sees what exists now, so a
    /// resource created inside the window exists from its <c>created</c> label on (where the describe API gives one).
    /// </summary>
    internal static void AppendInfo(InMemoryStorage storage, IReadOnlyList<CollectedSeries> info, DateTimeOffset start, DateTimeOffset end, TimeSpan step)
    {
        var stepMs = (long)step.TotalMilliseconds;
        foreach (var series in info)
        {
            var from = start.ToUnixTimeMilliseconds();
            if (series.Label(InfoLabels.Created) is { } created
                && DateTimeOffset.TryParse(created, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            {
                // The first step at or after creation.
                from = Math.Max(from, (at.ToUnixTimeMilliseconds() + stepMs - 1) / stepMs * stepMs);
            }
            var labels = Labels.From(series.Labels.Select(l => new Label(l.Key, l.Value)).Append(new Label(Labels.MetricName, series.Name)));
            for (var t = from; t < end.ToUnixTimeMilliseconds(); t += stepMs)
                storage.Append(labels, t, series.Value);
        }
    }

    private static List<HourlyRow> Hourly(QueryValue value, string dimension, long expected)
    {
        var rows = new List<HourlyRow>();
        if (value is not MatrixResult matrix)
            return rows;
        foreach (var series in matrix.Series)
        {
            var labels = series.Labels.Where(l => l.Name != Labels.MetricName).ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal);
            foreach (var hour in series.Points.GroupBy(p => p.T / 3_600_000))
            {
                var (avg, min, max, p95, count) = HourlyStatistics.Of([.. hour.Select(p => p.F)]);
                rows.Add(new HourlyRow(labels, dimension, DateTimeOffset.FromUnixTimeMilliseconds(hour.Key * 3_600_000), avg, min, max, p95, count, expected));
            }
        }
        return rows;
    }

    /// <summary>Metadata from the info series, through the profile's <c>info</c> mapping, as the Prometheus path reads it from aws_*_info.</summary>
    internal static Dictionary<string, ResourceMetadata> Metadata(Profile profile, IReadOnlyList<CollectedSeries> info)
    {
        var byResource = new Dictionary<string, ResourceMetadata>(StringComparer.Ordinal);
        if (profile.Info is not { } source)
            return byResource;
        var extra = source.Extra is null ? null : new System.Text.RegularExpressions.Regex($"^(?:{source.Extra})$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        foreach (var series in info.Where(s => s.Name == source.Metric))
        {
            var labels = series.Labels.GroupBy(l => l.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
            if (Validator.ResourceKey(profile, labels) is not { } key)
                continue;
            string? Field(string name) => source.Metadata.TryGetValue(name, out var label) && labels.TryGetValue(label, out var v) ? v : null;
            var extras = extra is null
                ? new Dictionary<string, string>()
                : labels.Where(l => extra.IsMatch(l.Key)).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
            byResource[key] = new ResourceMetadata(Field("account"), Field("region"), Field("instance_type"), Field("name"), extras);
        }
        return byResource;
    }
}
