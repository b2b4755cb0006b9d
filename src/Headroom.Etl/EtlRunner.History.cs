using Headroom.PromQL.Syntax;

namespace Headroom.Etl;

/// <summary>
/// Where the source's history starts. A Prometheus installed minutes ago holds nothing for most of a first run's
/// seven days; those hours are before its history, not gaps (7 × 24 hours × 5 dimensions would open 840).
/// </summary>
public sealed partial class EtlRunner
{
    /// <summary>
    /// The start of the first hour in [<paramref name="from"/>, <paramref name="to"/>) holding a sample of the profile's
    /// first raw series; null when the hour before <paramref name="from"/> already held one (the history is older than
    /// the range) or the profile names no series to probe; <paramref name="to"/> when the source holds none yet (nothing
    /// in the range nor in the <paramref name="lookBack"/> before it: a source that stopped is not young, its hours are gaps).
    /// </summary>
    private async Task<DateTimeOffset?> HistoryStartAsync(Profile profile, DateTimeOffset from, DateTimeOffset to, TimeSpan lookBack, CancellationToken cancellationToken)
    {
        if (to <= from || HistoryProbe(profile) is not { } probe)
            return null;
        // One query at a 1h step: samples per hour, from the hour before the range (to tell a young source from an old one).
        var result = await _client.QueryRangeAsync(
            $"count(count_over_time({probe}[1h]))", from - ExtractionQuery.EvaluationOffset, to - ExtractionQuery.EvaluationOffset, TimeSpan.FromHours(1),
            cancellationToken).ConfigureAwait(false);
        var hours = result.Series.SelectMany(static s => s.Samples).Where(static s => s.Value > 0)
            .Select(static s => DateTimeOffset.FromUnixTimeMilliseconds(s.TimestampMs) + ExtractionQuery.EvaluationOffset - TimeSpan.FromHours(1))
            .ToList();
        if (hours.Count == 0)
        {
            // Rare (a new install or a source that stopped), so the one query over a long range is affordable.
            var before = await _client.QueryAsync($"count(last_over_time({probe}[{Durations.Format(lookBack)}]))", from, cancellationToken).ConfigureAwait(false);
            return before.Series.Count > 0 ? null : to;
        }
        var first = hours.Min();
        return first < from ? null : first;
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
        /// <summary>See <see cref="EtlReport.HistoryStart"/>; <c>to</c> when the source holds nothing yet.</summary>
        public DateTimeOffset? HistoryStart { get; set; }

        public bool IsBeforeHistory(DateTimeOffset hour) => HistoryStart is { } start && hour < start;

        public int HoursBeforeHistory(DateTimeOffset from, DateTimeOffset to) =>
            HistoryStart is { } start ? (int)((start < to ? start : to) - from).TotalHours : 0;
    }
}
