using Headroom.Prometheus.Client;
using Headroom.Warehouse;

namespace Headroom.Etl;

/// <summary>
/// Runs the ETL: plans hour-aligned windows from the watermark (or a given range), extracts every
/// dimension, validates, and commits each window — rows, quarantine, gaps and watermark — in one
/// transaction. Open gaps are retried first, while the source still holds their data.
/// </summary>
public sealed partial class EtlRunner
{
    private readonly IWarehouse _warehouse;
    private readonly IUtilizationSource _source;
    private readonly EtlMetrics _metrics;
    private readonly TimeProvider _time;

    /// <summary>A runner over a Prometheus-compatible source.</summary>
    public EtlRunner(IWarehouse warehouse, PrometheusClient client, ExtractionOptions extraction, EtlMetrics? metrics = null, TimeProvider? time = null)
    {
        _warehouse = warehouse;
        _metrics = metrics ?? new EtlMetrics();
        _time = time ?? TimeProvider.System;
        _source = new PrometheusUtilizationSource(client, extraction, _metrics, _time, latency => _pendingLatencies.Enqueue(latency.TotalSeconds));
    }

    /// <summary>A runner over any source (e.g. CloudWatch read directly).</summary>
    public EtlRunner(IWarehouse warehouse, IUtilizationSource source, EtlMetrics? metrics = null, TimeProvider? time = null)
    {
        _warehouse = warehouse;
        _source = source;
        _metrics = metrics ?? new EtlMetrics();
        _time = time ?? TimeProvider.System;
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<double> _pendingLatencies = new();

    /// <summary>Runs once. Committed windows stay committed when a later window fails.</summary>
    public async Task<EtlReport> RunAsync(EtlOptions options, EtlMode mode, IProgress<EtlProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var profile = options.Profile;
        var now = _time.GetUtcNow();
        var watermark = await _warehouse.GetWatermarkAsync(profile.Name, options.Source, cancellationToken).ConfigureAwait(false);
        var (from, to) = Plan(options, mode, watermark, now);
        var runId = await _warehouse.StartRunAsync(new EtlRunStart(profile.Name, options.Source, from, to), cancellationToken).ConfigureAwait(false);
        var tally = new Tally();
        try
        {
            await RetryGapsAsync(options, runId, from, tally, cancellationToken).ConfigureAwait(false);
            tally.HistoryStartFound = new Lazy<Task>(() => AskHistoryStartAsync(profile, from, to, options.GapRetention, tally, cancellationToken));
            var windows = Windows(from, to, options.WindowHours).ToList();
            var totalHours = (int)(to - from).TotalHours;
            var hoursDone = 0;
            // A backfill ahead of the watermark must not move it past hours nobody loaded.
            var advance = mode == EtlMode.Incremental || (watermark is not null && from <= watermark.End);
            foreach (var (start, end) in windows)
            {
                await LoadWindowAsync(options, runId, start, end, advance, tally, cancellationToken).ConfigureAwait(false);
                hoursDone += (int)(end - start).TotalHours;
                progress?.Report(new EtlProgress(hoursDone, totalHours, end));
            }

            await _warehouse.FinishRunAsync(runId, new EtlRunResult(EtlRunStatus.Succeeded, tally.Loaded, tally.Rejected), CancellationToken.None).ConfigureAwait(false);
            _metrics.Runs.WithLabels(profile.Name, "succeeded").Inc();
            _metrics.LastRunSuccess.WithLabels(profile.Name).Set(1);
            _metrics.LastRunRejectedRatio.WithLabels(profile.Name).Set(tally.Loaded + tally.Rejected == 0 ? 0 : (double)tally.Rejected / (tally.Loaded + tally.Rejected));
            await UpdateGaugesAsync(options, CancellationToken.None).ConfigureAwait(false);
            return new EtlReport(runId, from, to, windows.Count, tally.Loaded, tally.Rejected, tally.ByReason, tally.GapsOpened, tally.GapsResolved, _source.Requests)
            {
                Unavailable = tally.Unavailable,
                RecordedReads = tally.RecordedReads,
                RawFallbacks = tally.RawFallbacks,
                HistoryStart = tally.HistoryStart,
                SourceHoldsNoData = tally.SourceHoldsNoData,
                HoursBeforeHistory = tally.HoursBeforeHistory(from, to),
            };
        }
        catch (Exception e)
        {
            // Record the failure even when the run was cancelled: the row must not stay "running".
            await _warehouse.FinishRunAsync(runId, new EtlRunResult(EtlRunStatus.Failed, tally.Loaded, tally.Rejected, e.Message), CancellationToken.None).ConfigureAwait(false);
            _metrics.Runs.WithLabels(profile.Name, "failed").Inc();
            _metrics.LastRunSuccess.WithLabels(profile.Name).Set(0);
            await UpdateGaugesAsync(options, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        finally
        {
            while (_pendingLatencies.TryDequeue(out var seconds))
                _metrics.QueryDuration.WithLabels(profile.Name).Observe(seconds);
        }
    }

    /// <summary>The hour-aligned range to load.</summary>
    internal static (DateTimeOffset From, DateTimeOffset To) Plan(EtlOptions options, EtlMode mode, Watermark? watermark, DateTimeOffset now)
    {
        var to = FloorHour(options.To ?? now - options.SafetyDelay);
        if (mode == EtlMode.Backfill && (options.From is null || options.To is null))
            throw new ArgumentException("a backfill needs both --from and --to");
        var from = FloorHour(options.From
            ?? (watermark is not null ? watermark.End - options.Overlap : to - options.FirstRunLookback));
        if (from > to)
            from = to;
        return (from, to);
    }

    private async Task LoadWindowAsync(EtlOptions options, long runId, DateTimeOffset start, DateTimeOffset end, bool advance, Tally tally, CancellationToken cancellationToken, bool newGapsCount = true)
    {
        var profile = options.Profile;
        SourceWindow read;
        try
        {
            read = await _source.ReadAsync(options, start, end, cancellationToken).ConfigureAwait(false);
        }
        catch (SourceUnavailableException e)
        {
            await CommitUnavailableAsync(options, runId, start, end, advance, e.Message, tally, newGapsCount, cancellationToken).ConfigureAwait(false);
            return;
        }
        var extracted = read.Rows;
        var metadata = read.Metadata;
        Interlocked.Add(ref tally.RecordedReads, read.RecordedReads);
        Interlocked.Add(ref tally.RawFallbacks, read.RawFallbacks);
        var now = _time.GetUtcNow();

        var valid = new List<ValidRow>();
        var rejected = new List<RejectedRow>();
        var gaps = new List<GapOpening>();
        var resolved = new List<GapResolution>();
        var withData = new HashSet<DateTimeOffset>[profile.Dimensions.Count];
        for (var i = 0; i < profile.Dimensions.Count; i++)
        {
            var (ok, bad) = Validator.Validate(profile, profile.Dimensions[i], extracted[i], now, options.Validation);
            valid.AddRange(ok);
            rejected.AddRange(bad);
            withData[i] = ok.Select(r => r.HourStart).ToHashSet();
        }
        var hours = (int)(end - start).TotalHours;
        if (withData.Any(h => h.Count < hours) && tally.HistoryStartFound is { } historyStart)
            await historyStart.Value.ConfigureAwait(false);
        for (var i = 0; i < profile.Dimensions.Count; i++)
        {
            var dimension = profile.Dimensions[i];
            // One gap per hour with no complete row for any resource (no data, or the source was down for
            // part of it): hours are what later runs retry and resolve.
            for (var hour = start; hour < end; hour = hour.AddHours(1))
            {
                if (!withData[i].Contains(hour) && !tally.IsBeforeHistory(dimension.Name, hour))
                    gaps.Add(new GapOpening(dimension.Name, hour, hour.AddHours(1), "no_data"));
            }
            resolved.AddRange(withData[i].Select(h => new GapResolution(dimension.Name, h)));
        }

        // Incomplete rows are quarantined but say the data is not all there yet (gaps retry it), not that it is
        // wrong: they do not count towards the limit that fails the run.
        var invalid = rejected.Where(r => r.Reason != RejectReason.LowCompleteness).ToList();
        var total = valid.Count + invalid.Count;
        if (total > 0 && (double)invalid.Count / total > options.MaxRejectedRatio)
        {
            var reasons = string.Join(", ", invalid.GroupBy(r => r.Reason).Select(g => $"{g.Key}: {g.Count()}"));
            throw new DataQualityException(
                $"{invalid.Count} of {total} rows in {ExtractionQuery.Describe(start, end)} failed validation ({reasons}), above the limit of {options.MaxRejectedRatio:P0}; " +
                "nothing of this window was loaded. Fix the source or the profile, or raise --max-rejected-ratio.");
        }

        var commit = new WindowCommit(runId, profile.Name, options.Source, start, end)
        {
            Resources = Resources(valid, metadata),
            Hourly = [.. valid.Select(r => new HourlyUtilization(r.ResourceKey, r.Dimension, r.HourStart, r.Avg, r.Min, r.Max, r.P95, r.Max, r.Samples, r.Expected))],
            Quarantine = [.. rejected.Select(r => new QuarantinedRow(r.Dimension, r.ResourceKey, r.HourStart, r.Reason, r.Payload))],
            OpenGaps = gaps,
            ResolvedGaps = resolved,
            Dimensions = [.. profile.Dimensions.Select(d => d.Name)],
            AdvanceWatermark = advance,
        };
        await _warehouse.CommitWindowAsync(commit, cancellationToken).ConfigureAwait(false);

        tally.Loaded += valid.Count;
        tally.Rejected += rejected.Count;
        if (newGapsCount)
            tally.GapsOpened += gaps.Count;
        foreach (var group in rejected.GroupBy(r => r.Reason))
        {
            tally.ByReason[group.Key] = tally.ByReason.GetValueOrDefault(group.Key) + group.Count();
            _metrics.RowsRejected.WithLabels(profile.Name, group.Key).Inc(group.Count());
        }
        _metrics.RowsLoaded.WithLabels(profile.Name).Inc(valid.Count);
    }

    /// <summary>Re-reads the open gaps the source may still hold; a commit with data for a gap's hour resolves it.</summary>
    private async Task RetryGapsAsync(EtlOptions options, long runId, DateTimeOffset before, Tally tally, CancellationToken cancellationToken)
    {
        var oldest = _time.GetUtcNow() - options.GapRetention;
        var open = await _warehouse.ListOpenGapsAsync(options.Profile.Name, options.Source, cancellationToken).ConfigureAwait(false);
        // Gaps inside the range about to be loaded are retried by loading it; older ones are re-read here,
        // consecutive hours together.
        var hours = open.Where(g => g.WindowStart >= oldest && g.WindowEnd <= before).Select(g => g.WindowStart).ToHashSet();
        if (hours.Count == 0)
            return;
        foreach (var (start, end) in Ranges(hours))
            await LoadWindowAsync(options, runId, start, end, advance: false, tally, cancellationToken, newGapsCount: false).ConfigureAwait(false);
        var stillOpen = (await _warehouse.ListOpenGapsAsync(options.Profile.Name, options.Source, cancellationToken).ConfigureAwait(false))
            .Count(g => hours.Contains(g.WindowStart));
        tally.GapsResolved += open.Count(g => hours.Contains(g.WindowStart)) - stillOpen;
    }

    private static IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Ranges(IEnumerable<DateTimeOffset> hours)
    {
        DateTimeOffset? start = null, end = null;
        foreach (var hour in hours.Order())
        {
            if (end == hour)
            {
                end = hour.AddHours(1);
                continue;
            }
            if (start is { } s)
                yield return (s, end!.Value);
            (start, end) = (hour, hour.AddHours(1));
        }
        if (start is { } last)
            yield return (last, end!.Value);
    }

    private async Task UpdateGaugesAsync(EtlOptions options, CancellationToken cancellationToken)
    {
        var watermark = await _warehouse.GetWatermarkAsync(options.Profile.Name, options.Source, cancellationToken).ConfigureAwait(false);
        if (watermark is not null)
            _metrics.WatermarkLag.WithLabels(options.Profile.Name, options.Source).Set((_time.GetUtcNow() - watermark.End).TotalSeconds);
        var gaps = await _warehouse.ListOpenGapsAsync(options.Profile.Name, options.Source, cancellationToken).ConfigureAwait(false);
        _metrics.OpenGaps.WithLabels(options.Profile.Name).Set(gaps.Count);
        // From the warehouse, not this process: a one-shot run that failed still pushes when the last success was.
        var status = await _warehouse.GetStatusAsync(50, cancellationToken).ConfigureAwait(false);
        var lastSuccess = status.RecentRuns.Where(r => r.Profile == options.Profile.Name && r.Status == EtlRunStatus.Succeeded).Select(r => r.FinishedAt).Max();
        if (lastSuccess is { } at)
            _metrics.LastSuccess.WithLabels(options.Profile.Name).Set(at.ToUnixTimeSeconds());
    }

    private static List<ResourceRecord> Resources(List<ValidRow> rows, IReadOnlyDictionary<string, ResourceMetadata> metadata) =>
        [.. rows.GroupBy(r => r.ResourceKey).Select(g =>
        {
            var first = g.First();
            var record = new ResourceRecord(g.Key, first.Identity, g.Min(r => r.HourStart), g.Max(r => r.HourStart).AddHours(1));
            return metadata.TryGetValue(g.Key, out var m)
                ? record with { Account = m.Account, Region = m.Region, InstanceType = m.InstanceType, Name = m.Name, Metadata = m.Extra }
                : record;
        })];

    private static IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Windows(DateTimeOffset from, DateTimeOffset to, int hours)
    {
        // Windows end on multiples of their length since the epoch, so a day's hours commit together.
        var size = TimeSpan.FromHours(hours);
        for (var start = from; start < to;)
        {
            var boundary = DateTimeOffset.FromUnixTimeMilliseconds((start.ToUnixTimeMilliseconds() / (long)size.TotalMilliseconds + 1) * (long)size.TotalMilliseconds);
            var end = boundary < to ? boundary : to;
            yield return (start, end);
            start = end;
        }
    }

    /// <summary>The start of the hour holding <paramref name="time"/>.</summary>
    public static DateTimeOffset FloorHour(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds() / 3600 * 3600);

    private sealed partial class Tally
    {
        /// <summary>Why windows were recorded as gaps because the source could not be read, one line each.</summary>
        public List<string> Unavailable { get; } = [];

        public long Loaded { get; set; }

        public long Rejected { get; set; }

        public int GapsOpened { get; set; }

        public int GapsResolved { get; set; }

        public Dictionary<string, long> ByReason { get; } = new(StringComparer.Ordinal);

        // Fields, not properties: dimensions of a window are extracted concurrently and count with Interlocked.
        public int RecordedReads;

        public int RawFallbacks;
    }
}
