using Headroom.PromQL;
using Headroom.PromQL.Syntax;

namespace Headroom.Gateway.Pushdown;

/// <summary>
/// Which aggregations the shards may evaluate, so that finishing them in the gateway gives exactly the answer of
/// evaluating them there. The list is short on purpose (promxy's <c>NodeReplacer</c> learned its rules from wrong
/// answers): an aggregation whose partial results combine exactly (<c>sum</c>, <c>min</c>, <c>max</c>,
/// <c>count</c>, <c>group</c>, <c>topk</c>, <c>bottomk</c>, and <c>avg</c> as a sum and a count), over one selector
/// or one range function of one range selector, whose value for a series depends on that series alone. Everything
/// else is evaluated in the gateway.
/// </summary>
internal static class PushdownRules
{
    /// <summary>
    /// Range functions whose value for a series reads only that series' samples in its window, and that every
    /// Prometheus since 2.x has without feature flags (experimental ones such as <c>mad_over_time</c> would fail on a
    /// shard that lacks the flag). Not <c>absent_over_time</c>: a shard without the series would answer 1.
    /// </summary>
    private static readonly HashSet<string> s_rangeFunctions = new(StringComparer.Ordinal)
    {
        "rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes", "predict_linear",
        "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "last_over_time",
        "present_over_time", "quantile_over_time", "stddev_over_time", "stdvar_over_time",
    };

    /// <summary>
    /// The one selector of <paramref name="aggregate"/> when the shards may evaluate it, or null with the reason it
    /// stays in the gateway.
    /// </summary>
    /// <param name="aggregate">The aggregation.</param>
    /// <param name="replicaLabels">Labels that tell replicas apart: a shard's answer has them dropped, so they cannot be grouped by.</param>
    /// <param name="reason">Why the aggregation is not pushed.</param>
    public static VectorSelector? Pushable(AggregateExpr aggregate, IReadOnlyCollection<string> replicaLabels, out string reason)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        switch (aggregate.Operator)
        {
            case AggregationOperator.Sum or AggregationOperator.Min or AggregationOperator.Max or AggregationOperator.Count
                or AggregationOperator.Group or AggregationOperator.Avg:
                break;
            case AggregationOperator.Topk or AggregationOperator.Bottomk:
                // k per shard then k overall holds for one k; a k computed from data may differ per step and shard.
                if (Unwrap(aggregate.Parameter!) is not NumberLiteral)
                {
                    reason = "its k is not a number";
                    return null;
                }
                break;
            default:
                // quantile, stddev, stdvar, count_values, limitk, limit_ratio: partial results do not combine.
                reason = $"{aggregate.Operator.Keyword()} of partial results is not the {aggregate.Operator.Keyword()} of the whole";
                return null;
        }
        foreach (var label in aggregate.Grouping)
        {
            // by (__name__) behaves differently on a name removed late (the engine) and early (an answer's JSON);
            // replica labels are dropped from shard answers. Neither is worth the risk.
            if (label == Labels.MetricName || replicaLabels.Contains(label))
            {
                reason = $"it groups by {label}";
                return null;
            }
        }
        switch (Unwrap(aggregate.Inner))
        {
            case VectorSelector vs:
                return Local(vs, out reason);
            case Call call when s_rangeFunctions.Contains(call.Function.Name):
            {
                VectorSelector? selector = null;
                foreach (var argument in call.Arguments)
                {
                    switch (Unwrap(argument))
                    {
                        case MatrixSelector { RangeExpression: null } ms when selector is null:
                            selector = ms.Selector;
                            break;
                        case NumberLiteral:
                            break;
                        default:
                            // A subquery (its steps would be the shard's), a second selector, a computed parameter.
                            reason = $"an argument of {call.Function.Name} is not a range selector or a number";
                            return null;
                    }
                }
                if (selector is null)
                {
                    reason = $"{call.Function.Name} has no range selector";
                    return null;
                }
                return Local(selector, out reason);
            }
            default:
                reason = "it aggregates neither a selector nor a range function of one range selector";
                return null;
        }
    }

    /// <summary>
    /// A selector a shard evaluates as the gateway would: no <c>@</c> (it pins the time the shard would also have to
    /// honour for every step, which Prometheus does, but a pinned time is where mixed answers hide), no offset
    /// computed from the query, no look-ahead, no experimental modifiers.
    /// </summary>
    private static VectorSelector? Local(VectorSelector selector, out string reason)
    {
        reason = selector switch
        {
            { At: not null } => "its selector has an @ modifier",
            { OffsetExpression: not null } => "its selector's offset is an expression",
            _ when selector.Offset < TimeSpan.Zero => "its selector has a negative offset",
            { Anchored: true } or { Smoothed: true } => "its selector has an experimental modifier",
            _ => "",
        };
        return reason.Length == 0 ? selector : null;
    }

    public static Expr Unwrap(Expr expr) => expr is ParenExpr p ? Unwrap(p.Inner) : expr;
}
