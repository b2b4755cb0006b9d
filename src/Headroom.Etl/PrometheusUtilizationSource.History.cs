using Headroom.Prometheus.Client;
using Headroom.PromQL.Syntax;

namespace Headroom.Etl;

/// <summary>
/// Where the source's history starts. A Prometheus installed minutes ago holds nothing for most of a first run's
/// seven days; those hours are before its history, not gaps (7 × 24 hours × 5 dimensions would open 840).
/// </summary>
public sealed partial class PrometheusUtilizationSource
{
    /// <summary>
    /// The start of the first hour from <paramref name="from"/> on holding a sample of the profile's first raw series,
    /// looking one hour past <paramref name="to"/> (the hour under way, for a Prometheus started minutes ago); null when
    /// the hour before <paramref name="from"/> already held one (the history is older than the range) or the profile
    /// names no series to probe. <see cref="SourceHistory.HoldsNoData"/> when neither the range nor the
    /// <paramref name="lookBack"/> before it holds any: a source that stopped is not young, its hours stay gaps.
    /// </summary>
    public async Task<SourceHistory> HistoryAsync(Profile profile, DateTimeOffset from, DateTimeOffset to, TimeSpan lookBack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (to <= from || HistoryProbe(profile) is not { } probe)
            return SourceHistory.Unknown;
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
            return SourceHistory.Unknown;
        }
        var hours = result.Series.SelectMany(static s => s.Samples).Where(static s => s.Value > 0)
            .Select(static s => DateTimeOffset.FromUnixTimeMilliseconds(s.TimestampMs) + ExtractionQuery.EvaluationOffset - TimeSpan.FromHours(1))
            .ToList();
        if (hours.Count > 0)
        {
            var first = hours.Min();
            return new SourceHistory(first < from ? null : first, HoldsNoData: false);
        }
        // Rare (a new install or a source that stopped), so the one query over a long range is affordable.
        var before = await _client.QueryAsync($"count(last_over_time({probe}[{Durations.Format(lookBack)}]))", from, cancellationToken).ConfigureAwait(false);
        return new SourceHistory(null, HoldsNoData: before.Series.Count == 0);
    }

    /// <summary>
    /// The first selector of the first dimension, as PromQL: the node profile's is <c>node_cpu_seconds_total{mode="idle"}</c>,
    /// the numerator of its CPU ratio (one series per CPU, where the denominator's selector reads all eight modes).
    /// </summary>
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
}
