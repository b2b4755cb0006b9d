using Headroom.Prometheus.Client;
using Headroom.PromQL.Syntax;

namespace Headroom.Etl;

/// <summary>
/// Where the source's history starts. A Prometheus installed minutes ago holds nothing for most of a first run's
/// seven days; those hours are before its history, not gaps (7 × 24 hours × 5 dimensions would open 840).
/// </summary>
public sealed partial class EtlRunner
{
    /// <summary>
    /// Sets <see cref="Tally.HistoryStart"/> to the start of the first hour from <paramref name="from"/> on holding a
    /// sample of the profile's first raw series, looking one hour past <paramref name="to"/> (the hour under way, for a
    /// Prometheus started minutes ago). Leaves it null when the hour before <paramref name="from"/> already held one
    /// (the history is older than the range) or the profile names no series to probe. Sets
    /// <see cref="Tally.SourceHoldsNoData"/> when neither the range nor the <paramref name="lookBack"/> before it holds
    /// any: a source that stopped is not young, its hours stay gaps.
    /// </summary>
    private async Task FindHistoryStartAsync(Profile profile, DateTimeOffset from, DateTimeOffset to, TimeSpan lookBack, Tally tally, CancellationToken cancellationToken)
    {
        if (to <= from || HistoryProbe(profile) is not { } probe)
            return;
        QueryResponse result;
        try
        {
            // One query at a 1h step: samples per hour, from the hour before the range (to tell a young source from an old one).
            result = await _client.QueryRangeAsync(
                $"count(count_over_time({probe}[1h]))", from - ExtractionQuery.EvaluationOffset, to.AddHours(1) - ExtractionQuery.EvaluationOffset, TimeSpan.FromHours(1),
                cancellationToken).ConfigureAwait(false);
        }
        catch (PrometheusApiException)
        {
            // Advisory: without it every empty hour is a gap, as before; the extraction that follows retries and reports the source's failure.
            return;
        }
        var hours = result.Series.SelectMany(static s => s.Samples).Where(static s => s.Value > 0)
            .Select(static s => DateTimeOffset.FromUnixTimeMilliseconds(s.TimestampMs) + ExtractionQuery.EvaluationOffset - TimeSpan.FromHours(1))
            .ToList();
        if (hours.Count > 0)
        {
            var first = hours.Min();
            tally.HistoryStart = first < from ? null : first;
            return;
        }
        // Rare (a new install or a source that stopped), so the one query over a long range is affordable.
        var before = await _client.QueryAsync($"count(last_over_time({probe}[{Durations.Format(lookBack)}]))", from, cancellationToken).ConfigureAwait(false);
        tally.SourceHoldsNoData = before.Series.Count == 0;
    }

    /// <summary>The first selector of the first dimension (e.g. <c>node_cpu_seconds_total{mode="idle"}</c>), as PromQL.</summary>
    internal static string? HistoryProbe(Profile profile)
    {
        try
        {
            return FirstSelector(Parser.Parse(profile.Dimensions[0].Expr))?.ToString();
        }
        catch (ParseException)
        {
            return null;
        }
    }

    private static VectorSelector? FirstSelector(Expr expr) => expr switch
    {
        VectorSelector v => v,
        MatrixSelector m => m.Selector,
        SubqueryExpr q => FirstSelector(q.Inner),
        ParenExpr p => FirstSelector(p.Inner),
        UnaryExpr u => FirstSelector(u.Operand),
        AggregateExpr a => FirstSelector(a.Inner),
        Call c => c.Arguments.Select(FirstSelector).FirstOrDefault(static s => s is not null),
        BinaryExpr b => FirstSelector(b.Left) ?? FirstSelector(b.Right),
        _ => null,
    };

    private sealed partial class Tally
    {
        /// <summary>See <see cref="EtlReport.HistoryStart"/>.</summary>
        public DateTimeOffset? HistoryStart { get; set; }

        /// <summary>See <see cref="EtlReport.SourceHoldsNoData"/>.</summary>
        public bool SourceHoldsNoData { get; set; }

        public bool IsBeforeHistory(DateTimeOffset hour) => SourceHoldsNoData || (HistoryStart is { } start && hour < start);

        public int HoursBeforeHistory(DateTimeOffset from, DateTimeOffset to) =>
            SourceHoldsNoData ? (int)(to - from).TotalHours
            : HistoryStart is { } start ? (int)((start < to ? start : to) - from).TotalHours : 0;
    }
}
