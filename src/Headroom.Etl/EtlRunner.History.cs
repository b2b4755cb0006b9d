namespace Headroom.Etl;

/// <summary>
/// Where the source's history starts. A Prometheus installed minutes ago holds nothing for most of a first run's
/// seven days; those hours are before its history, not gaps (7 × 24 hours × 5 dimensions would open 840).
/// The source is asked only when a window has an hour without data, the only time the answer changes anything: for
/// CloudWatch it is a GetMetricData query per series, which would double what an hourly run with every hour
/// present is billed.
/// </summary>
public sealed partial class EtlRunner
{
    /// <summary>Asks the source where its history starts and keeps the answer for the run's gaps and report.</summary>
    private async Task AskHistoryStartAsync(Profile profile, DateTimeOffset from, DateTimeOffset to, TimeSpan lookBack, Tally tally, CancellationToken cancellationToken)
    {
        var history = await _source.HistoryAsync(profile, from, to, lookBack, cancellationToken).ConfigureAwait(false);
        tally.HistoryStart = history.Start;
        tally.SourceHoldsNoData = history.HoldsNoData;
        tally.DimensionStarts = history.DimensionStarts;
    }

    private sealed partial class Tally
    {
        /// <summary>Asks the source where its history starts, once, the first time it is awaited; null before the run's range is planned.</summary>
        public Lazy<Task>? HistoryStartFound { get; set; }

        /// <summary>See <see cref="EtlReport.HistoryStart"/>.</summary>
        public DateTimeOffset? HistoryStart { get; set; }

        /// <summary>See <see cref="EtlReport.SourceHoldsNoData"/>.</summary>
        public bool SourceHoldsNoData { get; set; }

        /// <summary>See <see cref="SourceHistory.DimensionStarts"/>.</summary>
        public IReadOnlyDictionary<string, DateTimeOffset> DimensionStarts { get; set; } = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);

        public bool IsBeforeHistory(string dimension, DateTimeOffset hour) =>
            SourceHoldsNoData
            || (DimensionStarts.TryGetValue(dimension, out var own) ? hour < own : HistoryStart is { } start && hour < start);

        public int HoursBeforeHistory(DateTimeOffset from, DateTimeOffset to) =>
            SourceHoldsNoData ? (int)(to - from).TotalHours
            : HistoryStart is { } start ? (int)((start < to ? start : to) - from).TotalHours : 0;
    }
}
