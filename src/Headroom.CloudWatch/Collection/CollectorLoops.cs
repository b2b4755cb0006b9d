using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Headroom.CloudWatch.Collection;

/// <summary>
/// Collection decoupled from scrapes: one background loop per distinct period collects and, when the pass completes,
/// swaps its result in atomically. <see cref="RenderAsync"/> serves the last complete results and the self-metrics and
/// never calls AWS. A failed pass leaves the previous result in place and sets <c>headroom_cloudwatch_last_loop_success</c> to 0.
/// Each pass is logged through the collector's logger.
/// </summary>
/// <param name="report">Receives a one-line summary of each pass, for people (<c>cloudwatch serve</c> prints it on stdout).</param>
public sealed class CollectorLoops(Collector collector, TimeProvider? time = null, Action<string>? report = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<TimeSpan, CollectionResult> _results = new();

    /// <summary>The result currently served for each period.</summary>
    public IReadOnlyDictionary<TimeSpan, CollectionResult> Results => _results;

    /// <summary>Whether every period's loop has completed at least once.</summary>
    public bool Ready => collector.Periods.All(_results.ContainsKey);

    /// <summary>Runs every period's loop until cancelled: a pass at start, then one per period.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(collector.Periods.Select(p => LoopAsync(p, cancellationToken)));

    private async Task LoopAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, _time);
        try
        {
            do
            {
                await RunOnceAsync(period, cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass for <paramref name="period"/>; true when it completed and its result is now served.</summary>
    public async Task<bool> RunOnceAsync(TimeSpan period, CancellationToken cancellationToken = default)
    {
        var label = ((long)period.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var metrics = collector.Metrics;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var result = await collector.CollectAsync(period, cancellationToken).ConfigureAwait(false);
            _results[period] = result;
            metrics.LastLoopSuccess.WithLabels(label).Set(1);
            metrics.LastSuccess.WithLabels(label).Set(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            metrics.Loops.WithLabels(label, "success").Inc();
            metrics.Series.WithLabels(label).Set(result.Series.Count);
            metrics.ResultAge.WithLabels(label).Set(result.CollectedAt.ToUnixTimeMilliseconds() / 1000.0);
            var seconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 1);
            var stale = result.FailedTargets.Count == 0 ? "" : $"; still serving the previous series of {string.Join("; ", result.FailedTargets)}";
            report?.Invoke($"period {label}s: {result.Series.Count} series from {result.Queries} queries in {result.GetMetricDataCalls} GetMetricData calls, {seconds:F1} s{stale}");
            CollectorLog.PassCompleted(collector.Logger, (long)period.TotalSeconds, result.Series.Count, result.Queries, result.GetMetricDataCalls, seconds);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.LastLoopSuccess.WithLabels(label).Set(0);
            metrics.Loops.WithLabels(label, "failure").Inc();
            var problem = CollectorLog.Summary(e);
            report?.Invoke($"period {label}s: loop failed, still serving the previous result: {problem}");
            CollectorLog.PassFailed(collector.Logger, (long)period.TotalSeconds, problem);
            return false;
        }
        finally
        {
            metrics.LoopDuration.WithLabels(label).Set(stopwatch.Elapsed.TotalSeconds);
        }
    }

    /// <summary>The served results (series de-duplicated across loops) followed by the self-metrics.</summary>
    public async Task<string> RenderAsync(CancellationToken cancellationToken = default)
    {
        var series = _results.Values.SelectMany(r => r.Series).DistinctBy(s => s.Key);
        return Exposition.Write(series) + await collector.Metrics.ExportAsync(cancellationToken).ConfigureAwait(false);
    }
}
